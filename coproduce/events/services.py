"""Booking workflows: book, cancel, promote from the waiting list, cancel an event, attendance.

Every change to who holds a place happens inside one transaction that first locks the event
row (`select_for_update`; on SQLite every transaction is IMMEDIATE, which serialises writers
the same way). Counting the confirmed places and writing the new booking therefore cannot
interleave with another booking or a cancellation, so an event is never overbooked, and a
freed place goes to the earliest waiting booking in the same transaction that freed it.
Emails are queued in the same transaction (the outbox sends them once it commits).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from coproduce.audit.log import diff, record, snapshot
from coproduce.comms.models import OutboxMessage
from coproduce.community.models import Associate
from coproduce.events import emails
from coproduce.events.models import Booking, Event
from coproduce.lib.identifiers import normalise_email
from coproduce.staff import editing
from coproduce.webhooks import outbox as webhooks

Status = Booking.Status


class NotBookable(Exception):
    """The event is not open for booking (draft, cancelled, or already started)."""


@dataclass
class BookingResult:
    booking: Booking
    created: bool  # False: the address already had a live booking, whose link was sent again


def _lock(event: Event) -> Event:
    return Event.objects.select_for_update().get(pk=event.pk)


def confirmed_count(event: Event) -> int:
    return Booking.objects.filter(event=event, status=Status.CONFIRMED).count()


def _in_reminder_window(event: Event, now: dt.datetime) -> bool:
    return event.starts - dt.timedelta(hours=event.reminder_hours_before) <= now


def book(
    event: Event,
    *,
    full_name: str,
    email: str,
    access_needs: str = "",
    now: dt.datetime | None = None,
    actor: Any = "public",
    via: str = "booking form",
) -> BookingResult:
    """A place if one is free, else a place on the waiting list; one live booking per address.

    `actor` and `via` name who booked on the audit trail: the public through the booking form,
    or a staff member's API token booking for someone."""
    now = now or timezone.now()
    email = normalise_email(email)
    with transaction.atomic():
        locked = _lock(event)
        if not locked.is_bookable(now):
            raise NotBookable(locked.slug)
        existing = Booking.objects.filter(event=locked, email=email).exclude(
            status=Status.CANCELLED
        )
        found = existing.select_related("event").first()
        if found is not None:
            emails.booking_link_again(found, now)
            return BookingResult(found, created=False)
        free = locked.places_left(confirmed_count(locked))
        status = Status.CONFIRMED if free is None or free > 0 else Status.WAITLISTED
        associate = Associate.objects.active().filter(email=email).first()
        try:
            with transaction.atomic():  # a savepoint, so the constraint's refusal is survivable
                booking = Booking.objects.create(
                    event=locked,
                    associate=associate,
                    full_name=full_name.strip(),
                    email=email,
                    access_needs=access_needs.strip(),
                    status=status,
                    created=now,
                    # Inside the reminder window the confirmation says it all: no reminder too.
                    reminder_queued_at=now if _in_reminder_window(locked, now) else None,
                )
        except IntegrityError:  # the one-live-booking constraint: booked a moment ago
            found = existing.select_related("event").get()
            emails.booking_link_again(found, now)
            return BookingResult(found, created=False)
        record(
            actor,
            "events.booking.created",
            booking,
            {"status": [None, status], "event": [None, locked.slug]},
            via=via,
        )
        emails.booking_made(booking)
        webhooks.emit(
            "booking.made",
            {"event": locked.slug, "booking": str(booking.public_id), "status": status},
        )
    return BookingResult(booking, created=True)


def fill_free_places(event: Event, now: dt.datetime | None = None) -> list[Booking]:
    """Give free places to the earliest waiting bookings and tell them. Call with the event
    locked (inside the transaction that freed the places)."""
    now = now or timezone.now()
    if event.status != Event.Status.PUBLISHED or event.has_started(now):
        return []
    free = event.places_left(confirmed_count(event))
    waiting = Booking.objects.filter(event=event, status=Status.WAITLISTED).order_by(
        "created", "id"
    )
    chosen = list(waiting if free is None else waiting[:free])
    for booking in chosen:
        booking.status = Status.CONFIRMED
        booking.promoted_at = now
        if _in_reminder_window(event, now):
            booking.reminder_queued_at = now
        booking.save(update_fields=["status", "promoted_at", "reminder_queued_at"])
        booking.event = event
        record(
            "system",
            "events.booking.promoted",
            booking,
            {"status": [Status.WAITLISTED, Status.CONFIRMED]},
            via="waiting list",
        )
        emails.promoted(booking)
    return chosen


