"""Staff API tokens: credentials that a program presents, checked by the API and by the bounce
endpoint in comms (bearer.py), so they sit in the base, below every app that checks one. The
table keeps the name it had when tokens belonged to the api app (`api_apitoken`).

Only a SHA-256 hash of each token is stored, so a copy of the database cannot be used to call
the API. The first characters of the token (the prefix) are kept in clear: they let the owner
tell their tokens apart in a list, and let the API find the one row to check in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

# "cp_" marks a coproduce token in logs and secret scanners; 8 more characters (48 random bits)
# make the prefix unique in practice, and the remaining 35 stay secret.
TOKEN_MARK = "cp_"  # noqa: S105 - a public marker, not a secret
PREFIX_LENGTH = len(TOKEN_MARK) + 8


# The parts of the API a token may be limited to (the API's router tags). An empty list on a
# token means every area.
AREAS: dict[str, str] = {
    "registry": "Themes, studies, organisations and people",
    "community": "Communities of practice and associates",
    "governance": "Governance panels and review rounds",
    "events": "Events and bookings",
    "implementation": "Implementation records, barriers, recommendations, measures and outputs",
    "coproduction": "Co-production compromises and involvement",
    "priorities": "Priority-setting consultations and indicative questions",
    "funding": "Funding, matched funding, fellows' posts and training",
    "qualitative": "Qualitative projects, codebooks and codings",
    "contacts": "Contacts: one record per person, across their roles",
}


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def active(self) -> ApiTokenQuerySet:
        return self.filter(revoked__isnull=True)

    def issue(
        self,
        owner: Any,
        name: str,
        *,
        access: str = "read",
        areas: list[str] | None = None,
        expires: Any = None,
    ) -> tuple[ApiToken, str]:
        """Create a token; returns the row and the secret, which is never stored or shown again."""
        while True:
            secret = TOKEN_MARK + secrets.token_urlsafe(32)
            prefix = secret[:PREFIX_LENGTH]
            if not self.filter(prefix=prefix).exists():
                break
        token = self.create(
            owner=owner,
            name=name,
            prefix=prefix,
            hashed=hash_token(secret),
            access=access,
            areas=sorted(areas or []),
            expires=expires,
        )
        return token, secret

    def find(self, secret: str) -> ApiToken | None:
        """The token row whose hash matches `secret`, revoked or not; None if there is none."""
        if not secret.startswith(TOKEN_MARK) or len(secret) <= PREFIX_LENGTH:
            return None
        token = self.filter(prefix=secret[:PREFIX_LENGTH]).select_related("owner").first()
        if token is None or not hmac.compare_digest(token.hashed, hash_token(secret)):
            return None
        return token


class ApiToken(models.Model):
    class Access(models.TextChoices):
        READ = "read", "Read only"
        WRITE = "write", "Read and write"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=100, help_text="What the token is for.")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    prefix = models.CharField(max_length=PREFIX_LENGTH, unique=True, editable=False)
    hashed = models.CharField("SHA-256 of the token", max_length=64, editable=False)
    created = models.DateTimeField(default=timezone.now, editable=False)
    last_used = models.DateTimeField(null=True, blank=True, editable=False)
    revoked = models.DateTimeField(null=True, blank=True, editable=False)
    access = models.CharField(max_length=5, choices=Access.choices, default=Access.READ)
    areas = models.JSONField(
        default=list, blank=True, help_text="The API areas it may use; empty means all."
    )
    expires = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        db_table = "api_apitoken"
        ordering = ["-created", "-id"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked is None and not self.is_expired

    @property
    def is_expired(self) -> bool:
        return self.expires is not None and self.expires <= timezone.now()

    def allows(self, area: str, *, write: bool) -> bool:
        """May this token be used on `area`, for a write when `write`?"""
        if write and self.access != self.Access.WRITE:
            return False
        return not self.areas or area in self.areas

    def describe_scope(self) -> str:
        where = ", ".join(AREAS.get(a, a) for a in self.areas) if self.areas else "every area"
        return f"{self.get_access_display()}: {where}"

    def revoke(self) -> bool:
        """Revoke once; returns False if it was revoked already (so nothing is audited twice)."""
        now = timezone.now()
        changed = ApiToken.objects.filter(pk=self.pk, revoked__isnull=True).update(revoked=now)
        if changed:
            self.revoked = now
        return bool(changed)

    def touch(self, *, every_seconds: int = 60) -> None:
        """Record use, at most once a minute: a write per API call would contend on SQLite."""
        now = timezone.now()
        if self.last_used is None or (now - self.last_used).total_seconds() >= every_seconds:
            ApiToken.objects.filter(pk=self.pk).update(last_used=now)
            self.last_used = now
