"""Dates and times in words, in UK time (Europe/London): "Tuesday 3 March 2026, 10am to 4pm".

Written the way the GOV.UK and NHS.UK style guides ask: the day of the week, no leading zeros,
"am" and "pm" without spaces or full stops, minutes only when they are not zero, "midday"
and "midnight" instead of 12pm and 12am.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString


def london() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def local(moment: dt.datetime) -> dt.datetime:
    return timezone.localtime(moment, london())


def time_words(moment: dt.datetime) -> str:
    moment = local(moment)
    if moment.hour == 12 and moment.minute == 0:
        return "midday"
    if moment.hour == 0 and moment.minute == 0:
        return "midnight"
    hour = moment.hour % 12 or 12
    suffix = "am" if moment.hour < 12 else "pm"
    minutes = f":{moment.minute:02d}" if moment.minute else ""
    return f"{hour}{minutes}{suffix}"


def date_words(moment: dt.datetime | dt.date) -> str:
    if isinstance(moment, dt.datetime):
        moment = local(moment)
    return f"{moment:%A} {moment.day} {moment:%B %Y}"


def _parts(starts: dt.datetime, ends: dt.datetime) -> tuple[str, str]:
    start_text = f"{date_words(starts)}, {time_words(starts)}"
    if local(starts).date() == local(ends).date():
        return start_text, time_words(ends)
    return start_text, f"{date_words(ends)}, {time_words(ends)}"


def when_text(starts: dt.datetime, ends: dt.datetime) -> str:
    """Plain text, for emails and calendars."""
    first, second = _parts(starts, ends)
    return f"{first} to {second}"


def when_html(starts: dt.datetime, ends: dt.datetime) -> SafeString:
    """The same words in two <time> elements carrying the exact moments (ISO 8601, with offset)."""
    first, second = _parts(starts, ends)
    return format_html(
        '<time datetime="{}">{}</time> to <time datetime="{}">{}</time>',
        local(starts).isoformat(),
        first,
        local(ends).isoformat(),
        second,
    )
