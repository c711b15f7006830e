"""Template helpers for events: when an event happens, in words and <time> elements, and
the upcoming events of a community of practice."""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.safestring import SafeString

from coproduce.events import dates
from coproduce.events.models import Booking, Event

register = template.Library()

COP_EVENTS_SHOWN = 5


@register.filter
def event_when(event: Event) -> SafeString:
    """ "Tuesday 3 March 2026, 10am to 4pm", with machine-readable <time> elements."""
    return dates.when_html(event.starts, event.ends)


@register.filter
def event_when_text(event: Event) -> str:
    return dates.when_text(event.starts, event.ends)


@register.filter
def places_text(free: int | None) -> str:
    if free is None:
        return "Places available"
    if free == 0:
        return "Fully booked: waiting list open"
    return "1 place left" if free == 1 else f"{free} places left"


@register.inclusion_tag("events/includes/cop_events.html")
def cop_events(cop: Any) -> dict[str, Any]:
    """A community's upcoming published events, soonest first (one query)."""
    events: list[Any] = list(
        Event.objects.filter(cop=cop, status=Event.Status.PUBLISHED, ends__gte=timezone.now())
        .annotate(confirmed=Count("bookings", filter=Q(bookings__status=Booking.Status.CONFIRMED)))
        .order_by("starts")[:COP_EVENTS_SHOWN]
    )
    for event in events:
        event.free = event.places_left(event.confirmed)
    return {"events": events}
