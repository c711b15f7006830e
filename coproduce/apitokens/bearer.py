"""Checking a staff API token sent as `Authorization: Bearer <token>`, for endpoints outside the
API that a program calls (the relay's bounce endpoint, comms/views_public.py).

The rule is the API's (`coproduce/api/auth.py`, `StaffToken`): the token exists and is not
revoked, and its owner is an active user who still holds a staff role, checked on every call.
"""

from __future__ import annotations

from django.http import HttpRequest

from coproduce.apitokens.models import ApiToken
from coproduce.registry.access import is_staff_member

UNAUTHORISED = (
    "A valid staff API token is required: send it as 'Authorization: Bearer <token>'. "
    "Staff create tokens at /staff/api-tokens/."
)


def check(secret: str, *, touch: bool = True) -> ApiToken | None:
    """The active token whose owner still holds a staff role, its use recorded (unless
    `touch` is False: the caller records it once its own checks pass); else None."""
    api_token = ApiToken.objects.find(secret.strip())
    if api_token is None or not api_token.is_active:
        return None
    owner = api_token.owner
    if not owner.is_active or not is_staff_member(owner):
        return None
    if touch:
        api_token.touch()
    return api_token


def staff_token(request: HttpRequest) -> ApiToken | None:
    """The request's bearer token if `check` accepts it; None if absent, malformed or refused."""
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secret:
        return None
    return check(secret)
