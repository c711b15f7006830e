"""Dates and times in words, in UK time, on both sides of the clock changes."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from coproduce.events import dates

LONDON = ZoneInfo("Europe/London")
UTC = dt.UTC


def at(*args: int, zone: dt.tzinfo = LONDON) -> dt.datetime:
    return dt.datetime(*args, tzinfo=zone)


@pytest.mark.parametrize(
    ("starts", "ends", "expected"),
    [
        (at(2026, 3, 3, 10), at(2026, 3, 3, 16), "Tuesday 3 March 2026, 10am to 4pm"),
        (at(2026, 3, 3, 9, 30), at(2026, 3, 3, 12), "Tuesday 3 March 2026, 9:30am to midday"),
        (at(2026, 3, 3, 0), at(2026, 3, 3, 12, 5), "Tuesday 3 March 2026, midnight to 12:05pm"),
        (
            at(2026, 6, 30, 17),
            at(2026, 7, 1, 13, 15),
            "Tuesday 30 June 2026, 5pm to Wednesday 1 July 2026, 1:15pm",
        ),
        # Given in UTC, shown in UK time: British Summer Time is an hour ahead.
        (
            at(2026, 7, 7, 9, zone=UTC),
            at(2026, 7, 7, 15, zone=UTC),
            "Tuesday 7 July 2026, 10am to 4pm",
        ),
        (
            at(2026, 12, 1, 9, zone=UTC),
            at(2026, 12, 1, 15, zone=UTC),
            "Tuesday 1 December 2026, 9am to 3pm",
        ),
        # 23:30 UTC on 27 June is 00:30 on 28 June in London.
        (
            at(2026, 6, 27, 23, 30, zone=UTC),
            at(2026, 6, 28, 1, zone=UTC),
            "Sunday 28 June 2026, 12:30am to 2am",
        ),
    ],
)
def test_when_in_words(starts: dt.datetime, ends: dt.datetime, expected: str) -> None:
    assert dates.when_text(starts, ends) == expected


def test_when_in_html_has_time_elements_with_the_exact_moments() -> None:
    html = dates.when_html(at(2026, 7, 7, 10), at(2026, 7, 7, 16))
    assert html == (
        '<time datetime="2026-07-07T10:00:00+01:00">Tuesday 7 July 2026, 10am</time>'
        ' to <time datetime="2026-07-07T16:00:00+01:00">4pm</time>'
    )
    winter = dates.when_html(at(2026, 3, 3, 10), at(2026, 3, 3, 16))
    assert 'datetime="2026-03-03T10:00:00+00:00"' in winter
