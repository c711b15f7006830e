"""The database refuses to change or delete audit entries, even by raw SQL (SQLite and
PostgreSQL: run with DATABASE_URL=postgres://... for the second)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from coproduce.audit.log import record
from coproduce.audit.models import AuditEntry
from tests import factories


def _raw(sql: str, params: list[Any]) -> None:
    # In its own savepoint, so the test's transaction survives the failure on PostgreSQL.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_raw_sql_cannot_update_an_entry(manager: Any, study: Any) -> None:
    entry = record(manager, "registry.study.updated", study)
    with pytest.raises(DatabaseError, match="cannot be changed"):
        _raw("UPDATE audit_auditentry SET action = %s WHERE id = %s", ["forged", entry.pk])
    with pytest.raises(DatabaseError, match="cannot be changed"):
        _raw("UPDATE audit_auditentry SET actor_label = %s", ["someone else"])
    # Not even together with the one change that is allowed.
    with pytest.raises(DatabaseError, match="cannot be changed"):
        _raw(
            "UPDATE audit_auditentry SET actor_id = NULL, object_repr = %s WHERE id = %s",
            ["x", entry.pk],
        )
    entry = AuditEntry.objects.get(pk=entry.pk)
    assert (entry.action, entry.actor_label, entry.actor) == (
        "registry.study.updated",
        "manager",
        manager,
    )


def test_raw_sql_cannot_delete_an_entry(manager: Any, study: Any) -> None:
    entry = record(manager, "registry.study.updated", study)
    with pytest.raises(DatabaseError, match="cannot be deleted"):
        _raw("DELETE FROM audit_auditentry WHERE id = %s", [entry.pk])
    with pytest.raises(DatabaseError, match="cannot be deleted"):
        _raw("DELETE FROM audit_auditentry", [])
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_deleting_a_user_keeps_their_entries_and_who_they_were(study: Any) -> None:
    user = factories.UserFactory(username="leaver")
    entry = record(user, "registry.study.updated", study)
    user.delete()
    entry = AuditEntry.objects.get(pk=entry.pk)
    assert entry.actor is None
    assert entry.actor_label == "leaver"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_flush_empties_the_table_and_keeps_the_triggers(study: Any) -> None:
    record(None, "registry.study.updated", study)
    # As the test runner flushes (TransactionTestCase): without resetting sequences, which
    # would make the next test's restored migration rows collide with new ones on PostgreSQL.
    call_command("flush", interactive=False, verbosity=0, reset_sequences=False)
    assert not AuditEntry.objects.exists()
    record(None, "registry.study.created", factories.StudyFactory())
    with pytest.raises(DatabaseError, match="cannot be deleted"):
        _raw("DELETE FROM audit_auditentry", [])
    with pytest.raises(DatabaseError, match="cannot be changed"):
        _raw("UPDATE audit_auditentry SET via = %s", ["api"])
