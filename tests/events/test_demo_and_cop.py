"""The events demo (idempotent, with past attendance and a full event with a waiting list),
and a community's upcoming events on its public page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import Client
from django.utils import timezone

from coproduce.community.models import CommunityOfPractice
from coproduce.demo.loader import events as demo
from coproduce.events.models import Booking, Event
from tests import factories
from tests.events.conftest import make_event


def test_the_demo_loads_once_and_covers_every_kind(db: Any) -> None:
    study = factories.StudyFactory(slug="return-to-work-after-stroke")
    first = demo.load()
    assert first.created["events"] == len(demo.EVENTS)
    events = Event.objects.count()
    bookings = Booking.objects.count()
    second = demo.load()
    assert sum(second.created.values()) == 0
    assert (Event.objects.count(), Booking.objects.count()) == (events, bookings)
    assert set(Event.objects.values_list("kind", flat=True)) == set(Event.Kind.values)
    now = timezone.now()
    assert Event.objects.filter(ends__lt=now).exists()
    assert Event.objects.filter(starts__gt=now).exists()
    assert Booking.objects.filter(event__ends__lt=now, attended__isnull=False).exists()
    assert not Booking.objects.filter(event__starts__gt=now, attended__isnull=False).exists()
    full = Event.objects.get(slug="roadshow-lincolnshire")
    assert full.bookings.filter(status="confirmed").count() == full.capacity
    assert full.bookings.filter(status="waitlisted").exists()
    meeting = Event.objects.get(slug="return-to-work-cop-meeting")
    assert meeting.cop == CommunityOfPractice.objects.get(study=study)
    for area in ["nottinghamshire", "derbyshire", "lincolnshire"]:
        assert Event.objects.filter(slug=f"roadshow-{area}", kind=Event.Kind.ROADSHOW).exists()
    assert "events:" in first.line()


def test_a_community_page_lists_its_upcoming_events(client: Client, db: Any) -> None:
    study = factories.StudyFactory(slug="return-to-work", title="Return to work after stroke")
    cop = CommunityOfPractice.objects.get(study=study)
    html = client.get(cop.get_absolute_url()).content.decode()
    assert "Upcoming events" not in html
    make_event(title="Our spring meeting", cop=cop)
    make_event(title="A meeting that was", cop=cop, starts=timezone.now() - dt.timedelta(days=3))
    make_event(title="A draft meeting", cop=cop, status=Event.Status.DRAFT)
    make_event(title="Someone else's seminar")
    html = client.get(cop.get_absolute_url()).content.decode()
    assert "Upcoming events" in html
    assert "Our spring meeting" in html
    for absent in ["A meeting that was", "A draft meeting", "Someone else's seminar"]:
        assert absent not in html
