"""Sign-in throttling: too many failures for one username from one address lock it for a while.

`COPRODUCE_SIGNIN_MAX_FAILURES` failures within `COPRODUCE_SIGNIN_LOCK_MINUTES` lock further
attempts for that username from that address until that long after the last failure. Failures
live in the database, so every web process sees the same count.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from coproduce.security.models import SignInFailure


def _window() -> dt.timedelta:
    return dt.timedelta(minutes=settings.COPRODUCE_SIGNIN_LOCK_MINUTES)


def client_ip(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR") or "unknown")[:45]


def _key(username: str) -> str:
    return username.strip().lower()[:150]


def locked_until(username: str, ip: str) -> dt.datetime | None:
    """When the lock on this username and address ends, or None if it is not locked."""
    limit = settings.COPRODUCE_SIGNIN_MAX_FAILURES
    now = timezone.now()
    recent = list(
        SignInFailure.objects.filter(username=_key(username), ip=ip, at__gt=now - _window())
        .order_by("-at")
        .values_list("at", flat=True)[:limit]
    )
    if len(recent) < limit:
        return None
    return recent[0] + _window()


def record_failure(username: str, ip: str) -> None:
    now = timezone.now()
    SignInFailure.objects.filter(at__lt=now - dt.timedelta(days=1)).delete()
    SignInFailure.objects.create(username=_key(username), ip=ip, at=now)


def clear(username: str, ip: str) -> None:
    SignInFailure.objects.filter(username=_key(username), ip=ip).delete()
