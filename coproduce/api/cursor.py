"""Cursor (keyset) pagination for lists that integrations page through while rows change.

A list is ordered by (a timestamp, the row's key) ascending, and the next page starts after the
last row seen: rows added or changed meanwhile are neither skipped nor repeated the way an
offset would skip or repeat them. This is keyset pagination ("seek method", Winand, *SQL
Performance Explained*, 2012, ch. 7, https://use-the-index-luke.com/no-offset).

The cursor is opaque to callers: base64url of a small JSON pair. It is not secret (it names a
timestamp and a row number the caller could not use anywhere else), only not to be built by
hand; a cursor the server cannot read is a 400 with the reason.
"""

# No `from __future__ import annotations`: ninja reads the schemas' annotations at runtime.
import base64
import binascii
import datetime as dt
import json
import re
from typing import Annotated, Any

from django.db.models import Model, Q, QuerySet
from django.utils import timezone
from ninja import Field, Schema
from ninja.errors import HttpError
from pydantic import AfterValidator, BeforeValidator

from coproduce.api.schemas import MAX_LIMIT

CURSOR_PARAMS = frozenset({"cursor", "limit"})

_ISO = re.compile(
    r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$", re.IGNORECASE
)


def _iso_only(value: Any) -> Any:
    """A moment written as RFC 3339 / ISO 8601 text, nothing else (pydantic would otherwise
    read `0.5` as seconds since 1970)."""
    if isinstance(value, str) and not _ISO.match(value):
        raise ValueError(
            "Give a date and time like 2024-05-17T09:30:00Z, or a date like 2024-05-17"
        )
    return value


def _in_range(value: dt.datetime) -> dt.datetime:
    """The moment in UTC. A valid RFC 3339 moment at the very edge of the calendar
    (0001-01-01 in a zone east of UTC, 9999-12-31 west of it) has no UTC datetime in Python:
    it is taken as the earliest or latest moment there is, which filters the same way."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    try:
        return value.astimezone(dt.UTC)
    except OverflowError:
        edge = dt.datetime.min if value.year == dt.MINYEAR else dt.datetime.max
        return edge.replace(tzinfo=dt.UTC)


# A moment in a query string: ISO 8601 text only, in UTC.
Moment = Annotated[dt.datetime, BeforeValidator(_iso_only), AfterValidator(_in_range)]
DEFAULT_LIMIT = 50


class CursorParams(Schema):
    cursor: str | None = Field(
        None,
        max_length=200,
        description="Where to continue: the `next_cursor` of the page before. Leave out for "
        "the first page.",
    )
    limit: int = Field(
        DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=f"How many items (at most {MAX_LIMIT})."
    )


_PAGES: dict[type, type] = {}


def page_of(item: type[Schema]) -> type[Schema]:
    """The response schema of a cursor-paginated list of `item`: {items, next_cursor}."""
    if item not in _PAGES:
        _PAGES[item] = type(
            f"{item.__name__.removesuffix('Out')}Page",
            (Schema,),
            {
                "__annotations__": {"items": list[item], "next_cursor": str | None},  # type: ignore[valid-type]
                "next_cursor": Field(
                    ...,
                    description="Pass as `cursor` to get the next page; empty on the last page.",
                ),
            },
        )
    return _PAGES[item]


def encode(stamp: dt.datetime | dt.date | None, key: int) -> str:
    raw = json.dumps([stamp.isoformat() if stamp is not None else None, key]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str) -> tuple[str | None, int]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        stamp, key = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(key, int) or not (stamp is None or isinstance(stamp, str)):
            raise ValueError
        if stamp is not None:
            dt.datetime.fromisoformat(stamp)
    except (ValueError, TypeError, binascii.Error, UnicodeError):
        raise HttpError(
            400,
            "The cursor is not one this API gave out. Use the `next_cursor` of the previous "
            "page exactly as it came, or leave `cursor` out to start again.",
        ) from None
    return stamp, key


def paginate(queryset: QuerySet[Any], params: CursorParams, *, stamp: str | None) -> dict[str, Any]:
    """One page of `queryset` ordered by (`stamp`, pk); `stamp` None orders by pk alone."""
    order = [stamp, "pk"] if stamp else ["pk"]
    rows = queryset.order_by(*order)
    if params.cursor:
        after_stamp, after_key = decode(params.cursor)
        if stamp and after_stamp is not None:
            value: Any = _parse(after_stamp)
            rows = rows.filter(
                Q(**{f"{stamp}__gt": value}) | Q(**{stamp: value, "pk__gt": after_key})
            )
        else:
            rows = rows.filter(pk__gt=after_key)
    items = list(rows[: params.limit + 1])
    more = len(items) > params.limit
    items = items[: params.limit]
    next_cursor = None
    if more:
        last: Model = items[-1]
        next_cursor = encode(getattr(last, stamp) if stamp else None, last.pk)
    return {"items": items, "next_cursor": next_cursor}


def _parse(value: str) -> Any:
    parsed = dt.datetime.fromisoformat(value)
    if len(value) == 10:  # a date field's stamp
        return parsed.date()
    return parsed if parsed.tzinfo else timezone.make_aware(parsed)


def changed_since(queryset: QuerySet[Any], since: dt.datetime) -> QuerySet[Any]:
    """The rows of `queryset` added or changed at or after `since`, by the audit trail.

    For records that keep no time of their own (outputs, funding records, codebooks): every
    create and change through the staff pages or the API writes an audit entry
    (`staff.editing`), so the trail is their history. One EXISTS per row, on the audit index
    (object_type, object_id, -at).
    """
    from django.db.models import CharField, Exists, OuterRef
    from django.db.models.functions import Cast

    from coproduce.audit.models import AuditEntry

    entries = AuditEntry.objects.changes().filter(
        object_type=queryset.model._meta.label_lower,
        object_id=Cast(OuterRef("pk"), CharField()),
        at__gte=since,
    )
    return queryset.filter(Exists(entries))
