"""The news side of the CLAHRC-NDL demo: the Engage newsletters and monthly briefings, 2009-2013.

The data is in data/news.toml. Loaded after the community part (it needs the associates and
their consent records), in the same transaction. Each mailing is written as sent on its date, so
it appears in the public archive at /news/, with one sent outbox message for each associate who
had confirmed by then, was not erased, and had consent on the mailing's channel on that day
(the latest consent record on or before it). Those messages are what the engagement dashboard
counts as mailing reach (`coproduce.implementation.evaluation`). No email is sent: the outbox
rows are written as already sent.

The today layer adds one illustrative draft briefing for next month, dated from the day the
demo is loaded and marked as illustrative in its subject, so the mailings page has work in hand.

Idempotent: mailings are matched by slug; a historical mailing and its messages are written
only when the mailing does not exist yet. The draft is brought to next month again while it is
still a draft, and left alone once someone has scheduled, sent or cancelled it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from coproduce.comms.models import Mailing, OutboxMessage
from coproduce.community.models import Associate, Channel, ConsentRecord
from coproduce.demo import data as demo_data

_DATA = demo_data.part("news")

ENGAGE: list[dict[str, Any]] = _DATA["engage"]
ITEMS: list[dict[str, Any]] = _DATA["items"]
STANDING: list[str] = _DATA["standing"]
TODAY: dict[str, Any] = _DATA["today"]
FIRST_BRIEFING: dt.date = _DATA["first_briefing"]
LAST_BRIEFING: dt.date = _DATA["last_briefing"]
DRAFT_SLUG = "illustrative-draft-briefing"
SEND_HOUR = 9


@dataclass
class Summary:
    created: dict[str, int] = field(default_factory=dict)

    def add(self, key: str, n: int = 1) -> None:
        self.created[key] = self.created.get(key, 0) + n

    def line(self) -> str:
        sent = Mailing.objects.filter(status=Mailing.Status.SENT).aggregate(
            engage=Count("pk", filter=Q(kind=Mailing.Kind.ENGAGE)),
            briefing=Count("pk", filter=Q(kind=Mailing.Kind.BRIEFING)),
        )
        messages = OutboxMessage.objects.filter(
            mailing__isnull=False, status=OutboxMessage.Status.SENT
        ).count()
        return (
            f"  news: {sent['engage']} Engage newsletters and {sent['briefing']} monthly "
            f"briefings sent ({messages} messages), in the archive at /news/; one illustrative "
            "draft briefing for next month"
        )


@dataclass(frozen=True)
class _Planned:
    slug: str
    kind: str
    sent: dt.date
    subject: str
    summary: str
    body: str


def _months(first: dt.date, last: dt.date) -> list[dt.date]:
    months, day = [], first
    while day <= last:
        months.append(day)
        year, month = divmod(day.month, 12)
        day = day.replace(year=day.year + year, month=month + 1)
    return months


def _briefing(day: dt.date, number: int) -> _Planned:
    month = f"{day:%B %Y}"
    items = [row["text"] for row in ITEMS if row["month"] == f"{day:%Y-%m}"]
    items.append(STANDING[number % len(STANDING)])
    body = "\n\n".join([_DATA["briefing_intro"], *(f"- {text}" for text in items)])
    return _Planned(
        slug=f"monthly-briefing-{day:%Y-%m}",
        kind=Mailing.Kind.BRIEFING,
        sent=day,
        subject=f"Monthly briefing: {month}",
        summary=_DATA["briefing_summary"].format(month=month),
        body=body,
    )


def plan() -> list[_Planned]:
    """Every historical mailing, oldest first: the Engage issues and the monthly briefings."""
    engage = [
        _Planned(
            slug=f"engage-issue-{number}",
            kind=Mailing.Kind.ENGAGE,
            sent=row["sent"],
            subject=row["subject"],
            summary=row["summary"],
            body=row["body"],
        )
        for number, row in enumerate(ENGAGE, 1)
    ]
    briefings = [_briefing(day, n) for n, day in enumerate(_months(FIRST_BRIEFING, LAST_BRIEFING))]
    return sorted(engage + briefings, key=lambda m: (m.sent, m.kind))


def _instant(day: dt.date, minutes: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(SEND_HOUR))) + dt.timedelta(
        minutes=minutes
    )


class _Audience:
    """Who could receive a mailing on a day: confirmed by then, not erased, consenting then."""

    def __init__(self) -> None:
        self.associates = list(
            Associate.objects.filter(confirmed__isnull=False)
            .order_by("pk")
            .values_list("pk", "email", "confirmed", "erased")
        )
        self.history: dict[tuple[int, str], list[tuple[dt.datetime, bool]]] = defaultdict(list)
        for associate_id, channel, granted, at in (
            ConsentRecord.objects.filter(channel__in=[Channel.ENGAGE, Channel.BRIEFING])
            .order_by("at", "pk")
            .values_list("associate_id", "channel", "granted", "at")
        ):
            self.history[(associate_id, channel)].append((at, granted))

    def consenting(self, channel: str, at: dt.datetime) -> list[tuple[int, str]]:
        found = []
        for pk, email, confirmed, erased in self.associates:
            if confirmed is None or confirmed > at or (erased is not None and erased <= at):
                continue
            granted = False
            for when, value in self.history.get((pk, channel), ()):
                if when > at:
                    break
                granted = value
            if granted:
                found.append((pk, email or ""))
        return found


def _load_history(summary: Summary) -> None:
    existing = set(Mailing.objects.exclude(slug=None).values_list("slug", flat=True))
    wanted = [m for m in plan() if m.slug not in existing]
    if not wanted:
        return
    audience = _Audience()
    for planned in wanted:
        channel = str(Mailing.KIND_CHANNEL[Mailing.Kind(planned.kind)])
        at = _instant(planned.sent)
        recipients = audience.consenting(channel, at)
        mailing = Mailing.objects.create(
            slug=planned.slug,
            kind=planned.kind,
            channel=channel,
            subject=planned.subject,
            summary=planned.summary,
            body=planned.body,
            status=Mailing.Status.SENT,
            recipient_count=len(recipients),
            queued_at=at,
            finished_at=at + dt.timedelta(minutes=30),
        )
        Mailing.objects.filter(pk=mailing.pk).update(created=at - dt.timedelta(days=5), updated=at)
        OutboxMessage.objects.bulk_create(
            [
                OutboxMessage(
                    key=OutboxMessage.mailing_key(mailing.pk, pk),
                    mailing=mailing,
                    associate_id=pk,
                    to_email=email,
                    channel=channel,
                    status=OutboxMessage.Status.SENT,
                    attempts=1,
                    next_attempt_at=at,
                    sent_at=at + dt.timedelta(minutes=index // 50),
                    created=at,
                )
                for index, (pk, email) in enumerate(recipients)
            ],
            batch_size=500,
        )
        summary.add(planned.kind)
        summary.add("messages", len(recipients))


def _load_today(today: dt.date, summary: Summary) -> None:
    """The illustrative draft briefing for next month (the today layer)."""
    year, month = divmod(today.month, 12)
    next_month = dt.date(today.year + year, month + 1, 1)
    values = {
        "kind": Mailing.Kind.BRIEFING,
        "channel": Channel.BRIEFING,
        "subject": TODAY["subject"].format(month=f"{next_month:%B %Y}"),
        "summary": TODAY["summary"],
        "body": TODAY["body"],
    }
    mailing, created = Mailing.objects.get_or_create(
        slug=DRAFT_SLUG, defaults={**values, "status": Mailing.Status.DRAFT}
    )
    if created:
        summary.add("draft")
    elif mailing.status == Mailing.Status.DRAFT and mailing.subject != values["subject"]:
        Mailing.objects.filter(pk=mailing.pk).update(subject=values["subject"])


def load(today: dt.date | None = None) -> Summary:
    """Write the missing newsletters, briefings and their messages, and the draft."""
    summary = Summary()
    _load_history(summary)
    _load_today(today or timezone.localdate(), summary)
    return summary
