"""Funding and capacity: the award, partners' matched funding, further funding won, the
diffusion fellow's lifecycle (recruitment, agreement, renewal, the five-year cap) and training.

Money is `Decimal` pounds and pence (two decimal places, never negative) with a currency
(GBP unless said otherwise). A financial year is the UK one, 1 April to 31 March, stored as the
calendar year it starts in (2009 is 2009/10); `fy.py` holds the arithmetic.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from coproduce.funding import fy

MONEY_MAX_DIGITS = 12


class Currency(models.TextChoices):
    GBP = "GBP", "Pounds sterling (GBP)"
    EUR = "EUR", "Euros (EUR)"
    USD = "USD", "US dollars (USD)"


def money(verbose_name: str, **kwargs: object) -> models.DecimalField:
    """A sum of money: pounds and pence, never negative."""
    return models.DecimalField(
        verbose_name,
        max_digits=MONEY_MAX_DIGITS,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
        **kwargs,  # type: ignore[arg-type]
    )


def currency() -> models.CharField:
    return models.CharField(max_length=3, choices=Currency.choices, default=Currency.GBP)


def year_field(verbose_name: str = "financial year") -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        verbose_name,
        validators=[MinValueValidator(fy.FIRST), MaxValueValidator(fy.LAST)],
        help_text="The year it starts in: 2009 is April 2009 to March 2010.",
    )


class Award(models.Model):
    """The collaboration's own award (the NIHR CLAHRC grant, say)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    funder = models.CharField(max_length=200)
    reference = models.CharField(max_length=100, unique=True)
    title = models.CharField(max_length=300, blank=True)
    currency = currency()
    start = models.DateField()
    end = models.DateField()

    class Meta:
        ordering = ["start", "reference"]

    def __str__(self) -> str:
        return f"{self.funder} {self.reference}"

    def clean(self) -> None:
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": "The end date must be on or after the start date."})

    def years(self) -> range:
        return range(fy.year_of(self.start), fy.year_of(self.end) + 1)


class AwardAmount(models.Model):
    """What the award gives in one financial year."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    award = models.ForeignKey(Award, on_delete=models.CASCADE, related_name="amounts")
    year = year_field()
    amount = money("amount")

    class Meta:
        ordering = ["award", "year"]
        verbose_name = "award amount"
        constraints = [
            models.UniqueConstraint(
                fields=["award", "year"],
                name="award_amount_once_a_year",
                violation_error_message="This award already has an amount for this year.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.award} {fy.label(self.year)}"

    @property
    def year_label(self) -> str:
        return fy.label(self.year)


class Contribution(models.Model):
    """Matched funding a partner recorded by hand: cash, or in kind other than the staff time
    computed from secondments and `StaffTime`."""

    class Kind(models.TextChoices):
        CASH = "cash", "Cash"
        IN_KIND = "in_kind", "In kind"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        "registry.Organisation", on_delete=models.PROTECT, related_name="contributions"
    )
    year = year_field()
    kind = models.CharField(max_length=10, choices=Kind.choices)
    amount = money("amount")
    currency = currency()
    description = models.CharField(max_length=300)
    received_on = models.DateField(
        null=True, blank=True, help_text="If given, it must fall in the financial year."
    )

    class Meta:
        ordering = ["year", "organisation__name", "kind"]

    def __str__(self) -> str:
        return f"{self.organisation} {fy.label(self.year)}: {self.description}"

    @property
    def year_label(self) -> str:
        return fy.label(self.year)

    def clean(self) -> None:
        if self.received_on and self.year and fy.year_of(self.received_on) != self.year:
            raise ValidationError(
                {
                    "received_on": f"The date must be in the financial year {fy.label(self.year)}"
                    f" ({fy.span(self.year)})."
                }
            )


class StaffTime(models.Model):
    """In-kind staff time a partner gives other than a diffusion fellow's secondment: valued
    like a secondment (FTE × working days × the day rate)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        "registry.Organisation", on_delete=models.PROTECT, related_name="staff_time"
    )
    person = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    description = models.CharField(max_length=300)
    fte = models.DecimalField(
        "full-time equivalent",
        max_digits=3,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("1.00"))],
        help_text="0.2 is one day a week.",
    )
    start = models.DateField()
    end = models.DateField()

    class Meta:
        ordering = ["start"]
        verbose_name = "staff time"
        verbose_name_plural = "staff time"

    def __str__(self) -> str:
        return f"{self.organisation}: {self.description}"

    def clean(self) -> None:
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": "The end date must be on or after the start date."})


