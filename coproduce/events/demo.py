"""The events side of the CLAHRC-NDL demo: a conference, roadshows, a seminar, a community of
practice meeting and a stakeholder event, with bookings, a waiting list and attendance.

Run by `coproduce loaddemo` after the community demo, inside the same transaction. Names,
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
from typing import Any, TypedDict

from django.db.models import Count, Q
from django.utils import timezone

from coproduce.community.models import Associate, CommunityOfPractice
from coproduce.events import dates
from coproduce.events.models import Booking, Event

SEED = "coproduce-clahrc-ndl-events-v1"
Kind = Event.Kind
CONFIRMED: str = Booking.Status.CONFIRMED
WAITLISTED: str = Booking.Status.WAITLISTED
CANCELLED: str = Booking.Status.CANCELLED

FIRST_NAMES = [
    "Amara",
    "Bryn",
    "Cerys",
    "Dev",
    "Elin",
    "Farah",
    "Gareth",
    "Hana",
    "Idris",
    "Jess",
    "Kofi",
    "Lena",
    "Marek",
    "Nia",
    "Owen",
    "Priya",
    "Quinn",
    "Rhian",
    "Sami",
    "Tomas",
]
LAST_NAMES = [
    "Ashdown",
    "Beckwith",
    "Carrow",
    "Delaney",
    "Eastwood",
    "Fenwick",
    "Garside",
    "Hollins",
    "Ingram",
    "Jowett",
    "Kirkby",
    "Lowther",
    "Mottram",
    "Nuttall",
    "Oldroyd",
    "Pickering",
]
ACCESS_NEEDS = [
    "Step-free access, please: I use a wheelchair.",
    "A hearing loop would help.",
    "Vegetarian lunch.",
    "Large-print handouts, please.",
]


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


EVENTS: list[EventData] = [
    {
        "slug": "annual-conference-last-year",
        "kind": Kind.CONFERENCE,
        "title": "Annual conference: co-producing change",
        "summary": "Our yearly gathering of researchers, practitioners, service users and carers.",
        "description": "Keynotes, workshops and posters from every theme, and a session led by "
        "the communities of practice on what they have learned this year.",
        "days": -300,
        "start": (9, 30),
        "end": (16, 30),
        "venue": "Millbrook Conference Centre",
        "address": "12 Foundry Lane\nNottingham\nNG7 9ZZ",
        "capacity": 120,
        "bookings": 24,
        "cancelled": 2,
    },
    {
        "slug": "annual-conference",
        "kind": Kind.CONFERENCE,
        "title": "Annual conference: from evidence to everyday practice",
        "summary": "A day on putting research into practice, with our partners across the region.",
        "description": "Hear how studies across our themes have changed services, take part in "
        "workshops run by service users and carers, and meet the diffusion fellows and "
        "researchers in residence. Lunch and refreshments are provided.",
        "days": 63,
        "start": (9, 30),
        "end": (16, 30),
        "venue": "Millbrook Conference Centre",
        "address": "12 Foundry Lane\nNottingham\nNG7 9ZZ",
        "capacity": 150,
        "bookings": 14,
    },
    {
        "slug": "roadshow-nottinghamshire",
        "kind": Kind.ROADSHOW,
        "title": "Roadshow: Nottinghamshire",
        "summary": "Our research, brought to practitioners and the public in Nottinghamshire.",
        "description": "Short talks and stalls from our studies, and a chance to tell us what "
        "research would make a difference to you.",
        "days": -40,
        "start": (13, 0),
        "end": (16, 0),
        "venue": "Sherwood Vale Community Hall",
        "address": "3 Abbey Row\nMansfield\nNG18 9ZZ",
        "capacity": 40,
        "bookings": 18,
    },
    {
        "slug": "roadshow-derbyshire",
        "kind": Kind.ROADSHOW,
        "title": "Roadshow: Derbyshire",
        "summary": "Our research, brought to practitioners and the public in Derbyshire.",
        "description": "Short talks and stalls from our studies, and a chance to tell us what "
        "research would make a difference to you.",
        "days": 22,
        "start": (13, 0),
        "end": (16, 0),
        "venue": "Peakside Library and Arts Centre",
        "address": "40 Market Street\nChesterfield\nS40 9ZZ",
        "capacity": 40,
        "bookings": 9,
    },
    {
        "slug": "roadshow-lincolnshire",
        "kind": Kind.ROADSHOW,
        "title": "Roadshow: Lincolnshire",
        "summary": "Our research, brought to practitioners and the public in Lincolnshire.",
        "description": "A smaller session in a rural venue: places are limited. Join the waiting "
        "list if it is full; places often come up.",
        "days": 36,
        "start": (10, 0),
        "end": (12, 30),
        "venue": "Fenside Village Hall",
        "address": "Church Lane\nSleaford\nNG34 9ZZ",
        "capacity": 6,
        "bookings": 6,
        "waitlisted": 3,
    },
    {
        "slug": "seminar-measuring-co-production",
        "kind": Kind.SEMINAR,
        "title": "Seminar: measuring co-production",
        "summary": "An online seminar on how to tell whether research was truly co-produced.",
        "description": "Researchers from the evaluation theme present the measures they have "
        "tested, followed by questions. Captions are provided.",
        "days": 15,
        "start": (12, 30),
        "end": (13, 30),
        "online_url": "https://meet.example.org/clahrc-seminar",
        "capacity": None,
        "bookings": 11,
    },
    {
        "slug": "return-to-work-cop-meeting",
        "kind": Kind.COP_MEETING,
        "title": "Return to work after stroke: community meeting",
        "summary": "The community of practice meets to review the pro forma in use.",
        "description": "Open to all members of the community: stroke survivors, carers, "
        "therapists, employers and researchers. We will hear how the pro forma has worked "
        "in practice and agree changes.",
        "days": 10,
        "start": (14, 0),
        "end": (16, 0),
        "venue": "Riverside Therapy Centre, Meeting Room 2",
        "address": "8 Wharf Road\nNottingham\nNG2 9ZZ",
        "online_url": "https://meet.example.org/return-to-work-cop",
        "capacity": 20,
        "cop": "return-to-work-after-stroke",
        "bookings": 7,
    },
    {
        "slug": "stakeholder-forum",
        "kind": Kind.STAKEHOLDER,
        "title": "Stakeholder forum: priorities for the next five years",
        "summary": "Commissioners, providers and the public help set our research priorities.",
        "description": "A facilitated morning to agree the questions our next programme of "
        "research should answer.",
        "days": 49,
        "start": (9, 30),
        "end": (12, 30),
        "venue": "Lindum House",
        "address": "21 Minster Yard\nLincoln\nLN2 9ZZ",
        "capacity": 60,
        "bookings": 5,
    },
]


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
                "description": data.get("description", ""),
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
