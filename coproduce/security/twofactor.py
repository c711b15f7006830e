"""Two-factor authentication with an authenticator app (TOTP), using django-otp.

A staff member may set up an authenticator app; from then on every sign-in also asks for a
6-digit code from it (or one of the one-time backup codes). Managers must have one while
COPRODUCE_REQUIRE_MANAGER_2FA is on (the default): `TwoFactorMiddleware` sends a signed-in
manager without an app to set one up, and anyone with an app whose session has not yet given a
code to the code page, for every page under /staff/ (and the Django admin) except signing in
and out and the two-factor pages themselves.

django-otp keeps the devices (`TOTPDevice` for the app, `StaticDevice` for backup codes) and
marks a session as verified (`django_otp.login`); `OTPMiddleware` reads that mark into
`request.user.is_verified()`. Wrong codes count as failed sign-ins in the throttle
(coproduce/security/throttle.py); django-otp's own per-device backoff is off (settings), since
an attacker's wrong codes would make it refuse the owner's right code.
"""

from __future__ import annotations

from base64 import b32encode
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from coproduce.lib.urls import reverse_once
from coproduce.registry.access import is_manager
from coproduce.security.signedin import has_app_device

BACKUP_CODE_COUNT = 8
APP_DEVICE_NAME = "Authenticator app"
BACKUP_DEVICE_NAME = "Backup codes"
# Pages a signed-in user may always reach: signing in and out, and the two-factor pages.
_EXEMPT_URL_NAMES = ("staff:login", "staff:logout")
_GUARDED_PREFIXES = ("/staff/", "/django-admin/")
# The emailed unlock link (throttle.py), which a signed-in person locked at the code page uses.
_EXEMPT_PREFIXES = ("/staff/two-factor/", "/staff/sign-in/unlock/")


def app_device(user: Any) -> TOTPDevice | None:
    """The user's confirmed authenticator app, if they have set one up."""
    if not getattr(user, "is_authenticated", False):
        return None
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-id").first()


def is_required(user: Any) -> bool:
    """Must this user use two-factor authentication (managers, unless the setting is off)?"""
    return bool(settings.COPRODUCE_REQUIRE_MANAGER_2FA) and is_manager(user)


def is_verified(request: HttpRequest) -> bool:
    check = getattr(request.user, "is_verified", None)
    return bool(check and check())


def pending_app_device(user: Any) -> TOTPDevice:
    """The unconfirmed device being set up; the same one until confirmed, so a reload keeps
    the QR code the person may already have scanned."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)
    return device


def secret_text(device: TOTPDevice) -> str:
    """The shared secret in base32 (what authenticator apps accept), in groups of four."""
    secret = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// set-up link as an SVG QR code in a data: URI (no network, no script)."""
    return str(segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2))


@transaction.atomic
def confirm_app_device(user: Any, device: TOTPDevice) -> None:
    """Make `device` the user's only authenticator app."""
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])


@transaction.atomic
def new_backup_codes(user: Any) -> list[str]:
    """Replace the user's backup codes with new ones; each works once."""
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name=BACKUP_DEVICE_NAME, defaults={"confirmed": True}
    )
    StaticDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def backup_codes_left(user: Any) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@transaction.atomic
def remove_all(user: Any) -> None:
    """Turn two-factor authentication off for the user: their app and backup codes go."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


def normalise_code(code: str) -> str:
    """Codes as typed: ignore spaces and hyphens, and case (backup codes are lower case)."""
    return "".join(ch for ch in code if ch not in " -\u00a0").lower()


def _redirect(url_name: str, request: HttpRequest) -> HttpResponse:
    return HttpResponseRedirect(
        f"{reverse(url_name)}?{urlencode({'next': request.get_full_path()})}"
    )


class TwoFactorMiddleware:
    """Asks for a code (or for an app to be set up) before any staff page. Goes after
    django_otp's OTPMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            request.path.startswith(_GUARDED_PREFIXES)
            and request.user.is_authenticated
            and not is_verified(request)
            and not self._exempt(request)
        ):
            if has_app_device(request.user):
                return _redirect("twofactor:verify", request)
            if is_required(request.user):
                return _redirect("twofactor:setup", request)
        return self.get_response(request)

    @staticmethod
    def _exempt(request: HttpRequest) -> bool:
        if request.path.startswith(_EXEMPT_PREFIXES):
            return True
        return request.path in {reverse_once(name) for name in _EXEMPT_URL_NAMES}
