"""Co-production records: what makes the CLAHRC model work, written down.

- **BrokerActivity**: a diffusion fellow's or researcher in residence's knowledge-broker work,
  against a secondment (whose FTE gives the expected time) or a placement.
- **Compromise** and its **CompromisePosition** rows: the give-and-take of co-production.
- **Source** (meeting record, document, email message), **Participant** (with research-use
  consent), **Attachment**: the material compromises are recorded from.
- **JournalEntry** and **JournalSupervisor**: a researcher in residence's private journal.
- **ReflexiveDialogue**: critical dialogues between partners.
- **PaymentRate**, **Contributor**, **InvolvementActivity**: the public involvement ledger.
- **Gripp2Report**: a study's GRIPP2 report of public involvement.

Multi-valued tags (journal challenges, dialogue challenges and enablers) are JSON lists of
choice values: they are read per record or per placement, never filtered on in SQL.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from coproduce.lib.identifiers import normalise_email
from coproduce.registry.models import Person, Placement, Secondment, Study

HOURS_PER_DAY = Decimal("7.5")  # one working day, for turning logged hours into days


class Stamped(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


# --- knowledge-broker activity -----------------------------------------------------------------


class BrokerActivity(Stamped):
    class Direction(models.TextChoices):
        INWARD = "inward", "Inward (into the study)"
        OUTWARD = "outward", "Outward (into practice)"

    class Kind(models.TextChoices):
        ADVISING_DESIGN = "advising_design", "Advising the study's design"
        PRACTICALITIES = "practicalities", "Solving practicalities"
        DISSEMINATION = "dissemination", "Dissemination"
        RECRUITMENT = "recruitment", "Promoting recruitment"
        COMMISSIONING = "commissioning", "Working toward commissioning"
        SERVICE_CHANGE = "service_change", "Service change"
        COP_FACILITATION = "cop_facilitation", "Community of practice facilitation"
        OTHER = "other", "Other"

    class Mobilisation(models.TextChoices):
        HORIZONTAL = "horizontal", "Horizontal (peer networks)"
        VERTICAL = "vertical", "Vertical (through management or research bodies)"
        FEEDBACK = "feedback", "Feedback (reflection as changes happen)"

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="broker_activities")
    secondment = models.ForeignKey(
        Secondment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="broker_activities",
    )
    placement = models.ForeignKey(
        Placement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="broker_activities",
    )
    study = models.ForeignKey(
        Study, on_delete=models.PROTECT, null=True, blank=True, related_name="broker_activities"
    )
    date = models.DateField()
    hours = models.DecimalField(
        max_digits=4,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.25")), MaxValueValidator(Decimal("24"))],
    )
    direction = models.CharField(max_length=10, choices=Direction.choices)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    mobilisation = models.CharField(
        "knowledge mobilisation", max_length=12, choices=Mobilisation.choices
    )
    audience = models.CharField("audience or organisation", max_length=200, blank=True)
    outcome = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-date", "-created_at"]
        verbose_name_plural = "broker activities"
        indexes = [models.Index(fields=["person", "date"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(secondment__isnull=False) | Q(placement__isnull=False),
                name="broker_activity_has_posting",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} – {self.get_kind_display()} on {self.date:%d %b %Y}"


# --- sources and consent -----------------------------------------------------------------------


class Participant(Stamped):
    """Someone whose words or actions appear in a study's sources, with research-use consent."""

    class Consent(models.TextChoices):
        NOT_RECORDED = "not_recorded", "Not recorded"
        GRANTED = "granted", "Granted"
        REFUSED = "refused", "Refused"
        WITHDRAWN = "withdrawn", "Withdrawn"

    study = models.ForeignKey(Study, on_delete=models.PROTECT, related_name="participants")
    full_name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    # The person's one contact across every role (coproduce/contacts/roles.py attaches it).
    contact = models.ForeignKey(
        "contacts.Contact",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    person = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    consent = models.CharField(
        "research-use consent",
        max_length=15,
        choices=Consent.choices,
        default=Consent.NOT_RECORDED,
    )
    consent_date = models.DateField("date consent was given or withdrawn", null=True, blank=True)
    consent_note = models.CharField("how consent was recorded", max_length=300, blank=True)

    class Meta:
        ordering = ["full_name", "email"]
        constraints = [
            models.UniqueConstraint(
                fields=["study", "email"],
                condition=~Q(email=""),
                name="participant_email_unique_per_study",
            )
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.email = normalise_email(self.email)
        super().save(*args, **kwargs)

    @property
    def consented(self) -> bool:
        return self.consent == self.Consent.GRANTED


class Source(Stamped):
    class Kind(models.TextChoices):
        MEETING = "meeting", "Meeting record"
        DOCUMENT = "document", "Document"
        EMAIL = "email", "Email message"

    study = models.ForeignKey(Study, on_delete=models.PROTECT, related_name="sources")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    title = models.CharField(max_length=300)
    date = models.DateField()
    notes = models.TextField(blank=True, help_text="Meeting notes, or what the document says.")
    observations = models.TextField(blank=True, help_text="What the researcher observed.")
    participants: models.ManyToManyField[Any, Any] = models.ManyToManyField(
        Participant, through="SourceParticipant", related_name="sources", blank=True
    )
    # Email messages only.
    message_id = models.CharField(max_length=500, blank=True)
    thread_key = models.CharField(
        max_length=500, blank=True, help_text="Message-ID of the first message in the thread."
    )
    sender = models.CharField(max_length=300, blank=True)
    recipients = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    imported_from = models.CharField(max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-date", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["study", "message_id"],
                condition=~Q(message_id=""),
                name="source_message_id_unique_per_study",
            )
        ]

    def __str__(self) -> str:
        return self.title


class SourceParticipant(models.Model):
    class Role(models.TextChoices):
        AUTHOR = "author", "Author or sender"
        RECIPIENT = "recipient", "Recipient"
        ATTENDEE = "attendee", "Attendee"

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="links")
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="links")
    role = models.CharField(max_length=10, choices=Role.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "participant", "role"], name="source_participant_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.participant} ({self.get_role_display()})"


