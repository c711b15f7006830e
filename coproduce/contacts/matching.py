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

The rules compare stored keys (keys.py: `Contact.name_key`, `Contact.phone_key`,
`ContactAddress.mailbox_key`, every address of a contact, its primary one among them), so the
database finds the keys held by more than one contact and only those contacts are read. The
queue shows the first pairs (`queue`) and counts the rest group by group, never making every
pair of a large group.

Nothing is merged automatically: a pair is only shown. Staff either merge it (merging.py) or
record that they are two people (`NotDuplicate`), which keeps the pair out of the queue.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import combinations
from math import comb
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Count, F, Min, Q, QuerySet
from django.db.models.functions import Length

from coproduce import pagecache
from coproduce.contacts.keys import phone_digits
from coproduce.contacts.models import Contact, ContactAddress, NotDuplicate

RULES = {
    "mailbox": "Addresses that reach one mailbox",
    "name_and_organisation": "Same name and organisation",
    "phone": "Same phone number",
}
DEFAULT_RULES = tuple(RULES)
# Groups whose members are read at once while walking the queue in order (a page of 200
# pairs needs at most 200 groups: one read per rule).
GROUP_BATCH = 200
KEYS_BATCH = 500


def enabled_rules() -> tuple[str, ...]:
    chosen = tuple(getattr(settings, "COPRODUCE_CONTACT_MATCH_RULES", DEFAULT_RULES))
    unknown = [name for name in chosen if name not in RULES]
    if unknown:
        raise ImproperlyConfigured(
            f"COPRODUCE_CONTACT_MATCH_RULES: unknown rule {unknown[0]!r}; "
            f"choose from {', '.join(RULES)}"
        )
    return chosen


def _phone_minimum() -> int:
    return int(getattr(settings, "COPRODUCE_CONTACT_MATCH_PHONE_DIGITS", 9))


def phone_key(phone: str) -> str:
    """The phone rule's key: its digits (keys.phone_digits), blank when too short to compare."""
    digits = phone_digits(phone)
    return digits if len(digits) >= _phone_minimum() else ""


@dataclass(frozen=True)
class Pair:
    rule: str
    first: int  # contact pks, first < second
    second: int

    @property
    def why(self) -> str:
        return RULES[self.rule]


@dataclass(frozen=True)
class _Rule:
    """Where a rule's keys are: rows of `rows` with their key at `key` and contact at `contact`;
    `via` reaches a Contact column from those rows (for keys of two rules at once)."""

    rows: QuerySet[Any]
    key: str
    contact: str
    via: str
    # Whether one contact may hold a key twice (its addresses), so contacts are counted once.
    distinct: bool = False


def _rule(name: str) -> _Rule:
    if name == "mailbox":
        # Addresses are unique, so of two addresses reaching one mailbox at most one is spelled
        # as its mailbox key: a shared mailbox always has an address spelled otherwise (a plus
        # tag, Gmail dots), and those few are indexed apart ("address_mailbox_variant").
        variants = ContactAddress.objects.exclude(email=F("mailbox_key")).values("mailbox_key")
        addresses = ContactAddress.objects.filter(mailbox_key__in=variants).exclude(mailbox_key="")
        return _Rule(addresses, "mailbox_key", "contact_id", "contact__", distinct=True)
    if name == "name_and_organisation":
        return _Rule(Contact.objects.filter(name_key__gt=""), "name_key", "pk", "")
    minimum = max(_phone_minimum(), 1)
    rows = (
        Contact.objects.filter(phone_key__gt="")
        .alias(digits=Length("phone_key"))
        .filter(digits__gte=minimum)
    )
    return _Rule(rows, "phone_key", "pk", "")


def _groups(rule: _Rule) -> QuerySet[Any]:
    """(key, n, first) of every key more than one contact holds, by their first contact."""
    return (
        rule.rows.order_by()
        .values(rule.key)
        .annotate(n=Count(rule.contact, distinct=rule.distinct), first=Min(rule.contact))
        .filter(n__gt=1)
        .order_by("first", rule.key)
    )


def _members(rule: _Rule, wanted: list[str]) -> dict[str, list[int]]:
    found: dict[str, set[int]] = {}
    rows = rule.rows.filter(**{f"{rule.key}__in": wanted}).order_by()
    for key, pk in rows.values_list(rule.key, rule.contact):
        found.setdefault(key, set()).add(pk)
    return {key: sorted(pks) for key, pks in found.items()}


def _decided() -> set[tuple[int, int]]:
    return set(NotDuplicate.objects.values_list("first_id", "second_id"))


def _walk(
    rules: tuple[str, ...], decided: set[tuple[int, int]], groups: dict[str, list[Any]]
) -> Iterator[Pair]:
    """Every pair, in rule order, then group order (by its first contact), then contact order;
    a pair once (under the first rule matching it); decided pairs left out. Reads the members
    of `GROUP_BATCH` groups at a time, so a caller taking the first few reads few."""
    seen: set[tuple[int, int]] = set()
    for name in rules:
        rule = _rule(name)
        found = groups[name]
        for start in range(0, len(found), GROUP_BATCH):
            chunk = [g[rule.key] for g in found[start : start + GROUP_BATCH]]
            members = _members(rule, chunk)
            for key in chunk:
                for first, second in combinations(members.get(key, []), 2):
                    if (first, second) in decided or (first, second) in seen:
                        continue
                    seen.add((first, second))
                    yield Pair(name, first, second)


