"""One contact per person: every role a person has (sign-in account, person in the registry,
associate, involvement contributor, source participant, booker, enquirer, identified respondent)
points at one `Contact` (roles.py says which models, and attaches new rows on save).

A contact has one primary address (`Contact.email`, what the rest of the code reads) and may
have more (`ContactAddress`: the primary one, and those of contacts merged into it), so that
access and erasure reach rows held under any address the person used."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


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

    class Meta:
        ordering = ["full_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["email"], condition=~Q(email=""), name="contact_email_unique"
            )
        ]
        indexes = [models.Index(fields=["phone"], name="contact_phone")]

    def __str__(self) -> str:
        return self.full_name or self.email or f"Contact {self.public_id}"

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

    class Meta:
        ordering = ["contact", "added", "pk"]
        verbose_name = "contact address"
        verbose_name_plural = "contact addresses"

    def __str__(self) -> str:
        return self.email


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
