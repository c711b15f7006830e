"""Co-production's panel on the staff home (registered in apps.py, see staff/navigation.py):
a diffusion fellow's secondments and a researcher in residence's placements, each with the
time used and the time remaining, and the study it serves.

Time used follows coproduce/coproduction/timeuse.py: expected days are the FTE times the
working days so far, used days the logged knowledge-broker hours at 7.5 hours a day. What
remains is the expected days of the whole secondment (to its end date) less the days used. A
placement has no FTE: its time is the working days gone and left, and the hours logged.

Two queries, however many secondments, placements or activities.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from coproduce.coproduction.access import person_of, placements_of, secondments_of
from coproduce.coproduction.models import HOURS_PER_DAY
from coproduce.coproduction.timeuse import time_used, with_hours, working_days
from coproduce.staff.navigation import HomePanel, WorkRow

# A diffusion fellow is seconded for up to five years (docs/user-guide, "Diffusion fellows").
MAX_SECONDMENT_YEARS = 5


def _when(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _years_on(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _secondment_row(secondment: Any, today: dt.date) -> WorkRow:
    used = time_used(secondment, today)
    detail = (
        f"{used.used_days} days used of {used.expected_days} expected so far"
        + (f" ({used.percent}%)" if used.percent is not None else "")
        + f", at {secondment.fte} FTE. "
    )
    if secondment.end is None:
        limit = _years_on(secondment.start, MAX_SECONDMENT_YEARS)
        detail += (
            f"No end date set; {MAX_SECONDMENT_YEARS} years, the longest a secondment runs, "
            f"{'ended' if limit < today else 'end'} on {_when(limit)}."
        )
    elif secondment.end < today:
        detail += f"Ended on {_when(secondment.end)}."
    else:
        whole = (secondment.fte * working_days(secondment.start, secondment.end)).quantize(
            Decimal("0.1")
        )
        remaining = max(whole - used.used_days, Decimal("0"))
        detail += f"{remaining} days remain before it ends on {_when(secondment.end)}."
    return WorkRow(
        f"Diffusion fellow secondment: {secondment.study}",
        reverse("coproduction:study", args=[secondment.study.slug]),
        detail,
    )


def _placement_row(placement: Any, today: dt.date) -> WorkRow:
    hours = placement.hours_logged or Decimal("0")
    gone = working_days(placement.start, min(today, placement.end or today))
    detail = f"{gone} working days in so far; {hours} hours of activity logged "
    detail += f"({(hours / HOURS_PER_DAY).quantize(Decimal('0.1'))} days). "
    if placement.end is None:
        detail += "No end date set."
    elif placement.end < today:
        detail += f"Ended on {_when(placement.end)}."
    else:
        left = working_days(today + dt.timedelta(days=1), placement.end)
        detail += f"{left} working days remain before it ends on {_when(placement.end)}."
    study = placement.study
    return WorkRow(
        f"Researcher in residence at {placement.host_organisation}"
        + (f": {study}" if study else ""),
        reverse("coproduction:study", args=[study.slug]) if study else "",
        detail,
    )


def your_time(user: Any) -> HomePanel | None:
    person = person_of(user)
    if person is None:
        return None
    today = timezone.localdate()
    secondments = list(with_hours(secondments_of(person), today))
    placements = list(placements_of(person).annotate(hours_logged=Sum("broker_activities__hours")))
    if not secondments and not placements:
        return None
    rows = [_secondment_row(s, today) for s in secondments]
    rows += [_placement_row(p, today) for p in placements]
    title = "Your secondment" if secondments else "Your placement"
    if (secondments and placements) or len(rows) > 1:
        title = "Your secondments and placements"
    return HomePanel(
        title,
        rows,
        more_label="Log your knowledge-broker activity",
        more_url=reverse("coproduction:broker_log"),
        order=12,
    )
