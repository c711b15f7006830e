"""The staff home page: a way into every section, counts and recent changes."""

from __future__ import annotations

from typing import Any

from django.test import Client

from coproduce.pages.models import Enquiry
from tests import factories
from tests.staff.conftest import CASE_BY_KEY, form_data


def test_it_links_every_section_with_counts(manager_client: Client, db: Any) -> None:
    factories.StudyFactory.create_batch(3)
    Enquiry.objects.create(name="Sam", email="sam@example.org", message="Hello")
    html = manager_client.get("/staff/").content.decode()
    for segment in (
        "organisations",
        "themes",
        "studies",
        "people",
        "roles",
        "secondments",
        "placements",
        "enquiries",
    ):
        assert f'href="/staff/{segment}/' in html
    assert '<a href="/staff/studies/">Studies</a>' in html
    assert '<td class="nhsuk-table__cell nhsuk-table__cell--numeric">3</td>' in html
    assert "New enquiries" in html


def test_it_shows_recent_changes(manager_client: Client, db: Any) -> None:
    theme = factories.ThemeFactory(name="Primary Care")
    manager_client.post(
        CASE_BY_KEY["theme"].url(theme, "edit"), form_data(theme, summary="Changed")
    )
    html = manager_client.get("/staff/").content.decode()
    # A sentence, by name, from the live record; the raw code is kept for auditors.
    assert "manager changed the summary of Primary Care" in html
    assert "<code>registry.theme.updated registry.theme#" in html


def test_the_staff_menu_marks_the_current_section(manager_client: Client, db: Any) -> None:
    html = manager_client.get("/staff/studies/").content.decode()
    assert 'href="/staff/studies/" aria-current="page">Studies</a>' in html


def test_readers_and_researchers_may_enter(
    reader_client: Client, member_client: Client, db: Any
) -> None:
    assert reader_client.get("/staff/").status_code == 200
    assert member_client.get("/staff/").status_code == 200


def test_others_may_not(client: Client, plain_client: Client) -> None:
    assert client.get("/staff/").status_code == 302
    assert plain_client.get("/staff/").status_code == 403


def test_the_sign_in_page_still_works(client: Client, manager: Any) -> None:
    assert client.get("/staff/sign-in/").status_code == 200
    response = client.post(
        "/staff/sign-in/", {"username": "manager", "password": "correct-horse-battery"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/staff/"


def test_other_apps_can_add_a_section_to_the_menu(manager_client: Client, db: Any) -> None:
    from coproduce.staff import navigation

    navigation.register_section("tryout", "Try-out section", "staff:enquiries")
    try:
        items = navigation.staff_nav("tryout")
        studies = next(item for item in items if item["key"] == "studies")
        assert studies["current"] is True  # a section registered without an area: studies
        assert studies["sections"][-1] == {
            "key": "tryout",
            "label": "Try-out section",
            "url": "/staff/enquiries/",
            "current": True,
        }
        assert "Try-out section" in manager_client.get("/staff/").content.decode()
    finally:
        navigation._REGISTERED.pop("tryout")
