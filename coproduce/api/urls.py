"""The JSON API (django-ninja): OpenAPI at /api/openapi.json, docs at /api/docs.

One router module per domain app; add a new app's router here.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError

from coproduce.api import community, registry
from coproduce.api.auth import UNAUTHORISED
from coproduce.api.docs import LocalSwagger

api = NinjaAPI(
    title="coproduce API",
    version="1",
    description=(
        "Read the collaboration's themes, studies, organisations and communities of practice. "
        "Personal data (people, associates) "
        "needs a staff API token, sent as `Authorization: Bearer <token>`; staff create tokens "
        "at /staff/api-tokens/. Lists take `limit` and `offset` and answer `{items, count}`."
    ),
    urls_namespace="api",
    docs=LocalSwagger(),
)
api.add_router("/", registry.router)
api.add_router("/", community.router)


@api.exception_handler(AuthenticationError)
def unauthorised(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = api.create_response(request, {"detail": UNAUTHORISED}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="coproduce"'
    return response
