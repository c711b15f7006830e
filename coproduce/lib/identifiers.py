"""Email normalisation, one key per mailbox, single-line text, and ORCID iD validation."""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError

_ORCID = re.compile(r"^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$")


def normalise_email(address: str | None) -> str:
    """Trim and lower-case an address so that one person has one spelling of it.

    The whole address is lower-cased: mail systems in the field treat local parts
    case-insensitively, and two rows for Jo.Bloggs@ and jo.bloggs@ would be one person twice.
    """
    return (address or "").strip().lower()


# Providers known to ignore dots in the local part; for everyone else a dot is part of the name.
_DOTLESS_DOMAINS = {"gmail.com": "gmail.com", "googlemail.com": "gmail.com"}


def mailbox_key(address: str | None) -> str:
    """One spelling for every address that reaches the same mailbox, for counting only.

    Never used to send or store an address. The rules (docs/operations.md, "Public forms"):
    case is ignored; a plus tag is dropped for every domain (`a+x@b` is `a@b`: most providers
    deliver sub-addresses to the main mailbox, and counting two mailboxes as one only makes a
    limit stricter); for gmail.com and googlemail.com only, dots in the local part are dropped
    and the two domains are one.
    """
    address = normalise_email(address)
    local, at, domain = address.rpartition("@")
    if not at:
        return address
    domain = domain.rstrip(".")
    local = local.split("+", 1)[0]
    if domain in _DOTLESS_DOMAINS:
        local, domain = local.replace(".", ""), _DOTLESS_DOMAINS[domain]
    return f"{local}@{domain}"


def mailbox_pattern(address: str | None) -> str:
    """A regular expression (Python and PostgreSQL alike) matching every normalised address
    whose `mailbox_key` is this address's: to find rows stored under other spellings."""
    local, _, domain = mailbox_key(address).rpartition("@")
    if domain == "gmail.com":
        spelled = r"\.*".join(re.escape(char) for char in local)
        return rf"^\.*{spelled}\.*(\+.*)?@(gmail|googlemail)\.com$"
    return rf"^{re.escape(local)}(\+.*)?@{re.escape(domain)}$"


# Control characters, and the Unicode line and paragraph separators, break a one-line value
# (an email subject built from a name fails; a CSV row splits).
_NOT_ONE_LINE = {"Cc", "Zl", "Zp"}


def validate_single_line(value: str) -> None:
    """Refuse line breaks, tabs and other control characters in a one-line field."""
    if any(unicodedata.category(char) in _NOT_ONE_LINE for char in value or ""):
        raise ValidationError(
            "Enter this on one line, without line breaks, tabs or other control characters",
            code="single_line",
        )


def orcid_check_digit(base_digits: str) -> str:
    """ISO 7064 MOD 11-2 check character over the first 15 digits of an ORCID iD."""
    total = 0
    for char in base_digits:
        total = (total + int(char)) * 2
    result = (12 - total % 11) % 11
    return "X" if result == 10 else str(result)


def validate_orcid(value: str) -> None:
    if not value:
        return
    if not _ORCID.match(value):
        raise ValidationError(
            "Enter an ORCID iD as four groups of four characters, like 0000-0002-1825-0097.",
            code="orcid_format",
        )
    digits = value.replace("-", "")
    if orcid_check_digit(digits[:15]) != digits[15]:
        raise ValidationError(
            "This ORCID iD is not valid: its last character does not match. Check it for typing errors.",
            code="orcid_checksum",
        )
