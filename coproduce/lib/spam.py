"""Spam protection for public forms that needs no third party.

Two checks here: a honeypot field people never see (bots fill every field), and a signed
timestamp that must be at least a few seconds old and at most a day old (bots post at once).
Neither check tells the sender which one failed. Each token also carries a random id, and
`coproduce/security/formlimits.py` lets each id be used once (a replayed form is refused) and
limits how often one client or one mailbox may send a form.
"""

from __future__ import annotations

import secrets
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
    issued = int(now if now is not None else time.time())
    return signing.dumps({"t": issued, "n": secrets.token_urlsafe(12)}, salt=_SALT)


def read_form_token(form_token: object) -> tuple[str, float]:
    """The token's id and when it was issued (seconds since the epoch); ValueError if bad."""
    try:
        payload = signing.loads(str(form_token or ""), salt=_SALT)
        issued, token_id = float(payload["t"]), str(payload["n"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise ValueError("not a form token") from None
    if not token_id or len(token_id) > 32:
        raise ValueError("not a form token")
    return token_id, issued


def check_spam(website: object, form_token: object) -> None:
    """Raise a form-wide ValidationError if the honeypot is filled or the token is off."""
    if website:
        raise forms.ValidationError(SPAM_MESSAGE, code="spam")
    try:
        _, issued = read_form_token(form_token)
    except ValueError:
        raise forms.ValidationError(SPAM_MESSAGE, code="spam") from None
    age = time.time() - issued
    if age < MIN_SECONDS or age > MAX_SECONDS:
        raise forms.ValidationError(SPAM_MESSAGE, code="spam")
