"""One contact per person: every role a person has (sign-in account, person in the registry,
associate, involvement contributor, source participant, booker, enquirer, identified respondent)
points at one `Contact` (roles.py says which models, and attaches new rows on save).

A contact has one primary address (`Contact.email`, what the rest of the code reads) and may
have more (`ContactAddress`: the primary one, and those of contacts merged into it), so that
access and erasure reach rows held under any address the person used."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from coproduce.contacts import keys


class Contact(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    full_name = models.CharField(max_length=200, blank=True)
    # Normalised (`lib.identifiers.normalise_email`): trimmed, lower case. Blank when the
    # person's roles hold no address; unique otherwise (one contact per address).
    email = models.CharField(max_length=254, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    organisation = models.CharField(max_length=200, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contact",
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    # Match keys for the duplicate rules (keys.py; matching.py groups by them): the plain name
    # "|" plain organisation (both given), and the phone's digits. Computed on save(); every
    # write bypassing save() sets them too (`keys.set_keys`, `keys.contact_keys`).
    name_key = models.CharField(max_length=keys.NAME_KEY_LENGTH, blank=True, editable=False)
    phone_key = models.CharField(max_length=keys.PHONE_KEY_LENGTH, blank=True, editable=False)

    class Meta:
        ordering = ["full_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["email"], condition=~Q(email=""), name="contact_email_unique"
            )
        ]
        indexes = [
            models.Index(fields=["phone"], name="contact_phone"),
            models.Index(fields=["name_key"], name="contact_name_key"),
            models.Index(fields=["phone_key"], name="contact_phone_key"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email or f"Contact {self.public_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        keys.set_keys(self)
        fields = kwargs.get("update_fields")
        if fields is not None and set(fields) & set(keys.SOURCE_FIELDS):
            kwargs["update_fields"] = {*fields, *keys.KEY_FIELDS}
        super().save(*args, **kwargs)

    @property
    def audit_label(self) -> str:
        """How audit entries name it: by public id only (they must hold no personal data)."""
        return f"contact {self.public_id}"


class ContactAddress(models.Model):
    """One address of a contact: its primary one (`Contact.email`) and every address of a
    contact merged into it. An address belongs to one contact (normalised, unique)."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="addresses")
    # Normalised (`lib.identifiers.normalise_email`): trimmed, lower case.
    email = models.CharField(max_length=254, unique=True)
    added = models.DateTimeField(default=timezone.now)
    # How the contact came to hold it: "first address", "merged from contact <public id>".
    how = models.CharField(max_length=200, blank=True)
    # The mailbox it reaches (`keys.address_key`), for the "mailbox" duplicate rule.
    mailbox_key = models.CharField(
        max_length=keys.MAILBOX_KEY_LENGTH, blank=True, db_index=True, editable=False
    )

    class Meta:
        ordering = ["contact", "added", "pk"]
        indexes = [
            # The few addresses not spelled as their mailbox key (a plus tag, Gmail dots): every
            # shared mailbox has one (matching.py reads these first).
            models.Index(
                fields=["mailbox_key"],
                condition=~Q(email=models.F("mailbox_key")),
                name="address_mailbox_variant",
            )
        ]
        verbose_name = "contact address"
        verbose_name_plural = "contact addresses"

    def __str__(self) -> str:
        return self.email

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.mailbox_key = keys.address_key(self.email)
        fields = kwargs.get("update_fields")
        if fields is not None and "email" in fields:
            kwargs["update_fields"] = {*fields, "mailbox_key"}
        super().save(*args, **kwargs)


class NotDuplicate(models.Model):
    """A stored decision: staff looked at two contacts a matching rule paired and found two
    people. The review queue leaves the pair out from then on. `first_id` < `second_id`."""

    first = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="not_duplicate_once")
        ]

    def __str__(self) -> str:
        return f"Contacts {self.first_id} and {self.second_id} are two people"
