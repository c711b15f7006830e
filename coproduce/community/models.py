"""Communities of practice, associates, memberships and consent.

Consent is exact: every grant and withdrawal is an append-only ConsentRecord naming the version
and hash of the wording the person saw. The associate row carries the *current* state of each
channel as a cache of the latest record, written in the same transaction, so that audience and
directory queries over 200k associates need no per-row subquery.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from coproduce.lib.appendonly import AppendOnlyModel, AppendOnlyQuerySet
from coproduce.lib.identifiers import normalise_email
from coproduce.lib.urls import reverse_once
from coproduce.registry.models import Dated, Person, Study, Theme


class Channel(models.TextChoices):
    ENGAGE = "engage", "Engage newsletter (twice a year)"
    BRIEFING = "briefing", "Monthly briefing"
    EVENTS = "events", "Invitations to events"


class ConsentWording(models.Model):
    """The exact words shown when asking for consent on a channel. New words, new version."""

    channel = models.CharField(max_length=20, choices=Channel.choices)
    version = models.PositiveIntegerField()
    text = models.TextField()
    sha256 = models.CharField(max_length=64, editable=False)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["channel", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["channel", "version"], name="consent_wording_version")
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} v{self.version}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValidationError("Consent wording is never edited: publish a new version.")
        self.sha256 = hashlib.sha256(self.text.encode("utf-8")).hexdigest()
        super().save(*args, **kwargs)

    @classmethod
    def current(cls, channel: str) -> ConsentWording:
        wording = cls.objects.filter(channel=channel).order_by("-version").first()
        if wording is None:
            raise ConsentWording.DoesNotExist(f"No consent wording for channel {channel!r}")
        return wording

    @classmethod
    def publish(cls, channel: str, text: str) -> ConsentWording:
        """The current wording if the text is unchanged, otherwise a new version."""
        latest = cls.objects.filter(channel=channel).order_by("-version").first()
        if latest and latest.text == text:
            return latest
        return cls.objects.create(
            channel=channel, version=(latest.version + 1 if latest else 1), text=text
        )


class CommunityOfPractice(models.Model):
    class Leadership(models.TextChoices):
        STAFF_LED = "staff_led", "Staff-led"
        CO_LED = "co_led", "Co-led by staff and members"
        MEMBER_LED = "member_led", "Member-led"

    slug = models.SlugField(max_length=120, unique=True)
    name = models.CharField(max_length=300)
    study = models.OneToOneField(
        Study, on_delete=models.PROTECT, null=True, blank=True, related_name="community"
    )
    theme = models.ForeignKey(
        Theme,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="communities",
        help_text="For a theme-wide community; leave empty for a study's community.",
    )
    purpose = models.TextField(blank=True)
    ground_rules = models.TextField(blank=True)
    founded = models.DateField(null=True, blank=True)
    # Current leadership model: a cache of the latest LeadershipPeriod, kept in step by
    # LeadershipPeriod.save so lists need no subquery.
    leadership = models.CharField(
        max_length=20, choices=Leadership.choices, default=Leadership.STAFF_LED, editable=False
    )
    member_count = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = "community of practice"
        verbose_name_plural = "communities of practice"
        constraints = [
            models.CheckConstraint(
                condition=(Q(study__isnull=False) & Q(theme__isnull=True))
                | (Q(study__isnull=True) & Q(theme__isnull=False)),
                name="cop_for_study_or_theme",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse_once("community:cop", self.slug)

    def refresh_member_count(self) -> None:
        count = self.memberships.filter(
            left__isnull=True, associate__status=Associate.Status.ACTIVE
        ).count()
        CommunityOfPractice.objects.filter(pk=self.pk).update(member_count=count)
        self.member_count = count


class LeadershipPeriod(Dated):
    """How a community was led from `start`: the move from staff-led to member-led, as history."""

    cop = models.ForeignKey(
        CommunityOfPractice, on_delete=models.CASCADE, related_name="leadership_periods"
    )
    model = models.CharField(max_length=20, choices=CommunityOfPractice.Leadership.choices)
    leads = models.CharField(
        max_length=300, blank=True, help_text="Who leads, as it should appear on the public page."
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["cop", "start"]

    def __str__(self) -> str:
        return f"{self.cop}: {self.get_model_display()} from {self.start:%B %Y}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        latest = self.cop.leadership_periods.order_by("-start", "-pk").first()
        if latest is not None:
            CommunityOfPractice.objects.filter(pk=self.cop_id).update(leadership=latest.model)


class AssociateQuerySet(models.QuerySet["Associate"]):
    def active(self) -> AssociateQuerySet:
        return self.filter(status=Associate.Status.ACTIVE)

    def consenting(self, channel: str) -> AssociateQuerySet:
        """Confirmed associates whose current consent on the channel is granted."""
        return self.active().filter(**{f"consent_{channel}": True})

    def search(self, text: str) -> AssociateQuerySet:
        text = text.strip()
        if not text:
            return self
        if "@" in text:
            return self.filter(email__startswith=normalise_email(text))
        return self.filter(Q(full_name__icontains=text) | Q(organisation__icontains=text))


class Associate(models.Model):
    class Role(models.TextChoices):
        CLINICIAN = "clinician", "Clinician"
        MANAGER = "manager", "Manager"
        COMMISSIONER = "commissioner", "Commissioner"
        RESEARCHER = "researcher", "Researcher"
        SERVICE_USER = "service_user", "Service user"
        CARER = "carer", "Carer"
        PUBLIC = "public", "Member of the public"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for email confirmation"
        ACTIVE = "active", "Active"
        ERASED = "erased", "Erased"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    full_name = models.CharField(max_length=200)
    # NULL once erased; the unique index ignores NULLs.
    email = models.EmailField(null=True, blank=True)  # noqa: DJ001
    # The person's one contact across every role (coproduce/contacts/roles.py attaches it).
    contact = models.ForeignKey(
        "contacts.Contact",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    organisation = models.CharField(max_length=200, blank=True)
    role = models.CharField(max_length=20, choices=Role.choices)
    interests = models.ManyToManyField(Theme, blank=True, related_name="interested_associates")
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    joined = models.DateTimeField(default=timezone.now, db_index=True)
    confirmed = models.DateTimeField(null=True, blank=True)
    erased = models.DateTimeField(null=True, blank=True)
    # Current consent per channel: a cache of the latest ConsentRecord (see module docstring).
    consent_engage = models.BooleanField(default=False, editable=False)
    consent_briefing = models.BooleanField(default=False, editable=False)
    consent_events = models.BooleanField(default=False, editable=False)
    # Bumped to invalidate every self-service link issued before (e.g. after erasure).
    link_version = models.PositiveIntegerField(default=1, editable=False)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Set when this record was merged into another (a duplicate).",
    )

    objects = AssociateQuerySet.as_manager()

    class Meta:
        ordering = ["full_name"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"), condition=Q(email__isnull=False), name="associate_email_unique_ci"
            )
        ]
        indexes = [
            models.Index(fields=["status", "full_name"]),
            models.Index(fields=["role", "status"]),
        ]

    def __str__(self) -> str:
        return self.full_name or f"Erased associate {self.public_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.email = normalise_email(self.email) or None
        super().save(*args, **kwargs)

    @property
    def audit_label(self) -> str:
        """How audit entries name an associate: never by name, since entries outlive erasure."""
        return f"Associate {self.public_id}"

    def consents(self) -> dict[str, bool]:
        return {channel: getattr(self, f"consent_{channel}") for channel in Channel.values}


class Membership(models.Model):
    """An associate's belonging to a community; leaving keeps the row with `left` set."""

    associate = models.ForeignKey(Associate, on_delete=models.CASCADE, related_name="memberships")
    cop = models.ForeignKey(
        CommunityOfPractice, on_delete=models.CASCADE, related_name="memberships"
    )
    joined = models.DateTimeField(default=timezone.now)
    left = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["cop", "joined"]
        constraints = [
            models.UniqueConstraint(
                fields=["associate", "cop"],
                condition=Q(left__isnull=True),
                name="one_current_membership",
            )
        ]
        indexes = [models.Index(fields=["cop", "left"])]

    def __str__(self) -> str:
        return f"{self.associate} in {self.cop}"


