"""Capacity building: each figure from `capacity.py` equals a direct count of the rows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from coproduce.community.models import Associate
from coproduce.funding import capacity
from coproduce.funding.models import Attendance, FurtherFunding, TrainingSession
from coproduce.registry.models import RoleAssignment
from tests import factories
from tests.community import helpers

pytestmark = pytest.mark.django_db
D = dt.date


def _training() -> dict[str, object]:
    trust = factories.OrganisationFactory(name="Trentside NHS Trust")
    council = factories.OrganisationFactory(name="Peakdale Council")
    brokering = TrainingSession.objects.create(
        title="Brokering", kind="knowledge_brokering", date=D(2011, 5, 1)
    )
    methods = TrainingSession.objects.create(
        title="Methods", kind="research_methods", date=D(2012, 5, 1)
    )
    nurse, manager = factories.PersonFactory(), factories.PersonFactory()
    associate = helpers.associate(full_name="Ada Associate", email="ada@example.org")
    Attendance.objects.create(session=brokering, person=nurse, organisation=trust, role="clinician")
    # The same person twice counts once.
    Attendance.objects.create(session=methods, person=nurse, organisation=trust, role="clinician")
    Attendance.objects.create(session=methods, person=manager, organisation=council, role="manager")
    Attendance.objects.create(session=methods, associate=associate, role="service_user")
    return {"trust": trust, "council": council, "associate": associate}


def _direct_people(start: dt.date | None = None) -> int:
    rows = Attendance.objects.all()
    if start:
        rows = rows.filter(session__date__gte=start)
    return len({(a.person_id, a.associate_id) for a in rows})


def test_people_trained_equal_a_direct_count() -> None:
    _training()
    assert capacity.people_trained() == _direct_people() == 3
    assert capacity.people_trained(D(2012, 1, 1)) == _direct_people(D(2012, 1, 1)) == 3
    assert capacity.people_trained(D(2011, 1, 1), D(2011, 12, 31)) == 1


def test_people_trained_by_partner_and_role() -> None:
    _training()
    by_partner = dict(capacity.trained_by_partner())
    for name in ("Trentside NHS Trust", "Peakdale Council"):
        direct = (
            Attendance.objects.filter(organisation__name=name)
            .values("person_id", "associate_id")
            .distinct()
            .count()
        )
        assert by_partner[name] == direct
    assert by_partner["No organisation"] == 1
    by_role = dict(capacity.trained_by_role())
    assert by_role == {"Clinician": 1, "Manager": 1, "Service user or carer": 1}
    assert sum(by_role.values()) == capacity.people_trained()
    assert dict(capacity.sessions_by_kind()) == {"Knowledge brokering": 1, "Research methods": 1}


def test_fellows_who_led_a_project_or_won_funding() -> None:
    study = factories.StudyFactory()
    # Rows whose ids would line up with the people's if a query compared the wrong ids.
    for n in range(3):
        FurtherFunding.objects.create(
            funder="Other", title=f"Unrelated {n}", amount=Decimal("1"), start=D(2000, 1, 1)
        )
        factories.RoleAssignmentFactory(start=D(2000, 1, 1))
    leader = factories.SecondmentFactory(start=D(2009, 4, 1)).person
    earlier = factories.SecondmentFactory(start=D(2009, 4, 1)).person
    winner = factories.SecondmentFactory(start=D(2009, 4, 1)).person
    not_fellow = factories.PersonFactory()
    for person, start in (
        (leader, D(2012, 1, 1)),
        (earlier, D(2008, 1, 1)),
        (not_fellow, D(2012, 1, 1)),
    ):
        RoleAssignment.objects.create(
            person=person, study=study, role="chief_investigator", start=start
        )
    funding = FurtherFunding.objects.create(
        funder="NIHR", title="Trial", amount=Decimal("1"), start=D(2012, 1, 1)
    )
    funding.people.set([winner, not_fellow])
    assert capacity.fellows_who_led_a_project() == [leader]
    assert capacity.fellows_who_won_funding() == [winner]
    assert capacity.fellows().count() == 3


def test_the_capacity_page_shows_the_figures(reader_client: Client) -> None:
    _training()
    html = reader_client.get(reverse("funding:capacity")).content.decode()
    assert "People trained by partner organisation" in html
    assert "Trentside NHS Trust" in html
    assert Associate.objects.count() == 1
