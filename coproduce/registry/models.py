"""The registry: who and what the collaboration is made of.

Every other app points at these models. History is kept two ways: dated rows (secondments,
placements and role assignments have start and end dates and are never deleted when they end)
and the audit log (every edit's before and after).
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, F, Q
from django.db.models.functions import Lower
from django.utils import timezone

from coproduce.lib.identifiers import normalise_email, validate_orcid
from coproduce.lib.urls import reverse_once


class Area(models.Model):
    """A county or area that partner organisations are located in."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Organisation(models.Model):
    class Kind(models.TextChoices):
        NHS_TRUST = "nhs_trust", "NHS trust"
        UNIVERSITY = "university", "University"
        LOCAL_AUTHORITY = "local_authority", "Local authority"
        COMMISSIONER = "commissioner", "Commissioner"
        CHARITY = "charity", "Charity or voluntary organisation"
        SOCIAL_ENTERPRISE = "social_enterprise", "Social enterprise"
        INDUSTRY = "industry", "Industry"

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, null=True, blank=True, related_name="organisations"
    )
    partner_since = models.DateField(
        null=True, blank=True, help_text="Leave empty if the organisation is not a partner."
    )
    website = models.URLField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_partner(self) -> bool:
        return self.partner_since is not None


class Theme(models.Model):
    class Kind(models.TextChoices):
        RESEARCH = "research", "Research theme"
        CROSS_CUTTING = "cross_cutting", "Cross-cutting theme"

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.RESEARCH)
    summary = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0, help_text="Order in lists.")

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse_once("registry:theme", self.slug)


class StudyQuerySet(models.QuerySet["Study"]):
    def with_df_counts(self, on: dt.date | None = None) -> StudyQuerySet:
        """Annotate df_posts_filled, df_posts_vacant and dfs_all_time, counted by date.

        A post is filled on a date when a secondment to the study covers that date; vacancies
        are the funded posts left over. dfs_all_time counts everyone seconded by that date,
        ended secondments included, secondments yet to start not. A study that ended before
        that date has no vacancies.
        """
        on = on or timezone.localdate()
        active = Q(secondments__start__lte=on) & (
            Q(secondments__end__isnull=True) | Q(secondments__end__gte=on)
        )
        qs = self.annotate(
            df_posts_filled=Count("secondments", filter=active, distinct=True),
            dfs_all_time=Count(
                "secondments__person", filter=Q(secondments__start__lte=on), distinct=True
            ),
        )
        return qs.annotate(
            df_posts_vacant=models.Case(
                # A study that has ended by the date has no posts left to fill.
                models.When(end__lt=on, then=0),
                models.When(
                    df_posts__gt=F("df_posts_filled"), then=F("df_posts") - F("df_posts_filled")
                ),
                default=0,
                output_field=models.IntegerField(),
            )
        )


