"""The diffusion fellow's lifecycle: recruitment (advertised → nominated → agreed), the
secondment the agreement makes, replacement, the five-year cap and its warnings on the
governance dashboard."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from coproduce.audit.models import AuditEntry
from coproduce.funding import lifecycle
from coproduce.funding.models import FellowEvent, Vacancy
from coproduce.governance import breaches
from coproduce.registry.models import Secondment
from tests import factories

pytestmark = pytest.mark.django_db
D = dt.date


def test_a_vacancy_is_recruited_through_its_pages(manager_client: Client, study: object) -> None:
    partner = factories.OrganisationFactory(name="Witham Fens Partnership")
    nominee = factories.PersonFactory(full_name="Nadia Nominee")
    old = factories.SecondmentFactory(study=study, start=D(2009, 4, 1), end=D(2011, 3, 31))
    vacancy = Vacancy.objects.create(study=study, advertised_on=D(2011, 1, 10), replaces=old)

    nominate = reverse("funding:vacancy_nominate", args=[vacancy.public_id])
    agree = reverse("funding:vacancy_agree", args=[vacancy.public_id])
    # Agreeing before the nomination is refused and changes nothing.
    early = manager_client.post(
        agree, {"agreed_on": "2011-03-01", "start": "2011-04-01", "fte": "0.2"}
    )
    assert early.status_code == 400
    assert "Record the nomination before the agreement." in early.content.decode()
    # A nomination dated before the advert is a field error.
    before = manager_client.post(
        nominate,
        {"nominated_by": partner.pk, "nominee": nominee.pk, "nominated_on": "2010-12-01"},
    )
    assert before.status_code == 400
    assert 'href="#id_nominated_on"' in before.content.decode()

    response = manager_client.post(
        nominate,
        {"nominated_by": partner.pk, "nominee": nominee.pk, "nominated_on": "2011-02-01"},
    )
    assert response.status_code == 302
    vacancy.refresh_from_db()
    assert vacancy.status == Vacancy.Status.NOMINATED
    page = manager_client.get(reverse("funding:vacancy", args=[vacancy.public_id]))
    assert "Nadia Nominee nominated by Witham Fens Partnership" in page.content.decode()

    response = manager_client.post(
        agree,
        {
            "agreed_on": "2011-03-01",
            "start": "2011-04-01",
            "end": "",
            "fte": "0.2",
            "in_kind_value": "15000",
        },
    )
    assert response.status_code == 302
    vacancy.refresh_from_db()
    assert vacancy.status == Vacancy.Status.AGREED
    secondment = vacancy.secondment
    assert secondment is not None
    assert (secondment.person, secondment.home_organisation) == (nominee, partner)
    assert (secondment.start, secondment.fte) == (D(2011, 4, 1), Decimal("0.20"))
    events = {(e.secondment_id, e.kind) for e in FellowEvent.objects.all()}
    assert events == {
        (secondment.pk, "nominated"),
        (secondment.pk, "agreed"),
        (old.pk, "replaced"),
    }
    actions = sorted(AuditEntry.objects.values_list("action", flat=True))
    assert actions == sorted(
        [
            "funding.vacancy.updated",  # nominated
            "funding.vacancy.updated",  # agreed
            "registry.secondment.created",
            *["funding.fellowevent.created"] * 3,
        ]
    )


def test_only_managers_take_the_steps(member_client: Client, study: object) -> None:
    vacancy = Vacancy.objects.create(study=study, advertised_on=D(2011, 1, 10))
    for name in ("vacancy_nominate", "vacancy_agree", "vacancy_withdraw"):
        url = reverse(f"funding:{name}", args=[vacancy.public_id])
        assert member_client.post(url, {}).status_code == 403
    vacancy.refresh_from_db()
    assert vacancy.status == Vacancy.Status.ADVERTISED
    assert not AuditEntry.objects.exists()


def test_the_cap_is_five_years_from_the_first_secondment_across_renewals(settings: object) -> None:
    person = factories.PersonFactory(full_name="Ian Longserve")
    factories.SecondmentFactory(person=person, start=D(2009, 4, 1), end=D(2011, 3, 31))
    current = factories.SecondmentFactory(person=person, start=D(2011, 4, 1))
    factories.SecondmentFactory(start=D(2012, 1, 1))  # a newer fellow, far from the cap
    assert lifecycle.cap_date(D(2009, 4, 1)) == D(2014, 3, 31)
    # More than six months before: no warning.
    assert lifecycle.near_cap(D(2013, 9, 30)) == []
    # Six months before the cap, and after it: warned, about the current secondment.
    (status,) = lifecycle.near_cap(D(2013, 10, 1))
    assert (status.secondment, status.cap_date) == (current, D(2014, 3, 31))
    (late,) = lifecycle.near_cap(D(2014, 6, 1))
    assert late.is_past(D(2014, 6, 1))
    settings.COPRODUCE_DF_CAP_YEARS = 6  # type: ignore[attr-defined]
    assert lifecycle.near_cap(D(2014, 6, 1)) == []


def test_the_governance_dashboard_shows_the_cap_and_recruitment(
    reader_client: Client, study: object
) -> None:
    person = factories.PersonFactory(full_name="Ian Longserve")
    today = dt.date.today()
    factories.SecondmentFactory(
        person=person, study=study, start=today.replace(year=today.year - 5)
    )
    Vacancy.objects.create(study=study, advertised_on=D(2011, 1, 10))
    keys = {rule.key: rule for rule in breaches.all_rules()}
    assert [b.subject for b in keys["df-cap"].breaches] == [f"Ian Longserve ({study})"]
    assert [b.subject for b in keys["df-recruitment"].breaches] == [str(study)]
    html = reader_client.get(reverse("governance:dashboard")).content.decode()
    assert "Diffusion fellow posts being recruited (1)" in html
    assert reverse("funding:fellows") in html


def test_the_fellows_page_lists_secondments_with_their_cap(reader_client: Client) -> None:
    secondment = factories.SecondmentFactory(start=D(2009, 4, 1))
    FellowEvent.objects.create(secondment=secondment, kind="renewed", date=D(2011, 4, 1))
    html = reader_client.get(reverse("funding:fellows")).content.decode()
    assert str(secondment.person) in html
    assert "31 Mar 2014" in html
    assert "Renewed 1 Apr 2011" in html
    assert Secondment.objects.count() == 1


def test_a_placement_shows_time_agreed_and_used(reader_client: Client) -> None:
    from coproduce.coproduction.models import BrokerActivity
    from tests.funding.scene import placement_agreement

    placement = factories.PlacementFactory(start=D(2012, 4, 2), end=D(2012, 4, 13))
    placement_agreement(placement)  # 0.5 FTE
    for hours in ("7.5", "7.5", "3.75"):
        BrokerActivity.objects.create(
            person=placement.person,
            placement=placement,
            date=D(2012, 4, 5),
            hours=Decimal(hours),
            direction="outward",
            kind="dissemination",
            mobilisation="horizontal",
        )
    (row,) = lifecycle.placement_time(D(2013, 1, 1))
    assert row.expected_days == Decimal("5.0")  # 10 working days at 0.5
    assert row.used_days == Decimal("2.5")  # 18.75 hours at 7.5 a day
    html = reader_client.get(reverse("funding:fellows")).content.decode()
    assert str(placement.person) in html
