"""UK financial years: 1 April to 31 March, named by the calendar year they start in.

Government, the NHS and NIHR awards account by this year (the UK government's financial
year; HM Treasury, "Managing Public Money"). 2009 is 1 April 2009 to
31 March 2010, shown as "2009/10".
"""

from __future__ import annotations

import datetime as dt

FIRST, LAST = 1990, 2100


def year_of(day: dt.date) -> int:
    """The financial year a day falls in."""
    return day.year if day.month >= 4 else day.year - 1


def bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 4, 1), dt.date(year + 1, 3, 31)


def label(year: int) -> str:
    return f"{year}/{(year + 1) % 100:02d}"


def span(year: int) -> str:
    start, end = bounds(year)
    return f"{start:%-d %B %Y} to {end:%-d %B %Y}"


def overlap(start: dt.date, end: dt.date | None, year: int) -> tuple[dt.date, dt.date] | None:
    """The part of [start, end] (end None: open) inside the year, or None."""
    first, last = bounds(year)
    lo, hi = max(start, first), min(end or last, last)
    return (lo, hi) if lo <= hi else None


def choices(first: int = 2005, last: int = 2030) -> list[tuple[int, str]]:
    return [(year, label(year)) for year in range(first, last + 1)]
