"""Failed sign-ins (for throttling) and which sessions belong to which user (to end them)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class SignInFailure(models.Model):
    """One failed sign-in: the username as typed (lower-cased) and the client's address."""

    username = models.CharField(max_length=150)
    ip = models.CharField(max_length=45)
    at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [models.Index(fields=["username", "ip", "at"])]

    def __str__(self) -> str:
        return f"{self.username} from {self.ip} at {self.at:%Y-%m-%d %H:%M}"


class UserSession(models.Model):
    """A session started by signing in, so all of a user's sessions can be ended at once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    session_key = models.CharField(max_length=40, unique=True)
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"session of user {self.user_id}"
