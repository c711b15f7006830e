"""A contact's roles and record: what the contact page and its downloads show.

The record is the personal-data register's (`lib/personaldata.record`) for the subject the
contact stands for: every address of it (`ContactAddress`: its own and those of contacts
merged into it), and the ids of every role row linked to it (so rows under another address
merged into the contact are found too). Who reads it decides its scope:
staff with the personal data export grant see everything; anyone else with a staff role sees
only the rows of the studies they work on (`scope_for`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.urls import NoReverseMatch, reverse

from coproduce.contacts.models import Contact, ContactAddress
from coproduce.contacts.roles import Role, addresses, roles
from coproduce.lib import personaldata


@dataclass(frozen=True)
class Held:
    role: Role
    text: str
    url: str | None


def subject_for(contact: Contact) -> personaldata.Subject:
    known: dict[str, set[int]] = {"contact": {contact.pk}}
    for role in roles():
        if role.key:
            known.setdefault(role.key, set()).update(
                role.model_class._default_manager.filter(contact_id=contact.pk).values_list(
                    "pk", flat=True
                )
            )
    if contact.user_id:
        known["user"] = {contact.user_id}
    return personaldata.subject_for(addresses(contact), **known)


def _in_scope(role: Role, rows: QuerySet, study_ids: set[int] | None) -> QuerySet:
    if study_ids is None:
        return rows
    if role.study is None:
        return rows.none()
    return rows.filter(**{f"{role.study}__in": sorted(study_ids)}).distinct()


def held(contact: Contact, study_ids: set[int] | None = None) -> list[Held]:
    """The contact's role rows, by role (only those of `study_ids` if given)."""
    found: list[Held] = []
    for role in roles():
        rows = _in_scope(
            role, role.model_class._default_manager.filter(contact_id=contact.pk), study_ids
        )
        for row in rows.select_related(*role.select_related).order_by("pk"):
            url = None
            if role.url and getattr(row, "public_id", None):
                try:
                    url = reverse(role.url, args=[row.public_id])
                except NoReverseMatch:
                    url = None
            found.append(Held(role, str(row), url))
    return found


def visible(contacts: QuerySet[Contact], study_ids: set[int] | None) -> QuerySet[Contact]:
    """The contacts a reader may see: all (None), or those with a role row in their studies."""
    if study_ids is None:
        return contacts
    q = Q(pk__in=[])
    for role in roles():
        if role.study:
            ids = role.model_class._default_manager.filter(
                **{f"{role.study}__in": sorted(study_ids)}, contact__isnull=False
            ).values("contact_id")
            q |= Q(pk__in=ids)
    return contacts.filter(q)


def search(contacts: QuerySet[Contact], text: str) -> QuerySet[Contact]:
    text = " ".join((text or "").split())[:200]
    if not text:
        return contacts
    if "@" in text:
        held = ContactAddress.objects.filter(email__startswith=text.lower()).values("contact_id")
        return contacts.filter(Q(email__startswith=text.lower()) | Q(pk__in=held))
    return contacts.filter(
        Q(full_name__icontains=text) | Q(organisation__icontains=text) | Q(phone__contains=text)
    )


def record(contact: Contact, study_ids: set[int] | None = None) -> dict[str, Any]:
    return personaldata.record(subject_for(contact), study_ids=study_ids)
