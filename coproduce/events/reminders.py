"""Reminders before an event, queued by the worker's clock (`coproduce.comms.scheduler`).

`queue_due_reminders` runs every tick (about every 15 seconds) and when the worker starts. For
each published event that has not started and whose reminder window (`reminder_hours_before`)
has opened, it queues one reminder per confirmed booking not reminded yet. Quick: one query
finds the bookings due, already-reminded bookings are skipped by an indexed column; idempotent:
the outbox key `event-reminder:<booking id>` is unique, so running twice (or on two workers at
once) sends one reminder.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from coproduce.events import emails
from coproduce.events.models import Booking, Event

# The longest reminder window the staff form allows; bounds the query below.
MAX_REMINDER_HOURS = 24 * 14


def due_bookings(now: dt.datetime) -> list[Booking]:
    candidates = (
        Booking.objects.filter(
            status=Booking.Status.CONFIRMED,
            reminder_queued_at__isnull=True,
            event__status=Event.Status.PUBLISHED,
            event__starts__gt=now,
            event__starts__lte=now + dt.timedelta(hours=MAX_REMINDER_HOURS),
        )
        .select_related("event", "associate")
        .order_by("event__starts", "id")
    )
    return [
        booking
        for booking in candidates
        if booking.event.starts - dt.timedelta(hours=booking.event.reminder_hours_before) <= now
    ]


def queue_due_reminders(now: dt.datetime | None = None) -> int:
    """Queue the reminders that have fallen due; returns how many were queued now."""
    now = now or timezone.now()
    queued = 0
    for booking in due_bookings(now):
        with transaction.atomic():
            # Only if still confirmed and unreminded: a cancellation may have come in between.
            claimed = Booking.objects.filter(
                pk=booking.pk, status=Booking.Status.CONFIRMED, reminder_queued_at__isnull=True
            ).update(reminder_queued_at=now)
            if claimed:
                queued += int(emails.reminder(booking))
    return queued
