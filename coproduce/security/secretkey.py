"""The secret key signs sessions, CSRF tokens and every link we email: a guessable one lets
anyone forge an associate's manage link. So, once the site is served over HTTPS (a real
installation):
- `coproduce check --deploy` reports an Error (security.E900) for the built-in development
  key or a key shorter than MIN_LENGTH characters or with fewer than 5 different characters
  (it reports it under --deploy even without HTTPS: that is the production check);
- `coproduce serve` refuses to start (`refuse_to_serve`) with COPRODUCE_HTTPS or
  COPRODUCE_SECURE_COOKIES on and such a key.
The local demo (`make run`, http://127.0.0.1) keeps the development key.

This module is imported by settings.py for DEV_SECRET_KEY, so it imports nothing of Django's at
the top that needs settings.
"""

from __future__ import annotations

from typing import Any

DEV_SECRET_KEY = "dev-only-insecure-key-set-COPRODUCE_SECRET_KEY-in-production"  # noqa: S105
MIN_LENGTH = 50
MIN_UNIQUE_CHARACTERS = 5  # as Django's own security.W009


def weakness(key: str) -> str:
    """Why `key` must not protect a real installation, or '' when it may."""
    if key == DEV_SECRET_KEY:
        return "COPRODUCE_SECRET_KEY is the built-in development key, which anyone can read"
    if len(key) < MIN_LENGTH:
        return f"COPRODUCE_SECRET_KEY is {len(key)} characters long; use at least {MIN_LENGTH}"
    if len(set(key)) < MIN_UNIQUE_CHARACTERS:
        return "COPRODUCE_SECRET_KEY repeats too few different characters"
    return ""


_ADVICE = (
    "Set COPRODUCE_SECRET_KEY (or COPRODUCE_SECRET_KEY_FILE) to a random value of at least "
    f"{MIN_LENGTH} characters, for example the output of "
    "python -c 'import secrets; print(secrets.token_urlsafe(64))'."
)


def served_over_https() -> bool:
    from django.conf import settings

    return bool(getattr(settings, "HTTPS", False) or settings.SESSION_COOKIE_SECURE)


def check_secret_key(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    """A system check (registered by SecurityConfig.ready, tagged deploy)."""
    from django.conf import settings
    from django.core import checks

    reason = weakness(str(settings.SECRET_KEY))
    if not reason:
        return []
    return [checks.Error(reason + ".", hint=_ADVICE, id="security.E900")]


def refuse_to_serve() -> None:
    """Raise CommandError (exit status 1, the reason on stderr) for a weak key over HTTPS."""
    from django.conf import settings
    from django.core.management.base import CommandError

    if not served_over_https():
        return
    reason = weakness(str(settings.SECRET_KEY))
    if reason:
        raise CommandError(f"Refusing to serve over HTTPS: {reason}. {_ADVICE}", returncode=1)
