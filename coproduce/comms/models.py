"""Mailings to associates and the outbox that delivers every email exactly once.

A `Mailing` is what staff compose: a kind, a subject, a Markdown body and an audience (CoPs,
themes, roles), always intersected with the consent of the mailing's channel and minus
suppressed addresses. Sending writes one `OutboxMessage` per recipient, in the same transaction
that marks the mailing as sending; the worker dispatches the rows (see `outbox.py`).

Other apps (events, governance, ...) queue single messages through `outbox.queue_message`; those
rows carry their rendered subject and bodies, while mailing rows are rendered at send time from
the mailing and the associate (so 200k rows do not hold 200k copies of the newsletter).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from coproduce.community.models import Associate, Channel, CommunityOfPractice
from coproduce.lib.urls import reverse_once
from coproduce.registry.models import Theme


class Mailing(models.Model):
    class Kind(models.TextChoices):
        ENGAGE = "engage", "Engage newsletter"
        BRIEFING = "briefing", "Monthly briefing"
        EVENT_INVITATION = "event_invitation", "Event invitation"
        ANNOUNCEMENT = "announcement", "Announcement"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SCHEDULED = "scheduled", "Scheduled"
        SENDING = "sending", "Sending"
        PAUSED = "paused", "Paused"
        SENT = "sent", "Sent"
        CANCELLED = "cancelled", "Cancelled"

    # The consent channel each kind needs. An announcement names its channel (`channel`).
    KIND_CHANNEL = {
        Kind.ENGAGE: Channel.ENGAGE,
        Kind.BRIEFING: Channel.BRIEFING,
        Kind.EVENT_INVITATION: Channel.EVENTS,
    }
    # Kinds that become public pages under /news/ once sent.
    ARCHIVED_KINDS = (Kind.ENGAGE, Kind.BRIEFING)

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    slug = models.SlugField(max_length=120, unique=True, null=True, blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    channel = models.CharField(
        max_length=20,
        choices=Channel.choices,
        help_text="The consent an associate must have given to receive this mailing.",
    )
    subject = models.CharField(max_length=200)
    summary = models.CharField(
        max_length=300, blank=True, help_text="One or two sentences shown in the archive."
    )
    body = models.TextField(help_text="Markdown.")
    # Audience: empty means "everyone consenting on the channel".
    cops = models.ManyToManyField(CommunityOfPractice, blank=True, related_name="mailings")
    themes = models.ManyToManyField(Theme, blank=True, related_name="mailings")
    roles = models.JSONField(default=list, blank=True)
    # Optional link to an event (for invitations); a string reference keeps comms independent.
    event = models.ForeignKey(
        "events.Event", null=True, blank=True, on_delete=models.SET_NULL, related_name="mailings"
    )
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    scheduled_for = models.DateTimeField(null=True, blank=True)
    recipient_count = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return self.subject

    def get_absolute_url(self) -> str:
        return reverse_once("comms_staff:detail", self.public_id)

    @property
    def is_archived_kind(self) -> bool:
        return self.kind in self.ARCHIVED_KINDS

    @property
    def editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.SCHEDULED)


class OutboxMessage(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting"
        SENDING = "sending", "Being sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    # One row per mailing and recipient ("m<mailing>:a<associate>"), or per purpose for single
    # messages ("event-reminder:<booking>"); the unique key makes queueing idempotent.
    key = models.CharField(max_length=120, unique=True)
    mailing = models.ForeignKey(
        Mailing, null=True, blank=True, on_delete=models.CASCADE, related_name="outbox"
    )
    associate = models.ForeignKey(
        Associate, null=True, blank=True, on_delete=models.SET_NULL, related_name="outbox"
    )
    to_email = models.CharField(max_length=254)
    # The consent channel the message depends on; blank for service messages (a booking
    # confirmation) that the recipient asked for.
    channel = models.CharField(max_length=20, choices=Channel.choices, blank=True)
    # Single messages carry their content; mailing rows are rendered from the mailing.
    subject = models.CharField(max_length=200, blank=True)
    body_text = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_by = models.CharField(max_length=100, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        indexes = [
            # The dispatcher's claim: due rows in id order.
            models.Index(
                fields=["next_attempt_at", "id"],
                name="outbox_due",
                condition=Q(status="queued"),
            ),
            models.Index(fields=["mailing", "status"], name="outbox_mailing_status"),
            models.Index(fields=["status", "lease_until"], name="outbox_lease"),
            models.Index(fields=["associate", "channel", "status"], name="outbox_recipient"),
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.status})"

    @staticmethod
    def mailing_key(mailing_id: int, associate_id: int) -> str:
        return f"m{mailing_id}:a{associate_id}"


class DeliveryProblem(models.Model):
    """A bounce or complaint about an address, from a DSN (RFC 3464) read from a mailbox or
    posted by the relay. Permanent (5.x.x) problems suppress the address at once; temporary
    (4.x.x) ones count toward `COPRODUCE_SOFT_BOUNCE_LIMIT`."""

    class Kind(models.TextChoices):
        PERMANENT = "permanent", "Permanent failure (5.x.x)"
        TEMPORARY = "temporary", "Temporary failure (4.x.x)"

    address_sha256 = models.CharField(max_length=64, db_index=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    status_code = models.CharField(max_length=12)
    diagnostic = models.CharField(max_length=500, blank=True)
    message_id = models.CharField(max_length=300, blank=True)
    source = models.CharField(max_length=20)  # "maildir", "mbox", "relay"
    at = models.DateTimeField(default=timezone.now)
    outbox = models.ForeignKey(
        OutboxMessage, null=True, blank=True, on_delete=models.SET_NULL, related_name="problems"
    )

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.status_code} {self.kind}"
