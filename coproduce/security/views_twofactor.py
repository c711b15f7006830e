"""Two-factor pages: set up an authenticator app, enter a code, replace or turn it off, and
backup codes. The rules are in coproduce/security/twofactor.py."""

from __future__ import annotations

from typing import Any

import django_otp
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from coproduce.audit.log import record
from coproduce.registry.access import require_staff
from coproduce.security import throttle, twofactor

LOCKED = "locked"
WRONG = "wrong"


class CodeForm(forms.Form):
    """One code, checked against the given devices. `device` is the one that accepted it."""

    code = forms.CharField(
        label="Code",
        max_length=40,
        error_messages={"required": "Enter the code"},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "spellcheck": "false",
                "autocapitalize": "none",
            }
        ),
    )

    def __init__(
        self,
        *args: Any,
        request: HttpRequest,
        devices: list[Device],
        label: str = "Code",
        help_text: str = "",
        numeric: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.request = request
        self.devices = devices
        self.device: Device | None = None
        field = self.fields["code"]
        field.label = label
        field.help_text = help_text
        if numeric:
            field.widget.attrs["inputmode"] = "numeric"

    def clean_code(self) -> str:
        code = twofactor.normalise_code(self.cleaned_data["code"])
        if not code:
            raise ValidationError("Enter the code", code="required")
        # Reserved before the code is checked, so parallel guesses cannot pass the limit.
        attempt = throttle.begin(self.request, self.request.user.get_username())
        if attempt.locked_until is not None:
            raise ValidationError(
                "There have been too many wrong codes for this account. "
                + throttle.wait_text(attempt.locked_until),
                code=LOCKED,
            )
        for device in self.devices:
            # App codes are digits, backup codes are letters and digits: try only the kind
            # the code could be, so a typo is not counted against both devices.
            if isinstance(device, TOTPDevice) != code.isdigit():
                continue
            verified = django_otp.verify_token(self.request.user, device.persistent_id, code)
            if verified is not None:
                self.device = verified
                throttle.succeeded(attempt)
                return code
        # A wrong code: the reserved attempt stays, as a failure.
        raise ValidationError(
            "The code is not right. Enter the code your authenticator app shows now, "
            "or one of your unused backup codes.",
            code=WRONG,
        )


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return str(target)
    return ""


def _audit(request: HttpRequest, action: str) -> None:
    """The audit entry names the account whose two-factor settings changed."""
    user: Any = request.user
    record(user, action, user)


def _user_devices(user: Any) -> list[Device]:
    devices: list[Device] = list(TOTPDevice.objects.filter(user=user, confirmed=True))
    devices += list(StaticDevice.objects.filter(user=user, confirmed=True))
    return devices


def _page(
    request: HttpRequest, template: str, context: dict[str, Any], *, form: CodeForm | None = None
) -> HttpResponse:
    status = 200
    if form is not None and form.is_bound and form.errors:
        status = 429 if form.has_error("code", LOCKED) else 200
    context = {**context, "form": form, "next": _next_url(request)}
    return render(request, f"security/{template}", context, status=status)


@never_cache
@login_required
@require_http_methods(["GET"])
def overview(request: HttpRequest) -> HttpResponse:
    require_staff(request.user)
    device = twofactor.app_device(request.user)
    return _page(
        request,
        "twofactor_overview.html",
        {
            "device": device,
            "verified": twofactor.is_verified(request),
            "required": twofactor.is_required(request.user),
            "backup_codes_left": twofactor.backup_codes_left(request.user) if device else 0,
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def setup(request: HttpRequest) -> HttpResponse:
    require_staff(request.user)
    if twofactor.app_device(request.user) is not None:
        if not twofactor.is_verified(request):
            return redirect("twofactor:verify")
        messages.info(request, "You already have an authenticator app set up.")
        return redirect("twofactor:overview")
    device = twofactor.pending_app_device(request.user)
    form = CodeForm(
        request.POST if request.method == "POST" else None,
        request=request,
        devices=[device],
        label="Enter the 6-digit code your app shows",
        numeric=True,
    )
    if request.method == "POST" and form.is_valid():
        twofactor.confirm_app_device(request.user, device)
        django_otp.login(request, device)
        throttle.signed_in(request, request.user.get_username())
        codes = twofactor.new_backup_codes(request.user)
        _audit(request, "security.twofactor.enabled")
        return _page(
            request,
            "twofactor_backup_codes.html",
            {"codes": codes, "just_set_up": True},
        )
    return _page(
        request,
        "twofactor_setup.html",
        {
            "qr": twofactor.qr_data_uri(device),
            "secret": twofactor.secret_text(device),
            "required": twofactor.is_required(request.user),
        },
        form=form,
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    target = _next_url(request) or "staff:home"
    if twofactor.is_verified(request) or twofactor.app_device(request.user) is None:
        return redirect(target)
    form = CodeForm(
        request.POST if request.method == "POST" else None,
        request=request,
        devices=_user_devices(request.user),
        label="Code",
        help_text="The 6-digit code your authenticator app shows, or one of your backup codes.",
    )
    if request.method == "POST" and form.is_valid():
        assert form.device is not None
        django_otp.login(request, form.device)
        throttle.signed_in(request, request.user.get_username())
        if isinstance(form.device, StaticDevice):
            left = twofactor.backup_codes_left(request.user)
            messages.info(
                request,
                f"You used a backup code. You have {left} left: you can make new ones "
                "from the two-factor authentication page.",
            )
        return redirect(target)
    return _page(request, "twofactor_verify.html", {}, form=form)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def remove(request: HttpRequest, *, replace: bool) -> HttpResponse:
    """Turn off, or replace (turn off, then set up again), after a current code."""
    require_staff(request.user)
    if twofactor.app_device(request.user) is None:
        return redirect("twofactor:setup" if replace else "twofactor:overview")
    if not replace and twofactor.is_required(request.user):
        messages.info(
            request,
            "Managers must use two-factor authentication, so it cannot be turned off. "
            "You can replace your authenticator app.",
        )
        return redirect("twofactor:overview")
    form = CodeForm(
        request.POST if request.method == "POST" else None,
        request=request,
        devices=_user_devices(request.user),
        label="Enter a code from your current authenticator app",
        help_text="Or one of your unused backup codes, if you no longer have the app.",
    )
    if request.method == "POST" and form.is_valid():
        twofactor.remove_all(request.user)
        _audit(request, "security.twofactor.replaced" if replace else "security.twofactor.disabled")
        if replace:
            return redirect("twofactor:setup")
        messages.info(request, "Two-factor authentication is off for your account.")
        return redirect("twofactor:overview")
    return _page(request, "twofactor_remove.html", {"replace": replace}, form=form)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def backup_codes(request: HttpRequest) -> HttpResponse:
    """New backup codes (replacing the old ones), shown once."""
    require_staff(request.user)
    if twofactor.app_device(request.user) is None:
        return redirect("twofactor:overview")
    if not twofactor.is_verified(request):
        return redirect("twofactor:verify")
    if request.method == "POST":
        codes = twofactor.new_backup_codes(request.user)
        _audit(request, "security.twofactor.backup_codes_replaced")
        return _page(request, "twofactor_backup_codes.html", {"codes": codes})
    return _page(
        request,
        "twofactor_backup_codes.html",
        {"codes": None, "left": twofactor.backup_codes_left(request.user)},
    )
