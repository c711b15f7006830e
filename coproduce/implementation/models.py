"""Implementation and evaluation: is research getting into practice?

- **ImplementationRecord**: one study's implementation at one site (an Organisation) under
  one of the three meanings of implementation, with a dated status history
  (`StatusEntry`); the record caches its current status for lists.
- **Determinant**: a barrier or a facilitator, by level and category, with its source and date,
  optionally coded against coding-frame constructs (i-PARIHS, CFIR 2022).
- **Recommendation**: an implementation researcher's real-time recommendation to a study team
  or a partner, followed through open -> accepted -> actioned -> outcome recorded (or declined);
  the allowed moves live in `transitions.py` only.
- **Instrument**, **Construct**, **Item**: instruments as data, loaded from files
  (`fixtures/instruments/*.toml`); **Administration**, **Response**, **Score**: repeated
  administrations of a survey instrument to a study's people.
- **Measure**, **DataPoint**, **PDSACycle**: quality-improvement measures with their run chart.
- **Output**: outcomes and impact, linked to studies and implementation records.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from coproduce.implementation.outcomes import SUBTYPE_CSL, OutcomeType
from coproduce.lib.references import normalise_title
from coproduce.lib.urls import reverse_once
from coproduce.registry.models import Organisation, Person, Study


class Meaning(models.TextChoices):
    ADOPT_TREATMENT = "treatment", "Patients and recruits adopt a treatment or lifestyle"
    ORGANISATION = "organisation", "An organisation adopts a policy or changes a service"
    SCIENCE = "science", "The study of how implementation happens"


class ImplementationRecord(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        STARTED = "started", "Started"
        SPREADING = "spreading", "Spreading"
        EMBEDDED = "embedded", "Embedded in routine practice"
        PAUSED = "paused", "Paused"
        STOPPED = "stopped", "Stopped"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    study = models.ForeignKey(Study, on_delete=models.PROTECT, related_name="implementations")
    site = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="implementations",
        help_text="The organisation where it happens. Leave empty if it is not at one site.",
    )
    meaning = models.CharField("kind of implementation", max_length=20, choices=Meaning.choices)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    compromises = models.ManyToManyField(
        "coproduction.Compromise",
        blank=True,
        related_name="implementation_records",
        help_text="Compromises agreed on the way that shaped this implementation.",
    )
    # Cached from the latest StatusEntry (by date, then entry order); see services.add_status.
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PLANNED)
    status_since = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["study__title", "title"]

    def __str__(self) -> str:
        return f"{self.title} ({self.site})" if self.site_id else self.title

    def get_absolute_url(self) -> str:
        return reverse_once("implementation:record", self.public_id)


class StatusEntry(models.Model):
    record = models.ForeignKey(
        ImplementationRecord, on_delete=models.CASCADE, related_name="status_entries"
    )
    status = models.CharField(max_length=20, choices=ImplementationRecord.Status.choices)
    date = models.DateField()
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name_plural = "status entries"

    def __str__(self) -> str:
        return f"{self.get_status_display()} from {self.date:%d %B %Y}"


# --- instruments -------------------------------------------------------------------------------


class Instrument(models.Model):
    class Kind(models.TextChoices):
        SURVEY = "survey", "Survey (scored items)"
        CODING_FRAME = "coding_frame", "Coding frame"

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    version = models.CharField(max_length=40, blank=True)
    reference = models.CharField(max_length=400, blank=True, help_text="Where it is published.")
    notice = models.TextField(blank=True, help_text="Licence and wording notes.")
    # [{"value": 5, "label": "Strongly agree"}, ...] for surveys; empty for coding frames.
    scale = models.JSONField(default=list, blank=True)
    # A response meaning "not relevant" (scored as no value), or empty if there is none.
    not_relevant_label = models.CharField(max_length=200, blank=True)
    # Several distinct "not relevant" responses, kept apart in storage and in summaries:
    # [{"key": "role", "label": "Not relevant to my role"}, ...]. When set, it replaces
    # `not_relevant_label` (NoMAD's option B has three: Finch et al. 2018).
    not_relevant_options = models.JSONField(default=list, blank=True)
    source_file = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse_once("implementation:instrument", self.slug)

    @property
    def scale_values(self) -> list[int]:
        return [int(point["value"]) for point in self.scale]

    @property
    def not_relevant_choices(self) -> list[tuple[str, str]]:
        """(stored key, label) of each "not relevant" response this instrument offers."""
        if self.not_relevant_options:
            return [(str(o["key"]), str(o["label"])) for o in self.not_relevant_options]
        if self.not_relevant_label:
            return [(Score.NOT_RELEVANT, self.not_relevant_label)]
        return []


class Construct(models.Model):
    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="constructs")
    key = models.SlugField(max_length=80)
    name = models.CharField(max_length=200)
    domain = models.CharField(max_length=200, blank=True, help_text="Domain or group, if any.")
    position = models.PositiveSmallIntegerField(default=0)
    # A group of items with their own response scale (like NoMAD's three general normalisation
    # items, rated 0 to 10), or empty when the items use the instrument's scale.
    scale = models.JSONField(default=list, blank=True)
    # Whether the instrument's "not relevant" responses are offered for these items.
    offers_not_relevant = models.BooleanField(default=True)
    # Items reported one by one, never combined into a construct mean.
    separate_items = models.BooleanField(default=False)

    class Meta:
        ordering = ["instrument", "position"]
        constraints = [
            models.UniqueConstraint(fields=["instrument", "key"], name="construct_key_unique")
        ]

    def __str__(self) -> str:
        return f"{self.instrument.name}: {self.name}" if self.domain == "" else self.name

    @property
    def item_scale(self) -> list[dict[str, object]]:
        return self.scale or self.instrument.scale

    @property
    def scale_values(self) -> list[int]:
        return [int(str(point["value"])) for point in self.item_scale]

    @property
    def not_relevant_choices(self) -> list[tuple[str, str]]:
        return self.instrument.not_relevant_choices if self.offers_not_relevant else []


class Item(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    construct = models.ForeignKey(Construct, on_delete=models.CASCADE, related_name="items")
    code = models.CharField(max_length=20, help_text="Column name in imported files, like CO1.")
    position = models.PositiveSmallIntegerField(default=0)
    text = models.TextField(
        help_text="The item's wording. Shipped as a placeholder: enter your licensed text."
    )
    placeholder = models.CharField(max_length=40, editable=False)

    class Meta:
        ordering = ["construct__position", "position"]
        constraints = [
            models.UniqueConstraint(fields=["construct", "code"], name="item_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.text}"

    @property
    def has_wording(self) -> bool:
        return self.text.strip() != self.placeholder


# --- barriers and facilitators -----------------------------------------------------------------


class Determinant(models.Model):
    class Kind(models.TextChoices):
        BARRIER = "barrier", "Barrier"
        FACILITATOR = "facilitator", "Facilitator"

    class Level(models.TextChoices):
        INDIVIDUAL = "individual", "Individual"
        TEAM = "team", "Group or team"
        ORGANISATION = "organisation", "Organisation"
        SYSTEM = "system", "System or institution"

    class Category(models.TextChoices):
        POLITICAL = "political", "Political"
        CULTURAL = "cultural", "Cultural"
        STRUCTURAL = "structural", "Structural"
        RESOURCES = "resources", "Resources"
        EVIDENCE = "evidence", "Evidence"
        OTHER = "other", "Other"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    study = models.ForeignKey(Study, on_delete=models.PROTECT, related_name="determinants")
    record = models.ForeignKey(
        ImplementationRecord,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="determinants",
        verbose_name="implementation record",
    )
    kind = models.CharField("barrier or facilitator", max_length=20, choices=Kind.choices)
    level = models.CharField(max_length=20, choices=Level.choices)
    category = models.CharField(max_length=20, choices=Category.choices)
    description = models.TextField()
    source = models.CharField(
        max_length=200, help_text="Where it was found: an interview, meeting notes, a survey..."
    )
    date = models.DateField()
    codes = models.ManyToManyField(
        Construct,
        blank=True,
        related_name="determinants",
        verbose_name="framework codes",
        limit_choices_to={"instrument__kind": Instrument.Kind.CODING_FRAME},
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["level", "category", "kind"])]

    def __str__(self) -> str:
        text = self.description if len(self.description) <= 60 else self.description[:57] + "..."
        return f"{self.get_kind_display()}: {text}"


# --- recommendations ---------------------------------------------------------------------------


class Recommendation(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ACCEPTED = "accepted", "Accepted"
        ACTIONED = "actioned", "Actioned"
        OUTCOME = "outcome", "Outcome recorded"
        DECLINED = "declined", "Declined"

    class Addressee(models.TextChoices):
        STUDY_TEAM = "study_team", "The study team"
        PARTNER = "partner", "A partner organisation"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    study = models.ForeignKey(Study, on_delete=models.PROTECT, related_name="recommendations")
    record = models.ForeignKey(
        ImplementationRecord,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="recommendations",
        verbose_name="implementation record",
    )
    made_by = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        related_name="recommendations_made",
        help_text="The implementation researcher making it.",
    )
    addressee = models.CharField("made to", max_length=20, choices=Addressee.choices)
    partner = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="recommendations",
        help_text="The partner organisation it is made to, if not the study team.",
    )
    contact = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="recommendations_to_act",
        help_text="Who should act on it; reminders go to them (or to its maker if empty).",
    )
    text = models.TextField("recommendation")
    made_on = models.DateField()
    due = models.DateField("due date")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    status_changed_on = models.DateField(null=True, blank=True)
    decline_reason = models.TextField(blank=True)
    outcome = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(due__gte=F("made_on")), name="rec_due_after_made"),
            models.CheckConstraint(
                condition=~Q(addressee="partner") | Q(partner__isnull=False),
                name="rec_partner_named",
            ),
        ]

    def __str__(self) -> str:
        text = self.text if len(self.text) <= 60 else self.text[:57] + "..."
        return text

    def get_absolute_url(self) -> str:
        return reverse_once("implementation:recommendation", self.public_id)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.made_on and self.due and self.due < self.made_on:
            errors["due"] = "The due date must be on or after the day it was made."
        if self.addressee == self.Addressee.PARTNER and not self.partner_id:
            errors["partner"] = "Choose the partner organisation it is made to."
        if errors:
            raise ValidationError(errors)

    @property
    def addressed_to(self) -> str:
        if self.addressee == self.Addressee.PARTNER and self.partner_id:
            return str(self.partner)
        return "The study team"


class RecommendationStep(models.Model):
    """One change of a recommendation's status: its history."""

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="steps"
    )
    from_status = models.CharField(max_length=20, choices=Recommendation.Status.choices)
    to_status = models.CharField(max_length=20, choices=Recommendation.Status.choices)
    date = models.DateField()
    note = models.TextField(blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "pk"]

    def __str__(self) -> str:
        return f"{self.from_status} -> {self.to_status} on {self.date}"


