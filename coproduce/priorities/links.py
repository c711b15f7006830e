"""Signed personal links to a consultation, in the style of `events/links.py`.

- An invitation link carries the invitation's public id and its `link_version`, signed under
  this module's salt. Raising `link_version` (staff "issue a new link") kills earlier links.
- A response link carries the response's public id, under its own salt. People who came in by
  the open link get one when they first save, so they can return to their answers too.

A link stops working when the signature does not match (tampered) or it is older than MAX_AGE.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.core import signing
from django.urls import reverse

from coproduce.priorities.models import Invitation, Response

MAX_AGE = dt.timedelta(days=365)
_INVITE_SALT = "coproduce.priorities.invitation-link"
_RESPONSE_SALT = "coproduce.priorities.response-link"
# Tokens we issue are about 60-70 characters; refuse anything much longer before any work.
_MAX_TOKEN_LENGTH = 150


class BadLink(Exception):
    """The link is not one we made, or points at nothing."""


class ExpiredLink(BadLink):
    """The link was genuine but is older than MAX_AGE."""


def _unsign(token: str, salt: str) -> str:
    if not token or len(token) > _MAX_TOKEN_LENGTH:
        raise BadLink(token)
    try:
        return signing.TimestampSigner(salt=salt).unsign(token, max_age=MAX_AGE)
    except signing.SignatureExpired:
        raise ExpiredLink(token) from None
    except signing.BadSignature:
        raise BadLink(token) from None


def invitation_token(invitation: Invitation) -> str:
    value = f"{invitation.public_id.hex}-{invitation.link_version}"
    return signing.TimestampSigner(salt=_INVITE_SALT).sign(value)


def read_invitation_token(token: str) -> Invitation:
    public_hex, _, version = _unsign(token, _INVITE_SALT).partition("-")
    try:
        public_id = uuid.UUID(hex=public_hex)
        link_version = int(version)
    except ValueError:
        raise BadLink(token) from None
    found = (
        Invitation.objects.select_related("consultation")
        .filter(public_id=public_id, link_version=link_version)
        .first()
    )
    if found is None:
        raise BadLink(token)
    return found


def response_token(response: Response) -> str:
    return signing.TimestampSigner(salt=_RESPONSE_SALT).sign(response.public_id.hex)


def read_response_token(token: str) -> Response:
    try:
        public_id = uuid.UUID(hex=_unsign(token, _RESPONSE_SALT))
    except ValueError:
        raise BadLink(token) from None
    found = (
        Response.objects.select_related("consultation", "invitation")
        .filter(public_id=public_id)
        .first()
    )
    if found is None:
        raise BadLink(token)
    return found


def invitation_path(invitation: Invitation) -> str:
    return reverse("consultations:invitation", args=[invitation_token(invitation)])


def invitation_url(invitation: Invitation) -> str:
    return settings.SITE_URL + invitation_path(invitation)


def response_path(response: Response) -> str:
    """Where a respondent returns to: their invitation link if they have one."""
    if response.invitation is not None:
        return invitation_path(response.invitation)
    return reverse("consultations:response", args=[response_token(response)])


def response_url(response: Response) -> str:
    return settings.SITE_URL + response_path(response)
