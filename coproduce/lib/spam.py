"""Spam protection for public forms that needs no third party, and never loses what a person typed.

Two checks here: a honeypot field people never see (bots fill every field), and a signed
timestamp that must be at most a day old and not sent back within a quarter of a second of the
page being drawn (a script posts as soon as it has fetched the page; no person fills in and sends a
form that fast, even with autofill). Neither check tells the sender which one failed. A refused
form is drawn again with what was typed and a fresh token, and the message offers both a retry
and the enquiries address (`COPRODUCE_ENQUIRIES_EMAIL`), so a refusal costs a person one click.

The checks run only on a form with no other error: a form that must be corrected is sent again
anyway, and its error summary then lists only what the person has to fix.

Each token also carries a random id, and `coproduce/security/formlimits.py` lets each id be used
once (a replayed form is refused) and limits how often one client or one mailbox may send a form.
"""

from __future__ import annotations

import secrets
import time

from django import forms
from django.conf import settings
from django.core import signing
from django.utils.functional import lazy
from django.utils.text import format_lazy

_SALT = "coproduce.pages.contact"
MIN_SECONDS = 0.25
MAX_SECONDS = 24 * 60 * 60


def _enquiries_email() -> str:
    return str(settings.ENQUIRIES_EMAIL)


SPAM_MESSAGE = format_lazy(
    "We could not accept this message. What you entered is kept below: send it again, "
    "or email us at {}.",
    lazy(_enquiries_email, str)(),
)


def issue_form_token(now: float | None = None) -> str:
    issued = round(now if now is not None else time.time(), 3)  # to the millisecond
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


def check_form(form: forms.BaseForm) -> None:
    """`check_spam` on a form's `website` and `form_token`, once its fields are all valid.

    Call from the form's `clean()`. A form with a field error is drawn again with a fresh token
    whatever this says, so the spam message would only sit on top of the real errors.
    """
    if form.errors:
        return
    cleaned = form.cleaned_data
    check_spam(cleaned.get("website"), cleaned.get("form_token"))
