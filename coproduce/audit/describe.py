"""Audit entries as sentences: who did what to which record, by name.

"Jane Smith changed the stage of Return to work after stroke from Recruiting to Analysis",
not `registry.study.updated 7f3c…`. One describer for every audit page (the staff home's
recent changes, each record's history): a registry of action → sentence template (`register`),
looked up by the full action (`governance.reviewround.released`), then by its verb
(`updated`), with a plain fallback for actions nobody described.

Names are read at display time, never stored: the actor's name from their live user account
(falling back to the label the entry kept), the record's from the live record (falling back to
the name the entry kept when the record is gone). So erasing a person's details erases them
from the audit pages too; the entries themselves hold no more than they did.

Templates are `str.format` strings over: {actor} (who), {object} (the record's name), {thing}
("the study"), {verb} (the action's last part, in words) and {changes} (what changed, in words:
"the stage of X from A to B" for one field, "the stage and summary of X" for several).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models

from coproduce.audit.models import AuditEntry

# A value longer than this is not quoted in a sentence (the changes table shows it).
LONGEST_QUOTED = 60
NOT_SET = "not set"

_TEMPLATES: dict[str, str] = {
    # by verb, for any record
    "created": "{actor} added {thing} {object}",
    "updated": "{actor} changed {changes}",
    "deleted": "{actor} deleted {thing} {object}",
    "viewed": "{actor} viewed {thing} {object}",
    "downloaded": "{actor} downloaded {thing} {object}",
    "exported": "{actor} exported {thing} {object}",
    "imported": "{actor} imported {thing} {object}",
    "cancelled": "{actor} cancelled {thing} {object}",
    # by action
    "governance.reviewround.submitted": "{actor} submitted {object} for review",
    "governance.reviewround.released": "{actor} released {object} to the study team",
    "governance.reviewround.responded": "{actor} responded to {object}",
    "governance.reviewerassignment.created": "{actor} assigned a reviewer: {object}",
    "governance.reviewerassignment.declared": "{actor} declared interests: {object}",
    "governance.assessment.saved": "{actor} saved an assessment: {object}",
    "governance.recommendation.recorded": "{actor} recorded a panel's recommendation: {object}",
    "governance.condition.met": "{actor} marked a condition as met: {object}",
    "governance.annualreview.reviewed": "{actor} recorded an annual scientific review: {object}",
    "governance.panelmembership.ended": "{actor} ended a term on a panel: {object}",
    "governance.protocolversion.uploaded": "{actor} uploaded a protocol version: {object}",
    "governance.panel.created": "{actor} set up the panel {object}",
    "comms.mailing.queued": "{actor} queued the mailing {object} for sending",
    "comms.mailing.paused": "{actor} paused the mailing {object}",
    "comms.mailing.resumed": "{actor} resumed the mailing {object}",
    "comms.mailing.scheduled": "{actor} scheduled the mailing {object}",
    "comms.mailing.unscheduled": "{actor} took the mailing {object} off the schedule",
    "community.associate.erased": "{actor} erased the personal details of {object}",
    "community.associate.consent_recorded": "{actor} recorded the consent of {object}",
    "community.associate.confirmed": "{object} confirmed their registration",
    "events.booking.promoted": "{actor} gave {object} a place from the waiting list",
    "events.booking.attendance": "{actor} recorded attendance: {object}",
    "api.apitoken.created": "{actor} created the API token {object}",
    "api.apitoken.revoked": "{actor} revoked the API token {object}",
}
FALLBACK = "{actor}: {verb}, {thing} {object}"


def register(action: str, template: str) -> None:
    """Describe `action` (a full action like `events.booking.promoted`, or a verb like
    `archived` for any record) with `template`; registering again replaces."""
    _TEMPLATES[action] = template


@dataclass(frozen=True)
class Described:
    entry: AuditEntry
    sentence: str
    actor: str
    object_name: str

    @property
    def code(self) -> str:
        """The raw record, for auditors: action, record type and id."""
        entry = self.entry
        return f"{entry.action} {entry.object_type}#{entry.object_id} via {entry.via}"


def _model(object_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def _joins(model: type[models.Model]) -> list[str]:
    """The forward relations a record's name may read, two deep, so that naming it asks the
    database nothing more (nullable ones too, which select_related() alone leaves out)."""
    paths = []
    for field in model._meta.concrete_fields:
        if field.is_relation and field.many_to_one:
            related: Any = field.related_model
            paths.append(field.name)
            paths += [
                f"{field.name}__{inner.name}"
                for inner in related._meta.concrete_fields
                if inner.is_relation and inner.many_to_one
            ]
    return paths


def _live_objects(entries: list[AuditEntry], known: dict[tuple[str, str], Any]) -> dict:
    """The records the entries are about: one query per entry whose record is not at hand.

    Per entry, not per record type, on purpose: the number of queries then depends only on
    how many entries are shown (a page of them), never on which kinds of record they happen
    to be about, so a page's query count stays the same whatever the data
    (tests/ops/test_query_discipline.py)."""
    found = dict(known)
    for entry in entries:
        where = (entry.object_type, entry.object_id)
        model = _model(entry.object_type)
        if where in known or model is None:  # (a record met in an earlier entry is fetched
            continue  # again, so that the count does not depend on repeats either)
        try:
            rows = model._default_manager.select_related(*_joins(model))
            obj = rows.filter(pk=entry.object_id).first()
        except (ValueError, TypeError, ValidationError):  # an id that no longer fits the key
            obj = None
        found[where] = obj
    return found


def actor_name(entry: AuditEntry) -> str:
    """Who acted, by name from their live account (the entry should come with its actor)."""
    user = entry.actor if entry.actor_id else None
    if user is not None:
        return user.get_full_name() or user.get_username()
    label = entry.actor_label
    if not label or label == "system":
        return "The system" if entry.via in ("command", "system", "worker") else "Someone"
    return label


def _field(model: type[models.Model] | None, name: str) -> Any:
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _field_label(model: type[models.Model] | None, name: str) -> str:
    field = _field(model, name)
    label = str(getattr(field, "verbose_name", "") or name.replace("_", " "))
    return label.lower() if not label.isupper() else label


def _value(model: type[models.Model] | None, name: str, value: Any) -> str:
    if value is None or value == "" or value == []:
        return NOT_SET
    field = _field(model, name)
    choices = dict(getattr(field, "flatchoices", None) or [])
    if not isinstance(value, list | dict) and value in choices:
        return str(choices[value])
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _changes(model: type[models.Model] | None, entry: AuditEntry, name: str) -> str:
    changed = [
        (field, values)
        for field, values in (entry.changes or {}).items()
        if isinstance(values, list | tuple) and len(values) == 2
    ]
    # PostgreSQL's jsonb keeps keys sorted, SQLite keeps them as written: name the fields in
    # the model's own order so the sentence is the same on both databases.
    order = {f.name: i for i, f in enumerate(model._meta.fields)} if model else {}
    changed.sort(key=lambda item: (order.get(item[0], len(order)), item[0]))
    if not changed:
        return name
    if len(changed) == 1:
        field, (before, after) = changed[0]
        label = _field_label(model, field)
        old, new = _value(model, field, before), _value(model, field, after)
        if max(len(old), len(new)) <= LONGEST_QUOTED:
            return f"the {label} of {name} from {old} to {new}"
        return f"the {label} of {name}"
    return f"the {_and([_field_label(model, field) for field, _ in changed])} of {name}"


def describe(entries: Iterable[AuditEntry], known: Iterable[Any] = ()) -> list[Described]:
    """The entries as sentences. `entries` should come with `select_related("actor")`;
    `known` are records already at hand (the record whose history is shown), not fetched
    again. A fixed number of queries: one per entry about a record not at hand."""
    entries = list(entries)
    at_hand = {(obj._meta.label_lower, str(obj.pk)): obj for obj in known}
    live = _live_objects(entries, at_hand)
    described = []
    for entry in entries:
        model = _model(entry.object_type)
        obj = live.get((entry.object_type, entry.object_id))
        name = str(obj) if obj is not None else (entry.object_repr or "a record since deleted")
        thing = f"the {model._meta.verbose_name}" if model is not None else "the record"
        verb = entry.action.rsplit(".", 1)[-1]
        template = _TEMPLATES.get(entry.action) or _TEMPLATES.get(verb) or FALLBACK
        actor = actor_name(entry)
        sentence = template.format(
            actor=actor,
            object=name,
            thing=thing,
            verb=verb.replace("_", " "),
            changes=_changes(model, entry, name),
        )
        if not template.startswith("{actor}"):  # a name is left as it is spelt
            sentence = sentence[:1].upper() + sentence[1:]
        described.append(Described(entry, sentence, actor, name))
    return described
