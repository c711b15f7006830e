"""Merging two contacts that are one person: one transaction, one audit entry.

Every role row (roles.py), every address (`ContactAddress`) and the sign-in account of the
contact merged away point at the one kept, so rows held only under its address (outbox
messages, registrations, mail) are the kept contact's too for access and erasure; its "not a
duplicate" decisions go; blank details of the kept contact (name, phone, organisation, and
address if it had none) are filled from the other; the other is deleted.
The role rows themselves are not merged (two associate rows stay two rows: the associate merge
in the community directory joins those, with its own rules about consent).

Never automatic: only a staff member's confirmed choice calls `merge`, and a merge of contacts
with different addresses needs that choice explicitly (`different_addresses=True`).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from coproduce.audit.log import record
from coproduce.contacts.models import Contact, ContactAddress, NotDuplicate
from coproduce.contacts.roles import hold_address, roles


class CannotMerge(Exception):
    """A merge refused; the message is the reason shown to the manager."""


@transaction.atomic
def merge(
    keep: Contact,
    other: Contact,
    *,
    by: Any,
    reason: str,
    different_addresses: bool = False,
) -> dict[str, int]:
    if keep.pk == other.pk:
        raise CannotMerge("A contact cannot be merged with itself.")
    locked = {
        c.pk: c for c in Contact.objects.select_for_update().filter(pk__in=[keep.pk, other.pk])
    }
    if len(locked) != 2:
        raise CannotMerge("One of the contacts no longer exists.")
    keep, other = locked[keep.pk], locked[other.pk]
    if keep.email and other.email and keep.email != other.email and not different_addresses:
        raise CannotMerge("These contacts have different addresses: confirm they are one person.")
    if keep.user_id and other.user_id:
        raise CannotMerge(
            "Both contacts have a sign-in account. Close one account first, then merge."
        )
    moved: dict[str, int] = {}
    for role in roles():
        count = role.model_class._default_manager.filter(contact_id=other.pk).update(
            contact_id=keep.pk
        )
        if count:
            moved[role.model] = count
    # Both primary addresses are among the addresses (made before the table, or in bulk).
    hold_address(keep.pk, keep.email)
    hold_address(other.pk, other.email)
    addresses = ContactAddress.objects.filter(contact_id=other.pk).update(
        contact_id=keep.pk, how=f"merged from {other.audit_label}", added=timezone.now()
    )
    if addresses:
        moved[ContactAddress._meta.label] = addresses
    user_id, other_email = other.user_id, other.email
    NotDuplicate.objects.filter(first=other).delete()
    NotDuplicate.objects.filter(second=other).delete()
    other_label = other.audit_label
    other.delete()
    for name in ("full_name", "phone", "organisation"):
        if not getattr(keep, name) and getattr(other, name):
            setattr(keep, name, getattr(other, name))
    if not keep.email and other_email:
        keep.email = other_email
    if user_id and not keep.user_id:
        keep.user_id = user_id
        moved["auth.User"] = 1
    keep.save()
    # One entry, naming no one: which contact went into which, why, and what moved.
    record(
        by,
        "contacts.contact.merged",
        keep,
        {
            "merged": [None, other_label],
            "reason": [None, reason[:500]],
            "moved": [None, moved],
            "different_addresses": [None, bool(different_addresses and other_email)],
        },
    )
    return moved
