"""Limits on the public forms that send email or write a row, shared by every process.

A view calls `admit()` once its form is valid and before it acts. In this order:
1. **One use per token.** The form's anti-spam token (coproduce/lib/spam.py) carries a random
   id; the id goes into `security_formtokenuse` (its primary key) until the token would have
   expired anyway. A second use finds the row and is refused like any other spam.
2. **Per client.** At most `COPRODUCE_FORM_LIMIT_PER_CLIENT` submissions of one form from one
   client address (coproduce/security/clients.py) per window of
   `COPRODUCE_FORM_WINDOW_MINUTES`.
3. **Per mailbox.** At most `COPRODUCE_FORM_LIMIT_PER_ADDRESS` submissions naming one mailbox,
   over all public forms together, per window. Addresses that reach the same mailbox count as
   one (`coproduce.lib.identifiers.mailbox_key`).

Counts live in `security_formlimitcount`, one row per (bucket, window), raised by a single
`INSERT ... ON CONFLICT DO UPDATE ... RETURNING` (SQLite 3.35+ and PostgreSQL), so parallel
requests in any number of processes each get their own number and the limit cannot be raced.
Windows are fixed (they start on multiples of the window length). A refused submission still
counts, so retrying at once gains nothing. Buckets are keyed hashes (HMAC with the secret
key): the table holds no address. Expired rows are deleted as new ones are written.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac

from coproduce.lib.identifiers import mailbox_key
from coproduce.lib.spam import MAX_SECONDS, SPAM_MESSAGE, read_form_token
from coproduce.security.clients import client_address
from coproduce.security.models import FormLimitCount, FormTokenUse

TOO_MANY = 429


@dataclass(frozen=True)
class Refusal:
    """Why a submission was not accepted, in words for the person, and the HTTP status."""

    message: str
    status: int


def _window_seconds() -> int:
    return int(settings.COPRODUCE_FORM_WINDOW_MINUTES) * 60


BUCKET_SALT = "coproduce.security.formlimits"  # the keyed hash of a client or mailbox


def _bucket(kind: str, value: str) -> str:
    digest = salted_hmac(BUCKET_SALT, f"{kind}:{value}").hexdigest()
    return f"{kind.split(':', 1)[0]}:{digest[:64]}"


def _hit(bucket: str, period_start: int, expires: dt.datetime) -> int:
    """Add one to the bucket's count for this window and return the new count, atomically."""
    table = connection.ops.quote_name(FormLimitCount._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (bucket, period_start, hits, expires) VALUES (%s, %s, 1, %s) "  # noqa: S608 - names from the model
            f"ON CONFLICT (bucket, period_start) DO UPDATE SET hits = {table}.hits + 1 "
            "RETURNING hits",
            [bucket, period_start, connection.ops.adapt_datetimefield_value(expires)],
        )
        row = cursor.fetchone()
    return int(row[0])


def use_token(form_token: object) -> bool:
    """Mark the token as used; False if it was used before (or is not a token at all)."""
    try:
        token_id, issued = read_form_token(form_token)
    except ValueError:
        return False
    expires = dt.datetime.fromtimestamp(issued + MAX_SECONDS, tz=dt.UTC)
    try:
        with transaction.atomic():  # a savepoint, so the refusal leaves any outer one usable
            FormTokenUse.objects.create(token_id=token_id, expires=expires)
    except IntegrityError:
        return False
    return True


def _until(period_end: int) -> str:
    end = timezone.localtime(dt.datetime.fromtimestamp(period_end, tz=dt.UTC))
    return end.strftime("%H:%M")


def _too_many(period_end: int) -> Refusal:
    return Refusal(
        "This form has been sent too many times in a short while, from your connection or "
        f"for this email address, so we have not accepted it. What you entered is kept below: "
        f"send it again after {_until(period_end)}, or email us at {settings.ENQUIRIES_EMAIL}.",
        TOO_MANY,
    )


def admit(
    request: HttpRequest,
    form: str,
    *,
    token: object = None,
    addresses: Iterable[str] = (),
    now: float | None = None,
) -> Refusal | None:
    """Count this submission of the public form `form`; None to go ahead, else the refusal.

    Pass the form's anti-spam `token` where the form has one, and every email address the
    submission would write to or send to.
    """
    if token is not None and not use_token(token):
        return Refusal(str(SPAM_MESSAGE), 200)
    moment = time.time() if now is None else now
    length = _window_seconds()
    start = int(moment // length) * length
    expires = dt.datetime.fromtimestamp(start + length, tz=dt.UTC)
    FormLimitCount.objects.filter(expires__lt=timezone.now()).delete()
    FormTokenUse.objects.filter(expires__lt=timezone.now()).delete()
    over = (
        _hit(_bucket(f"client:{form}", client_address(request)), start, expires)
        > settings.COPRODUCE_FORM_LIMIT_PER_CLIENT
    )
    for mailbox in sorted({mailbox_key(address) for address in addresses if address}):
        if _hit(_bucket("address", mailbox), start, expires) > (
            settings.COPRODUCE_FORM_LIMIT_PER_ADDRESS
        ):
            over = True
    return _too_many(start + length) if over else None