class ConsentRecord(AppendOnlyModel):
    """One grant or withdrawal of consent on one channel. Never changed, never deleted."""

    class Method(models.TextChoices):
        FORM = "form", "Registration form"
        CONFIRMATION = "confirmation", "Confirmation link"
        PREFERENCES = "preferences", "Preferences page"
        IMPORT = "import", "Import"
        STAFF = "staff", "Staff, on request"
        UNSUBSCRIBE = "unsubscribe", "Unsubscribe link"
        ERASURE = "erasure", "Erasure"

    associate = models.ForeignKey(
        Associate, on_delete=models.PROTECT, related_name="consent_records"
    )
    channel = models.CharField(max_length=20, choices=Channel.choices)
    granted = models.BooleanField()
    at = models.DateTimeField(default=timezone.now)
    method = models.CharField(max_length=20, choices=Method.choices)
    wording = models.ForeignKey(
        ConsentWording, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    wording_version = models.PositiveIntegerField(null=True, blank=True)
    wording_sha256 = models.CharField(max_length=64, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["associate", "channel", "at"])]

    def __str__(self) -> str:
        verb = "granted" if self.granted else "withdrew"
        return f"{self.associate} {verb} {self.channel} ({self.method}) {self.at:%Y-%m-%d}"

    objects = AppendOnlyQuerySet.as_manager()

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.wording is not None:
            self.wording_version = self.wording.version
            self.wording_sha256 = self.wording.sha256
        super().save(*args, **kwargs)