class Attachment(models.Model):
    """A file kept with a source, under DATA_DIR/uploads/sources/ with a generated name.

    Never served inline: the download view sends it as an attachment of type
    application/octet-stream.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="attachments")
    original_name = models.CharField(max_length=255)
    stored_name = models.CharField(max_length=64, unique=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField()

    class Meta:
        ordering = ["original_name"]

    def __str__(self) -> str:
        return self.original_name


# --- compromises -------------------------------------------------------------------------------


class Compromise(Stamped):
    class Topic(models.TextChoices):
        INTERVENTION = "intervention", "Intervention studied"
        DELIVERY = "delivery", "Delivery"
        OUTCOMES = "outcomes", "Outcomes evaluated"
        RANDOMISATION = "randomisation", "Randomisation"
        COMPLETENESS = "completeness", "Completeness of data collection"
        RECRUITMENT = "recruitment", "Recruitment"
        TIMETABLE = "timetable", "Timetable"
        LANGUAGE = "language", "Language"
        OTHER = "other", "Other"

    class Direction(models.TextChoices):
        RIGOUR = "rigour", "Toward rigour"
        PRACTICE = "practice", "Toward practice"
        MUTUAL = "mutual", "Mutual"

    study = models.ForeignKey(Study, on_delete=models.PROTECT, related_name="compromises")
    date = models.DateField("date agreed")
    topic = models.CharField(max_length=20, choices=Topic.choices)
    summary = models.CharField("short title", max_length=200)
    options_considered = models.TextField(blank=True)
    agreed = models.TextField("what was agreed")
    direction = models.CharField(
        "direction of concession", max_length=10, choices=Direction.choices
    )
    rationale = models.TextField(blank=True)
    protocol_version = models.CharField(
        "protocol version it changed",
        max_length=50,
        blank=True,
        help_text="For example 2.1. Leave empty if the protocol did not change.",
    )
    # The governance protocol version it changed, as a link (named by string: a link in the
    # database, not an import of governance). `protocol_version` above keeps the free text of
    # records made before the link existed.
    protocol = models.ForeignKey(
        "governance.ProtocolVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="compromises",
        verbose_name="governance protocol version",
    )
    sources = models.ManyToManyField(Source, blank=True, related_name="compromises")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-date", "-created_at"]
        indexes = [models.Index(fields=["study", "date"])]

    def __str__(self) -> str:
        return self.summary


class CompromisePosition(models.Model):
    class Party(models.TextChoices):
        ACADEMIC = "academic", "Academic"
        CLINICAL = "clinical", "Clinical"
        SERVICE_USER = "service_user", "Service user"
        MANAGER = "manager", "Manager"
        COMMISSIONER = "commissioner", "Commissioner"
        OTHER = "other", "Other"

    compromise = models.ForeignKey(Compromise, on_delete=models.CASCADE, related_name="positions")
    party = models.CharField(max_length=20, choices=Party.choices)
    position = models.TextField()

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.get_party_display()}: {self.position[:60]}"


# --- researcher-in-residence journal -----------------------------------------------------------


class JournalChallenge(models.TextChoices):
    EMBEDDING = "embedding", "Embedding in the practice environment"
    FOCUS = "focus", "Preserving focus"
    IDENTITY = "identity", "Academic identity"
    RELATIONSHIPS = "relationships", "Relationships"
    INDEPENDENCE = "independence", "Professional independence"
    OTHER = "other", "Other"


class JournalEntry(Stamped):
    """Private to its author; a supervisor the author chose sees it only when it is shared."""

    placement = models.ForeignKey(
        Placement, on_delete=models.PROTECT, related_name="journal_entries"
    )
    date = models.DateField()
    title = models.CharField(max_length=200)
    text = models.TextField("what happened")
    challenges = models.JSONField(default=list, blank=True)
    strategies = models.TextField("strategies used", blank=True)
    shared = models.BooleanField(
        "share with my supervisors",
        default=False,
        help_text="Only the supervisors you have chosen for this placement can read it.",
    )

    class Meta:
        ordering = ["-date", "-created_at"]
        verbose_name_plural = "journal entries"

    def __str__(self) -> str:
        return self.title

    def challenge_labels(self) -> list[str]:
        labels = dict(JournalChallenge.choices)
        return [str(labels.get(value, value)) for value in self.challenges]


class JournalSupervisor(models.Model):
    """A supervisor the researcher in residence chose to share journal entries with."""

    placement = models.ForeignKey(Placement, on_delete=models.CASCADE, related_name="supervisors")
    supervisor = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["placement", "supervisor"], name="journal_supervisor_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.supervisor} supervises {self.placement}"


# --- reflexive dialogues -----------------------------------------------------------------------


class DialogueChallenge(models.TextChoices):
    NEW_WAYS = "new_ways", "Risk of new ways of working"
    PURPOSE = "purpose", "Differing ideas of purpose, value and expectations"
    OPPOSITION = "opposition", "Institutional opposition"
    PACE = "pace", "Clashing research paces"
    LANGUAGE = "language", "Differing language and knowledge"
    FEEDBACK_THEORY = "feedback_theory", "Rapid feedback for practice versus theory building"


class DialogueEnabler(models.TextChoices):
    DIALOGICAL = "dialogical", "Dialogical practice"
    LEGITIMATE = "legitimate", "Recognising every partner's knowledge as legitimate"
    TIME = "time", "A long time frame and resources"
    ITERATIVE = "iterative", "Working iteratively and reflexively"
    SHARED_GOAL = "shared_goal", "A shared end goal"


class ReflexiveDialogue(Stamped):
    study = models.ForeignKey(Study, on_delete=models.PROTECT, related_name="dialogues")
    date = models.DateField()
    title = models.CharField(max_length=200)
    partners = models.CharField("who took part", max_length=500)
    summary = models.TextField("what was said")
    challenges = models.JSONField(default=list, blank=True)
    enablers = models.JSONField(default=list, blank=True)
    actions = models.TextField("what we will do differently", blank=True)

    class Meta:
        ordering = ["-date", "-created_at"]

    def __str__(self) -> str:
        return self.title

    def challenge_labels(self) -> list[str]:
        labels = dict(DialogueChallenge.choices)
        return [str(labels.get(value, value)) for value in self.challenges]

    def enabler_labels(self) -> list[str]:
        labels = dict(DialogueEnabler.choices)
        return [str(labels.get(value, value)) for value in self.enablers]


# --- public involvement ------------------------------------------------------------------------


class PaymentRate(models.Model):
    """A rate the collaboration pays public contributors, and the guidance it follows."""

    class Unit(models.TextChoices):
        HOUR = "hour", "per hour"
        HALF_DAY = "half_day", "per half day (up to 4 hours)"
        DAY = "day", "per day"
        ACTIVITY = "activity", "per activity"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=100, unique=True)
    unit = models.CharField(max_length=10, choices=Unit.choices)
    amount = models.DecimalField(
        "amount (£)", max_digits=8, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    guidance = models.CharField(
        "guidance it follows",
        max_length=300,
        help_text="For example: NIHR Payment guidance for members of the public (2024).",
    )
    active = models.BooleanField(default=True, help_text="Only active rates can be chosen.")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} (£{self.amount} {self.get_unit_display()})"

    def fee_for(self, hours: Decimal) -> Decimal:
        """The fee for an activity of `hours` hours at this rate."""
        if self.unit == self.Unit.HOUR:
            return (self.amount * hours).quantize(Decimal("0.01"))
        if self.unit == self.Unit.HALF_DAY and hours > 4:
            return self.amount * 2
        return self.amount


class Contributor(Stamped):
    """A public contributor (service user, carer, member of the public) who is paid."""

    full_name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    # The person's one contact across every role (coproduce/contacts/roles.py attaches it).
    contact = models.ForeignKey(
        "contacts.Contact",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    payee_reference = models.CharField(
        max_length=50, blank=True, help_text="The reference finance pays this person under."
    )

    class Meta:
        ordering = ["full_name"]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.email = normalise_email(self.email)
        super().save(*args, **kwargs)


class InvolvementActivity(Stamped):
    class Role(models.TextChoices):
        STEERING = "steering", "Steering committee member"
        ADVISORY = "advisory", "Advisory group member"
        PANEL = "panel", "Service user and carer panel reviewer"
        CO_RESEARCHER = "co_researcher", "Co-researcher"
        CO_FACILITATOR = "co_facilitator", "Co-facilitator"
        REVIEWER = "reviewer", "Document reviewer"
        OTHER = "other", "Other"

    study = models.ForeignKey(Study, on_delete=models.PROTECT, related_name="involvement")
    contributor = models.ForeignKey(
        Contributor, on_delete=models.PROTECT, related_name="activities"
    )
    date = models.DateField()
    what = models.CharField("what they did", max_length=300)
    role = models.CharField(max_length=20, choices=Role.choices)
    hours = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    rate = models.ForeignKey(
        PaymentRate, on_delete=models.PROTECT, null=True, blank=True, related_name="activities"
    )
    fee = models.DecimalField(
        "fee (£)",
        max_digits=8,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    expenses = models.DecimalField(
        "expenses (£)",
        max_digits=8,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    payment_declined = models.BooleanField(default=False)
    benefits_advice_offered = models.BooleanField(default=False)
    paid_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-date", "-created_at"]
        verbose_name_plural = "involvement activities"

    def __str__(self) -> str:
        return f"{self.what} ({self.date:%d %b %Y})"

    def clean(self) -> None:
        if not self.payment_declined and self.rate_id is None and self.fee:
            raise ValidationError({"rate": "Choose the rate the fee is paid at"})

    @property
    def total(self) -> Decimal:
        return (Decimal("0") if self.payment_declined else self.fee) + self.expenses


# --- GRIPP2 ------------------------------------------------------------------------------------

# The checklists themselves (numbers, headings, wording) are data: coproduction/data/gripp2.toml,
# read by coproduction/gripp2.py. The short form's five answers keep their own columns (item
# number -> column); the long form's answers are a JSON object keyed by published item number.
SHORT_FORM_COLUMNS = {
    "1": "aim",
    "2": "methods",
    "3": "results",
    "4": "outcomes",
    "5": "critical_reflection",
}


class Gripp2Report(Stamped):
    class Form(models.TextChoices):
        SHORT = "short", "Short form"
        LONG = "long", "Long form"

    study = models.OneToOneField(Study, on_delete=models.PROTECT, related_name="gripp2")
    aim = models.TextField(blank=True)
    methods = models.TextField(blank=True)
    results = models.TextField(blank=True)
    outcomes = models.TextField(blank=True)
    critical_reflection = models.TextField(blank=True)
    long_form = models.JSONField(default=dict, blank=True)
    form = models.CharField("checklist", max_length=5, choices=Form.choices, default=Form.SHORT)
    not_reported = models.JSONField(default=list, blank=True)

    def __str__(self) -> str:
        return f"GRIPP2 report for {self.study}"
