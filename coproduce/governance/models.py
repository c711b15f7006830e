"""Governance: panels and committees, protocol versions and their review rounds.

- A **Panel** is one of the collaboration-wide bodies (commissioners' panel, service user and
  carer panel, scientific committee, board) or a study's steering committee. Members have terms
  (`PanelMembership`, dated like the registry's role assignments) and a role.
- A **ProtocolVersion** is an uploaded document (PDF or DOCX, checked by content) stored under a
  generated name outside any web root; it is served only by an access-checked view.
- A **ReviewRound** is one version submitted to one reviewing panel. The chair assigns
  reviewers (`ReviewerAssignment`), who declare conflicts of interest before they see anything,
  then record an `Assessment` against the panel's criteria. The panel's `Recommendation` may
  carry `Condition`s, tracked until met. The chair releases the round to the study team, who
  respond; a new version starts a new round (`previous_round` links them).
- `Assessment` and `Recommendation` carry a `version` counter: every save checks it and bumps
  it in one UPDATE, so a second concurrent save is refused, never silently lost.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from coproduce.lib.urls import reverse_once
from coproduce.registry.models import Dated, Person, Study

# Stages in which a study is running and must meet the governance rules.
ACTIVE_STAGES = (
    Study.Stage.SET_UP,
    Study.Stage.RECRUITING,
    Study.Stage.ANALYSIS,
    Study.Stage.IMPLEMENTING,
)


class Panel(models.Model):
    class Kind(models.TextChoices):
        COMMISSIONERS = "commissioners", "Commissioners' panel"
        SERVICE_USERS = "service_users", "Service user and carer panel"
        SCIENTIFIC = "scientific", "Scientific committee"
        BOARD = "board", "Board"
        STEERING = "steering", "Study steering committee"

    # The panels every protocol must be reviewed by.
    REVIEWING = (Kind.COMMISSIONERS, Kind.SERVICE_USERS, Kind.SCIENTIFIC)

    slug = models.SlugField(max_length=140, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    study = models.ForeignKey(
        Study,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="governance_panels",
        help_text="Only for a study's steering committee.",
    )
    remit = models.TextField(blank=True)

    class Meta:
        ordering = ["kind", "name"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="steering") & Q(study__isnull=False))
                | (~Q(kind="steering") & Q(study__isnull=True)),
                name="governance_panel_study_only_for_steering",
            ),
            models.UniqueConstraint(
                fields=["study"],
                condition=Q(kind="steering"),
                name="governance_one_steering_committee_per_study",
            ),
            models.UniqueConstraint(
                fields=["kind"],
                condition=~Q(kind="steering"),
                name="governance_one_panel_per_kind",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse_once("governance:panel", self.slug)

    @property
    def reviews_protocols(self) -> bool:
        return self.kind in self.REVIEWING


class PanelMembership(Dated):
    class Role(models.TextChoices):
        CHAIR = "chair", "Chair"
        MEMBER = "member", "Member"
        EXTERNAL_REVIEWER = "external_reviewer", "External reviewer"

    class Represents(models.TextChoices):
        SERVICE_USER = "service_user", "Service user"
        CARER = "carer", "Carer"
        COMMISSIONER = "commissioner", "Commissioner"
        PARTNER = "partner", "Partner organisation"
        ACADEMIC = "academic", "Academic"
        CLINICIAN = "clinician", "Clinician or practitioner"
        EXTERNAL_EXPERT = "external_expert", "External expert"
        OTHER = "other", "Other"

    LAY = (Represents.SERVICE_USER, Represents.CARER)

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    panel = models.ForeignKey(Panel, on_delete=models.PROTECT, related_name="memberships")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="panel_memberships")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.MEMBER)
    represents = models.CharField(max_length=20, choices=Represents.choices, blank=True)

    class Meta:
        ordering = ["panel", "role", "person__full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["panel", "person", "start"],
                name="governance_membership_unique_per_start",
                violation_error_message="This person already has a term starting on this date.",
            ),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=F("start")),
                name="governance_membership_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} – {self.get_role_display()} – {self.panel}"


class ProtocolVersion(models.Model):
    class Format(models.TextChoices):
        PDF = "pdf", "PDF"
        DOCX = "docx", "Word document (DOCX)"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    study = models.ForeignKey(Study, on_delete=models.PROTECT, related_name="protocol_versions")
    label = models.CharField("version label", max_length=40, help_text="For example 1.0 or 2.1.")
    summary_of_changes = models.TextField(blank=True)
    # A generated name inside the protocol folder (see uploads.py); never a path from a browser.
    stored_name = models.CharField(max_length=80, unique=True, editable=False)
    original_name = models.CharField(max_length=200, editable=False)
    file_format = models.CharField(max_length=4, choices=Format.choices, editable=False)
    size = models.PositiveIntegerField(editable=False)
    sha256 = models.CharField(max_length=64, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["study", "-uploaded_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["study", "label"],
                name="governance_protocol_label_unique_per_study",
                violation_error_message="This study already has a protocol version with this label.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.study} protocol version {self.label}"

    @property
    def download_name(self) -> str:
        slug = self.study.slug[:60]
        label = "".join(c if c.isalnum() or c in ".-" else "-" for c in self.label)
        return f"{slug}-protocol-{label}.{self.file_format}"


class ReviewRound(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Submitted, in review"
        RECOMMENDED = "recommended", "Recommendation recorded"
        RELEASED = "released", "Released to the study team"
        RESPONDED = "responded", "Study team responded"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    study = models.ForeignKey(Study, on_delete=models.PROTECT, related_name="review_rounds")
    protocol_version = models.ForeignKey(
        ProtocolVersion, on_delete=models.PROTECT, related_name="rounds"
    )
    panel = models.ForeignKey(Panel, on_delete=models.PROTECT, related_name="rounds")
    previous_round = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="next_rounds"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    cover_note = models.TextField(blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    submitted_at = models.DateTimeField()
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    released_at = models.DateTimeField(null=True, blank=True)
    response = models.TextField(blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["protocol_version", "panel"],
                name="governance_one_round_per_version_and_panel",
                violation_error_message="This version has already been submitted to this panel.",
            )
        ]
        indexes = [models.Index(fields=["study", "panel", "-submitted_at"])]

    def __str__(self) -> str:
        return f"{self.panel} review of {self.study} version {self.protocol_version.label}"

    def get_absolute_url(self) -> str:
        return reverse_once("governance:round", self.public_id)

    @property
    def is_released(self) -> bool:
        return self.released_at is not None


class ReviewerAssignment(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    round = models.ForeignKey(ReviewRound, on_delete=models.CASCADE, related_name="assignments")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="review_assignments")
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    assigned_at = models.DateTimeField(auto_now_add=True)
    declared_at = models.DateTimeField(null=True, blank=True)
    has_conflict = models.BooleanField(default=False)
    conflict_details = models.TextField(blank=True)

    class Meta:
        ordering = ["round", "person__full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "person"],
                name="governance_one_assignment_per_reviewer",
                violation_error_message="This person is already a reviewer in this round.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} reviewing {self.round}"

    @property
    def has_declared(self) -> bool:
        return self.declared_at is not None


class Assessment(models.Model):
    assignment = models.OneToOneField(
        ReviewerAssignment, on_delete=models.CASCADE, related_name="assessment"
    )
    # {criterion key: {"rating": "meets" | "partly" | "not_met", "comment": "..."}}
    ratings = models.JSONField(default=dict, blank=True)
    comments = models.TextField("overall comments", blank=True)
    version = models.PositiveIntegerField(default=0)
    submitted_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Assessment by {self.assignment.person}"

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None


class Recommendation(models.Model):
    class Decision(models.TextChoices):
        APPROVE = "approve", "Approve"
        APPROVE_WITH_CONDITIONS = "approve_with_conditions", "Approve with conditions"
        REVISE = "revise_and_resubmit", "Revise and resubmit"
        NOT_SUPPORTED = "not_supported", "Not supported"

    round = models.OneToOneField(
        ReviewRound, on_delete=models.CASCADE, related_name="recommendation"
    )
    decision = models.CharField(max_length=30, choices=Decision.choices, blank=True)
    rationale = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=0)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Recommendation for {self.round}"


class Condition(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    round = models.ForeignKey(ReviewRound, on_delete=models.CASCADE, related_name="conditions")
    position = models.PositiveSmallIntegerField(default=0)
    text = models.TextField()
    met_at = models.DateTimeField(null=True, blank=True)
    met_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    met_note = models.TextField(blank=True)

    class Meta:
        ordering = ["round", "position", "id"]
        indexes = [models.Index(fields=["met_at"])]

    def __str__(self) -> str:
        return self.text[:120]


class AnnualReview(models.Model):
    """When a study's methodology is next due for the scientific committee's annual review."""

    study = models.OneToOneField(Study, on_delete=models.CASCADE, related_name="annual_review")
    next_due = models.DateField(db_index=True)
    last_reviewed = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["next_due"]

    def __str__(self) -> str:
        return f"Annual scientific review of {self.study}, due {self.next_due:%d %B %Y}"
