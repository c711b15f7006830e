"""Email normalisation and ORCID iD validation."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

_ORCID = re.compile(r"^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$")


def normalise_email(address: str | None) -> str:
    """Trim and lower-case an address so that one person has one spelling of it.

    The whole address is lower-cased: mail systems in the field treat local parts
    case-insensitively, and two rows for Jo.Bloggs@ and jo.bloggs@ would be one person twice.
    """
    return (address or "").strip().lower()


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
