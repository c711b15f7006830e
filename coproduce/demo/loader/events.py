"""The events side of the CLAHRC-NDL demo: a conference, roadshows, a seminar, a community of
practice meeting and a stakeholder event, with bookings, a waiting list and attendance.

The data is in data/events.toml. Loaded after the community part, in the same transaction. Names,
venues and addresses are invented. Dates are relative to the day the demo is first loaded:
past events have attendance recorded, upcoming ones have bookings, and one is full with a
waiting list. Idempotent: events are matched by slug (get_or_create), and an event's bookings
are written only when the event itself is created, so a second run creates nothing. Bookings
are written directly, without emails: nobody is told about demo bookings.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any, TypedDict, cast

from django.db.models import Count, Q
from django.utils import timezone

from coproduce.community.models import Associate, CommunityOfPractice
from coproduce.demo import data as demo_data
from coproduce.events import dates
from coproduce.events.models import Booking, Event

_DATA = demo_data.part("events")
SEED: str = _DATA["seed"]
TODAY_LAYER_NOTE: str = _DATA["today_layer_note"]
Kind = Event.Kind
CONFIRMED: str = Booking.Status.CONFIRMED
WAITLISTED: str = Booking.Status.WAITLISTED
CANCELLED: str = Booking.Status.CANCELLED

FIRST_NAMES: list[str] = _DATA["first_names"]
LAST_NAMES: list[str] = _DATA["last_names"]
ACCESS_NEEDS: list[str] = _DATA["access_needs"]


class EventData(TypedDict, total=False):
    slug: str
    kind: str
    title: str
    summary: str
    description: str
    days: int  # from the day the demo is loaded; negative for past events
    start: tuple[int, int]
    end: tuple[int, int]
    venue: str
    address: str
    online_url: str
    capacity: int | None
    cop: str
    bookings: int
    waitlisted: int
    cancelled: int


def _event(row: dict[str, Any]) -> EventData:
    """An event from the file: no capacity is unlimited; `cop` names a community."""
    event = {**row, "capacity": row.get("capacity"), "start": tuple(row["start"])}
    event["end"] = tuple(row["end"])
    if "cop" in row:
        event["cop"] = demo_data.community(row["cop"])
    return cast(EventData, event)


EVENTS: list[EventData] = [_event(row) for row in _DATA["events"]]


@dataclass
class Summary:
    created: dict[str, int] = field(default_factory=lambda: {"events": 0, "bookings": 0})

    def line(self) -> str:
        now = timezone.now()
        events = Event.objects.aggregate(
            total=Count("pk"), upcoming=Count("pk", filter=Q(ends__gte=now))
        )
        bookings = Booking.objects.aggregate(
            total=Count("pk"),
            waiting=Count("pk", filter=Q(status=WAITLISTED)),
            attended=Count("pk", filter=Q(attended=True)),
        )
        return (
            f"  events: {events['total']} events ({events['upcoming']} upcoming), "
            f"{bookings['total']} bookings ({bookings['waiting']} waiting, "
            f"{bookings['attended']} attended); {sum(self.created.values())} created"
        )


def _weekday(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def load(today: dt.date | None = None) -> Summary:
    """Load the events demo; call inside a transaction, after the community demo."""
    today = today or timezone.localdate()
    summary = Summary()
    rng = random.Random(SEED)  # noqa: S311 - invented demo data, not secrets
    cops = {cop.slug: cop for cop in CommunityOfPractice.objects.filter(slug__in=_cop_slugs())}
    # Some bookers are demo associates, so their bookings link to them.
    associates = list(
        Associate.objects.active().filter(email__endswith="@example.org").order_by("pk")[:40]
    )
    for number, data in enumerate(EVENTS):
        day = _weekday(today + dt.timedelta(days=data["days"]))
        zone = dates.london()
        starts = dt.datetime.combine(day, dt.time(*data["start"]), tzinfo=zone)
        ends = dt.datetime.combine(day, dt.time(*data["end"]), tzinfo=zone)
        event, created = Event.objects.get_or_create(
            slug=data["slug"],
            defaults={
                "kind": data["kind"],
                "title": data["title"],
                "summary": data.get("summary", ""),
                "description": "\n\n".join(
                    part for part in (data.get("description", ""), TODAY_LAYER_NOTE) if part
                ),
                "starts": starts,
                "ends": ends,
                "venue": data.get("venue", ""),
                "address": data.get("address", ""),
                "online_url": data.get("online_url", ""),
                "capacity": data.get("capacity"),
                "cop": cops.get(data.get("cop", "")),
                "status": Event.Status.PUBLISHED,
            },
        )
        if not created:
            continue
        summary.created["events"] += 1
        summary.created["bookings"] += _bookings(event, data, number, rng, associates, starts)
    return summary


def _cop_slugs() -> list[str]:
    return [data["cop"] for data in EVENTS if "cop" in data]


def _bookings(
    event: Event,
    data: EventData,
    number: int,
    rng: random.Random,
    associates: list[Associate],
    starts: dt.datetime,
) -> int:
    past = data["days"] < 0
    plan = (
        [CONFIRMED] * data.get("bookings", 0)
        + [WAITLISTED] * data.get("waitlisted", 0)
        + [CANCELLED] * data.get("cancelled", 0)
    )
    rows: list[Booking] = []
    for index, status in enumerate(plan):
        booked = starts - dt.timedelta(days=30 - index % 25, hours=index)
        associate: Any = (
            associates[(number * 5 + index) % len(associates)]
            if associates and index % 3 == 0
            else None
        )
        if associate is not None:
            full_name, email = associate.full_name, associate.email
        else:
            full_name = f"{FIRST_NAMES[(number * 7 + index) % len(FIRST_NAMES)]} {LAST_NAMES[(number * 3 + index) % len(LAST_NAMES)]}"
            email = f"{full_name.lower().replace(' ', '.')}.{number}{index}@example.net"
        if any(row.email == email for row in rows):
            email = f"booker.{number}.{index}@example.net"
        rows.append(
            Booking(
                event=event,
                associate=associate,
                full_name=full_name,
                email=email,
                access_needs=ACCESS_NEEDS[index % len(ACCESS_NEEDS)] if rng.random() < 0.2 else "",
                status=status,
                created=booked,
                cancelled_at=booked + dt.timedelta(days=3) if status == CANCELLED else None,
                attended=(rng.random() < 0.85) if past and status == CONFIRMED else None,
                reminder_queued_at=starts - dt.timedelta(hours=48) if past else None,
            )
        )
    Booking.objects.bulk_create(rows)
    return len(rows)
