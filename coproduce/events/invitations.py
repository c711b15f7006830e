"""What an event invitation mailing shows and offers, registered with comms
(coproduce/comms/invitations.py) from EventsConfig.ready: comms never imports events."""

from __future__ import annotations

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from coproduce.events.dates import when_text
from coproduce.events.models import Event


def choosable(current: int | None) -> QuerySet[Event]:
    """Published events still to finish, soonest first, plus the one a mailing already names."""
    upcoming = Event.objects.filter(
        status=Event.Status.PUBLISHED, ends__gte=timezone.now()
    ).order_by("starts")
    if current:
        upcoming = upcoming | Event.objects.filter(pk=current)
    return upcoming


def details(event: Event) -> str:
    """The lines below an invitation: what, when, where, and the link to book (Markdown)."""
    url = settings.SITE_URL + event.get_absolute_url()
    when = when_text(event.starts, event.ends)
    where = f" {event.venue}." if event.venue else ""
    return f"**{event.title}**: {when}.{where} [Book a place]({url})"
