"""People: emails normalised and unique whatever their case, ORCID iDs checked, search, filters."""

from __future__ import annotations

from typing import Any

from django.test import Client

from coproduce.audit.models import AuditEntry
from coproduce.registry.models import Person
from tests import factories
from tests.staff.conftest import CASE_BY_KEY, error_summary, form_data

CASE = CASE_BY_KEY["person"]
NEW = "/staff/people/new/"


def _new_person(**overrides: Any) -> dict[str, Any]:
    return {**CASE.create_data(), **overrides}


def test_it_stores_the_email_normalised(manager_client: Client, db: Any) -> None:
    response = manager_client.post(NEW, _new_person())
    assert response.status_code == 302
    person = Person.objects.get()
    assert person.email == "asha.patel@example.nhs.uk"
    entry = AuditEntry.objects.get()
    assert entry.changes["email"] == [None, "asha.patel@example.nhs.uk"]


def test_a_duplicate_email_in_another_case_is_refused_clearly(
    manager_client: Client, db: Any
) -> None:
    factories.PersonFactory(full_name="Asha P", email="asha.patel@example.nhs.uk")

    response = manager_client.post(NEW, _new_person(email="ASHA.Patel@example.NHS.uk"))

    assert response.status_code == 200
    html = response.content.decode()
    summary = error_summary(html)
    assert "There is a problem" in summary
    assert "Another person already has this email address." in summary
    assert '<a href="#id_email">' in summary
    assert html.count("Another person already has this email address.") == 2  # summary + field
    assert "<title>Error: Add a person" in html
    assert 'value="Asha Patel"' in html  # nothing typed is lost
    assert 'value="Occupational therapist"' in html
    assert Person.objects.count() == 1
    assert not AuditEntry.objects.exists()


def test_editing_a_person_keeps_their_own_email(manager_client: Client, db: Any) -> None:
    person = factories.PersonFactory(email="jo@example.org")
    response = manager_client.post(
        CASE.url(person, "edit"), form_data(person, email="Jo@Example.org", job_title="Nurse")
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.email == "jo@example.org"
    assert AuditEntry.objects.get().changes == {"job_title": ["", "Nurse"]}


def test_a_badly_formed_orcid_shows_how_to_write_it(manager_client: Client, db: Any) -> None:
    response = manager_client.post(NEW, _new_person(orcid="1234"))
    html = response.content.decode()
    assert "Enter an ORCID iD as four groups of four characters" in error_summary(html)
    assert 'value="1234"' in html
    assert "<title>Error: " in html
    assert not Person.objects.exists()


def test_an_orcid_with_a_wrong_check_digit_is_refused(manager_client: Client, db: Any) -> None:
    response = manager_client.post(NEW, _new_person(orcid="0000-0002-1825-0098"))
    html = response.content.decode()
    assert "its last character does not match" in error_summary(html)
    assert 'value="0000-0002-1825-0098"' in html


def test_a_sign_in_account_belongs_to_one_person(manager_client: Client, member: Any) -> None:
    response = manager_client.post(NEW, _new_person(user=member.pk))
    assert "This sign-in account already belongs to another person." in error_summary(
        response.content.decode()
    )


def test_search_finds_people_by_name_or_email(manager_client: Client, db: Any) -> None:
    asha = factories.PersonFactory(full_name="Asha Patel", email="a.patel@example.org")
    ben = factories.PersonFactory(full_name="Ben Okafor", email="ben@trust.example")
    html = manager_client.get("/staff/people/?q=patel").content.decode()
    assert CASE.url(asha) in html
    assert CASE.url(ben) not in html
    html = manager_client.get("/staff/people/?q=TRUST.example").content.decode()
    assert CASE.url(ben) in html
    assert CASE.url(asha) not in html
    assert 'value="TRUST.example"' in html


def test_people_filter_by_organisation(manager_client: Client, db: Any) -> None:
    trust = factories.OrganisationFactory(name="Trust", slug="trust")
    here = factories.PersonFactory(organisation=trust)
    elsewhere = factories.PersonFactory()
    html = manager_client.get("/staff/people/?organisation=trust").content.decode()
    assert CASE.url(here) in html
    assert CASE.url(elsewhere) not in html


def test_a_person_with_roles_cannot_be_deleted(manager_client: Client, db: Any) -> None:
    role = factories.RoleAssignmentFactory(person__full_name="Kim Lead")
    person = role.person
    html = manager_client.get(CASE.url(person, "delete")).content.decode()
    assert "This person cannot be deleted" in html
    assert "1 role assignment" in html
    assert "Yes, delete it" not in html

    response = manager_client.post(CASE.url(person, "delete"))

    assert response.status_code == 409
    assert "This person cannot be deleted" in response.content.decode()
    assert Person.objects.filter(pk=person.pk).exists()
    assert not AuditEntry.objects.exists()


def test_the_detail_page_lists_their_roles_and_links_their_organisation(
    manager_client: Client, db: Any
) -> None:
    role = factories.RoleAssignmentFactory()
    html = manager_client.get(CASE.url(role.person)).content.decode()
    assert CASE_BY_KEY["role"].url(role) in html
    assert CASE_BY_KEY["organisation"].url(role.person.organisation) in html
