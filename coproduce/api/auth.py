"""Bearer authentication with staff API tokens (see coproduce.api.models.ApiToken)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer

from coproduce.api.models import ApiToken
from coproduce.registry.access import is_staff_member

UNAUTHORISED = (
    "A valid staff API token is required: send it as 'Authorization: Bearer <token>'. "
    "Staff create tokens at /staff/api-tokens/."
)


class StaffToken(HttpBearer):
    """A token that is not revoked and whose owner still holds a staff role.

    The owner's role is checked on every call, so a person who leaves the staff area loses API
    access at once, without anyone having to revoke their tokens.
    """

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        api_token = ApiToken.objects.find(token.strip())
        if api_token is None or not api_token.is_active:
            return None
        owner = api_token.owner
        if not owner.is_active or not is_staff_member(owner):
            return None
        api_token.touch()
        return api_token


staff_token = StaffToken()
