"""Spam protection for public forms that needs no third party.

Two checks: a honeypot field people never see (bots fill every field), and a signed timestamp
that must be at least a few seconds old and at most a day old (bots post at once, or replay an
old form). Neither check tells the sender which one failed.
"""

from __future__ import annotations

import time

from django import forms
from django.core import signing

_SALT = "coproduce.pages.contact"
MIN_SECONDS = 3
MAX_SECONDS = 24 * 60 * 60
SPAM_MESSAGE = (
    "We could not accept this message. Wait a few seconds and send it again, or email us directly."
)


def issue_form_token(now: float | None = None) -> str:
    return signing.dumps({"t": int(now if now is not None else time.time())}, salt=_SALT)


def check_spam(website: object, form_token: object) -> None:
    """Raise a form-wide ValidationError if the honeypot is filled or the token is off."""
    if website:
        raise forms.ValidationError(SPAM_MESSAGE, code="spam")
    try:
        issued = signing.loads(str(form_token or ""), salt=_SALT)["t"]
    except (signing.BadSignature, KeyError, TypeError):
        raise forms.ValidationError(SPAM_MESSAGE, code="spam") from None
    age = time.time() - issued
    if age < MIN_SECONDS or age > MAX_SECONDS:
        raise forms.ValidationError(SPAM_MESSAGE, code="spam")
