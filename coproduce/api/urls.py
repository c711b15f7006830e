"""The JSON API (django-ninja): OpenAPI at /api/openapi.json, docs at /api/docs.

One router module per domain app; add a new app's router here.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError

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
from coproduce.api.writes import Unprocessable

api = NinjaAPI(
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
        "body with it is a 409. Writes are validated by the staff pages' own forms: 422 lists "
        "each field's problem in words. See docs/api.md."
    ),
    urls_namespace="api",
    docs=LocalSwagger(),
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


@api.exception_handler(Unprocessable)
def unprocessable(request: HttpRequest, exc: Unprocessable) -> HttpResponse:
    """A write the page's form refused: 422 with one problem per field, in the form's words."""
    return api.create_response(request, {"detail": exc.problems}, status=422)
