"""Signed self-service links to a booking: see it, and cancel it, without a password.

A link carries the booking's public id, signed with the project's secret key under this
module's own salt and stamped with the time it was made. It stops working when the signature
does not match (tampered), or when it is older than `MAX_AGE` (every email about a booking
carries a freshly signed link, so the age counts from the latest email).
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.core import signing
from django.urls import reverse

from coproduce.events.models import Booking

MAX_AGE = dt.timedelta(days=180)
_SALT = "coproduce.events.booking-link"
# Tokens we issue are about 60 characters; refuse anything much longer before any work.
_MAX_TOKEN_LENGTH = 150


class BadLink(Exception):
    """The link is not one we made, or points at no booking."""


class ExpiredLink(BadLink):
    """The link was genuine but is older than MAX_AGE."""


def make_token(booking: Booking) -> str:
    return signing.TimestampSigner(salt=_SALT).sign(booking.public_id.hex)


def read_token(token: str) -> Booking:
    """The booking a token names; raises BadLink (or ExpiredLink) otherwise."""
    if not token or len(token) > _MAX_TOKEN_LENGTH:
        raise BadLink(token)
    signer = signing.TimestampSigner(salt=_SALT)
    try:
        value = signer.unsign(token, max_age=MAX_AGE)
    except signing.SignatureExpired:
        raise ExpiredLink(token) from None
    except signing.BadSignature:
        raise BadLink(token) from None
    try:
        public_id = uuid.UUID(hex=value)
    except ValueError:
        raise BadLink(token) from None
    booking = Booking.objects.select_related("event__cop").filter(public_id=public_id).first()
    if booking is None:
        raise BadLink(token)
    return booking


def booking_path(booking: Booking) -> str:
    return reverse("events:booking", args=[make_token(booking)])


def booking_url(booking: Booking) -> str:
    """The absolute link to put in every email about this booking."""
    return settings.SITE_URL + booking_path(booking)
