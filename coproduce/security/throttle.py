"""Sign-in throttling: limits on failed passwords and two-factor codes, checked atomically,
that an account's owner can always get past.

Three limits, each counting failures in the last COPRODUCE_SIGNIN_LOCK_MINUTES (15); a full
limit refuses further attempts until that long after its newest failure:
- COPRODUCE_SIGNIN_MAX_FAILURES (5) for one username from one client;
- COPRODUCE_SIGNIN_MAX_FAILURES_PER_CLIENT (20) from one client, whatever the usernames;
- COPRODUCE_SIGNIN_MAX_FAILURES_PER_ACCOUNT (20) for one username, whatever the clients.
The client is `clients.client_address` (a trusted proxy's header only when configured).

**Atomic.** `begin()` reserves the attempt *before* the password or code is checked: one
transaction checks the limits and inserts a `SignInFailure` row, and such transactions run one
at a time (SQLite: the IMMEDIATE transaction holds the database's write lock from its BEGIN;
PostgreSQL: a transaction-level advisory lock). A right password or code deletes the row
(`succeeded`); a wrong one leaves it as the failure. So however many attempts arrive at once,
no more than the limit are ever checked. Refused attempts are not counted and do not extend
the lock. The rows live in the database, so every web process sees the same counts.

**The owner gets in.** When an attempt is refused, the account's address is emailed (through
the outbox) a link signed with its purpose and time, that works once and only for
COPRODUCE_SIGNIN_UNLOCK_MINUTES (60); while one such link is unused and unexpired no other is
sent, so the owner gets at most one a link-lifetime however long an attack goes on. Using the
link (a POST, so mail scanners that follow links use nothing) gives that browser's session its
own allowance for that username, COPRODUCE_SIGNIN_MAX_FAILURES failures for
COPRODUCE_SIGNIN_UNLOCK_MINUTES, counted apart from the three limits above: an attacker's
failures, from anywhere, cannot keep the owner out, and the attacker never sees the link.

**Two-factor codes** go through the same `begin`/`succeeded`, so wrong codes count towards
every limit. A right password does not clear anything for an account that still has to give a
code; only finishing sign-in (`signed_in`) clears that username's failures from that client
(under an unlock link, only the link's own), never other clients' or other usernames' failures.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.db import connection, transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from coproduce.security import mail
from coproduce.security.clients import client_address
from coproduce.security.models import SignInFailure, SignInUnlock

# The session key that holds a used unlock link: {"id": SignInUnlock pk, "username": key}.
SESSION_KEY = "coproduce_signin_unlock"
_SALT = "coproduce.security.signin-unlock"
# PostgreSQL advisory lock that serialises reservations (any fixed 64-bit number).
_PG_LOCK_ID = 0x636F_7369_676E_696E  # "cosignin"
_KEEP = dt.timedelta(days=1)


@dataclass(frozen=True)
class Attempt:
    """A reserved attempt (`failure_id`), or a refused one (`locked_until`)."""

    failure_id: int | None
    locked_until: dt.datetime | None


def _window() -> dt.timedelta:
    return dt.timedelta(minutes=settings.COPRODUCE_SIGNIN_LOCK_MINUTES)


def _link_lifetime() -> dt.timedelta:
    return dt.timedelta(minutes=settings.COPRODUCE_SIGNIN_UNLOCK_MINUTES)


def _key(username: str) -> str:
    return username.strip().lower()[:150]


def _serialise() -> None:
    """Make this transaction the only one reserving attempts until it ends."""
    if connection.vendor == "postgresql":
        # READ COMMITTED (Django's default): each later statement sees what the transaction
        # that held the lock before this one committed.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_LOCK_ID])
    # SQLite: transactions begin IMMEDIATE (coproduce/lib/db.py), so BEGIN already took the
    # database's only write lock, and every read in the transaction sees the latest rows.


def _full_until(rows: QuerySet[SignInFailure], limit: int, now: dt.datetime) -> dt.datetime | None:
    """When the limit over these rows stops refusing, or None if it is not full."""
    recent = list(
        rows.filter(at__gt=now - _window()).order_by("-at").values_list("at", flat=True)[:limit]
    )
    if len(recent) < limit:
        return None
    return recent[0] + _window()


def _grant(request: HttpRequest, key: str, now: dt.datetime) -> SignInUnlock | None:
    """The unlock link this session used for this username, while it still lasts."""
    session = getattr(request, "session", None)
    held = session.get(SESSION_KEY) if session is not None else None
    if not isinstance(held, dict) or held.get("username") != key:
        return None
    return SignInUnlock.objects.filter(
        pk=int(held.get("id") or 0), username=key, used_at__gt=now - _link_lifetime()
    ).first()


def _locked_until(
    key: str, client: str, grant: SignInUnlock | None, now: dt.datetime
) -> dt.datetime | None:
    if grant is not None:
        return _full_until(
            SignInFailure.objects.filter(unlock=grant), settings.COPRODUCE_SIGNIN_MAX_FAILURES, now
        )
    plain = SignInFailure.objects.filter(unlock__isnull=True)
    ends = [
        _full_until(
            plain.filter(username=key, ip=client), settings.COPRODUCE_SIGNIN_MAX_FAILURES, now
        ),
        _full_until(
            plain.filter(ip=client), settings.COPRODUCE_SIGNIN_MAX_FAILURES_PER_CLIENT, now
        ),
        _full_until(
            plain.filter(username=key), settings.COPRODUCE_SIGNIN_MAX_FAILURES_PER_ACCOUNT, now
        ),
    ]
    return max((end for end in ends if end is not None), default=None)


def begin(request: HttpRequest, username: str) -> Attempt:
    """Reserve one attempt for `username` (counted as a failure until `succeeded`), or refuse
    it when a limit is full. Call before checking the password or code."""
    key = _key(username)
    client = client_address(request)
    with transaction.atomic():
        _serialise()
        now = timezone.now()  # after waiting for the transaction before this one
        SignInFailure.objects.filter(at__lt=now - _KEEP).delete()
        grant = _grant(request, key, now)
        until = _locked_until(key, client, grant, now)
        if until is not None:
            if grant is None:
                _offer_unlock(key, now)
            return Attempt(None, until)
        row = SignInFailure.objects.create(username=key, ip=client, at=now, unlock=grant)
    return Attempt(row.pk, None)


def succeeded(attempt: Attempt) -> None:
    """The password or code was right: the reserved attempt was no failure."""
    if attempt.failure_id is not None:
        SignInFailure.objects.filter(pk=attempt.failure_id).delete()


def signed_in(request: HttpRequest, username: str) -> None:
    """Sign-in finished (password and, if the account has one, code): forget this username's
    failures from this client; or, when it finished under an unlock link, the failures under
    that link only (an attacker at the same address stays locked) and the link itself."""
    key = _key(username)
    grant = _grant(request, key, timezone.now())
    if grant is not None:
        SignInFailure.objects.filter(unlock=grant).delete()
    else:
        SignInFailure.objects.filter(username=key, ip=client_address(request), unlock=None).delete()
    if getattr(request, "session", None) is not None:
        request.session.pop(SESSION_KEY, None)


def minutes_left(until: dt.datetime) -> int:
    seconds = int((until - timezone.now()).total_seconds())
    return max(1, -(-seconds // 60))


def wait_text(until: dt.datetime) -> str:
    minutes = minutes_left(until)
    return (
        f"Try again in {minutes} minute{'s' if minutes != 1 else ''}. If this is your account, "
        "we have emailed its address a link that lets you sign in now."
    )


# --- unlock links --------------------------------------------------------------------------


def link_token(unlock: SignInUnlock) -> str:
    return signing.TimestampSigner(salt=_SALT).sign(unlock.nonce)


def open_link(token: str) -> SignInUnlock | None:
    """The unused, unexpired unlock link this token names; None for anything else."""
    try:
        nonce = signing.TimestampSigner(salt=_SALT).unsign(token, max_age=_link_lifetime())
    except signing.BadSignature:
        return None
    return SignInUnlock.objects.filter(
        nonce=nonce, used_at__isnull=True, created__gt=timezone.now() - _link_lifetime()
    ).first()


def use_link(request: HttpRequest, unlock: SignInUnlock) -> bool:
    """Spend the link (once: a second use, even at the same moment, gets False) and give this
    session its own allowance for the link's username."""
    now = timezone.now()
    spent = SignInUnlock.objects.filter(
        pk=unlock.pk, used_at__isnull=True, created__gt=now - _link_lifetime()
    ).update(used_at=now)
    if spent != 1:
        return False
    request.session[SESSION_KEY] = {"id": unlock.pk, "username": unlock.username}
    return True


