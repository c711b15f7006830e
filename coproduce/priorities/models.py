"""Priority setting: a consultation (its questionnaire, invitees and responses), the free-text
submissions people make, the indicative questions staff merge them into, an interim ranking
survey, a final workshop and what became of each agreed priority.

Traceability runs through `Merge` rows: an indicative question lists its source submissions,
and a submission lists the indicative questions it went to, down to the respondent's words.
"""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from coproduce.registry.models import Study


class StakeholderGroup(models.TextChoices):
    COMMISSIONER = "commissioner", "Commissioner"
    CLINICIAN = "clinician", "Clinician"
    SERVICE_USER = "service_user_carer", "Service user or carer"
    MANAGER = "manager", "Manager"
    RESEARCHER = "researcher", "Researcher"
    OTHER = "other", "Other"


def _open_token() -> str:
    return secrets.token_urlsafe(18)


class Consultation(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft (not open to respondents)"
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    slug = models.SlugField(max_length=120, unique=True)
    title = models.CharField(max_length=200)
    scope = models.TextField(help_text="What the consultation is about, and what is out of scope.")
    opens = models.DateField()
    closes = models.DateField()
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    open_link_enabled = models.BooleanField(
        "Open link",
        default=False,
        help_text="Anyone with the open link can respond, saying which group they belong to.",
    )
    open_token = models.CharField(max_length=40, default=_open_token, unique=True, editable=False)
    reminder_days_before_close = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Email a reminder to invitees who have not submitted, this many days before "
        "the consultation closes. Leave empty for no reminder.",
    )
    published = models.BooleanField(
        default=False, help_text="Show this consultation and its response rates on /priorities/."
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-opens", "title"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class Question(models.Model):
    """One question of a consultation's questionnaire, optionally shown only when an earlier
    question has a given answer."""

    class Kind(models.TextChoices):
        FREE_TEXT = "free_text", "Free text"
        SINGLE = "single", "Single choice"
        MULTIPLE = "multiple", "Multiple choice"
        SCALE = "scale", "Scale"
        RANKING = "ranking", "Ranking"

    CHOICE_KINDS = (Kind.SINGLE, Kind.MULTIPLE, Kind.RANKING)

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="questions"
    )
    position = models.PositiveIntegerField(default=1)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    text = models.CharField(max_length=500)
    hint = models.CharField(max_length=500, blank=True)
    required = models.BooleanField(default=False)
    choices = models.JSONField(default=list, blank=True)  # list of option texts
    scale_min = models.IntegerField(default=1)
    scale_max = models.IntegerField(default=5)
    scale_min_label = models.CharField(max_length=100, blank=True)
    scale_max_label = models.CharField(max_length=100, blank=True)
    collects_submissions = models.BooleanField(
        default=False,
        help_text="Free-text answers become submissions to merge into indicative questions.",
    )
    show_if_question = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="dependants",
        help_text="Show this question only when this earlier question has the answer below.",
    )
    show_if_value = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["consultation", "position", "pk"]

    def __str__(self) -> str:
        return f"Q{self.position}. {self.text}"

    @property
    def code(self) -> str:
        return f"q{self.position}"

    def scale_values(self) -> list[int]:
        return list(range(self.scale_min, self.scale_max + 1))


class Invitation(models.Model):
    """A person invited to a consultation, with their stakeholder group and personal link."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="invitations"
    )
    full_name = models.CharField(max_length=200)
    email = models.EmailField()
    # The person's one contact across every role (coproduce/contacts/roles.py attaches it).
    contact = models.ForeignKey(
        "contacts.Contact",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    group = models.CharField(max_length=20, choices=StakeholderGroup.choices, db_index=True)
    link_version = models.PositiveIntegerField(default=1, editable=False)
    invited_at = models.DateTimeField(null=True, blank=True, editable=False)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["consultation", "full_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                "consultation", Lower("email"), name="priorities_invitation_unique_email"
            )
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.get_group_display()})"


class Response(models.Model):
    """One respondent's answers: saved as they go, counted once submitted."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="responses"
    )
    invitation = models.OneToOneField(
        Invitation, null=True, blank=True, on_delete=models.CASCADE, related_name="response"
    )
    group = models.CharField(max_length=20, choices=StakeholderGroup.choices, db_index=True)
    started = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["consultation", "pk"]

    def __str__(self) -> str:
        return f"Response {self.public_id.hex[:8]}"

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None


