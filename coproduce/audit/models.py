"""Append-only audit log of state changes and of sensitive reads (log.record_read)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from coproduce.lib.appendonly import AppendOnlyError, AppendOnlyModel, AppendOnlyQuerySet

__all__ = ["READ_VERBS", "AppendOnlyError", "AuditEntry"]


# The last part of the action of an entry that records a read, not a change (log.record_read).
READ_VERBS = ("viewed", "downloaded", "exported")


class AuditQuerySet(AppendOnlyQuerySet):
    def for_object(self, obj: models.Model) -> AuditQuerySet:
        return self.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))

    def reads(self) -> AuditQuerySet:
        """Entries recording that someone read or exported data."""
        return self.filter(_is_read())

    def changes(self) -> AuditQuerySet:
        """Entries recording a change (everything but reads)."""
        return self.exclude(_is_read())


def _is_read() -> models.Q:
    where = models.Q()
    for verb in READ_VERBS:
        where |= models.Q(action__endswith=f".{verb}")
    return where


class AuditEntry(AppendOnlyModel):
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Kept apart from the user row so the entry still says who acted if the account goes.
    actor_label = models.CharField(max_length=200, blank=True)
    action = models.CharField(
        max_length=100, db_index=True, help_text="Like registry.study.updated"
    )
    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=300)
    changes = models.JSONField(default=dict, blank=True, help_text="Field name to [before, after].")
    via = models.CharField(max_length=20, default="staff", help_text="staff, api, command")
    # Erasure replaced a person's details here (audit/personal_data.py; migration 0003).
    redacted = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When erasure last replaced a person's details in this entry.",
    )

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id", "-at"])]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"
