"""An object's audit entries, readable: who, when, what (a sentence from the audit describer,
coproduce/audit/describe.py, with the raw code kept for auditors), and each field's before and
after."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Page, Paginator
from django.db import models
from django.utils.formats import date_format

from coproduce.audit.describe import describe
from coproduce.audit.models import AuditEntry

HISTORY_PAGE_SIZE = 25
NOT_SET = "Not set"


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class HistoryRow:
    entry: AuditEntry
    verb: str
    changes: list[Change]
    sentence: str = ""
    code: str = ""


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def shown(value: Any) -> str:
    if value is None or value == "" or value == []:
        return NOT_SET
    if isinstance(value, str) and _ISO_DATE.match(value):
        # Audit entries keep dates as ISO text; show them the way the rest of the page does.
        try:
            return date_format(dt.date.fromisoformat(value), "j F Y")
        except ValueError:
            return value
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def field_label(model: type[models.Model], name: str) -> str:
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return name.replace("_", " ").capitalize()
    label = str(getattr(field, "verbose_name", name))
    return label[:1].upper() + label[1:]


def history_rows(
    model: type[models.Model],
    entries: Any,
    labels: dict[str, str] | None = None,
    known: tuple[models.Model, ...] = (),
) -> list[HistoryRow]:
    labels = labels or {}
    rows = []
    for described in describe(entries, known):
        entry = described.entry
        changes = [
            Change(labels.get(name) or field_label(model, name), shown(values[0]), shown(values[1]))
            for name, values in (entry.changes or {}).items()
            if isinstance(values, list | tuple) and len(values) == 2
        ]
        verb = entry.action.rsplit(".", 1)[-1]
        rows.append(HistoryRow(entry, verb, changes, described.sentence, described.code))
    return rows


def history_page(
    obj: models.Model, number: Any, labels: dict[str, str] | None = None
) -> tuple[Page[Any], list[HistoryRow]]:
    entries = AuditEntry.objects.for_object(obj).select_related("actor")
    page = Paginator(entries, HISTORY_PAGE_SIZE).get_page(number)
    return page, history_rows(type(obj), page.object_list, labels, known=(obj,))
