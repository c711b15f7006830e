"""What the API keeps of its own: the idempotency keys of creating requests."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone

# How long a key is remembered: a client retrying after a timeout does so within minutes; a day
# covers a batch job run again the next morning by mistake (the IETF draft leaves it to us).
KEEP_FOR = dt.timedelta(hours=24)


def _expiry() -> dt.datetime:
    return timezone.now() + KEEP_FOR


class IdempotencyKey(models.Model):
    """One `Idempotency-Key` a token's owner sent with a creating request, and what it made.

    draft-ietf-httpapi-idempotency-key-header-06: the same key with the same body answers the
    first result again; the same key with a different body is refused (409).
    """

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    operation = models.CharField(max_length=100, help_text="The API operation it was sent to.")
    body_hash = models.CharField("SHA-256 of the request body", max_length=64)
    status = models.PositiveSmallIntegerField()
    response = models.JSONField()
    created = models.DateTimeField(default=timezone.now)
    expires = models.DateTimeField(default=_expiry, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "operation", "key"], name="api_idempotency_key_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.operation} {self.key}"
