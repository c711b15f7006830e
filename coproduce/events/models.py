"""Events and bookings: capacity, waitlist with automatic promotion, attendance."""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone

from coproduce.community.models import Associate, CommunityOfPractice
from coproduce.lib.urls import reverse_once


class Event(models.Model):
    class Kind(models.TextChoices):
        CONFERENCE = "conference", "Annual conference"
        ROADSHOW = "roadshow", "Roadshow"
        SEMINAR = "seminar", "Seminar"
        COP_MEETING = "cop_meeting", "Community of practice meeting"
        STAKEHOLDER = "stakeholder", "Stakeholder event"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft (not public)"
        PUBLISHED = "published", "Published"
        CANCELLED = "cancelled", "Cancelled"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    slug = models.SlugField(max_length=120, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=300, blank=True)
    description = models.TextField(blank=True)
    starts = models.DateTimeField(db_index=True)
    ends = models.DateTimeField()
    venue = models.CharField(max_length=200, blank=True)
    address = models.TextField(blank=True)
    online_url = models.URLField(blank=True)
    capacity = models.PositiveIntegerField(
        null=True, blank=True, help_text="Leave empty for no limit."
    )
    cop = models.ForeignKey(
        CommunityOfPractice,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PUBLISHED, db_index=True
    )
    reminder_hours_before = models.PositiveIntegerField(default=48)
    # iCalendar SEQUENCE: raised by every staff change, so subscribed calendars take the update.
    sequence = models.PositiveIntegerField(default=0, editable=False)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends__gte=models.F("starts")), name="event_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse_once("events:detail", self.slug)

    def ical_url(self) -> str:
        return reverse_once("events:ical", self.slug)

    @property
    def is_public(self) -> bool:
        return self.status != self.Status.DRAFT

    def has_started(self, now: dt.datetime | None = None) -> bool:
        return self.starts <= (now or timezone.now())

    def has_ended(self, now: dt.datetime | None = None) -> bool:
        return self.ends < (now or timezone.now())

    def is_bookable(self, now: dt.datetime | None = None) -> bool:
        return self.status == self.Status.PUBLISHED and not self.has_started(now)

    def places_left(self, confirmed: int) -> int | None:
        """Places still free given `confirmed` bookings; None when there is no limit."""
        if self.capacity is None:
            return None
        return max(self.capacity - confirmed, 0)

    @property
    def location_text(self) -> str:
        """Where, on one line: venue and address, and/or online."""
        parts = [
            self.venue,
            ", ".join(line.strip() for line in self.address.splitlines() if line.strip()),
        ]
        place = ", ".join(p for p in parts if p)
        if self.online_url:
            return f"{place} and online" if place else "Online"
        return place


class Booking(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", "Place confirmed"
        WAITLISTED = "waitlisted", "On the waiting list"
        CANCELLED = "cancelled", "Cancelled"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="bookings")
    associate = models.ForeignKey(
        Associate, null=True, blank=True, on_delete=models.SET_NULL, related_name="bookings"
    )
    full_name = models.CharField(max_length=200)
    email = models.EmailField()
    access_needs = models.TextField(blank=True)
    # The person's one contact across every role (coproduce/contacts/roles.py attaches it).
    contact = models.ForeignKey(
        "contacts.Contact",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    status = models.CharField(max_length=10, choices=Status.choices)
    created = models.DateTimeField(default=timezone.now)
    promoted_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    attended = models.BooleanField(null=True, blank=True)
    # Set when the reminder is queued (or when the booking is made inside the reminder window,
    # where the confirmation already says everything), so each clock tick reads only the rest.
    reminder_queued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created", "id"]
        indexes = [models.Index(fields=["event", "status", "created"], name="booking_event_status")]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "email"],
                condition=~Q(status="cancelled"),
                name="one_live_booking_per_email",
            )
        ]

    def __str__(self) -> str:
        return f"{self.full_name} at {self.event}"

    @property
    def audit_label(self) -> str:
        """Audit entries name a booking without the person's name: the log outlives erasure."""
        return f"Booking {self.public_id}"

    @property
    def is_live(self) -> bool:
        return self.status != self.Status.CANCELLED
