"""The database itself refuses to change or delete audit entries.

The model and its queryset already refuse (coproduce/lib/appendonly.py); these triggers also
stop raw SQL and anything else that reaches the table through the application's connection.
One change is allowed: setting `actor` to NULL with every other column unchanged, which is
what Django does (on_delete=SET_NULL) when a user account is deleted; `actor_label` still says
who acted.

Emptying the whole database still works: PostgreSQL's flush uses TRUNCATE, which does not fire
row triggers, and on SQLite the flush drops and re-creates the triggers around its DELETEs in
one transaction (coproduce/lib/sqlite/operations.py). Dropping the table (a SQLite table
rebuild by a later migration) drops the triggers with it: tests/audit/test_triggers.py checks
they are there after every migration has run.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import migrations

TABLE = "audit_auditentry"
# Every column but actor_id: the only UPDATE allowed leaves all of them as they were.
OTHER_COLUMNS = (
    "id",
    "at",
    "actor_label",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "changes",
    "via",
)

SQLITE_UNCHANGED = " AND ".join(f"NEW.{c} IS OLD.{c}" for c in OTHER_COLUMNS)
SQLITE_FORWARD = [
    f"""
    CREATE TRIGGER audit_auditentry_no_update BEFORE UPDATE ON {TABLE}
    FOR EACH ROW WHEN NOT (NEW.actor_id IS NULL AND {SQLITE_UNCHANGED})
    BEGIN
        SELECT RAISE(ABORT, 'audit entries cannot be changed');
    END
    """,
    f"""
    CREATE TRIGGER audit_auditentry_no_delete BEFORE DELETE ON {TABLE}
    FOR EACH ROW
    BEGIN
        SELECT RAISE(ABORT, 'audit entries cannot be deleted');
    END
    """,
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS audit_auditentry_no_update",
    "DROP TRIGGER IF EXISTS audit_auditentry_no_delete",
]

_NEW = ", ".join(f"NEW.{c}" for c in OTHER_COLUMNS)
_OLD = ", ".join(f"OLD.{c}" for c in OTHER_COLUMNS)
POSTGRES_FORWARD = [
    f"""
    CREATE FUNCTION audit_auditentry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'UPDATE' AND NEW.actor_id IS NULL
           AND ROW({_NEW}) IS NOT DISTINCT FROM ROW({_OLD}) THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION 'audit entries cannot be %',
            CASE TG_OP WHEN 'UPDATE' THEN 'changed' ELSE 'deleted' END
            USING ERRCODE = 'restrict_violation';
    END
    $$
    """,
    f"""
    CREATE TRIGGER audit_auditentry_append_only BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION audit_auditentry_append_only()
    """,
]
POSTGRES_REVERSE = [
    f"DROP TRIGGER IF EXISTS audit_auditentry_append_only ON {TABLE}",
    "DROP FUNCTION IF EXISTS audit_auditentry_append_only()",
]


def _run(schema_editor: Any, statements: dict[str, list[str]]) -> None:
    vendor = schema_editor.connection.vendor
    if vendor not in statements:
        # settings.py accepts only these two databases; say so rather than migrate unprotected.
        raise ImproperlyConfigured(
            f"coproduce runs on SQLite or PostgreSQL, not {vendor}: the audit table's "
            "protection has no triggers for it"
        )
    for statement in statements[vendor]:
        schema_editor.execute(statement, params=None)


def forward(apps: Any, schema_editor: Any) -> None:
    _run(schema_editor, {"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD})


def reverse(apps: Any, schema_editor: Any) -> None:
    _run(schema_editor, {"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE})


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(forward, reverse, elidable=False)]
