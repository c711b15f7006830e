"""What the contacts app holds about a person (the personal-data register's rules,
`coproduce/lib/personaldata.py`), declared from ContactsConfig.ready."""

from __future__ import annotations

from coproduce.lib.personaldata import Erasure, Rule, by, register, register_key


def _contacts(email: str) -> list[int]:
    from coproduce.contacts.models import Contact

    return list(Contact.objects.filter(email=email).values_list("pk", flat=True))


def declare() -> None:
    register_key("contact", _contacts)
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
            blank={"full_name": "Erased contact", "email": "", "phone": "", "organisation": ""},
            name_fields=("full_name",),
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