# --- administrations ---------------------------------------------------------------------------


class Administration(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    study = models.ForeignKey(Study, on_delete=models.PROTECT, related_name="administrations")
    instrument = models.ForeignKey(
        Instrument,
        on_delete=models.PROTECT,
        related_name="administrations",
        limit_choices_to={"kind": Instrument.Kind.SURVEY},
    )
    date = models.DateField()
    label = models.CharField(max_length=100, blank=True, help_text="For example “Baseline”.")
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["date", "pk"]

    def __str__(self) -> str:
        when = f"{self.date:%d %b %Y}"
        return f"{self.label} ({when})" if self.label else when

    def get_absolute_url(self) -> str:
        return reverse_once("implementation:administration", self.public_id)


class Response(models.Model):
    administration = models.ForeignKey(
        Administration, on_delete=models.CASCADE, related_name="responses"
    )
    respondent = models.CharField(
        max_length=60, help_text="A reference, not a name, like R07 or a survey tool's id."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["respondent"]
        constraints = [
            models.UniqueConstraint(
                fields=["administration", "respondent"], name="response_respondent_unique"
            )
        ]

    def __str__(self) -> str:
        return self.respondent


class Score(models.Model):
    """One answer: a scale value, or a "not relevant" key, or neither (not answered).

    `not_relevant` holds the key of the instrument's "not relevant" response that was chosen
    (for NoMAD: "role", "stage" or "organisation"), `NOT_RELEVANT` for an instrument with a
    single one, or `LEGACY` for answers entered before December 2026, when "not relevant" and
    "not answered" were both stored as an empty value and cannot now be told apart.
    """

    NOT_RELEVANT = "nr"
    LEGACY = "legacy"
    LEGACY_LABEL = "Not relevant or not answered (entered before the two were recorded apart)"

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="scores")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="scores")
    # Empty when the respondent chose "not relevant" or did not answer.
    value = models.SmallIntegerField(null=True, blank=True)
    not_relevant = models.CharField(max_length=20, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "item"], name="score_item_unique"),
            models.CheckConstraint(
                condition=Q(value__isnull=True) | Q(not_relevant=""),
                name="score_value_or_not_relevant",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.value}"


