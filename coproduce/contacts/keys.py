"""A contact's match keys: what the duplicate rules (matching.py) compare, stored on the rows
(`Contact.name_key`, `Contact.phone_key`, `ContactAddress.mailbox_key`) so that the database
groups them. Kept right by `Contact.save()`, `ContactAddress.save()`, and by every write that
bypasses save (roles.py, merging.py, the erasure rule), through `contact_keys`/`address_key`.

Pure functions of the row's fields, with no model imports: models, migrations and loaders alike
call them."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from coproduce.lib.identifiers import mailbox_key

ERASED_NAME = "Erased contact"
NAME_KEY_LENGTH = 500
PHONE_KEY_LENGTH = 40
MAILBOX_KEY_LENGTH = 254
KEY_FIELDS = ("name_key", "phone_key")
SOURCE_FIELDS = ("full_name", "organisation", "phone", "email")


def plain_text(text: str) -> str:
    """A name or organisation for comparison: accents dropped, case folded, spaces collapsed."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w\s]", " ", letters.casefold()).split())


def phone_digits(phone: str) -> str:
    """A phone number for comparison: digits only, a leading 44 or 0 dropped (no minimum length:
    the rule's `COPRODUCE_CONTACT_MATCH_PHONE_DIGITS` is a condition when comparing)."""
    digits = re.sub(r"\D", "", phone or "")
    if digits.startswith("44"):
        digits = digits[2:]
    return digits.lstrip("0")[:PHONE_KEY_LENGTH]


def name_key(full_name: str, organisation: str) -> str:
    """Plain name "|" plain organisation, only when both are given."""
    name, organisation = plain_text(full_name), plain_text(organisation)
    return f"{name}|{organisation}"[:NAME_KEY_LENGTH] if name and organisation else ""


def address_key(email: str) -> str:
    """The mailbox an address reaches (`lib.identifiers.mailbox_key`), blank for no address."""
    return mailbox_key(email)[:MAILBOX_KEY_LENGTH] if email else ""


def contact_keys(full_name: str, organisation: str, phone: str, email: str) -> dict[str, str]:
    """The keys of a contact with these fields. An erased contact (that name, no address) has
    none: it is never a likely duplicate."""
    if full_name == ERASED_NAME and not email:
        return {"name_key": "", "phone_key": ""}
    return {"name_key": name_key(full_name, organisation), "phone_key": phone_digits(phone)}


def keys_of(row: Any) -> dict[str, str]:
    """`contact_keys` of a Contact row (current or historical model)."""
    return contact_keys(
        row.full_name or "", row.organisation or "", row.phone or "", row.email or ""
    )


def set_keys(row: Any) -> Any:
    """Fill a Contact row's keys in place (before a bulk_create or bulk_update); returns it."""
    for name, value in keys_of(row).items():
        setattr(row, name, value)
    return row
