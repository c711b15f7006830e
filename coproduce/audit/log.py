"""Writing audit entries: one call for every create, update and delete."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from typing import Any

from django.db import models

from coproduce.audit.models import READ_VERBS, AuditEntry


def _plain(value: Any) -> Any:
    """A JSON-safe, human-readable form of a field value."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, list | tuple | set | models.QuerySet):
        return sorted(str(item) for item in value)
    return str(value)


def snapshot(obj: models.Model) -> dict[str, Any]:
    """The object's editable field values, many-to-many included (needs a saved object)."""
    values: dict[str, Any] = {}
    for field in obj._meta.get_fields():
        if not getattr(field, "editable", False) or field.auto_created:
            continue
        if field.many_to_many:
            values[field.name] = _plain(list(getattr(obj, field.name).all())) if obj.pk else []
        elif field.concrete:
            values[field.name] = _plain(getattr(obj, field.name))
    return values


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    return {
        name: [before.get(name), value]
        for name, value in after.items()
        if before.get(name) != value
    }


def record(
    actor: Any,
    action: str,
    obj: models.Model,
    changes: dict[str, list[Any]] | None = None,
    *,
    via: str = "staff",
) -> AuditEntry:
    """Write one audit entry. `action` is dotted: app.object.verb."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEntry.objects.create(
        actor=user,
        actor_label=(user.get_username() if user else str(actor or "system")),
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        # A model may name itself without personal data (e.g. associates, who can be erased).
        object_repr=str(getattr(obj, "audit_label", None) or obj)[:300],
        changes=changes or {},
        via=via,
    )


def record_read(
    actor: Any,
    action: str,
    obj: models.Model,
    details: dict[str, Any] | None = None,
    *,
    via: str = "staff",
) -> AuditEntry:
    """Record that someone read confidential or personal data: opened a page, downloaded a
    file, exported a list. `action` ends in one of READ_VERBS (e.g. governance.round.viewed);
    `details` (format, filter, rows...) are kept as [None, value] like a change's after-value,
    and never hold the data itself."""
    if action.rsplit(".", 1)[-1] not in READ_VERBS:
        raise ValueError(f"A read's action ends in one of {', '.join(READ_VERBS)}: {action}")
    changes = {name: [None, _plain(value)] for name, value in (details or {}).items()}
    return record(actor, action, obj, changes, via=via)


def action_name(obj: models.Model, verb: str) -> str:
    return f"{obj._meta.app_label}.{obj._meta.model_name}.{verb}"
