from __future__ import annotations

from typing import Any

from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import HttpResponse
from django.utils import timezone

from coproduce.security import throttle

LOCKED = "locked"


class ThrottledAuthenticationForm(AuthenticationForm):
    """Refuses to check the password at all while the username is locked from this address."""

    def clean(self) -> dict[str, Any]:
        username = str(self.cleaned_data.get("username") or "")
        if username and self.request is not None:
            until = throttle.locked_until(username, throttle.client_ip(self.request))
            if until is not None:
                seconds = int((until - timezone.now()).total_seconds())
                minutes = max(1, -(-seconds // 60))
                raise ValidationError(
                    "There have been too many failed attempts to sign in to this account. "
                    f"Try again in {minutes} minute{'s' if minutes != 1 else ''}.",
                    code=LOCKED,
                )
        return super().clean()


class ThrottledLoginView(LoginView):
    """Django's sign-in view (which rotates the session key), throttling failed attempts."""

    template_name = "staff/login.html"
    authentication_form = ThrottledAuthenticationForm

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        if form.has_error(NON_FIELD_ERRORS, LOCKED):
            response = super().form_invalid(form)
            response.status_code = 429
            return response
        username = str(self.request.POST.get("username", ""))
        if username.strip():
            throttle.record_failure(username, throttle.client_ip(self.request))
        return super().form_invalid(form)

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        throttle.clear(str(self.request.POST.get("username", "")), throttle.client_ip(self.request))
        return super().form_valid(form)
