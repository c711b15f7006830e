"""The JSON API (django-ninja): OpenAPI at /api/openapi.json, docs at /api/docs.

One router module per domain app; add a new app's router here.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.openapi.schema import OpenAPISchema

from coproduce.api import (
    community,
    contacts,
    coproduction,
    events,
    funding,
    governance,
    implementation,
    outputs,
    priorities,
    qualitative,
    registry,
)
from coproduce.api.auth import UNAUTHORISED
from coproduce.api.docs import LocalSwagger
from coproduce.api.links import add_links
from coproduce.api.writes import BodyParser, Unprocessable


class LinkedAPI(NinjaAPI):
    """The document carries OpenAPI links from each answer to the calls it opens (links.py)."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        document = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        add_links(document)
        return document


api = LinkedAPI(
    title="coproduce API",
    version="1",
    description=(
        "Read the collaboration's themes, studies, organisations and communities of practice; "
        "with a staff token, events, governance, implementation and outputs, co-production, "
        "priorities, funding and qualitative projects, as the staff pages show them. "
        "Personal data (people, associates, contacts) "
        "needs a staff API token, sent as `Authorization: Bearer <token>`, whose owner holds the "
        "personal data export role (managers, or staff also given the 'personal data export' "
        "group): 401 without a valid staff token, 403 with a staff token lacking the role. "
        "Staff create tokens at /staff/api-tokens/; a token acts as its owner, is read-only or "
        "read-and-write, and may be limited to areas. "
        "The registry and community lists take `limit` and `offset` and answer "
        "`{items, count}`; the other lists are cursor-paginated: `{items, next_cursor}`, pass "
        "`next_cursor` back as `cursor`. A GET of a changeable record answers an `ETag`; a "
        "PATCH needs it as `If-Match` (428 without, 412 when stale). A creating POST may carry "
        "an `Idempotency-Key`: the same key and body again answer the first result; another "
        "body with it is a 409. Success answers list OpenAPI `links` to the calls they open "
        "(a list's first item, a created record, a record's change with its ETag). Writes are "
        "validated by the staff pages' own forms: 422 lists each field's problem in words. "
        "See docs/api.md."
    ),
    urls_namespace="api",
    docs=LocalSwagger(),
    parser=BodyParser(),
)
api.add_router("/", registry.router)
api.add_router("/", community.router)
api.add_router("/", events.router)
api.add_router("/", implementation.router)
api.add_router("/", governance.router)
api.add_router("/", coproduction.router)
api.add_router("/", priorities.router)
api.add_router("/", outputs.router)
api.add_router("/", funding.router)
api.add_router("/", qualitative.router)
api.add_router("/", contacts.router)


@api.exception_handler(AuthenticationError)
def unauthorised(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = api.create_response(request, {"detail": UNAUTHORISED}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="coproduce"'
    return response


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    """As ninja's own handler, except that a body the parser refused with problems is a 422."""
    if isinstance(exc.__cause__, Unprocessable):
        return unprocessable(request, exc.__cause__)
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


@api.exception_handler(Unprocessable)
def unprocessable(request: HttpRequest, exc: Unprocessable) -> HttpResponse:
    """A write the page's form refused: 422 with one problem per field, in the form's words."""
    return api.create_response(request, {"detail": exc.problems}, status=422)
