"""Signed unsubscribe tokens: one per recipient and channel, carried in every message.

A token names the associate's public id, the channel and their `link_version`, signed with the
project's secret key under this module's salt and stamped with the time it was made. It works
for MAX_AGE (two years: an old newsletter's unsubscribe link must still work for a long while;
after that the page offers a manage link by email instead), and erasure bumps `link_version`,
so no token outlives the person's data. Tokens made before they carried a time are refused.
"""

from __future__ import annotations

import datetime as dt
import functools
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse

from coproduce.community.models import Associate, Channel
from coproduce.lib.signing import timestamp_sign

MAX_AGE = dt.timedelta(days=730)
_SALT = "coproduce.comms.unsubscribe"
_MAX_TOKEN_LENGTH = 200


class BadToken(Exception):
    """Not a token we made, or its associate is gone."""


class ExpiredToken(BadToken):
    """A token we made, older than MAX_AGE."""


@dataclass(frozen=True)
class Unsubscribe:
    associate: Associate
    channel: str


_CHANNELS = frozenset(Channel.values)  # Channel.values builds a new list on every use


def make_token(associate: Associate, channel: str) -> str:
    if channel not in _CHANNELS:
        raise ValueError(f"Unknown channel {channel!r}")
    # What signing.TimestampSigner(salt=_SALT).sign() makes, with the key derived once.
    return timestamp_sign(_SALT, f"{associate.public_id.hex}.{channel}.{associate.link_version}")


def read_token(token: str) -> Unsubscribe:
    if not token or len(token) > _MAX_TOKEN_LENGTH:
        raise BadToken(token)
    try:
        value = signing.TimestampSigner(salt=_SALT).unsign(token, max_age=MAX_AGE)
    except signing.SignatureExpired:
        raise ExpiredToken(token) from None
    except (signing.BadSignature, ValueError):  # ValueError: signed, but without a time
        raise BadToken(token) from None
    public_hex, _, rest = value.partition(".")
    channel, _, version = rest.partition(".")
    if channel not in Channel.values or not version.isdigit():
        raise BadToken(token)
    try:
        public_id = uuid.UUID(hex=public_hex)
    except ValueError:
        raise BadToken(token) from None
    associate = Associate.objects.filter(public_id=public_id, link_version=int(version)).first()
    if associate is None or associate.status == Associate.Status.ERASED:
        raise BadToken(token)
    return Unsubscribe(associate, channel)


@functools.lru_cache(maxsize=1)
def _url_template() -> str:
    return settings.SITE_URL + reverse("comms:unsubscribe", args=["TOKEN"])


def unsubscribe_url(associate: Associate, channel: str) -> str:
    return _url_template().replace("TOKEN", make_token(associate, channel))
