"""Time used against a secondment's expected time.

Expected time is the secondment's FTE times the working days (Monday to Friday; bank holidays
are not taken off) from its start to its end or to the day asked about, whichever is earlier.
Used time is the knowledge-broker activity logged against the secondment up to that day, in
hours, turned into days at 7.5 hours a day. A placement has no FTE, so only its hours are shown.

One aggregated query per report, whatever the number of secondments or activities.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet, Sum

from coproduce.coproduction.models import HOURS_PER_DAY
from coproduce.registry.models import Secondment


def working_days(start: dt.date, end: dt.date) -> int:
    """Monday-to-Friday days from start to end, both included (0 when end is before start)."""
    if end < start:
        return 0
    days = (end - start).days + 1
    weeks, extra = divmod(days, 7)
    count = weeks * 5
    weekday = start.weekday()
    for offset in range(extra):
        if (weekday + offset) % 7 < 5:
            count += 1
    return count


@dataclass(frozen=True)
class TimeUsed:
    secondment: Secondment
    until: dt.date
    working_days: int
    expected_days: Decimal
    hours: Decimal

    @property
    def used_days(self) -> Decimal:
        return (self.hours / HOURS_PER_DAY).quantize(Decimal("0.1"))

    @property
    def percent(self) -> int | None:
        if not self.expected_days:
            return None
        return round(self.used_days / self.expected_days * 100)


def with_hours(queryset: QuerySet[Secondment], until: dt.date) -> QuerySet[Secondment]:
    return queryset.annotate(
        hours_logged=Sum("broker_activities__hours", filter=Q(broker_activities__date__lte=until))
    )


def time_used(secondment: Any, until: dt.date) -> TimeUsed:
    """For a secondment annotated by `with_hours` (or not: then it asks the database)."""
    hours = getattr(secondment, "hours_logged", None)
    if not hasattr(secondment, "hours_logged"):
        hours = secondment.broker_activities.filter(date__lte=until).aggregate(h=Sum("hours"))["h"]
    end = min(secondment.end, until) if secondment.end else until
    days = working_days(secondment.start, end)
    expected = (secondment.fte * days).quantize(Decimal("0.1"))
    return TimeUsed(secondment, until, days, expected, hours or Decimal("0"))
