"""Fixtures for the events tests: an event factory and a helper to post the booking form."""

from __future__ import annotations

import datetime as dt
import itertools
import time
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from coproduce.events import services
from coproduce.events.models import Booking, Event
from coproduce.lib.spam import issue_form_token

_numbers = itertools.count(1)


def make_event(**fields: Any) -> Event:
    number = next(_numbers)
    starts = fields.pop("starts", timezone.now() + dt.timedelta(days=10))
    values: dict[str, Any] = {
        "slug": f"event-{number}",
        "kind": Event.Kind.SEMINAR,
        "title": f"Seminar number {number}",
        "starts": starts,
        "ends": starts + dt.timedelta(hours=2),
        "venue": "Millbrook Conference Centre",
        "capacity": 2,
        **fields,
    }
    return Event.objects.create(**values)


def book(event: Event, name: str, email: str | None = None, **kwargs: Any) -> Booking:
    email = email or f"{name.lower().replace(' ', '.')}@example.org"
    return services.book(event, full_name=name, email=email, **kwargs).booking


def booking_form(**overrides: str) -> dict[str, str]:
    return {
        "full_name": "Alex Booker",
        "email": "alex.booker@example.org",
        "access_needs": "",
        "website": "",
        "form_token": issue_form_token(time.time() - 10),
        **overrides,
    }


def post_booking(client: Client, event: Event, **overrides: str) -> Any:
    return client.post(event.get_absolute_url(), booking_form(**overrides))


@pytest.fixture
def event(db: Any) -> Event:
    return make_event()
