"""Studies: filters by theme, stage and design; partners audited; dates checked."""

from __future__ import annotations

from typing import Any

from django.test import Client

from coproduce.audit.models import AuditEntry
from coproduce.registry.models import Study
from tests import factories
from tests.staff.conftest import CASE_BY_KEY, error_summary, form_data

CASE = CASE_BY_KEY["study"]


def test_filters_by_theme_and_stage(manager_client: Client, db: Any) -> None:
    stroke = factories.ThemeFactory(name="Stroke", slug="stroke")
    recruiting = factories.StudyFactory(theme=stroke, stage=Study.Stage.RECRUITING)
    complete = factories.StudyFactory(theme=stroke, stage=Study.Stage.COMPLETE)
    elsewhere = factories.StudyFactory(stage=Study.Stage.COMPLETE)

    html = manager_client.get("/staff/studies/?theme=stroke").content.decode()
    assert CASE.url(recruiting) in html
    assert CASE.url(complete) in html
    assert CASE.url(elsewhere) not in html

    html = manager_client.get("/staff/studies/?theme=stroke&stage=complete").content.decode()
    assert CASE.url(complete) in html
    assert CASE.url(recruiting) not in html
    assert CASE.url(elsewhere) not in html


def test_search_by_acronym(manager_client: Client, db: Any) -> None:
    mosaic = factories.StudyFactory(acronym="MOSAIC")
    other = factories.StudyFactory(acronym="STAK")
    html = manager_client.get("/staff/studies/?q=mosaic").content.decode()
    assert CASE.url(mosaic) in html
    assert CASE.url(other) not in html


def test_partner_changes_are_audited(manager_client: Client, db: Any) -> None:
    study = factories.StudyFactory()
    first = factories.OrganisationFactory(name="Alpha Trust")
    second = factories.OrganisationFactory(name="Beta Council")
    study.partners.add(first)

    response = manager_client.post(
        CASE.url(study, "edit"), form_data(study, partners=[str(first.pk), str(second.pk)])
    )

    assert response.status_code == 302
    assert set(study.partners.all()) == {first, second}
    entry = AuditEntry.objects.get(action="registry.study.updated")
    assert entry.changes == {"partners": [["Alpha Trust"], ["Alpha Trust", "Beta Council"]]}
    html = manager_client.get(CASE.url(study)).content.decode()
    assert "Partner organisations</strong>: Alpha Trust" in html
    assert "Alpha Trust, Beta Council" in html


def test_an_end_before_the_start_is_shown_on_the_end_field(manager_client: Client, db: Any) -> None:
    study = factories.StudyFactory(summary="Kept")
    response = manager_client.post(
        CASE.url(study, "edit"),
        form_data(study, start="2012-05-01", end="2011-05-01", summary="Typed but not saved"),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Edit study" in html
    assert '<a href="#id_end">The end date must be on or after the start date.</a>' in html
    assert 'id="id_end-error"' in html
    assert 'value="2011-05-01"' in html
    assert "Typed but not saved" in html
    study.refresh_from_db()
    assert study.summary == "Kept"
    assert not AuditEntry.objects.exists()


def test_the_edit_page_keeps_its_links_when_the_slug_typed_is_invalid(
    manager_client: Client, db: Any
) -> None:
    study = factories.StudyFactory(slug="stak")
    html = manager_client.post(
        CASE.url(study, "edit"), form_data(study, slug="Not a slug!")
    ).content.decode()
    assert "Error: " in html
    assert 'href="/staff/studies/stak/"' in html  # breadcrumb and cancel still work


def test_a_new_study_is_created_with_its_partners(manager_client: Client, db: Any) -> None:
    data = CASE.create_data()
    response = manager_client.post("/staff/studies/new/", data)
    assert response.status_code == 302
    study = Study.objects.get(acronym="STAK")
    assert study.slug == "steps-to-active-kids"
    assert [p.name for p in study.partners.all()] == ["Nottingham University"]
    entry = AuditEntry.objects.get(action="registry.study.created")
    assert entry.changes["partners"] == [None, ["Nottingham University"]]
    assert entry.changes["title"] == [None, "Steps to Active Kids"]
    assert "end" not in entry.changes


def test_an_error_keeps_the_ticked_partners(manager_client: Client, db: Any) -> None:
    data = {**CASE.create_data(), "title": ""}
    html = manager_client.post("/staff/studies/new/", data).content.decode()
    assert "Enter" in error_summary(html) or "required" in error_summary(html)
    assert html.count(" checked>") == 1
    assert 'value="STAK"' in html


def test_browser_line_breaks_do_not_count_as_a_change(manager_client: Client, db: Any) -> None:
    study = factories.StudyFactory(summary="First paragraph.\n\nSecond paragraph.")
    data = form_data(study, summary="First paragraph.\r\n\r\nSecond paragraph.")
    response = manager_client.post(CASE.url(study, "edit"), data, follow=True)
    assert "Nothing was changed." in response.content.decode()
    assert not AuditEntry.objects.exists()


def test_history_shows_dates_as_people_write_them(manager_client: Client, db: Any) -> None:
    study = factories.StudyFactory()
    manager_client.post(CASE.url(study, "edit"), form_data(study, start="2009-09-01"))
    history = manager_client.get(CASE.url(study)).content.decode().split('id="history"')[1]
    assert "Start</strong>: Not set" in history
    assert "1 September 2009" in history