def cancel_booking(
    booking: Booking, *, by: Any = None, via: str = "booking link", now: dt.datetime | None = None
) -> list[Booking]:
    """Cancel a live booking; a confirmed place goes to the earliest waiting booking.
    Returns the bookings promoted (none, or one)."""
    now = now or timezone.now()
    with transaction.atomic():
        event = _lock(booking.event)
        current = Booking.objects.select_for_update().get(pk=booking.pk)
        if current.status == Status.CANCELLED:
            booking.refresh_from_db()
            return []
        before = current.status
        current.status = Status.CANCELLED
        current.cancelled_at = now
        current.save(update_fields=["status", "cancelled_at"])
        current.event = event
        record(
            by or "public",
            "events.booking.cancelled",
            current,
            {"status": [before, Status.CANCELLED]},
            via=via,
        )
        _stop_reminder(current)
        emails.booking_cancelled(current)
        promoted = fill_free_places(event, now) if before == Status.CONFIRMED else []
    booking.refresh_from_db()
    return promoted


def _stop_reminder(booking: Booking) -> None:
    OutboxMessage.objects.filter(
        key=f"event-reminder:{booking.pk}", status=OutboxMessage.Status.QUEUED
    ).update(status=OutboxMessage.Status.CANCELLED, last_error="Booking cancelled")


def cancel_event(event: Event, *, by: Any) -> int:
    """Cancel the event and email everyone with a place or on the waiting list.
    Returns how many people were told."""
    with transaction.atomic():
        locked = _lock(event)
        if locked.status == Event.Status.CANCELLED:
            return 0
        before = locked.status
        locked.status = Event.Status.CANCELLED
        locked.sequence += 1
        locked.save(update_fields=["status", "sequence", "updated"])
        record(by, "events.event.cancelled", locked, {"status": [before, locked.status]})
        told = 0
        live = Booking.objects.filter(event=locked).exclude(status=Status.CANCELLED)
        for booking in live.order_by("created", "id"):
            booking.event = locked
            _stop_reminder(booking)
            told += int(emails.event_cancelled(booking))
    event.refresh_from_db()
    return told


def save_event(form: Any, before: dict[str, Any], *, by: Any, via: str = "staff") -> dict[str, Any]:
    """Save a valid staff `EventForm` bound to an existing event; `before` is the event's
    snapshot taken before the form was bound. A change moves the calendar sequence on (so
    calendars replace the entry), writes one audit entry and, with more places or a reopened
    event, moves the waiting list up at once. Returns the changes (none: nothing saved)."""
    with transaction.atomic():
        locked = _lock(form.instance)
        event = form.save(commit=False)
        event.sequence = locked.sequence
        changes = diff(before, snapshot(event))
        if changes:
            event.sequence += 1
            event.save()
            editing.audit_saved(by, event, before, via=via)
            fill_free_places(event)
    return changes


def record_attendance(
    event: Event, answers: dict[int, bool], *, by: Any, via: str = "staff"
) -> int:
    """Set `attended` on confirmed bookings (by primary key); returns how many changed."""
    changed = 0
    with transaction.atomic():
        bookings = Booking.objects.select_for_update().filter(
            event=event, status=Status.CONFIRMED, pk__in=list(answers)
        )
        for booking in bookings:
            value = answers[booking.pk]
            if booking.attended is value:
                continue
            before = booking.attended
            booking.attended = value
            booking.save(update_fields=["attended"])
            record(by, "events.booking.attendance", booking, {"attended": [before, value]}, via=via)
            changed += 1
    return changed


def forget_person(email: str | None, associate_id: int | None, now: dt.datetime) -> int:
    """Erasure: blank the person's bookings, free their places at events still to come (the
    waiting list moves up) and stop email about them. Attendance counts stay true."""
    matches = Q(associate_id=associate_id) if associate_id else Q(pk__in=[])
    if email:
        matches |= Q(email=normalise_email(email))
    bookings = list(Booking.objects.filter(matches).select_related("event"))
    for booking in bookings:
        OutboxMessage.objects.filter(
            to_email=booking.email, status=OutboxMessage.Status.QUEUED
        ).update(status=OutboxMessage.Status.CANCELLED, last_error="Person erased")
        live = booking.status != Status.CANCELLED and booking.event.starts > now
        Booking.objects.filter(pk=booking.pk).update(
            full_name="",
            email=f"erased-{booking.public_id.hex}@erased.invalid",
            access_needs="",
            associate=None,
            **({"status": Status.CANCELLED, "cancelled_at": now} if live else {}),
        )
        if live and booking.status == Status.CONFIRMED:
            fill_free_places(booking.event, now)
    return len(bookings)
