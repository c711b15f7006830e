"""Enquiries sent through the public contact form."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class Enquiry(models.Model):
    class Status(models.TextChoices):
        NEW = "new", "New"
        ANSWERED = "answered", "Answered"
        CLOSED = "closed", "Closed without reply"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    received = models.DateTimeField(auto_now_add=True, db_index=True)
    name = models.CharField(max_length=200)
    email = models.EmailField()
    organisation = models.CharField(max_length=200, blank=True)
    # The person's one contact across every role (coproduce/contacts/roles.py attaches it).
    contact = models.ForeignKey(
        "contacts.Contact",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    message = models.TextField(max_length=5000)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-received"]
        verbose_name_plural = "enquiries"

    def __str__(self) -> str:
        return f"Enquiry from {self.name} on {self.received:%d %B %Y}"
