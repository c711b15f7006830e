"""Signed self-service links: an associate manages their choices without a password.

A link carries the associate's public id and their `link_version`, signed with the project's
secret key and stamped with the time it was made. It stops working when it is older than
`MAX_AGE`, when the signature does not match (tampered), or when `link_version` has moved on
(erasure bumps it, so every link ever sent dies at once).
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.core import signing
from django.urls import reverse

from coproduce.community.models import Associate
from coproduce.lib.signing import timestamp_sign

MAX_AGE = dt.timedelta(days=30)
_SALT = "coproduce.community.manage-link"
# Tokens we issue are about 90 characters; refuse anything much longer before any work.
_MAX_TOKEN_LENGTH = 200


class BadLink(Exception):
    """The link is not one we made, or no longer points at anyone."""


class ExpiredLink(BadLink):
    """The link was genuine but is older than MAX_AGE."""


def make_token(associate: Associate) -> str:
    # What signing.TimestampSigner(salt=_SALT).sign() makes, with the key derived once.
    return timestamp_sign(_SALT, f"{associate.public_id.hex}-{associate.link_version}")


def read_token(token: str) -> Associate:
    """The associate a token belongs to; raises BadLink (or ExpiredLink) otherwise."""
    if not token or len(token) > _MAX_TOKEN_LENGTH:
        raise BadLink(token)
    signer = signing.TimestampSigner(salt=_SALT)
    try:
        value = signer.unsign(token, max_age=MAX_AGE)
    except signing.SignatureExpired:
        raise ExpiredLink(token) from None
    except signing.BadSignature:
        raise BadLink(token) from None
    public_hex, _, version = value.partition("-")
    try:
        public_id = uuid.UUID(hex=public_hex)
        link_version = int(version)
    except ValueError:
        raise BadLink(token) from None
    associate = (
        Associate.objects.filter(public_id=public_id, link_version=link_version)
        .exclude(status=Associate.Status.ERASED)
        .first()
    )
    if associate is None:
        raise BadLink(token)
    return associate


def manage_path(associate: Associate) -> str:
    return reverse("associates:manage", args=[make_token(associate)])


def manage_url(associate: Associate) -> str:
    """The absolute link to put in every email to this associate."""
    return settings.SITE_URL + manage_path(associate)
