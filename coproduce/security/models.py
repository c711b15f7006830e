"""Failed sign-ins (for throttling), emailed unlock links, which sessions belong to which
user (to end them), and the used tokens and counts that limit the public forms (formlimits.py)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class SignInUnlock(models.Model):
    """An unlock link emailed to an account's owner while the account is locked.

    The link carries `nonce`, signed with a purpose and a time (coproduce/security/throttle.py).
    Using it (a POST) stamps `used_at`, once; from then until COPRODUCE_SIGNIN_UNLOCK_MINUTES
    later that browser's attempts for this username count against this row alone, not against
    the locks an attacker's attempts hold.
    """

    username = models.CharField(max_length=150)
    nonce = models.CharField(max_length=32, unique=True)
    created = models.DateTimeField(db_index=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["username", "created"])]

    def __str__(self) -> str:
        return f"unlock link for {self.username} made {self.created:%Y-%m-%d %H:%M}"


class SignInFailure(models.Model):
    """One failed sign-in (or one attempt being checked right now): the username as typed
    (lower-cased), the client's address, and the unlock link it was made under, if any."""

    username = models.CharField(max_length=150)
    ip = models.CharField(max_length=45)
    at = models.DateTimeField(db_index=True)
    unlock = models.ForeignKey(
        SignInUnlock, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        indexes = [
            models.Index(fields=["username", "ip", "at"]),
            models.Index(fields=["ip", "at"], name="security_signinfailure_ip_at"),
        ]

    def __str__(self) -> str:
        return f"{self.username} from {self.ip} at {self.at:%Y-%m-%d %H:%M}"


class UserSession(models.Model):
    """A session started by signing in, so all of a user's sessions can be ended at once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    session_key = models.CharField(max_length=40, unique=True)
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"session of user {self.user_id}"


class FormTokenUse(models.Model):
    """A public form's anti-spam token that has been used (coproduce/security/formlimits.py).

    Kept until the token would have expired anyway; a second use of the same id is refused.
    """

    token_id = models.CharField(max_length=32, primary_key=True)
    expires = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"form token {self.token_id}"


class FormLimitCount(models.Model):
    """How many public-form submissions one client or one mailbox made in one time window.

    `bucket` is a keyed hash (no address is stored); `period_start` is the window's start in
    seconds since the epoch. Incremented by one atomic upsert (formlimits._hit).
    """

    bucket = models.CharField(max_length=80)
    period_start = models.BigIntegerField()
    hits = models.PositiveIntegerField(default=0)
    expires = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["bucket", "period_start"], name="security_formlimit_bucket_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.bucket} x{self.hits} from {self.period_start}"