def _offer_unlock(key: str, now: dt.datetime) -> None:
    """Email the account's owner an unlock link, unless an unused one is still valid."""
    SignInUnlock.objects.filter(created__lt=now - max(_KEEP, 2 * _link_lifetime())).delete()
    if SignInUnlock.objects.filter(
        username=key, used_at__isnull=True, created__gt=now - _link_lifetime()
    ).exists():
        return
    users = [
        user
        for user in get_user_model().objects.filter(username__iexact=key, is_active=True)
        if user.email
    ]
    if not users:
        return
    unlock = SignInUnlock.objects.create(username=key, nonce=secrets.token_hex(16), created=now)
    for user in users:
        _send_link(user, unlock)


def _send_link(user: Any, unlock: SignInUnlock) -> None:
    link = settings.SITE_URL + reverse("signin:unlock", args=[link_token(unlock)])
    minutes = settings.COPRODUCE_SIGNIN_UNLOCK_MINUTES
    body = (
        f"Someone, perhaps you, has been trying to sign in to the {settings.COLLABORATION_NAME} "
        f"staff area as {user.get_username()}, and has been stopped after too many wrong "
        "passwords or codes.\n\n"
        "If that was you, open this link in the browser you sign in with, within "
        f"{minutes} minutes, and you can sign in straight away:\n\n{link}\n\n"
        "The link works once. If it was not you, nobody has signed in to your account: "
        "the attempts have been stopped. If this keeps happening, tell the system "
        "administrator, and change your password if you were asked for a code.\n"
    )
    mail.send(
        f"signin-unlock:{unlock.nonce}:{user.pk}",
        user.email,
        f"{settings.COLLABORATION_SHORT_NAME}: sign in to your account",
        body,
    )
