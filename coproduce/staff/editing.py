"""Saving and deleting with one audit entry each, and explaining what blocks a deletion."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db import models, router, transaction
from django.db.models.deletion import Collector, ProtectedError, RestrictedError

from coproduce.audit.log import action_name, diff, record, snapshot
from coproduce.webhooks import outbox as webhooks

_EMPTY: tuple[Any, ...] = (None, "", [])

# Changes other systems may subscribe to (coproduce/webhooks/events.py): (model, field) to the
# event type, and what the event says about the object.
WATCHED: dict[tuple[str, str], str] = {("registry.study", "stage"): "study.stage_changed"}
# Records whose creation other systems may subscribe to: model to (event type, the fields sent).
WATCHED_NEW: dict[str, tuple[str, tuple[str, ...]]] = {
    "implementation.output": ("output.added", ("public_id", "kind", "title", "date")),
}


def _announce_new(obj: models.Model) -> None:
    watched = WATCHED_NEW.get(obj._meta.label_lower)
    if watched is not None:
        event_type, fields = watched
        webhooks.emit(event_type, {name: getattr(obj, name, None) for name in fields})


def _announce(obj: models.Model, changes: dict[str, list[Any]]) -> None:
    label = obj._meta.label_lower
    for (model, field), event_type in WATCHED.items():
        if model == label and field in changes:
            old, new = changes[field]
            webhooks.emit(
                event_type,
                {"slug": getattr(obj, "slug", ""), "field": field, "from": old, "to": new},
            )


def save_with_audit(
    form: forms.ModelForm[Any],
    actor: Any,
    before: dict[str, Any] | None = None,
    *,
    private: bool = False,
    via: str = "staff",
    **extra: Any,
) -> tuple[Any, dict[str, list[Any]]]:
    """Save a valid form (with `extra` fields set on the object) and record what changed;
    `before` is the snapshot of an existing object taken before the form was bound.

    The one audited save of the staff area: every create and edit of a record comes here
    (or, for an object saved by a workflow, to `audit_saved`). Returns the object and its
    changes; an update that changed nothing writes no entry. `private=True` (a researcher in
    residence's journal) names the record in the log but never its values. `via` says where
    the change came from ("staff" pages, the "api").
    """
    creating = form.instance.pk is None
    with transaction.atomic():
        obj = form.save(commit=False)
        for name, value in extra.items():
            setattr(obj, name, value)
        obj.save()
        form.save_m2m()
        changes = audit_saved(
            actor, obj, None if creating else (before or {}), private=private, via=via
        )
    return obj, changes


def audit_saved(
    actor: Any,
    obj: models.Model,
    before: dict[str, Any] | None = None,
    *,
    also: dict[str, list[Any]] | None = None,
    private: bool = False,
    via: str = "staff",
) -> dict[str, list[Any]]:
    """Record the object just saved: created (`before` None) with the values it was given, or
    updated with what changed since `before` (nothing changed: no entry). `also` adds changes
    the snapshot cannot see (a file attached with it). `private=True` writes the entry with no
    values at all, every time (the log names the record, never its text). Call it inside the
    transaction that saved the object."""
    if private:
        record(
            actor, action_name(obj, "created" if before is None else "updated"), obj, {}, via=via
        )
        return {}
    after = snapshot(obj)
    if before is None:
        changes = {name: [None, value] for name, value in after.items() if value not in _EMPTY}
    else:
        changes = diff(before, after)
    changes.update(also or {})
    if before is None or changes:
        record(
            actor,
            action_name(obj, "created" if before is None else "updated"),
            obj,
            changes,
            via=via,
        )
    if before is None:
        _announce_new(obj)
    elif changes:
        _announce(obj, changes)
    return changes


def delete_with_audit(
    obj: models.Model, actor: Any, *, also: dict[str, list[Any]] | None = None
) -> None:
    """Delete and record the last values (plus `also`, what goes with it that the snapshot
    cannot see); raises ProtectedError/RestrictedError, recording nothing."""
    with transaction.atomic():
        before = snapshot(obj)
        changes = {name: [value, None] for name, value in before.items() if value not in _EMPTY}
        changes.update(also or {})
        # Recorded first, while the object still has its primary key; a refused delete rolls back.
        record(actor, action_name(obj, "deleted"), obj, changes)
        obj.delete()


EXAMPLES = 5  # records named for each kind that stops a deletion


@dataclass(frozen=True)
class Blocker:
    """Records of one kind that stop a deletion."""

    label: str  # like "3 role assignments"
    examples: list[str]
    more: int


def _related_paths(model: type[models.Model], depth: int = 3) -> list[str]:
    """Forward foreign-key paths to `depth` levels ("round", "round__panel", ...)."""
    paths = []
    for field in model._meta.concrete_fields:
        if field.is_relation and field.related_model is not None:
            paths.append(field.name)
            if depth > 1:
                paths += [
                    f"{field.name}__{sub}"
                    for sub in _related_paths(field.related_model, depth - 1)  # type: ignore[arg-type]
                ]
    return paths


def _describe(objects: Any) -> list[Blocker]:
    by_model: dict[type[models.Model], list[models.Model]] = defaultdict(list)
    for obj in objects:
        by_model[type(obj)].append(obj)
    blockers = []
    for model, rows in sorted(by_model.items(), key=lambda item: item[0]._meta.verbose_name or ""):
        meta = model._meta
        noun = meta.verbose_name if len(rows) == 1 else meta.verbose_name_plural
        rows.sort(key=lambda row: row.pk or 0)
        # A handful of names is enough to act on. They are read again in one query with their
        # related rows, because a name often shows a person or a study (one query each).
        related = _related_paths(model)
        shown = model._base_manager.filter(pk__in=[row.pk for row in rows[:EXAMPLES]])
        blockers.append(
            Blocker(
                label=f"{len(rows)} {noun}",
                examples=[str(row) for row in shown.select_related(*related).order_by("pk")],
                more=max(len(rows) - EXAMPLES, 0),
            )
        )
    return blockers


def blockers_for(obj: models.Model) -> list[Blocker]:
    """What a deletion of `obj` would be refused for (protected or restricted references)."""
    collector = Collector(using=router.db_for_write(type(obj), instance=obj), origin=obj)
    try:
        collector.collect([obj])
    except ProtectedError as error:
        return _describe(error.protected_objects)
    except RestrictedError as error:
        return _describe(error.restricted_objects)
    return []


def blockers_from(error: ProtectedError | RestrictedError) -> list[Blocker]:
    if isinstance(error, ProtectedError):
        return _describe(error.protected_objects)
    return _describe(error.restricted_objects)
