"""Erasure may replace a person's details in audit entries, once per erasure, and says so.

The triggers of 0002 refuse every change but `actor` set to NULL. UK GDPR Art 17 outranks the
log's immutability for personal details: an entry that names an erased person keeps what was
done, when and to what, but their address and names are replaced by "[erased]"
(coproduce/audit/personal_data.py). The triggers now also allow that change, and only when it
stamps `redacted` later than before and leaves id, time, action, object, via and actor as they
were. Deleting stays refused.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations, models

TABLE = "audit_auditentry"
FIXED = ("id", "at", "action", "object_type", "object_id", "via")
ALL_BUT_ACTOR = (*FIXED, "actor_label", "object_repr", "changes", "redacted")

_SQLITE_FIXED = " AND ".join(f"NEW.{c} IS OLD.{c}" for c in (*FIXED, "actor_id"))
_SQLITE_ALL = " AND ".join(f"NEW.{c} IS OLD.{c}" for c in ALL_BUT_ACTOR)
SQLITE = [
    "DROP TRIGGER IF EXISTS audit_auditentry_no_update",
    f"""
    CREATE TRIGGER audit_auditentry_no_update BEFORE UPDATE ON {TABLE}
    FOR EACH ROW WHEN NOT (
        (NEW.actor_id IS NULL AND {_SQLITE_ALL})
        OR ({_SQLITE_FIXED} AND NEW.redacted IS NOT NULL
            AND (OLD.redacted IS NULL OR NEW.redacted > OLD.redacted))
    )
    BEGIN
        SELECT RAISE(ABORT, 'audit entries cannot be changed');
    END
    """,
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS audit_auditentry_no_update",
    f"""
    CREATE TRIGGER audit_auditentry_no_update BEFORE UPDATE ON {TABLE}
    FOR EACH ROW WHEN NOT (NEW.actor_id IS NULL AND {_SQLITE_ALL})
    BEGIN
        SELECT RAISE(ABORT, 'audit entries cannot be changed');
    END
    """,
]


def _row(prefix: str, columns: tuple[str, ...]) -> str:
    return "ROW(" + ", ".join(f"{prefix}.{c}" for c in columns) + ")"


def _postgres(with_redaction: bool) -> list[str]:
    redaction = (
        f"""
        IF TG_OP = 'UPDATE' AND {_row("NEW", (*FIXED, "actor_id"))}
               IS NOT DISTINCT FROM {_row("OLD", (*FIXED, "actor_id"))}
           AND NEW.redacted IS NOT NULL
           AND (OLD.redacted IS NULL OR NEW.redacted > OLD.redacted) THEN
            RETURN NEW;
        END IF;"""
        if with_redaction
        else ""
    )
    return [
        f"""
        CREATE OR REPLACE FUNCTION audit_auditentry_append_only() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'UPDATE' AND NEW.actor_id IS NULL
               AND {_row("NEW", ALL_BUT_ACTOR)} IS NOT DISTINCT FROM {_row("OLD", ALL_BUT_ACTOR)}
            THEN
                RETURN NEW;
            END IF;{redaction}
            RAISE EXCEPTION 'audit entries cannot be %',
                CASE TG_OP WHEN 'UPDATE' THEN 'changed' ELSE 'deleted' END
                USING ERRCODE = 'restrict_violation';
        END
        $$
        """
    ]


def _run(schema_editor: Any, forward: bool) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        statements = SQLITE if forward else SQLITE_REVERSE
    else:
        statements = _postgres(with_redaction=forward)
    for statement in statements:
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_triggers")]

    operations = [
        migrations.AddField(
            model_name="auditentry",
            name="redacted",
            field=models.DateTimeField(
                blank=True,
                null=True,
                help_text="When erasure last replaced a person's details in this entry.",
            ),
        ),
        migrations.RunPython(
            lambda apps, editor: _run(editor, True),
            lambda apps, editor: _run(editor, False),
            elidable=False,
        ),
    ]