class Study(models.Model):
    class Design(models.TextChoices):
        SCOPING = "scoping", "Scoping study"
        CASE_STUDY = "case_study", "Case study"
        MIXED_METHODS = "mixed_methods", "Mixed methods"
        QUALITATIVE = "qualitative", "Qualitative study"
        FEASIBILITY_RCT = "feasibility_rct", "Feasibility randomised controlled trial"
        TRIAL = "trial", "Randomised controlled trial"
        SERVICE_EVALUATION = "service_evaluation", "Service evaluation"

    class Stage(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        SCOPING = "scoping", "Scoping"
        SET_UP = "set_up", "Setting up"
        RECRUITING = "recruiting", "Recruiting"
        ANALYSIS = "analysis", "Analysis"
        IMPLEMENTING = "implementing", "Implementing findings"
        COMPLETE = "complete", "Complete"
        NOT_TAKEN_FORWARD = "not_taken_forward", "Not taken forward"

    slug = models.SlugField(max_length=120, unique=True)
    title = models.CharField(max_length=300)
    acronym = models.CharField(max_length=30, blank=True)
    theme = models.ForeignKey(Theme, on_delete=models.PROTECT, related_name="studies")
    design = models.CharField(max_length=30, choices=Design.choices)
    stage = models.CharField(max_length=30, choices=Stage.choices, default=Stage.PROPOSED)
    summary = models.TextField(blank=True)
    partners = models.ManyToManyField(Organisation, blank=True, related_name="studies")
    df_posts = models.PositiveSmallIntegerField(
        "diffusion fellow posts",
        default=1,
        validators=[MaxValueValidator(10)],
        help_text="How many diffusion fellow posts the study has funding for.",
    )
    start = models.DateField(null=True, blank=True)
    end = models.DateField(null=True, blank=True)

    objects = StudyQuerySet.as_manager()

    class Meta:
        ordering = ["theme__position", "title"]
        verbose_name_plural = "studies"
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(start__isnull=True) | Q(end__gte=F("start")),
                name="study_end_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.acronym})" if self.acronym else self.title

    def get_absolute_url(self) -> str:
        return reverse_once("registry:study", self.slug)

    def clean(self) -> None:
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": "The end date must be on or after the start date."})

    def current_secondments(self, on: dt.date | None = None) -> models.QuerySet[Secondment]:
        return self.secondments.active_on(on).select_related("person", "home_organisation")


class PersonQuerySet(models.QuerySet["Person"]):
    def search(self, text: str) -> PersonQuerySet:
        text = text.strip()
        if not text:
            return self
        return self.filter(Q(full_name__icontains=text) | Q(email__icontains=text.lower()))


class Person(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    full_name = models.CharField(max_length=200)
    email = models.EmailField(
        blank=True, help_text="Stored in lower case; two people cannot share an address."
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="people"
    )
    job_title = models.CharField(max_length=200, blank=True)
    orcid = models.CharField(
        "ORCID iD",
        max_length=19,
        blank=True,
        validators=[validate_orcid],
        help_text="Like 0000-0002-1825-0097.",
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
        help_text="The sign-in account of this person, if they have one.",
    )
    bio = models.TextField("short biography", blank=True)
    # The person's one contact across every role (coproduce/contacts/roles.py attaches it).
    contact = models.ForeignKey(
        "contacts.Contact",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["full_name"]
        verbose_name_plural = "people"
        constraints = [
            models.UniqueConstraint(
                Lower("email"), condition=~Q(email=""), name="person_email_unique_ci"
            )
        ]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.email = normalise_email(self.email)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        self.email = normalise_email(self.email)
        if self.email:
            clash = Person.objects.filter(email__iexact=self.email).exclude(pk=self.pk)
            if clash.exists():
                raise ValidationError({"email": "Another person already has this email address."})


class DatedQuerySet(models.QuerySet):
    """Rows with start and end dates; an empty end means still running."""

    def active_on(self, on: dt.date | None = None) -> DatedQuerySet:
        on = on or timezone.localdate()
        return self.filter(Q(start__lte=on) & (Q(end__isnull=True) | Q(end__gte=on)))


class Dated(models.Model):
    start = models.DateField()
    end = models.DateField(null=True, blank=True, help_text="Leave empty while it continues.")

    objects = DatedQuerySet.as_manager()

    class Meta:
        abstract = True

    def clean(self) -> None:
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": "The end date must be on or after the start date."})

    def is_active(self, on: dt.date | None = None) -> bool:
        on = on or timezone.localdate()
        return self.start <= on and (self.end is None or self.end >= on)


class RoleAssignment(Dated):
    class Role(models.TextChoices):
        CHIEF_INVESTIGATOR = "chief_investigator", "Chief investigator"
        RESEARCHER = "researcher", "Researcher"
        IMPLEMENTATION_RESEARCHER = "implementation_researcher", "Implementation researcher"
        DIFFUSION_FELLOW = "diffusion_fellow", "Diffusion fellow"
        RESEARCHER_IN_RESIDENCE = "researcher_in_residence", "Researcher in residence"
        SERVICE_USER = "service_user", "Service user"
        CARER = "carer", "Carer"
        CLINICIAN = "clinician", "Clinician"
        MANAGER = "manager", "Manager"
        COMMISSIONER = "commissioner", "Commissioner"
        STEERING_COMMITTEE = "steering_committee", "Steering committee member"
        COP_LEAD = "cop_lead", "Community of practice lead"

    # Roles whose holders may edit the study's record in the staff area.
    EDITING_ROLES = (
        Role.CHIEF_INVESTIGATOR,
        Role.RESEARCHER,
        Role.IMPLEMENTATION_RESEARCHER,
    )

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="roles")
    study = models.ForeignKey(Study, on_delete=models.PROTECT, related_name="roles")
    role = models.CharField(max_length=40, choices=Role.choices)

    class Meta:
        ordering = ["study", "role", "person__full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "study", "role", "start"],
                name="role_unique_per_start",
                violation_error_message=(
                    "This person already has this role on this study from this start date."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} – {self.get_role_display()} – {self.study}"


class Secondment(Dated):
    """A diffusion fellow's secondment from a partner organisation to one study."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="secondments")
    study = models.ForeignKey(Study, on_delete=models.PROTECT, related_name="secondments")
    home_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="secondments_out"
    )
    fte = models.DecimalField(
        "full-time equivalent",
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.20"),
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("1.00"))],
        help_text="0.2 is one day a week.",
    )
    in_kind_value = models.DecimalField(
        "in-kind value (£ a year)",
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text="Matched funding the home organisation contributes by releasing the fellow.",
    )

    class Meta:
        ordering = ["study", "start"]

    def __str__(self) -> str:
        return f"{self.person} seconded to {self.study}"


class Placement(Dated):
    """A researcher in residence embedded in a host organisation."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="placements")
    host_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="hosted_placements"
    )
    academic_affiliation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="affiliated_placements"
    )
    study = models.ForeignKey(
        Study, on_delete=models.SET_NULL, null=True, blank=True, related_name="placements"
    )
    focus = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["start"]

    def __str__(self) -> str:
        return f"{self.person} in residence at {self.host_organisation}"