def _keys_of(contacts: list[int], rules: tuple[str, ...]) -> dict[int, dict[str, set[str]]]:
    """Each contact's keys, by rule (the phone key only if long enough to compare)."""
    held: dict[int, dict[str, set[str]]] = {pk: {name: set() for name in rules} for pk in contacts}
    if len(contacts) > KEYS_BATCH:  # a query's parameters are limited (SQLite)
        for start in range(KEYS_BATCH, len(contacts), KEYS_BATCH):
            held.update(_keys_of(contacts[start : start + KEYS_BATCH], rules))
        contacts = contacts[:KEYS_BATCH]
    if "mailbox" in rules:
        for pk, key in (
            ContactAddress.objects.filter(contact_id__in=contacts)
            .exclude(mailbox_key="")
            .values_list("contact_id", "mailbox_key")
        ):
            held[pk]["mailbox"].add(key)
    if "name_and_organisation" in rules or "phone" in rules:
        for pk, name, phone in Contact.objects.filter(pk__in=contacts).values_list(
            "pk", "name_key", "phone_key"
        ):
            if name and "name_and_organisation" in rules:
                held[pk]["name_and_organisation"].add(name)
            if "phone" in rules and phone and len(phone) >= max(_phone_minimum(), 1):
                held[pk]["phone"].add(phone)
    return held


def _overlap(names: tuple[str, ...]) -> int:
    """Pairs of contacts sharing a key under every rule in `names` (each pair once per set of
    shared keys): a GROUP BY over the contacts in a group of each rule."""
    rules = {name: _rule(name) for name in names}
    base = rules["mailbox"] if "mailbox" in rules else rules[names[0]]
    rows = base.rows
    paths = []
    for rule in rules.values():
        path = rule.key if rule is base else f"{base.via}{rule.key}"
        # Only keys of a group (a phone key long enough to compare among them).
        rows = rows.filter(**{f"{path}__in": _groups(rule).values(rule.key)})
        paths.append(path)
    found = (
        rows.order_by()
        .values(*paths)
        .annotate(n=Count(base.contact, distinct=base.distinct))
        .filter(n__gt=1)
        .values_list("n", flat=True)
    )
    return sum(comb(n, 2) for n in found)


def _summary(rules: tuple[str, ...]) -> tuple[dict[str, list[Any]], int]:
    """Each rule's groups (`_groups`) and how many pairs they make, each pair once: n contacts
    sharing a key are n(n-1)/2 pairs, and pairs sharing keys of two or three rules are taken
    off by inclusion-exclusion over the rules with groups. Exact, except that two contacts
    sharing two different mailboxes (each holding two addresses) count twice."""
    groups = {name: list(_groups(_rule(name))) for name in rules}
    total = sum(comb(g["n"], 2) for name in rules for g in groups[name])
    live = tuple(name for name in rules if groups[name])
    for size in range(2, len(live) + 1):
        sign = -1 if size % 2 == 0 else 1
        for names in combinations(live, size):
            total += sign * _overlap(names)
    return groups, total


def _decided_matching(rules: tuple[str, ...], decided: set[tuple[int, int]]) -> int:
    """How many decided pairs a rule still matches (the queue leaves them out)."""
    if not decided:
        return 0
    held = _keys_of(sorted({pk for pair in decided for pk in pair}), rules)
    return sum(
        1
        for first, second in decided
        if any(held[first][name] & held[second][name] for name in rules)
    )


def queue(limit: int = 200) -> tuple[list[Pair], int]:
    """The review queue: its first `limit` pairs (in `pairs()` order) and how many there are,
    reading only the contacts of duplicated keys, and of those only enough groups to fill
    the page. The groups and their count are kept per process until the data changes
    (`pagecache.memo`: a GROUP BY over every contact costs some 40 ms at national scale); the
    decisions and the pairs shown are read each time."""
    rules = enabled_rules()
    decided = _decided()
    groups, total = pagecache.memo(
        ("contact_match_groups", rules, _phone_minimum()), lambda: _summary(rules)
    )
    shown: list[Pair] = []
    for pair in _walk(rules, decided, groups):
        if len(shown) >= limit:
            break
        shown.append(pair)
    return shown, total - _decided_matching(rules, decided)


def pairs(*, contact: Contact | None = None) -> list[Pair]:
    """Every pair of contacts an enabled rule matches and staff have not marked as two people,
    in rule order then contact order; only pairs including `contact` if given (reading only the
    contacts sharing one of its keys)."""
    rules = enabled_rules()
    if contact is None:
        decided = _decided()
        return list(_walk(rules, decided, {name: list(_groups(_rule(name))) for name in rules}))
    decided = set(
        NotDuplicate.objects.filter(Q(first=contact) | Q(second=contact)).values_list(
            "first_id", "second_id"
        )
    )
    own = _keys_of([contact.pk], rules)[contact.pk]
    found: list[Pair] = []
    seen: set[tuple[int, int]] = set()
    for name in rules:
        rule = _rule(name)
        members = _members(rule, sorted(own[name])) if own[name] else {}
        for _key, group in sorted(members.items(), key=lambda item: (item[1][0], item[0])):
            for other in group:
                if other == contact.pk:
                    continue
                first, second = sorted((contact.pk, other))
                if (first, second) in decided or (first, second) in seen:
                    continue
                seen.add((first, second))
                found.append(Pair(name, first, second))
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