# --- PDSA cycles and run charts ----------------------------------------------------------------


class Measure(models.Model):
    class Direction(models.TextChoices):
        UP = "up", "Higher is better"
        DOWN = "down", "Lower is better"
        NEITHER = "neither", "Neither: no direction is better"

    class Rules(models.TextChoices):
        IHI = "ihi", "The Health Care Data Guide’s four rules (IHI; Perla, Provost and Murray)"
        ANHOJ = "anhoj", "The Anhøj rules (NHS England’s Making Data Count)"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    study = models.ForeignKey(Study, on_delete=models.PROTECT, related_name="measures")
    record = models.ForeignKey(
        ImplementationRecord,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="measures",
        verbose_name="implementation record",
    )
    name = models.CharField(max_length=200)
    unit = models.CharField(max_length=60, blank=True, help_text="Like “%” or “days”.")
    direction = models.CharField(
        "improvement direction", max_length=10, choices=Direction.choices, default=Direction.UP
    )
    definition = models.TextField(blank=True)
    rules = models.CharField(
        "run chart rules",
        max_length=10,
        choices=Rules.choices,
        default=Rules.IHI,
        help_text="The published rules the run chart is read by.",
    )
    baseline_end = models.DateField(
        "baseline ends",
        null=True,
        blank=True,
        help_text="Freeze the median (and the control limits) over the points up to and "
        "including this date, and judge later points against it. Leave empty to use all the "
        "points.",
    )
    target = models.FloatField(
        null=True,
        blank=True,
        help_text="Optional. Compared with the control limits to say whether the process "
        "will hit the target.",
    )

    class Meta:
        ordering = ["study__title", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse_once("implementation:measure", self.public_id)


class DataPoint(models.Model):
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="points")
    date = models.DateField()
    value = models.FloatField()
    note = models.CharField(max_length=200, blank=True)
    astronomical = models.BooleanField(
        "astronomical data point",
        default=False,
        help_text="Tick if everyone studying the chart would agree this point is obviously "
        "different from the rest (the run chart's fourth rule is a judgement, not a sum).",
    )

    class Meta:
        ordering = ["date", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["measure", "date"], name="datapoint_date_unique")
        ]

    def __str__(self) -> str:
        return f"{self.date}: {self.value}"


