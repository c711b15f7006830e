"""Pieces every router shares: the error body, pagination, strict query strings, and the 404
of a record named in the path."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.conf import settings as ninja_settings
from ninja.errors import HttpError
from ninja.pagination import LimitOffsetPagination

MAX_LIMIT = 200
PAGINATION_PARAMS = frozenset({"limit", "offset"})


class Error(Schema):
    detail: str = Field(..., description="Why the request failed.")


class Problem(Schema):
    type: str = Field(..., description="What kind of problem, e.g. 'int_parsing', 'missing'.")
    loc: list[str | int] = Field(
        ...,
        description="Where: the part of the request and the parameter, e.g. ['query', 'limit'].",
    )
    msg: str = Field(..., description="The problem, in words.")
    ctx: dict[str, Any] | None = Field(None, description="The limit that was broken, if any.")


class ValidationErrors(Schema):
    detail: list[Problem] = Field(
        ..., description="Every parameter that is malformed or out of range, one entry each."
    )


# The error answers every operation documents (4xx with a reason, never a 500); a write adds 409.
ERRORS: dict[int, Any] = {400: Error, 401: Error, 403: Error, 404: Error, 422: ValidationErrors}
WRITE_ERRORS: dict[int, Any] = {**ERRORS, 409: Error}


MAX_OFFSET = 2**62


class LimitOffset(LimitOffsetPagination):
    """limit/offset pagination that refuses (422) a limit above MAX_LIMIT instead of clamping it."""

    class Input(Schema):
        limit: int = Field(
            ninja_settings.PAGINATION_PER_PAGE,
            ge=1,
            le=MAX_LIMIT,
            description=f"How many items to return (at most {MAX_LIMIT}).",
        )
        # The databases hold a LIMIT/OFFSET in a signed 64-bit integer; beyond it SQLite fails.
        offset: int = Field(
            0, ge=0, le=MAX_OFFSET, description=f"How many items to skip (at most {MAX_OFFSET})."
        )

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_limit=MAX_LIMIT, **kwargs)


def reject_unknown_params(
    request: HttpRequest, known: Iterable[str] = (), *, paginated: bool = False
) -> None:
    """Answer 400 for a query parameter the endpoint does not know, rather than ignoring it.

    A misspelt filter would otherwise return the unfiltered list, and the caller would never know.
    """
    allowed = set(known) | (PAGINATION_PARAMS if paginated else set())
    unknown = sorted(set(request.GET) - allowed)
    if unknown:
        known_text = ", ".join(sorted(allowed)) or "none"
        raise HttpError(
            400,
            f"Unknown query parameter: {', '.join(unknown)}. This endpoint accepts: {known_text}.",
        )


_Row = TypeVar("_Row")


def one_or_404(rows: QuerySet[Any, _Row], value: Any, noun: str, *, by: str = "public_id") -> _Row:
    """The row of `rows` whose `by` (its public id, or its slug) is `value`; else a 404 that
    names what was asked for: "There is no output with the id '…'." (or "with the slug '…'")."""
    found = rows.filter(**{by: value}).first()
    if found is None:
        name = "id" if by == "public_id" else by
        raise HttpError(404, f"There is no {noun} with the {name} '{value}'.")
    return found
