"""Erasing an associate forgets their bookings and gives their place to the waiting list."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from coproduce.comms.models import OutboxMessage
from coproduce.community import services as community_services
from coproduce.events import services
from coproduce.events.models import Booking, Event
from tests.community import helpers


def _event(capacity: int, days: int = 10, slug: str = "seminar") -> Event:
    starts = timezone.now() + dt.timedelta(days=days)
    return Event.objects.create(
        slug=slug,
        kind=Event.Kind.SEMINAR,
        title="Seminar",
        starts=starts,
        ends=starts + dt.timedelta(hours=2),
        capacity=capacity,
    )


def test_erasure_blanks_bookings_and_promotes_the_waiting_list(db: Any) -> None:
    ada = helpers.associate(full_name="Ada Lovelace", email="ada@example.org")
    event = _event(capacity=1)
    past = _event(capacity=None, days=-30, slug="last-year")
    mine = services.book(event, full_name="Ada Lovelace", email="ada@example.org").booking
    waiting = services.book(event, full_name="Bob Waiting", email="bob@example.org").booking
    attended = Booking.objects.create(
        event=past,
        full_name="Ada Lovelace",
        email="ada@example.org",
        status=Booking.Status.CONFIRMED,
        attended=True,
    )
    assert mine.status == Booking.Status.CONFIRMED
    assert waiting.status == Booking.Status.WAITLISTED

    community_services.erase(ada)

    mine.refresh_from_db()
    waiting.refresh_from_db()
    attended.refresh_from_db()
    assert mine.full_name == ""
    assert "ada" not in mine.email
    assert mine.status == Booking.Status.CANCELLED
    assert waiting.status == Booking.Status.CONFIRMED
    assert attended.full_name == ""
    assert attended.attended is True  # the count of who came stays true
    assert not Booking.objects.filter(email="ada@example.org").exists()
    assert not OutboxMessage.objects.filter(
        to_email="ada@example.org", status=OutboxMessage.Status.QUEUED
    ).exists()
