"""The emails about events and bookings, queued through the outbox (exactly once per key).

Each is a service message the person asked for (no consent channel), in plain text with an
HTML twin made from the same words. Every one carries a freshly signed link to the booking.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from coproduce.comms import outbox
from coproduce.events import dates, links
from coproduce.events.models import Booking


def _context(booking: Booking, **extra: Any) -> dict[str, Any]:
    event = booking.event
    return {
        "booking": booking,
        "event": event,
        "first_name": (booking.full_name.split() or ["there"])[0],
        "when": dates.when_text(event.starts, event.ends),
        "where": event.location_text,
        "event_url": settings.SITE_URL + event.get_absolute_url(),
        "ical_url": settings.SITE_URL + event.ical_url(),
        "booking_url": links.booking_url(booking),
        "link_days": links.MAX_AGE.days,
        "collaboration_name": settings.COLLABORATION_NAME,
        **extra,
    }


def _queue(key: str, booking: Booking, subject: str, template: str, **extra: Any) -> bool:
    context = _context(booking, subject=subject, **extra)
    text = render_to_string(f"events/email/{template}.txt", context).strip() + "\n"
    text = re.sub(r"\n{3,}", "\n\n", text)
    html = render_to_string("events/email/message.html", {**context, "body": text})
    row = outbox.queue_message(
        key, booking.email, subject, text, html, associate=booking.associate, channel=""
    )
    return row is not None


def booking_made(booking: Booking) -> bool:
    title = booking.event.title
    if booking.status == Booking.Status.CONFIRMED:
        subject = f"Your place at {title}"
    else:
        subject = f"You are on the waiting list for {title}"
    return _queue(f"event-booking:{booking.pk}", booking, subject, "booking_made")


def booking_link_again(booking: Booking, now: dt.datetime | None = None) -> bool:
    """Someone booked again with an address that has a booking: send its link, at most hourly."""
    now = now or timezone.now()
    key = f"event-booking-again:{booking.pk}:{now:%Y%m%d%H}"
    return _queue(key, booking, f"Your booking for {booking.event.title}", "booking_again")


def promoted(booking: Booking) -> bool:
    subject = f"A place has come up: you are booked on {booking.event.title}"
    return _queue(f"event-promoted:{booking.pk}", booking, subject, "promoted")


def booking_cancelled(booking: Booking) -> bool:
    subject = f"Your booking for {booking.event.title} is cancelled"
    return _queue(f"event-booking-cancelled:{booking.pk}", booking, subject, "booking_cancelled")


def reminder(booking: Booking) -> bool:
    event = booking.event
    subject = f"Reminder: {event.title}, {dates.date_words(event.starts)}"
    return _queue(f"event-reminder:{booking.pk}", booking, subject, "reminder")


def event_cancelled(booking: Booking) -> bool:
    subject = f"Cancelled: {booking.event.title}"
    return _queue(f"event-cancelled:{booking.pk}", booking, subject, "event_cancelled")
