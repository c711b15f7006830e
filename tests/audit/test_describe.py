"""Audit entries read as sentences, by name, with names read from live records at display time
and the raw code kept for auditors."""

from __future__ import annotations

from typing import Any

from django.test import Client

from coproduce.audit.describe import describe, register
from coproduce.audit.log import record
from coproduce.audit.models import AuditEntry
from tests import factories
from tests.staff.conftest import CASE_BY_KEY, form_data


def _one(entry: AuditEntry) -> str:
    return describe([AuditEntry.objects.select_related("actor").get(pk=entry.pk)])[0].sentence


def test_a_change_of_stage_reads_as_a_sentence_with_choice_labels(db: Any) -> None:
    jane = factories.UserFactory(username="jsmith", first_name="Jane", last_name="Smith")
    study = factories.StudyFactory(title="Return to work after stroke")
    entry = record(jane, "registry.study.updated", study, {"stage": ["recruiting", "analysis"]})
    assert _one(entry) == (
        "Jane Smith changed the stage of Return to work after stroke from Recruiting to Analysis"
    )


def test_several_fields_and_long_values_are_named_not_quoted(db: Any) -> None:
    jane = factories.UserFactory(username="jsmith", first_name="Jane", last_name="Smith")
    study = factories.StudyFactory(title="Trial")
    entry = record(
        jane, "registry.study.updated", study, {"summary": ["a", "b"], "end": [None, "2012-01-01"]}
    )
    assert _one(entry) == "Jane Smith changed the summary and end of Trial"
    long = record(jane, "registry.study.updated", study, {"summary": ["a", "x" * 200]})
    assert _one(long) == "Jane Smith changed the summary of Trial"


def test_names_come_from_the_live_records_not_the_stored_row(db: Any) -> None:
    user = factories.UserFactory(username="pat", first_name="Pat", last_name="Old")
    person = factories.PersonFactory(full_name="Sam Before")
    entry = record(user, "registry.person.created", person)
    user.last_name = "New"
    user.save()
    person.full_name = "Sam After"  # e.g. details erased or corrected
    person.save()
    sentence = _one(entry)
    assert sentence == "Pat New added the person Sam After"
    assert "Before" not in sentence
    assert "Old" not in sentence


def test_a_deleted_record_and_a_system_action_still_read(db: Any) -> None:
    theme = factories.ThemeFactory(name="Primary Care")
    entry = record(None, "registry.theme.deleted", theme, via="command")
    theme.delete()
    assert _one(entry) == "The system deleted the theme Primary Care"


def test_an_unknown_action_falls_back_and_a_registered_one_is_used(db: Any) -> None:
    user = factories.UserFactory(username="kim", first_name="Kim", last_name="Lee")
    theme = factories.ThemeFactory(name="Mental Health")
    entry = record(user, "registry.theme.archived_twice", theme)
    assert _one(entry) == "Kim Lee: archived twice, the theme Mental Health"
    register("registry.theme.archived_twice", "{actor} archived {object} twice")
    assert _one(entry) == "Kim Lee archived Mental Health twice"


def test_history_pages_show_sentences_and_keep_the_code(manager_client: Client, db: Any) -> None:
    theme = factories.ThemeFactory(name="Primary Care")
    url = CASE_BY_KEY["theme"].url(theme, "edit")
    manager_client.post(url, form_data(theme, summary="Changed"))
    html = manager_client.get(CASE_BY_KEY["theme"].url(theme)).content.decode()
    assert "changed the summary of Primary Care" in html
    assert "<summary" in html
    assert f"registry.theme.updated registry.theme#{theme.pk}" in html


def test_naming_costs_the_same_whatever_the_records_are(db: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user = factories.UserFactory(username="kim", first_name="Kim", last_name="Lee")
    theme = factories.ThemeFactory()
    same = [record(user, "registry.theme.updated", theme, {"name": ["a", "b"]}) for _ in range(6)]
    mixed = [
        record(user, "registry.theme.updated", factories.ThemeFactory(), {"name": ["a", "b"]}),
        record(user, "registry.study.created", factories.StudyFactory()),
        record(user, "registry.person.created", factories.PersonFactory()),
        record(user, "registry.roleassignment.created", factories.RoleAssignmentFactory()),
        record(user, "registry.secondment.created", factories.SecondmentFactory()),
        record(user, "registry.placement.created", factories.PlacementFactory()),
    ]

    def cost(entries: list[AuditEntry]) -> int:
        rows = AuditEntry.objects.filter(pk__in=[e.pk for e in entries]).select_related("actor")
        with CaptureQueriesContext(connection) as context:
            described = describe(rows)
        assert len(described) == 6
        return len(context.captured_queries)

    assert cost(same) == cost(mixed)
