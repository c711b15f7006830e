"""Workflows: status history of implementation records, and overdue-recommendation nudges."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from coproduce.audit.log import record as audit
from coproduce.implementation.models import ImplementationRecord, Recommendation, StatusEntry
from coproduce.implementation.transitions import PENDING
from coproduce.webhooks import outbox as webhooks


def refresh_status(record: ImplementationRecord) -> None:
    """Bring the record's cached status up to its latest entry (by date, then entry order)."""
    latest = record.status_entries.order_by("-date", "-pk").first()
    if latest is None:
        record.status, record.status_since = ImplementationRecord.Status.PLANNED, None
    else:
        record.status, record.status_since = latest.status, latest.date
    record.save(update_fields=["status", "status_since"])


def add_status(
    record: ImplementationRecord, status: str, on: dt.date, *, note: str = "", by: Any = None
) -> StatusEntry:
    with transaction.atomic():
        ImplementationRecord.objects.select_for_update().filter(pk=record.pk).first()
        before = record.status
        entry = StatusEntry.objects.create(
            record=record,
            status=status,
            date=on,
            note=note,
            recorded_by=by if getattr(by, "is_authenticated", False) else None,
        )
        refresh_status(record)
        audit(
            by,
            "implementation.implementationrecord.status_added",
            record,
            {"status": [before, record.status], "status entry": [None, f"{status} on {on}"]},
        )
    return entry


# --- nudges ------------------------------------------------------------------------------------


def overdue(on: dt.date | None = None) -> Any:
    on = on or timezone.localdate()
    return Recommendation.objects.filter(status__in=PENDING, due__lt=on)


def nudge_key(recommendation: Recommendation) -> str:
    return f"recommendation-overdue:{recommendation.pk}:{recommendation.due.isoformat()}"


def _site_url(path: str) -> str:
    return str(settings.SITE_URL) + path


def queue_overdue_nudges(on: dt.date | None = None) -> int:
    """Queue one reminder per overdue recommendation and due date (the outbox key makes it
    idempotent; moving the due date later gives a new reminder when that date passes too)."""
    from coproduce.comms.outbox import queue_message

    queued = 0
    rows = overdue(on).select_related("study", "made_by", "contact", "partner")
    for rec in rows.iterator(chunk_size=200):
        person = rec.contact if rec.contact and rec.contact.email else rec.made_by
        if not person.email:
            continue
        url = _site_url(rec.get_absolute_url())
        subject = f"Overdue recommendation for {rec.study.title}"
        body = (
            f"Dear {person.full_name},\n\n"
            f"This recommendation for {rec.study.title} was due on {rec.due:%d %B %Y} and is "
            f"still {rec.get_status_display().lower()}:\n\n{rec.text}\n\n"
            f"Made by {rec.made_by.full_name} to {rec.addressed_to.lower()} on "
            f"{rec.made_on:%d %B %Y}.\n\nPlease record what has happened: {url}\n"
        )
        with transaction.atomic():
            if queue_message(nudge_key(rec), person.email, subject, body) is not None:
                queued += 1
                # Once per recommendation and due date, like the reminder itself.
                webhooks.emit(
                    "recommendation.overdue",
                    {
                        "recommendation": str(rec.public_id),
                        "study": rec.study.slug,
                        "due": rec.due.isoformat(),
                        "status": rec.status,
                    },
                )
    return queued
