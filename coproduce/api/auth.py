"""Bearer authentication with staff API tokens (coproduce/apitokens: the model and the one
token check, `bearer.check`, which the bounce endpoint uses too)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.security import HttpBearer

from coproduce.apitokens import bearer
from coproduce.apitokens.bearer import UNAUTHORISED
from coproduce.apitokens.models import ApiToken
from coproduce.registry.access import can_export_personal_data

__all__ = ["UNAUTHORISED", "StaffToken", "personal_data_token", "staff_token"]


FORBIDDEN = (
    "This token's owner may not read personal data through the API: it needs the "
    "'personal data export' role (managers have it). Ask a manager."
)


class StaffToken(HttpBearer):
    """A token that is not revoked and whose owner still holds a staff role; with
    `personal_data=True` the owner must also hold the personal data export grant (managers, or
    staff given the "personal data export" group, `registry/access.py`), else 403.

    The owner's role and grant are checked on every call, so a person who leaves the staff area
    or loses the grant loses API access at once, without anyone having to revoke their tokens.
    One class for both, so the OpenAPI document names one security scheme, "StaffToken".
    """

    def __init__(self, *, personal_data: bool = False) -> None:
        super().__init__()
        self.personal_data = personal_data

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        api_token = bearer.check(token, touch=False)
        if api_token is None:
            return None
        if self.personal_data and not can_export_personal_data(api_token.owner):
            raise HttpError(403, FORBIDDEN)
        api_token.touch()
        return api_token


staff_token = StaffToken()
personal_data_token = StaffToken(personal_data=True)
