"""The audit log is append-only and records field changes as before/after pairs."""

from __future__ import annotations

from typing import Any

import pytest

from coproduce.audit.log import action_name, diff, record, snapshot
from coproduce.audit.models import AppendOnlyError, AuditEntry
from tests import factories


def test_it_records_who_did_what_to_which_object(manager: Any, study: Any) -> None:
    entry = record(
        manager, action_name(study, "updated"), study, {"stage": ["scoping", "recruiting"]}
    )
    assert entry.action == "registry.study.updated"
    assert entry.actor == manager
    assert entry.actor_label == "manager"
    assert entry.object_type == "registry.study"
    assert entry.object_id == str(study.pk)
    assert list(AuditEntry.objects.for_object(study)) == [entry]


def test_entries_cannot_be_changed_or_deleted(manager: Any, study: Any) -> None:
    entry = record(manager, "registry.study.updated", study)
    entry.action = "something.else"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(action="x")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get(pk=entry.pk).action == "registry.study.updated"


def test_snapshot_and_diff_cover_plain_and_many_to_many_fields(db: Any) -> None:
    study = factories.StudyFactory(title="Before")
    partner = factories.OrganisationFactory(name="Trentside Healthcare NHS Trust")
    before = snapshot(study)
    study.title = "After"
    study.save()
    study.partners.add(partner)
    changes = diff(before, snapshot(study))
    assert changes == {
        "title": ["Before", "After"],
        "partners": [[], ["Trentside Healthcare NHS Trust"]],
    }
    assert diff(snapshot(study), snapshot(study)) == {}


def test_an_anonymous_or_system_actor_is_labelled(study: Any) -> None:
    entry = record(None, "registry.study.updated", study, via="command")
    assert entry.actor is None
    assert entry.actor_label == "system"
    assert entry.via == "command"
