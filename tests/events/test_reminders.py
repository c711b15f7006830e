"""Reminders: queued by the worker's clock once the window opens, sent exactly once per
confirmed booking, never to cancelled or waiting bookings, never before the window."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from coproduce.comms import outbox, scheduler
from coproduce.comms.models import OutboxMessage
from coproduce.events import services
from coproduce.events.models import Event
from coproduce.events.reminders import queue_due_reminders
from tests.events.conftest import book, make_event


def reminders_to(inbox: Any) -> dict[str, int]:
    counts: dict[str, int] = {}
    for delivered in inbox.messages:
        if str(delivered["message"]["Subject"]).startswith("Reminder: "):
            for to in delivered["rcpt_tos"]:
                counts[to] = counts.get(to, 0) + 1
    return counts


def test_reminders_go_once_to_each_confirmed_booking_inside_the_window(
    db: Any, smtp_server: Any
) -> None:
    starts = timezone.now() + dt.timedelta(days=10)
    event = make_event(
        title="Roadshow: Lincolnshire", starts=starts, capacity=2, reminder_hours_before=48
    )
    kept = book(event, "Ann One")
    cancelled = book(event, "Ben Two")
    waiting = book(event, "Cat Three")  # full: Ben has a place until he cancels
    late = book(event, "Dan Four")
    services.cancel_booking(cancelled)  # Cat is promoted; Dan waits
    waiting.refresh_from_db()
    assert waiting.status == "confirmed"
    assert late.status == "waitlisted"

    # Before the window: nothing.
    assert queue_due_reminders(now=starts - dt.timedelta(hours=49)) == 0
    assert not OutboxMessage.objects.filter(key__startswith="event-reminder:").exists()

    # Inside it, twice (two ticks, or two workers): one reminder each.
    inside = starts - dt.timedelta(hours=47)
    assert queue_due_reminders(now=inside) == 2
    assert queue_due_reminders(now=inside) == 0
    assert queue_due_reminders(now=inside + dt.timedelta(hours=1)) == 0
    assert set(
        OutboxMessage.objects.filter(key__startswith="event-reminder:").values_list(
            "key", flat=True
        )
    ) == {
        f"event-reminder:{kept.pk}",
        f"event-reminder:{waiting.pk}",
    }

    outbox.dispatch_due(max_seconds=10)
    outbox.dispatch_due(max_seconds=10)
    assert reminders_to(smtp_server) == {"ann.one@example.org": 1, "cat.three@example.org": 1}
    [delivered] = [
        m
        for m in smtp_server.messages
        if m["rcpt_tos"] == ["ann.one@example.org"]
        and str(m["message"]["Subject"]).startswith("Reminder")
    ]
    text = delivered["message"].get_body(preferencelist=("plain",)).get_content()
    assert "Roadshow: Lincolnshire" in text
    assert f"/events/{event.slug}/event.ics" in text
    assert "/events/booking/" in text
    assert "(UK time)" in text


def test_no_reminders_once_started_or_for_cancelled_and_draft_events(db: Any) -> None:
    now = timezone.now()
    started = make_event(starts=now + dt.timedelta(days=5))
    book(started, "Ann One")
    called_off = make_event(starts=now + dt.timedelta(days=5))
    book(called_off, "Ben Two")
    services.cancel_event(called_off, by=None)
    draft = make_event(starts=now + dt.timedelta(days=5))
    book(draft, "Cat Three")
    Event.objects.filter(pk=draft.pk).update(status=Event.Status.DRAFT)
    assert queue_due_reminders(now=started.starts + dt.timedelta(minutes=1)) == 0
    assert not OutboxMessage.objects.filter(key__startswith="event-reminder:").exists()


def test_each_event_has_its_own_window(db: Any) -> None:
    now = timezone.now()
    short = make_event(starts=now + dt.timedelta(days=5), reminder_hours_before=2)
    long = make_event(starts=now + dt.timedelta(days=6), reminder_hours_before=120)
    book(short, "Ann One")
    long_booking = book(long, "Ben Two")
    assert queue_due_reminders(now=now + dt.timedelta(hours=23)) == 0
    assert queue_due_reminders(now=now + dt.timedelta(hours=25)) == 1
    assert OutboxMessage.objects.filter(key=f"event-reminder:{long_booking.pk}").exists()


def test_a_booking_made_inside_the_window_gets_no_separate_reminder(db: Any) -> None:
    event = make_event(starts=timezone.now() + dt.timedelta(hours=5), reminder_hours_before=48)
    booking = book(event, "Ann One")
    assert OutboxMessage.objects.filter(key=f"event-booking:{booking.pk}").exists()
    assert queue_due_reminders() == 0


def test_a_cancelled_booking_loses_its_queued_reminder(db: Any) -> None:
    event = make_event(starts=timezone.now() + dt.timedelta(days=5))
    booking = book(event, "Ann One")
    queue_due_reminders(now=event.starts - dt.timedelta(hours=1))
    services.cancel_booking(booking)
    row = OutboxMessage.objects.get(key=f"event-reminder:{booking.pk}")
    assert row.status == OutboxMessage.Status.CANCELLED


def test_the_job_is_on_the_workers_clock(db: Any) -> None:
    event = make_event(starts=timezone.now() + dt.timedelta(hours=20))
    Event.objects.filter(pk=event.pk).update(reminder_hours_before=1)
    booking = book(event, "Ann One")
    Event.objects.filter(pk=event.pk).update(reminder_hours_before=48)
    results = scheduler.tick()
    assert results["event reminders"] == 1
    assert OutboxMessage.objects.filter(key=f"event-reminder:{booking.pk}").exists()
