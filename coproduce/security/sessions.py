"""Session lifetime: idle and absolute timeouts, and ending every session of a deactivated user.

Sessions are in the database (Django's default engine), so ending one is deleting its row.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model, logout, user_logged_in, user_logged_out
from django.contrib.sessions.models import Session
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse

SIGNED_IN_AT = "cp_signed_in_at"
SEEN_AT = "cp_seen_at"
# The last-seen time is written at most this often, so most requests do not save the session.
SEEN_RESOLUTION_SECONDS = 60


class SessionTimeoutMiddleware:
    """Signs out a user idle for COPRODUCE_SESSION_IDLE_MINUTES or signed in for longer than
    COPRODUCE_SESSION_MAX_HOURS. Goes after AuthenticationMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            session = request.session
            now = time.time()
            signed_in = session.get(SIGNED_IN_AT)
            seen = session.get(SEEN_AT)
            idle = settings.COPRODUCE_SESSION_IDLE_MINUTES * 60
            maximum = settings.COPRODUCE_SESSION_MAX_HOURS * 3600
            if signed_in is None or seen is None:
                # A session from before these limits: start counting now.
                session[SIGNED_IN_AT] = signed_in or now
                session[SEEN_AT] = now
            elif now - signed_in > maximum or now - seen > idle:
                logout(request)
            elif now - seen >= SEEN_RESOLUTION_SECONDS:
                session[SEEN_AT] = now
        return self.get_response(request)


@receiver(user_logged_in)
def _signed_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is None or not hasattr(request, "session"):
        return
    now = time.time()
    request.session[SIGNED_IN_AT] = now
    request.session[SEEN_AT] = now
    if request.session.session_key is None:
        request.session.save()
    from coproduce.security.models import UserSession

    UserSession.objects.update_or_create(
        session_key=request.session.session_key, defaults={"user": user}
    )


@receiver(user_logged_out)
def _signed_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    from coproduce.security.models import UserSession

    if user is not None:
        # Forget sessions that have already gone (signed out or expired) as well as this one.
        keys = UserSession.objects.filter(user=user).values_list("session_key", flat=True)
        live = set(Session.objects.filter(session_key__in=list(keys)).values_list("pk", flat=True))
        UserSession.objects.filter(user=user).exclude(session_key__in=live).delete()


def end_sessions(user: Any) -> int:
    """Delete every session the user started by signing in; returns how many there were."""
    from coproduce.security.models import UserSession

    keys = list(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
    Session.objects.filter(session_key__in=keys).delete()
    UserSession.objects.filter(user=user).delete()
    return len(keys)


@receiver(post_save, sender=get_user_model())
def _deactivated(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    if not created and not instance.is_active:
        end_sessions(instance)