def address_hash(email: str) -> str:
    """A keyed hash of a normalised address: lets us suppress it without keeping it."""
    key = hashlib.sha256(f"coproduce.suppression:{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(key, normalise_email(email).encode("utf-8"), hashlib.sha256).hexdigest()


class SuppressedAddress(models.Model):
    """Addresses that must never be sent to again, kept only as keyed hashes."""

    address_sha256 = models.CharField(max_length=64, unique=True)
    reason = models.CharField(max_length=50)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "suppressed addresses"

    def __str__(self) -> str:
        return f"Suppressed ({self.reason}) {self.at:%Y-%m-%d}"

    @classmethod
    def is_suppressed(cls, email: str) -> bool:
        return cls.objects.filter(address_sha256=address_hash(email)).exists()


class Activity(models.Model):
    """Something a community did, classified by the four characteristics of a CoP."""

    class Characteristic(models.TextChoices):
        SOCIAL_INTERACTION = "social_interaction", "Social interaction"
        KNOWLEDGE_SHARING = "knowledge_sharing", "Knowledge sharing"
        KNOWLEDGE_CREATION = "knowledge_creation", "Knowledge creation"
        IDENTITY_BUILDING = "identity_building", "Identity building"

    class LedBy(models.TextChoices):
        MEMBER = "member", "A member"
        STAFF = "staff", "Staff"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    cop = models.ForeignKey(
        CommunityOfPractice, on_delete=models.CASCADE, related_name="activities"
    )
    date = models.DateField(db_index=True)
    title = models.CharField(max_length=300)
    characteristic = models.CharField(max_length=30, choices=Characteristic.choices)
    description = models.TextField(blank=True)
    attendee_count = models.PositiveIntegerField(default=0)
    attendees = models.ManyToManyField(Associate, blank=True, related_name="activities")
    outputs = models.TextField(
        blank=True, help_text="For example a pro forma, or a service-user-run follow-on group."
    )
    led_by = models.CharField(max_length=10, choices=LedBy.choices)
    lead_person = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-date"]
        verbose_name_plural = "activities"
        indexes = [models.Index(fields=["cop", "date"])]

    def __str__(self) -> str:
        return f"{self.title} ({self.date:%d %B %Y})"

    @property
    def is_upcoming(self) -> bool:
        return self.date >= timezone.localdate()


def quarter_of(day: dt.date) -> str:
    return f"{day.year} Q{(day.month - 1) // 3 + 1}"


class Registration(models.Model):
    """A join-form submission waiting for its emailed confirmation link to be used.

    Nothing on an existing associate changes until then, so that typing someone else's address
    into the form can neither reveal nor alter anything about them.
    """

    token_sha256 = models.CharField(max_length=64, unique=True)
    email = models.EmailField(db_index=True)
    payload = models.JSONField(help_text="The form's cleaned answers, incl. wording ids shown.")
    created = models.DateTimeField(default=timezone.now, db_index=True)
    confirmed = models.DateTimeField(null=True, blank=True)
    associate = models.ForeignKey(
        Associate, on_delete=models.CASCADE, null=True, blank=True, related_name="registrations"
    )

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"Registration {self.created:%Y-%m-%d %H:%M}"
