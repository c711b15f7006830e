"""iCalendar for one event and the feed, parsed back with the icalendar library."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.test import Client
from icalendar import Calendar

from coproduce.events import services
from coproduce.events.models import Event
from tests.events.conftest import make_event

LONDON = ZoneInfo("Europe/London")


def parse(response: Any) -> Calendar:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def test_one_event_round_trips(client: Client, db: Any) -> None:
    event = make_event(
        title="Roadshow: Derbyshire",
        kind=Event.Kind.ROADSHOW,
        summary="Our research, brought to Derbyshire.",
        description="Talks and stalls.",
        starts=dt.datetime(2099, 7, 7, 13, tzinfo=LONDON),
        ends=dt.datetime(2099, 7, 7, 16, tzinfo=LONDON),
        venue="Peakside Library",
        address="40 Market Street\nChesterfield",
    )
    calendar = parse(client.get(f"/events/{event.slug}/event.ics"))
    assert str(calendar["VERSION"]) == "2.0"
    [vevent] = calendar.walk("VEVENT")
    assert str(vevent["UID"]).startswith(f"event-{event.public_id}@")
    assert str(vevent["SUMMARY"]) == "Roadshow: Derbyshire"
    assert "Talks and stalls." in str(vevent["DESCRIPTION"])
    assert f"/events/{event.slug}/" in str(vevent["DESCRIPTION"])
    assert str(vevent["LOCATION"]) == "Peakside Library, 40 Market Street, Chesterfield"
    assert str(vevent["URL"]).endswith(f"/events/{event.slug}/")
    assert str(vevent["STATUS"]) == "CONFIRMED"
    assert vevent["DTSTAMP"].dt.tzinfo is not None
    starts, ends = vevent["DTSTART"].dt, vevent["DTEND"].dt
    assert starts == event.starts
    assert ends == event.ends
    assert vevent["DTSTART"].params["TZID"] == "Europe/London"
    assert starts.utcoffset() == dt.timedelta(hours=1)  # British Summer Time
    [timezone] = calendar.walk("VTIMEZONE")
    assert str(timezone["TZID"]) == "Europe/London"
    # The UID is stable: the same on every download, and after an edit.
    Event.objects.filter(pk=event.pk).update(title="Roadshow: Derbyshire (moved)")
    again = parse(client.get(f"/events/{event.slug}/event.ics"))
    assert str(again.walk("VEVENT")[0]["UID"]) == str(vevent["UID"])


def test_the_feed_lists_public_events_and_marks_cancelled_ones(client: Client, db: Any) -> None:
    kept = make_event(title="Seminar kept")
    called_off = make_event(title="Seminar called off")
    make_event(title="Seminar drafted", status=Event.Status.DRAFT)
    online = make_event(title="Online seminar", venue="", online_url="https://meet.example.org/x")
    services.cancel_event(called_off, by=None)
    calendar = parse(client.get("/events/feed.ics"))
    events = {str(item["SUMMARY"]): item for item in calendar.walk("VEVENT")}
    assert set(events) == {"Seminar kept", "Seminar called off", "Online seminar"}
    assert str(events["Seminar called off"]["STATUS"]) == "CANCELLED"
    assert int(events["Seminar called off"]["SEQUENCE"]) == 1
    assert str(events["Seminar kept"]["STATUS"]) == "CONFIRMED"
    assert str(events["Online seminar"]["LOCATION"]) == "Online"
    assert len({str(item["UID"]) for item in events.values()}) == 3
    assert str(events["Seminar kept"]["UID"]).startswith(f"event-{kept.public_id}@")
    assert online.public_id.hex not in str(events["Seminar kept"]["UID"])
    assert calendar.walk("VTIMEZONE"), "the feed should carry the Europe/London VTIMEZONE"


def test_the_feed_of_nothing_is_still_a_calendar(client: Client, db: Any) -> None:
    calendar = parse(client.get("/events/feed.ics"))
    assert calendar.walk("VEVENT") == []
