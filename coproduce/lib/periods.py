"""Counting rows per period (quarter, month) in the database itself.

Django's `TruncQuarter`/`TruncMonth` are SQL functions on PostgreSQL, but on SQLite Django
registers them as Python functions called once per row (`django_date_trunc`,
`django_datetime_trunc`): the communities evaluation called one 177,566 times a request at
national scale (issue 22). The periods a page shows are known before the query, so
`period_index` names each row's period with plain comparisons instead, `CASE WHEN field >=
start AND field < end THEN 0 WHEN ... END`, which both databases run natively (and which
the index on the field can still narrow). Rows outside every period get NULL.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import Case, IntegerField, Value, When


def period_index(field: str, bounds: Sequence[tuple[Any, Any]]) -> Case:
    """0 for a row whose `field` is in the first [start, end) of `bounds`, 1 in the second...:
    dates for a DateField, aware datetimes for a DateTimeField (a local month's or quarter's
    first instant, so periods are the local calendar's, as Trunc* with USE_TZ gives)."""
    return Case(
        *[
            When(**{f"{field}__gte": start, f"{field}__lt": end}, then=Value(position))
            for position, (start, end) in enumerate(bounds)
        ],
        default=None,
        output_field=IntegerField(),
    )
