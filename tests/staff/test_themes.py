"""Themes: research and cross-cutting, ordered; a theme with studies cannot be deleted."""

from __future__ import annotations

from typing import Any

from django.test import Client

from coproduce.registry.models import Theme
from tests import factories
from tests.staff.conftest import CASE_BY_KEY

CASE = CASE_BY_KEY["theme"]


def test_filters_by_type(manager_client: Client, db: Any) -> None:
    research = factories.ThemeFactory(name="Mental Health")
    cross = factories.ThemeFactory(name="Implementation", kind=Theme.Kind.CROSS_CUTTING)
    html = manager_client.get("/staff/themes/?kind=cross_cutting").content.decode()
    assert CASE.url(cross) in html
    assert CASE.url(research) not in html


def test_search_by_summary(manager_client: Client, db: Any) -> None:
    found = factories.ThemeFactory(summary="Getting back to work after stroke")
    other = factories.ThemeFactory(summary="Children")
    html = manager_client.get("/staff/themes/?q=stroke").content.decode()
    assert CASE.url(found) in html
    assert CASE.url(other) not in html


def test_the_type_is_chosen_with_radios(manager_client: Client, db: Any) -> None:
    html = manager_client.get("/staff/themes/new/").content.decode()
    assert 'type="radio"' in html
    assert "Cross-cutting theme" in html


def test_a_theme_with_studies_cannot_be_deleted(manager_client: Client, db: Any) -> None:
    study = factories.StudyFactory(title="Supported employment")
    response = manager_client.post(CASE.url(study.theme, "delete"))
    html = response.content.decode()
    assert response.status_code == 409
    assert "This theme cannot be deleted" in html
    assert "1 study: Supported employment" in html
    assert Theme.objects.filter(pk=study.theme.pk).exists()


def test_the_detail_page_lists_its_studies(manager_client: Client, db: Any) -> None:
    study = factories.StudyFactory(title="Supported employment")
    html = manager_client.get(CASE.url(study.theme)).content.decode()
    assert CASE_BY_KEY["study"].url(study) in html
