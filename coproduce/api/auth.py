"""Bearer authentication with staff API tokens (coproduce/apitokens: the model and the one
token check, `bearer.check`, which the bounce endpoint uses too)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.security import HttpBearer

from coproduce.apitokens import bearer
from coproduce.apitokens.bearer import UNAUTHORISED
from coproduce.apitokens.models import AREAS, ApiToken
from coproduce.audit.log import record, record_read
from coproduce.registry.access import can_export_personal_data

__all__ = ["UNAUTHORISED", "StaffToken", "personal_data_token", "staff_token"]

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


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

    def __init__(self, *, area: str, personal_data: bool = False) -> None:
        super().__init__()
        if area not in AREAS:
            raise ValueError(f"Unknown API area {area!r}: add it to apitokens.models.AREAS")
        self.area = area
        self.personal_data = personal_data

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        api_token = bearer.check(token, touch=False)
        if api_token is None:
            return None
        write = request.method not in SAFE_METHODS
        if not api_token.allows(self.area, write=write):
            raise HttpError(
                403,
                f"This token may not be used here: it is limited to "
                f"{api_token.describe_scope()}, and this "
                f"{'change' if write else 'read'} is in '{AREAS[self.area]}'.",
            )
        if self.personal_data and not can_export_personal_data(api_token.owner):
            raise HttpError(403, FORBIDDEN)
        api_token.touch()
        # Every use of a token is on the audit trail, as its owner, through the API: a read as
        # an audited read (like an export), a change as a change.
        details = {"method": request.method, "path": request.path[:200]}
        if write:
            record(
                api_token.owner,
                "api.request.made",
                api_token,
                {name: [None, value] for name, value in details.items()},
                via="api",
            )
        else:
            record_read(api_token.owner, "api.request.viewed", api_token, details, via="api")
        return api_token


def staff_token(area: str) -> StaffToken:
    return StaffToken(area=area)


def personal_data_token(area: str) -> StaffToken:
    return StaffToken(area=area, personal_data=True)
