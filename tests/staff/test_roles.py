"""Role assignments: filters by study, role and status; dates checked; no duplicate roles."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import Client

from coproduce.registry.models import RoleAssignment
from tests import factories
from tests.staff.conftest import CASE_BY_KEY, error_summary

CASE = CASE_BY_KEY["role"]
LIST = "/staff/roles/"


def test_filters_by_study_and_role(manager_client: Client, db: Any) -> None:
    study = factories.StudyFactory(slug="cato")
    lead = factories.RoleAssignmentFactory(study=study, role=RoleAssignment.Role.CHIEF_INVESTIGATOR)
    carer = factories.RoleAssignmentFactory(study=study, role=RoleAssignment.Role.CARER)
    elsewhere = factories.RoleAssignmentFactory(role=RoleAssignment.Role.CARER)

    html = manager_client.get(f"{LIST}?study=cato").content.decode()
    assert CASE.url(lead) in html
    assert CASE.url(carer) in html
    assert CASE.url(elsewhere) not in html

    html = manager_client.get(f"{LIST}?study=cato&role=carer").content.decode()
    assert CASE.url(carer) in html
    assert CASE.url(lead) not in html
    assert CASE.url(elsewhere) not in html


def test_filters_current_and_ended_roles(manager_client: Client, db: Any) -> None:
    current = factories.RoleAssignmentFactory()
    ended = factories.RoleAssignmentFactory(end=dt.date(2012, 3, 31))
    html = manager_client.get(f"{LIST}?status=current").content.decode()
    assert CASE.url(current) in html
    assert CASE.url(ended) not in html
    html = manager_client.get(f"{LIST}?status=ended").content.decode()
    assert CASE.url(ended) in html
    assert CASE.url(current) not in html


def test_search_by_person(manager_client: Client, db: Any) -> None:
    found = factories.RoleAssignmentFactory(person__full_name="Priya Shah")
    other = factories.RoleAssignmentFactory(person__full_name="Tom Jones")
    html = manager_client.get(f"{LIST}?q=shah").content.decode()
    assert CASE.url(found) in html
    assert CASE.url(other) not in html


def test_an_end_before_the_start_is_refused(manager_client: Client, db: Any) -> None:
    data = {**CASE.create_data(), "start": "2010-06-01", "end": "2010-05-31"}
    response = manager_client.post("/staff/roles/new/", data)
    html = response.content.decode()
    assert '<a href="#id_end">The end date must be on or after the start date.</a>' in html
    assert 'value="2010-06-01"' in html
    assert not RoleAssignment.objects.exists()


def test_the_same_role_twice_from_the_same_date_is_refused(manager_client: Client, db: Any) -> None:
    data = CASE.create_data()
    assert manager_client.post("/staff/roles/new/", data).status_code == 302
    response = manager_client.post("/staff/roles/new/", data)
    assert response.status_code == 200
    assert "already has this role on this study from this start date" in error_summary(
        response.content.decode()
    )
    assert RoleAssignment.objects.count() == 1


def test_the_study_detail_links_to_all_its_roles(manager_client: Client, db: Any) -> None:
    study = factories.StudyFactory(slug="mosaic")
    factories.RoleAssignmentFactory.create_batch(21, study=study)
    html = manager_client.get("/staff/studies/mosaic/").content.decode()
    assert "Only the first 20 are shown." in html
    assert 'href="/staff/roles/?study=mosaic"' in html
