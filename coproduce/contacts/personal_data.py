"""What the contacts app holds about a person (the personal-data register's rules,
`coproduce/lib/personaldata.py`), declared from ContactsConfig.ready."""

from __future__ import annotations

from django.db.models import Q

from coproduce.lib.personaldata import (
    Erasure,
    Rule,
    by,
    register,
    register_addresses,
    register_key,
)


def _contacts(email: str) -> list[int]:
    """The contacts holding the address: as their primary one, or among their others."""
    from coproduce.contacts.models import Contact, ContactAddress

    if not email:
        return []
    held = ContactAddress.objects.filter(email=email).values("contact_id")
    # `~Q(email="")` is the condition of the unique index on email: said, SQLite may use that
    # partial index for this arm of the OR instead of reading every contact (issue 22).
    primary = Q(email=email) & ~Q(email="")
    return list(Contact.objects.filter(primary | Q(pk__in=held)).values_list("pk", flat=True))


def _addresses(email: str) -> list[str]:
    """Every address of the contact holding this one (a person who used two addresses, whose
    contacts were merged, is one subject whichever address is asked about)."""
    from coproduce.contacts.models import Contact, ContactAddress

    ids = _contacts(email)
    if not ids:
        return []
    primary = Contact.objects.filter(pk__in=ids).exclude(email="").values_list("email", flat=True)
    held = ContactAddress.objects.filter(contact_id__in=ids).values_list("email", flat=True)
    return list(dict.fromkeys([*primary, *held]))


def declare() -> None:
    register_key("contact", _contacts)
    register_addresses(_addresses)
    register(
        Rule(
            "contacts.Contact",
            ("full_name", "email", "phone", "organisation"),
            by(email=["email"], keys=[("contact", "pk")]),
            Erasure.BLANK,
            "Name, address, phone and organisation blanked; the row stays so that the roles "
            "it joins (each erased by its own rule) stay one person, anonymously.",
            purpose="One record per person across every role (contact page, duplicates, "
            "subject access and erasure)",
            who_sees="Staff with the personal data export grant; researchers see the parts "
            "their studies hold",
            retention="As long as any role of the person is kept",
            # The match keys (keys.py) are copies of the name, organisation and phone.
            blank={
                "full_name": "Erased contact",
                "email": "",
                "phone": "",
                "organisation": "",
                "name_key": "",
                "phone_key": "",
            },
            name_fields=("full_name",),
            order=95,
        )
    )
    register(
        Rule(
            "contacts.ContactAddress",
            ("email",),
            by(email=["email"], keys=[("contact", "contact_id")]),
            Erasure.DELETE,
            "Deleted: every address of the person's contact.",
            purpose="Every address one person used (their contact's own, and those of contacts "
            "merged into it), so that access and erasure reach rows held under any of them",
            who_sees="Staff with the personal data export grant",
            retention="As long as the contact",
            order=95,
        )
    )
    register(
        Rule(
            "contacts.NotDuplicate",
            (),
            by(keys=[("contact", "first_id"), ("contact", "second_id")]),
            Erasure.DELETE,
            "Deleted: a decision that two contacts are different people.",
            purpose="Remembering that two contacts a matching rule paired are two people",
            who_sees="Staff with the personal data export grant",
            retention="As long as both contacts",
        )
    )
