"""Organisations: filters by type, area and partnership; web address names; protected deletes."""

from __future__ import annotations

from typing import Any

from django.test import Client

from coproduce.audit.models import AuditEntry
from coproduce.registry.models import Organisation
from tests import factories
from tests.staff.conftest import CASE_BY_KEY, error_summary

CASE = CASE_BY_KEY["organisation"]
LIST = "/staff/organisations/"
NEW = "/staff/organisations/new/"


def test_filters_by_type_area_and_partnership(manager_client: Client, db: Any) -> None:
    derbyshire = factories.AreaFactory(name="Derbyshire", slug="derbyshire")
    trust = factories.OrganisationFactory(name="Derby Trust", area=derbyshire)
    charity = factories.OrganisationFactory(
        name="Carers Lincs", kind=Organisation.Kind.CHARITY, partner_since=None
    )

    html = manager_client.get(f"{LIST}?kind=charity").content.decode()
    assert CASE.url(charity) in html
    assert CASE.url(trust) not in html

    html = manager_client.get(f"{LIST}?area=derbyshire").content.decode()
    assert CASE.url(trust) in html
    assert CASE.url(charity) not in html

    html = manager_client.get(f"{LIST}?partner=no").content.decode()
    assert CASE.url(charity) in html
    assert CASE.url(trust) not in html
    html = manager_client.get(f"{LIST}?partner=yes").content.decode()
    assert CASE.url(trust) in html
    assert CASE.url(charity) not in html


def test_search_by_name(manager_client: Client, db: Any) -> None:
    found = factories.OrganisationFactory(name="Nottingham University")
    other = factories.OrganisationFactory(name="Lincoln Trust")
    html = manager_client.get(f"{LIST}?q=nottingham").content.decode()
    assert CASE.url(found) in html
    assert CASE.url(other) not in html
    assert "1 organisation found." in html


def test_an_unknown_filter_value_is_reported_not_a_crash(manager_client: Client, db: Any) -> None:
    response = manager_client.get(f"{LIST}?area=atlantis")
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_pages_of_25_keep_the_filters(manager_client: Client, db: Any) -> None:
    factories.OrganisationFactory.create_batch(30, kind=Organisation.Kind.UNIVERSITY)
    factories.OrganisationFactory(name="Zed Trust")
    html = manager_client.get(f"{LIST}?kind=university").content.decode()
    assert html.count('<tr class="nhsuk-table__row">') == 26  # header row + 25
    assert "?kind=university&amp;page=2" in html
    html = manager_client.get(f"{LIST}?kind=university&page=2").content.decode()
    assert html.count('<tr class="nhsuk-table__row">') == 6
    assert "Zed Trust" not in html


def test_the_web_address_name_is_made_from_the_name(manager_client: Client, db: Any) -> None:
    data = CASE.create_data()
    response = manager_client.post(NEW, data)
    assert response.status_code == 302
    assert response["Location"] == "/staff/organisations/lincoln-carers-network/"


def test_a_reserved_or_taken_web_address_name_is_refused(manager_client: Client, db: Any) -> None:
    factories.OrganisationFactory(slug="taken")
    data = CASE.create_data()
    html = manager_client.post(NEW, {**data, "slug": "new"}).content.decode()
    assert "This web address name is reserved" in error_summary(html)
    html = manager_client.post(NEW, {**data, "slug": "taken"}).content.decode()
    assert "Another organisation already uses this web address name." in error_summary(html)


def test_a_website_without_a_scheme_gets_https(manager_client: Client, db: Any) -> None:
    data = {**CASE.create_data(), "website": "carers.example.org"}
    manager_client.post(NEW, data)
    assert Organisation.objects.get().website == "https://carers.example.org"


def test_an_organisation_still_referenced_cannot_be_deleted(
    manager_client: Client, db: Any
) -> None:
    secondment = factories.SecondmentFactory(home_organisation__name="Home Trust")
    organisation = secondment.home_organisation

    html = manager_client.get(CASE.url(organisation, "delete")).content.decode()
    assert "This organisation cannot be deleted" in html
    assert "1 secondment" in html
    response = manager_client.post(CASE.url(organisation, "delete"))

    assert response.status_code == 409
    assert "<title>Error: Delete organisation" in response.content.decode()
    assert Organisation.objects.filter(pk=organisation.pk).exists()
    assert not AuditEntry.objects.exists()


def test_deleting_an_organisation_unlinks_its_people(manager_client: Client, db: Any) -> None:
    person = factories.PersonFactory()
    response = manager_client.post(CASE.url(person.organisation, "delete"))
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.organisation is None