class Answer(models.Model):
    """A response's answer to one question: text, a choice, a list of choices (multiple choice;
    ranking, in rank order) or a number (scale)."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    value = models.JSONField()

    class Meta:
        constraints = [
            models.UniqueConstraint("response", "question", name="priorities_answer_once")
        ]

    def __str__(self) -> str:
        return f"Answer to {self.question_id} in {self.response_id}"


class IndicativeQuestion(models.Model):
    """A research question staff wrote by merging submissions that ask the same thing."""

    class Evidence(models.TextChoices):
        NOT_CHECKED = "not_checked", "Not checked yet"
        UNANSWERED = "unanswered", "Not answered by existing evidence"
        PARTLY = "partly", "Partly answered"
        ANSWERED = "answered", "Already answered"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="indicative_questions"
    )
    text = models.CharField(max_length=500)
    evidence_status = models.CharField(
        "Evidence check",
        max_length=12,
        choices=Evidence.choices,
        default=Evidence.NOT_CHECKED,
        db_index=True,
    )
    evidence_source = models.TextField(
        blank=True,
        help_text="The systematic review, guideline or trial that answers it (or was checked).",
    )
    evidence_checked_on = models.DateField(null=True, blank=True)
    evidence_checked_by = models.CharField(max_length=200, blank=True)
    shortlisted = models.BooleanField(default=False, db_index=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["consultation", "text"]

    def __str__(self) -> str:
        return self.text


class Submission(models.Model):
    """Words someone submitted: an answer to a free-text question (or added by staff from an
    interview or paper form). Staff mark it out of scope or merge it into indicative
    questions."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="submissions"
    )
    response = models.ForeignKey(
        Response, null=True, blank=True, on_delete=models.SET_NULL, related_name="submissions"
    )
    question = models.ForeignKey(
        Question, null=True, blank=True, on_delete=models.SET_NULL, related_name="submissions"
    )
    group = models.CharField(max_length=20, choices=StakeholderGroup.choices, db_index=True)
    text = models.TextField()
    out_of_scope = models.BooleanField(default=False, db_index=True)
    out_of_scope_reason = models.CharField(max_length=300, blank=True)
    indicative_questions: models.ManyToManyField[IndicativeQuestion, Merge] = (
        models.ManyToManyField(
            IndicativeQuestion, through="Merge", related_name="sources", blank=True
        )
    )
    created = models.DateTimeField(auto_now_add=True)
    # Set on every save (and by bulk_create): with the count and the largest pk, the key under
    # which similarity.py caches a consultation's index. A QuerySet.update() of `text` must set
    # it too.
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["consultation", "pk"]
        indexes = [
            models.Index(fields=["consultation", "updated"], name="priorities_submission_changed")
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(out_of_scope=False) | ~Q(out_of_scope_reason=""),
                name="priorities_out_of_scope_has_reason",
            )
        ]

    def __str__(self) -> str:
        return self.text[:80]


class Merge(models.Model):
    """A submission merged into an indicative question: who did it and when."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="merges")
    indicative_question = models.ForeignKey(
        IndicativeQuestion, on_delete=models.CASCADE, related_name="merges"
    )
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    merged_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                "submission", "indicative_question", name="priorities_merge_once"
            )
        ]

    def __str__(self) -> str:
        return f"Submission {self.submission_id} into {self.indicative_question_id}"


class InterimSurvey(models.Model):
    """Each participant picks up to `max_picks` indicative questions and ranks them."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="interim_surveys"
    )
    title = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    max_picks = models.PositiveIntegerField(default=10)
    shortlist_size = models.PositiveIntegerField(default=25)
    open_token = models.CharField(max_length=40, default=_open_token, unique=True, editable=False)
    questions = models.ManyToManyField(IndicativeQuestion, related_name="interim_surveys")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return self.title


class Ballot(models.Model):
    """One participant's picks in an interim survey."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    survey = models.ForeignKey(InterimSurvey, on_delete=models.CASCADE, related_name="ballots")
    group = models.CharField(max_length=20, choices=StakeholderGroup.choices, db_index=True)
    submitted_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Ranking {self.public_id.hex[:8]}"


class BallotRank(models.Model):
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="ranks")
    question = models.ForeignKey(
        IndicativeQuestion, on_delete=models.CASCADE, related_name="ballot_ranks"
    )
    rank = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint("ballot", "question", name="priorities_ballot_question_once"),
            models.UniqueConstraint("ballot", "rank", name="priorities_ballot_rank_once"),
        ]

    def __str__(self) -> str:
        return f"{self.rank}: {self.question_id}"


class Workshop(models.Model):
    """The final priority setting workshop: small groups rank the shortlist in rounds."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="workshops"
    )
    title = models.CharField(max_length=200)
    held_on = models.DateField()
    published = models.BooleanField(
        default=False, help_text="Show the agreed top 10 on the public /priorities/ page."
    )

    class Meta:
        ordering = ["-held_on"]

    def __str__(self) -> str:
        return self.title


class WorkshopGroup(models.Model):
    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["workshop", "name"]
        constraints = [
            models.UniqueConstraint("workshop", "name", name="priorities_workshop_group_name")
        ]

    def __str__(self) -> str:
        return self.name


class WorkshopRank(models.Model):
    """A small group's rank for one question in one round (1 = most important)."""

    group = models.ForeignKey(WorkshopGroup, on_delete=models.CASCADE, related_name="ranks")
    round = models.PositiveIntegerField()
    question = models.ForeignKey(
        IndicativeQuestion, on_delete=models.CASCADE, related_name="workshop_ranks"
    )
    rank = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                "group", "round", "question", name="priorities_workshop_rank_once"
            )
        ]

    def __str__(self) -> str:
        return f"Round {self.round}, {self.rank}: {self.question_id}"


class Priority(models.Model):
    """An agreed priority (the workshop's top 10) and what became of it."""

    class Outcome(models.TextChoices):
        PENDING = "pending", "Not decided yet"
        NEW_STUDY = "new_study", "A new study"
        AMENDED_SCOPE = "amended_scope", "An amended study scope"
        NOT_TAKEN_FORWARD = "not_taken_forward", "Not taken forward"

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="priorities")
    position = models.PositiveIntegerField()
    question = models.ForeignKey(
        IndicativeQuestion, on_delete=models.PROTECT, related_name="priorities"
    )
    outcome = models.CharField(max_length=20, choices=Outcome.choices, default=Outcome.PENDING)
    study = models.ForeignKey(
        Study, null=True, blank=True, on_delete=models.PROTECT, related_name="priorities"
    )
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["workshop", "position"]
        constraints = [
            models.UniqueConstraint("workshop", "position", name="priorities_priority_position"),
            models.UniqueConstraint("workshop", "question", name="priorities_priority_question"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.question.text}"
