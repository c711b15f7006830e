"""Every calendar and feed the project serves, found in the URL resolver, read back by independent
parsers: icalendar's `Calendar.from_ical` (RFC 5545) and feedparser (Atom, RFC 4287).

The records behind them hold hostile text: line breaks, other control characters and iCalendar
syntax in an event's title, description and venue (text staff forms refuse but that can arrive
another way, such as the django-admin, the demo data or rows written before the form refused
it), XML 1.0's forbidden characters in a mailing's subject, and names in Polish letters, Chinese
and Arabic. Each URL must answer 200 and parse with no error: for a calendar, no parse error on
any component, no raw control character on the wire, the names back in SUMMARY, and DTSTAMP the
time of the download in UTC (RFC 5545 3.8.7.2), not the event's last change; for a feed, bozo 0
and an author on the feed and on every entry (RFC 4287 4.1.1 and 4.1.2).

A URL pattern that looks like a calendar or a feed (a route ending .ics, .atom, .rss or .xml; a
route or name saying feed, calendar or ical; a django syndication Feed) fails
`test_every_calendar_and_feed_url_is_in_the_table` until it has a row in CALENDARS or FEEDS;
`tests/security/test_authz_matrix.py` adds the other direction (any URL answering with a
calendar or feed content type must have a row here).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import feedparser
import pytest
from django.contrib.syndication.views import Feed
from django.test import Client
from django.urls import URLPattern, reverse
from django.utils import timezone
from icalendar import Calendar

from coproduce.comms.models import Mailing
from coproduce.events.models import Event
from coproduce.implementation.models import Output
from tests import factories
from tests.events.conftest import make_event
from tests.pdftext import ARABIC, CHINESE, POLISH
from tests.security.test_authz_matrix import url_patterns

pytestmark = pytest.mark.django_db

HOSTILE_TITLE = f"Roadshow\r\nEND:VEVENT\nBEGIN:VEVENT\x07\x1b {POLISH}, {CHINESE}, {ARABIC};,\\"
SHOWN_TITLE = f"Roadshow END:VEVENT BEGIN:VEVENT {POLISH}, {CHINESE}, {ARABIC};,\\"


def _event_args() -> dict[str, Any]:
    event = make_event(
        slug="hostile",
        title=HOSTILE_TITLE,
        # A unit separator, not NUL: PostgreSQL's text columns cannot hold NUL at all.
        summary="One\ntwo\x1fthree",
        description="Line one\r\nLine two\x0b\x7f\u2028end",
        venue="Peakside\rLibrary",
        address="40 Market Street\nChesterfield\x0c",
    )
    Event.objects.filter(pk=event.pk).update(
        updated=dt.datetime(2020, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    )
    make_event(title=f"Plain seminar with {CHINESE}")
    return {"slug": event.slug}


def _mailing_args() -> dict[str, Any]:
    at = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
    for n, subject in enumerate(
        [f"Engage: {POLISH}, {CHINESE}, {ARABIC}", "Briefing\x0b with\x01 controls\ufffe"]
    ):
        Mailing.objects.create(
            kind="engage",
            channel="engage",
            subject=subject,
            body=f"## News\n\nFrom {POLISH}.\x08",
            slug=f"news-{n}",
            status=Mailing.Status.SENT,
            queued_at=at,
            finished_at=at,
        )
    return {}


# key -> the records it reads (returning the URL's arguments)
CALENDARS: dict[str, Callable[[], dict[str, Any]]] = {
    "events:feed": lambda: (_event_args(), {})[1],
    "events:ical": _event_args,
}


def _output_args() -> dict[str, Any]:
    study = factories.StudyFactory()
    for n, title in enumerate(
        [f"Stroke: {POLISH}, {CHINESE}, {ARABIC}", "Pro forma\x0b with\x01 controls\ufffe"]
    ):
        output = Output.objects.create(
            kind="publications",
            title=title,
            date=dt.date(2026, 3, 1 + n),
            authors=f"{POLISH}, Ł\x08",
            what_changed="Wards use it\x01.",
            what_changed_public=True,
            public=True,
        )
        output.studies.set([study])
    Output.objects.create(kind="publications", title="Not public", date=dt.date(2026, 3, 9))
    return {}


FEEDS: dict[str, Callable[[], dict[str, Any]]] = {
    "news:feed": _mailing_args,
    "outputs:feed": _output_args,
}
# Titles each feed must carry (characters XML cannot hold dropped).
FEED_TITLES = {
    "news:feed": {f"Engage: {POLISH}, {CHINESE}, {ARABIC}", "Briefing with controls"},
    "outputs:feed": {f"Stroke: {POLISH}, {CHINESE}, {ARABIC}", "Pro forma with controls"},
}

LOOKS_LIKE = re.compile(r"\.(ics|ical|ifb|atom|rss|xml)\$?$|feed|calendar|ical", re.IGNORECASE)


def _looks_like(key: str, pattern: URLPattern, route: str) -> bool:
    return bool(
        LOOKS_LIKE.search(route) or LOOKS_LIKE.search(key) or isinstance(pattern.callback, Feed)
    )


def test_every_calendar_and_feed_url_is_in_the_table() -> None:
    found = {key for key, (p, route) in url_patterns().items() if _looks_like(key, p, route)}
    missing = sorted(found - set(CALENDARS) - set(FEEDS))
    assert not missing, "add these calendar or feed URLs to CALENDARS or FEEDS:\n" + "\n".join(
        missing
    )
    stale = sorted((set(CALENDARS) | set(FEEDS)) - set(url_patterns()))
    assert not stale, f"rows whose URL pattern no longer exists: {stale}"


def _unescape(raw: str) -> str:
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m[1] in "nN" else m[1], raw)


@pytest.mark.parametrize("key", sorted(CALENDARS))
def test_every_calendar_parses(client: Client, key: str) -> None:
    url = reverse(key, kwargs=CALENDARS[key]())
    before = timezone.now().replace(microsecond=0)
    response = client.get(url)
    after = timezone.now()
    assert response.status_code == 200, url
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    content = response.content
    # No control character but the CRLF that ends a content line (RFC 5545 3.1, 3.3.11).
    assert not re.search(rb"[\x00-\x08\x0a-\x1f\x7f]", content.replace(b"\r\n", b"")), url
    assert all(line for line in content.split(b"\r\n")[:-1]), "an empty content line"
    calendar = Calendar.from_ical(content)
    for component in calendar.walk():
        assert not component.errors, (component.name, component.errors)
    events = calendar.walk("VEVENT")
    assert events, url
    summaries = {str(item["SUMMARY"]) for item in events}
    if key == "events:ical":
        assert summaries == {SHOWN_TITLE}
        # icalendar reads an X- property as unknown: unescape it as TEXT (RFC 5545 3.3.11).
        assert _unescape(str(calendar["X-WR-CALNAME"])) == SHOWN_TITLE
        [item] = events
        assert str(item["DESCRIPTION"]).startswith("One\ntwothree\n\nLine one\nLine two\nend")
        assert str(item["LOCATION"]) == "Peakside Library, 40 Market Street, Chesterfield"
    else:
        assert SHOWN_TITLE in summaries
        assert f"Plain seminar with {CHINESE}" in summaries
    for item in events:
        stamp = item["DTSTAMP"].dt
        assert stamp.utcoffset() == dt.timedelta(0)
        assert item["DTSTAMP"].to_ical().endswith(b"Z")  # written in UTC form
        assert before <= stamp <= after, (stamp, before, after)
        assert item["LAST-MODIFIED"].dt <= stamp


@pytest.mark.parametrize("key", sorted(FEEDS))
def test_every_feed_parses_and_has_authors(client: Client, key: str) -> None:
    url = reverse(key, kwargs=FEEDS[key]())
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("application/atom+xml")
    parsed = feedparser.parse(response.content)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert parsed.feed.get("author"), "the feed has no author (RFC 4287 4.1.1)"
    assert parsed.entries
    for entry in parsed.entries:
        assert entry.get("author"), f"{entry.get('id')} has no author (RFC 4287 4.1.2)"
    titles = {entry.title for entry in parsed.entries}
    assert titles == FEED_TITLES[key]