class FurtherFunding(models.Model):
    """Funding won beyond the award, for studies and people of the collaboration."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    funder = models.CharField(max_length=200)
    scheme = models.CharField(max_length=200, blank=True)
    title = models.CharField(max_length=300)
    amount = money("amount")
    currency = currency()
    start = models.DateField()
    end = models.DateField(null=True, blank=True)
    studies = models.ManyToManyField("registry.Study", blank=True, related_name="+")
    people = models.ManyToManyField("registry.Person", blank=True, related_name="funding_won")

    class Meta:
        ordering = ["-start", "title"]
        verbose_name = "further funding"
        verbose_name_plural = "further funding"

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": "The end date must be on or after the start date."})


class Vacancy(models.Model):
    """A diffusion fellow post being filled: advertised → nominated → agreed (or withdrawn).
    Agreeing makes the secondment; `replaces` names the one it follows, if any."""

    class Status(models.TextChoices):
        ADVERTISED = "advertised", "Advertised"
        NOMINATED = "nominated", "Nominated"
        AGREED = "agreed", "Agreed"
        WITHDRAWN = "withdrawn", "Withdrawn"

    OPEN = (Status.ADVERTISED, Status.NOMINATED)

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    study = models.ForeignKey("registry.Study", on_delete=models.PROTECT, related_name="+")
    advertised_on = models.DateField()
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.ADVERTISED, editable=False
    )
    replaces = models.ForeignKey(
        "registry.Secondment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The secondment this post follows, if it replaces a fellow.",
    )
    notes = models.TextField(blank=True)
    nominated_by = models.ForeignKey(
        "registry.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    nominee = models.ForeignKey(
        "registry.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    nominated_on = models.DateField(null=True, blank=True, editable=False)
    agreed_on = models.DateField(null=True, blank=True, editable=False)
    secondment = models.OneToOneField(
        "registry.Secondment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="vacancy",
    )

    class Meta:
        ordering = ["-advertised_on"]
        verbose_name_plural = "vacancies"

    def __str__(self) -> str:
        return f"Diffusion fellow post, {self.study} (advertised {self.advertised_on:%-d %b %Y})"


class FellowEvent(models.Model):
    """A dated step in a fellow's secondment: nominated, agreed, renewed, replaced, ended."""

    class Kind(models.TextChoices):
        NOMINATED = "nominated", "Nominated by a partner"
        AGREED = "agreed", "Agreement signed"
        RENEWED = "renewed", "Renewed"
        REPLACED = "replaced", "Replaced"
        ENDED = "ended", "Ended"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    secondment = models.ForeignKey(
        "registry.Secondment", on_delete=models.CASCADE, related_name="fellow_events"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    date = models.DateField()
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["secondment", "date"]
        verbose_name = "fellowship event"

    def __str__(self) -> str:
        return f"{self.secondment.person}: {self.get_kind_display()} ({self.date:%-d %b %Y})"


class PlacementAgreement(models.Model):
    """The terms of a researcher in residence's placement (registry `Placement`, which has no
    FTE): the time agreed, against which the time used (knowledge-broker activity logged on the
    placement) is shown."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    placement = models.OneToOneField(
        "registry.Placement", on_delete=models.CASCADE, related_name="agreement"
    )
    fte = models.DecimalField(
        "full-time equivalent",
        max_digits=3,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("1.00"))],
        help_text="0.2 is one day a week.",
    )
    agreed_on = models.DateField("date agreed")
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["placement__start"]
        verbose_name = "placement agreement"

    def __str__(self) -> str:
        return f"Agreement: {self.placement}"


class TrainingSession(models.Model):
    class Kind(models.TextChoices):
        KNOWLEDGE_BROKERING = "knowledge_brokering", "Knowledge brokering"
        RESEARCH_METHODS = "research_methods", "Research methods"
        COPRODUCTION = "coproduction", "Co-production"
        IMPLEMENTATION = "implementation", "Implementation"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(max_length=300)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    date = models.DateField()
    hours = models.DecimalField(
        max_digits=4, decimal_places=1, default=Decimal("3"), validators=[MinValueValidator(0)]
    )
    facilitator = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-date", "title"]
        verbose_name = "training session"

    def __str__(self) -> str:
        return f"{self.title} ({self.date:%-d %b %Y})"


class Attendance(models.Model):
    """Someone at a training session: a registry person or an associate, with the partner
    organisation and role they came from (for counting people trained by partner and role)."""

    class Role(models.TextChoices):
        CLINICIAN = "clinician", "Clinician"
        MANAGER = "manager", "Manager"
        COMMISSIONER = "commissioner", "Commissioner"
        RESEARCHER = "researcher", "Researcher"
        DIFFUSION_FELLOW = "diffusion_fellow", "Diffusion fellow"
        SERVICE_USER = "service_user", "Service user or carer"
        OTHER = "other", "Other"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="attended")
    person = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    associate = models.ForeignKey(
        "community.Associate", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    organisation = models.ForeignKey(
        "registry.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["session", "pk"]
        verbose_name = "attendance"
        verbose_name_plural = "attendances"

    def __str__(self) -> str:
        who = self.person or self.associate or "Someone"
        return f"{who} at {self.session.title}"

    def clean(self) -> None:
        if self.person_id is None and self.associate_id is None:
            raise ValidationError({"person": "Choose the person or the associate who attended."})