class PDSACycle(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="cycles")
    title = models.CharField("change being tested", max_length=200)
    start = models.DateField()
    end = models.DateField(null=True, blank=True)
    plan = models.TextField(blank=True)
    do = models.TextField(blank=True)
    study_notes = models.TextField("study", blank=True)
    act = models.TextField(blank=True)

    class Meta:
        ordering = ["start", "pk"]
        verbose_name = "PDSA cycle"

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": "The end date must be on or after the start date."})


# --- outcomes and impact -----------------------------------------------------------------------


class Output(models.Model):
    """One output, outcome or impact, typed by the Researchfish common outcome types
    (`outcomes.py`), with its identifiers checked for form (`lib/references.py`).

    `title_key` is the title normalised for finding duplicates (accents, case, punctuation
    ignored); it is set on every save. `public` puts the output on /outputs/ and on its
    studies' public pages; `what_changed` is a plain-English account of the change it made,
    shown publicly only when `what_changed_public` is set too.
    """

    Kind = OutcomeType

    class Precision(models.TextChoices):
        DAY = "day", "Day"
        MONTH = "month", "Month"
        YEAR = "year", "Year"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField("type", max_length=30, choices=OutcomeType.choices)
    subtype = models.CharField("sub-type", max_length=100, blank=True)
    title = models.CharField(max_length=300)
    title_key = models.CharField(max_length=300, editable=False, db_index=True, default="")
    date = models.DateField()
    date_precision = models.CharField(
        "date known to the", max_length=5, choices=Precision.choices, default=Precision.DAY
    )
    studies = models.ManyToManyField(Study, related_name="outputs")
    records = models.ManyToManyField(
        ImplementationRecord,
        blank=True,
        related_name="outputs",
        verbose_name="implementation records",
    )
    people = models.ManyToManyField(Person, blank=True, related_name="outputs")
    organisations = models.ManyToManyField(
        Organisation, blank=True, related_name="outputs", verbose_name="partner organisations"
    )
    compromises = models.ManyToManyField(
        "coproduction.Compromise", blank=True, related_name="outputs"
    )
    description = models.TextField(blank=True)
    authors = models.TextField(blank=True, help_text="One a line: family name, given names.")
    container = models.CharField("journal, book or venue", max_length=300, blank=True)
    volume = models.CharField(max_length=30, blank=True)
    issue = models.CharField(max_length=30, blank=True)
    pages = models.CharField(max_length=30, blank=True)
    publisher = models.CharField(max_length=200, blank=True)
    doi = models.CharField("DOI", max_length=200, blank=True, db_index=True)
    pmid = models.CharField("PubMed ID (PMID)", max_length=8, blank=True, db_index=True)
    isbn = models.CharField("ISBN", max_length=13, blank=True, db_index=True)
    link = models.URLField(blank=True)
    details = models.JSONField(default=dict, blank=True)
    public = models.BooleanField("show on the public outputs page", default=False)
    what_changed = models.TextField(
        "what changed", blank=True, help_text="In plain English: what is different because of it."
    )
    what_changed_public = models.BooleanField("show what changed publicly", default=False)

    class Meta:
        ordering = ["-date", "title"]
        indexes = [models.Index(fields=["public", "-date"], name="output_public_date")]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.title_key = normalise_title(self.title)[:300]
        if kwargs.get("update_fields") is not None and "title" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "title_key"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse_once("implementation:output", self.public_id)

    @property
    def year(self) -> int:
        return self.date.year

    def author_list(self) -> list[str]:
        return [line.strip() for line in self.authors.splitlines() if line.strip()]

    def csl(self) -> dict[str, Any]:
        """This output as a CSL-JSON item (id: its public id) for citation formatting."""
        if self.kind == OutcomeType.PUBLICATIONS:
            csl_type = SUBTYPE_CSL.get(self.subtype, "article-journal")
        else:
            other: dict[str, str] = {
                OutcomeType.SOFTWARE: "software",
                OutcomeType.RESEARCH_DATA: "dataset",
            }
            csl_type = other.get(self.kind, "document")
        parts = [self.date.year]
        if self.date_precision in (self.Precision.MONTH, self.Precision.DAY):
            parts.append(self.date.month)
        if self.date_precision == self.Precision.DAY:
            parts.append(self.date.day)
        item: dict[str, Any] = {
            "id": str(self.public_id),
            "type": csl_type,
            "title": self.title,
            "issued": {"date-parts": [parts]},
            "author": [_csl_name(name) for name in self.author_list()],
        }
        for key, value in (
            ("container-title", self.container),
            ("volume", self.volume),
            ("issue", self.issue),
            ("page", self.pages),
            ("publisher", self.publisher),
            ("DOI", self.doi),
            ("PMID", self.pmid),
            ("ISBN", self.isbn),
            ("URL", "" if self.doi else self.link),
        ):
            if value:
                item[key] = value
        return item


