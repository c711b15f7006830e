"""Signing in (throttled: coproduce/security/throttle.py) and the emailed unlock link."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from coproduce.audit.log import record
from coproduce.security import throttle, twofactor

LOCKED = "locked"


class ThrottledLoginFormMixin:
    """Reserves the attempt with the throttle before the password is checked, and refuses to
    check it at all while a limit is full."""

    cleaned_data: dict[str, Any]
    request: HttpRequest | None

    def clean(self) -> dict[str, Any]:
        username = str(self.cleaned_data.get("username") or "")
        if not username.strip() or not self.cleaned_data.get("password") or self.request is None:
            return super().clean()  # type: ignore[misc]
        attempt = throttle.begin(self.request, username)
        if attempt.locked_until is not None:
            raise ValidationError(
                "There have been too many failed attempts to sign in to this account. "
                + throttle.wait_text(attempt.locked_until),
                code=LOCKED,
            )
        cleaned: dict[str, Any] = super().clean()  # type: ignore[misc]
        # (A wrong password raised there, and the reserved attempt stays as the failure.)
        throttle.succeeded(attempt)
        return cleaned


class ThrottledAuthenticationForm(ThrottledLoginFormMixin, AuthenticationForm):
    """The staff sign-in form."""


class ThrottledAdminAuthenticationForm(ThrottledLoginFormMixin, AdminAuthenticationForm):
    """Django admin's own sign-in form (/django-admin/login/), under the same limits."""


class ThrottledLoginView(LoginView):
    """Django's sign-in view (which rotates the session key), throttling failed attempts."""

    template_name = "staff/login.html"
    authentication_form = ThrottledAuthenticationForm

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_invalid(form)
        if form.has_error(NON_FIELD_ERRORS, LOCKED):
            response.status_code = 429
        return response

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        user = form.get_user()
        # With an authenticator app, sign-in finishes at the code page, which clears them.
        if twofactor.app_device(user) is None:
            throttle.signed_in(self.request, user.get_username())
        return super().form_valid(form)


@never_cache
@require_http_methods(["GET", "POST"])
def unlock(request: HttpRequest, token: str) -> HttpResponse:
    """The link emailed to a locked account's owner: GET shows a button (mail scanners follow
    links), POST spends the link and lets this browser sign in to the account."""
    link = throttle.open_link(token)
    if link is None:
        return render(request, "security/signin_unlock.html", {"link": None}, status=404)
    if request.method == "POST":
        if not throttle.use_link(request, link):
            return render(request, "security/signin_unlock.html", {"link": None}, status=404)
        record("unlock link", "security.signin.unlocked", link, via="link")
        if request.user.is_authenticated:
            return redirect("twofactor:verify")
        messages.info(request, "You can now sign in to your account in this browser.")
        return redirect("staff:login")
    minutes = settings.COPRODUCE_SIGNIN_UNLOCK_MINUTES
    return render(request, "security/signin_unlock.html", {"link": link, "minutes": minutes})
