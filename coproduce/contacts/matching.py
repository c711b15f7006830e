"""Likely duplicates among contacts, for staff to review (after CiviCRM's dedupe rules).

One normalised address is one contact by construction (roles.py finds or makes the contact of
an address, and the address is unique among contacts), so the rules here look for the same
person under *different* contacts. Which rules run is a setting, `COPRODUCE_CONTACT_MATCH_RULES`
(default: all three, docs/operations.md "Contacts"):

- "mailbox": addresses that reach one mailbox (case, a plus tag, Gmail dots:
  `lib.identifiers.mailbox_key`), e.g. jo+news@example.org and jo@example.org;
- "name_and_organisation": the same name and organisation (accents, case and punctuation
  ignored), both given;
- "phone": the same phone number (digits only; a leading 44 or 0 dropped), at least
  `COPRODUCE_CONTACT_MATCH_PHONE_DIGITS` digits long (default 9).

Nothing is merged automatically: a pair is only shown. Staff either merge it (merging.py) or
record that they are two people (`NotDuplicate`), which keeps the pair out of the queue.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from itertools import combinations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q

from coproduce.contacts.models import Contact, NotDuplicate
from coproduce.lib.identifiers import mailbox_key

RULES = {
    "mailbox": "Addresses that reach one mailbox",
    "name_and_organisation": "Same name and organisation",
    "phone": "Same phone number",
}
DEFAULT_RULES = tuple(RULES)


def enabled_rules() -> tuple[str, ...]:
    chosen = tuple(getattr(settings, "COPRODUCE_CONTACT_MATCH_RULES", DEFAULT_RULES))
    unknown = [name for name in chosen if name not in RULES]
    if unknown:
        raise ImproperlyConfigured(
            f"COPRODUCE_CONTACT_MATCH_RULES: unknown rule {unknown[0]!r}; "
            f"choose from {', '.join(RULES)}"
        )
    return chosen


def plain_text(text: str) -> str:
    """A name or organisation for comparison: accents dropped, case folded, spaces collapsed."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w\s]", " ", letters.casefold()).split())


def phone_key(phone: str) -> str:
    digits = re.sub(r"\D", "", phone or "")
    if digits.startswith("44"):
        digits = digits[2:]
    digits = digits.lstrip("0")
    minimum = int(getattr(settings, "COPRODUCE_CONTACT_MATCH_PHONE_DIGITS", 9))
    return digits if len(digits) >= minimum else ""


@dataclass(frozen=True)
class Pair:
    rule: str
    first: int  # contact pks, first < second
    second: int

    @property
    def why(self) -> str:
        return RULES[self.rule]


def _keys(rule: str, email: str, name: str, organisation: str, phone: str) -> str:
    if rule == "mailbox":
        return mailbox_key(email) if email else ""
    if rule == "name_and_organisation":
        name, organisation = plain_text(name), plain_text(organisation)
        return f"{name}|{organisation}" if name and organisation else ""
    return phone_key(phone)


def pairs(*, contact: Contact | None = None) -> list[Pair]:
    """Every pair of contacts an enabled rule matches and staff have not marked as two people,
    in rule order then contact order; only pairs including `contact` if given."""
    rules = enabled_rules()
    rows = list(
        Contact.objects.exclude(full_name="Erased contact", email="")
        .order_by("pk")
        .values_list("pk", "email", "full_name", "organisation", "phone")
    )
    decided = set(NotDuplicate.objects.values_list("first_id", "second_id"))
    found: list[Pair] = []
    seen: set[tuple[int, int]] = set()
    for rule in rules:
        groups: dict[str, list[int]] = {}
        for pk, *values in rows:
            key = _keys(rule, *values)
            if key:
                groups.setdefault(key, []).append(pk)
        for members in groups.values():
            for first, second in combinations(sorted(members), 2):
                if (first, second) in decided or (first, second) in seen:
                    continue
                if contact is not None and contact.pk not in (first, second):
                    continue
                seen.add((first, second))
                found.append(Pair(rule, first, second))
    return found


def mark_not_duplicate(first: Contact, second: Contact, *, by: object) -> NotDuplicate:
    low, high = sorted([first.pk, second.pk])
    decision, _ = NotDuplicate.objects.get_or_create(
        first_id=low,
        second_id=high,
        defaults={"decided_by": by if getattr(by, "is_authenticated", False) else None},
    )
    return decision


def decided_pairs_for(contact: Contact) -> int:
    return NotDuplicate.objects.filter(Q(first=contact) | Q(second=contact)).count()