def _csl_name(name: str) -> dict[str, str]:
    if "," in name:
        family, given = (part.strip() for part in name.split(",", 1))
        return {"family": family, "given": given}
    return {"literal": name}


class NetworkSnapshot(models.Model):
    """Cached scores of the collaboration network (`network.py`), keyed by its data version.

    `version` is a hash of the network's nodes, sides and edges: an analysis whose network hashes
    to a stored version reads the scores instead of computing them. Only the latest is kept.
    `payload` holds every node's scores (megabytes at national scale); `page` holds only what the
    network page shows (the summary, the top nodes for each ranking and kind, the links among
    them), so the page reads one small row and never builds the graph. `checked_at` is when the
    job or task last found the data unchanged (or computed it).
    """

    version = models.CharField(max_length=64, unique=True)
    computed_at = models.DateTimeField(auto_now_add=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    payload = models.JSONField()
    page = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-computed_at"]

    def __str__(self) -> str:
        return f"Network {self.version[:12]} ({self.computed_at:%d %b %Y %H:%M})"


class AnnualReportPdf(models.Model):
    """The annual report's PDF for a year (`annual.to_pdf`), built on the worker by
    `tasks.build_annual_report_pdf` (tens of seconds at national scale) and downloaded from the
    annual report page by staff. The bytes are kept in the database, never under a served
    folder; only the newest for each year is kept."""

    year = models.PositiveSmallIntegerField()
    content = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["year", "-created_at"])]

    def __str__(self) -> str:
        return f"Annual report {self.year} PDF ({self.created_at:%d %b %Y %H:%M})"
