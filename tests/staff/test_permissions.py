"""Who may do what: managers change everything, researchers only their studies, readers nothing.

Every refusal is enforced on the server (403), not only hidden in the page.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from coproduce.audit.models import AuditEntry
from tests import factories
from tests.staff.conftest import CASE_BY_KEY, NON_STUDY_CASES, Case, form_data


def test_anonymous_people_are_sent_to_sign_in(client: Client, case: Case) -> None:
    obj = case.make()
    for url in (
        case.base(),
        f"{case.base()}new/",
        case.url(obj),
        case.url(obj, "edit"),
        case.url(obj, "delete"),
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/staff/sign-in/?next=")
    response = client.post(case.url(obj, "delete"))
    assert response.status_code == 302
    assert type(obj).objects.filter(pk=obj.pk).exists()


def test_signed_in_people_without_a_staff_role_are_refused(
    plain_client: Client, case: Case
) -> None:
    obj = case.make()
    assert plain_client.get("/staff/").status_code == 403
    assert plain_client.get(case.base()).status_code == 403
    assert plain_client.get(case.url(obj)).status_code == 403


def test_a_reader_sees_lists_and_details_without_edit_buttons(
    reader_client: Client, case: Case
) -> None:
    obj = case.make()
    html = reader_client.get(case.base()).content.decode()
    assert case.url(obj) in html
    assert case.url(obj, "edit") not in html
    assert f"{case.base()}new/" not in html
    html = reader_client.get(case.url(obj)).content.decode()
    assert case.url(obj, "edit") not in html
    assert case.url(obj, "delete") not in html


def test_a_reader_cannot_create_edit_or_delete(reader_client: Client, case: Case) -> None:
    obj = case.make()
    data = case.create_data()
    count = type(obj).objects.count()
    assert reader_client.get(f"{case.base()}new/").status_code == 403
    assert reader_client.post(f"{case.base()}new/", data).status_code == 403
    assert reader_client.get(case.url(obj, "edit")).status_code == 403
    edited = form_data(obj, **{case.edit_field: case.edit_value})
    assert reader_client.post(case.url(obj, "edit"), edited).status_code == 403
    assert reader_client.get(case.url(obj, "delete")).status_code == 403
    assert reader_client.post(case.url(obj, "delete")).status_code == 403
    assert type(obj).objects.count() == count
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize("case", NON_STUDY_CASES, ids=[c.key for c in NON_STUDY_CASES])
def test_a_researcher_can_view_but_not_change_other_records(
    member_client: Client, case: Case
) -> None:
    obj = case.make()
    assert member_client.get(case.base()).status_code == 200
    assert member_client.get(case.url(obj)).status_code == 200
    assert member_client.get(f"{case.base()}new/").status_code == 403
    assert member_client.get(case.url(obj, "edit")).status_code == 403
    edited = form_data(obj, **{case.edit_field: case.edit_value})
    assert member_client.post(case.url(obj, "edit"), edited).status_code == 403
    assert member_client.post(case.url(obj, "delete")).status_code == 403
    assert type(obj).objects.filter(pk=obj.pk).exists()


def test_a_researcher_edits_the_study_they_work_on(
    member_client: Client, study: Any, member: Any
) -> None:
    case = CASE_BY_KEY["study"]
    html = member_client.get(case.url(study)).content.decode()
    assert case.url(study, "edit") in html
    assert case.url(study, "delete") not in html  # deleting a study is for managers

    response = member_client.post(
        case.url(study, "edit"), form_data(study, summary="Co-produced with employers.")
    )

    assert response.status_code == 302
    study.refresh_from_db()
    assert study.summary == "Co-produced with employers."
    entry = AuditEntry.objects.get(action="registry.study.updated")
    assert entry.actor == member
    assert entry.changes == {"summary": ["", "Co-produced with employers."]}


def test_a_researcher_cannot_edit_another_study(member_client: Client, study: Any) -> None:
    case = CASE_BY_KEY["study"]
    other = factories.StudyFactory(title="Home visits after stroke")
    html = member_client.get(case.base()).content.decode()
    assert case.url(study, "edit") in html
    assert case.url(other, "edit") not in html
    assert member_client.get(case.url(other, "edit")).status_code == 403
    response = member_client.post(case.url(other, "edit"), form_data(other, summary="Mine now"))
    assert response.status_code == 403
    other.refresh_from_db()
    assert other.summary == ""


def test_a_researcher_cannot_create_or_delete_studies(member_client: Client, study: Any) -> None:
    case = CASE_BY_KEY["study"]
    assert member_client.get(f"{case.base()}new/").status_code == 403
    assert member_client.get(case.url(study, "delete")).status_code == 403
    assert member_client.post(case.url(study, "delete")).status_code == 403


def test_a_researcher_whose_role_ended_can_no_longer_edit(
    member_client: Client, study: Any, member: Any
) -> None:
    member.person.roles.update(end=dt.date(2011, 1, 1))
    case = CASE_BY_KEY["study"]
    assert member_client.get(case.url(study, "edit")).status_code == 403


def test_an_outsider_researcher_cannot_edit_the_study(outsider_client: Client, study: Any) -> None:
    case = CASE_BY_KEY["study"]
    assert outsider_client.get(case.url(study, "edit")).status_code == 403


def test_get_requests_change_nothing(manager_client: Client, case: Case) -> None:
    obj = case.make()
    before = AuditEntry.objects.count()
    for url in (case.base(), case.url(obj), case.url(obj, "edit"), case.url(obj, "delete")):
        assert manager_client.get(url).status_code == 200
    assert type(obj).objects.filter(pk=obj.pk).exists()
    assert AuditEntry.objects.count() == before
