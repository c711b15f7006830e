"""Qualitative evidence: a project per study, its sources, codebook, codings and reconciliations.

Invariants:
- A source's `text` never changes once it is in a project; every coding is a pair of character
  offsets into it (`start` inclusive, `end` exclusive, Python string indices, which are Unicode
  code points as REFI-QDA's PlainTextSelection positions are).
- A code's meaning lives in `CodeVersion` rows. Changing a definition, inclusion or exclusion
  criterion or examples adds a version; a coding keeps the version it was made under.
- A source with any participant whose research-use consent is not granted is `withheld`: it is
  marked on every page and never leaves in an export (REFI-QDA or spreadsheet).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from coproduce.coproduction.models import (
    Compromise,
    JournalEntry,
    Participant,
    ReflexiveDialogue,
)
from coproduce.coproduction.models import Source as CoproductionSource
from coproduce.implementation.models import Determinant
from coproduce.registry.models import Study


class Project(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    study = models.OneToOneField(Study, on_delete=models.PROTECT, related_name="qualitative")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class ProjectSource(models.Model):
    """A text in a project. Its `text` is what codings point into."""

    class Kind(models.TextChoices):
        MEETING = "meeting", "Meeting record"
        DOCUMENT = "document", "Document"
        EMAIL = "email", "Email message"
        DIALOGUE = "dialogue", "Reflexive dialogue"
        JOURNAL = "journal", "Shared journal entry"
        TRANSCRIPT = "transcript", "Transcript"
        IMPORTED = "imported", "Imported text"

    class Format(models.TextChoices):
        TEXT = "text", "Plain text"
        VTT = "vtt", "WebVTT"
        SRT = "srt", "SubRip (SRT)"
        DOCX = "docx", "Word document"
        RECORD = "record", "Record in this system"
        QDPX = "qdpx", "REFI-QDA project"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="sources")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    format = models.CharField(max_length=8, choices=Format.choices)
    title = models.CharField(max_length=300)
    text = models.TextField()
    participants = models.ManyToManyField(Participant, blank=True, related_name="+")
    source = models.ForeignKey(
        CoproductionSource, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    dialogue = models.ForeignKey(
        ReflexiveDialogue, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    journal_entry = models.ForeignKey(
        JournalEntry, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "source"],
                condition=Q(source__isnull=False),
                name="qualitative_source_once_per_project",
            ),
            models.UniqueConstraint(
                fields=["project", "dialogue"],
                condition=Q(dialogue__isnull=False),
                name="qualitative_dialogue_once_per_project",
            ),
            models.UniqueConstraint(
                fields=["project", "journal_entry"],
                condition=Q(journal_entry__isnull=False),
                name="qualitative_journal_once_per_project",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def withheld(self) -> bool:
        """True when any participant has not granted research-use consent."""
        return any(not p.consented for p in self.participants.all())


class Turn(models.Model):
    """A speaker turn of a transcript: where it lies in the text, who spoke, when."""

    source = models.ForeignKey(ProjectSource, on_delete=models.CASCADE, related_name="turns")
    number = models.PositiveIntegerField()
    speaker = models.CharField(max_length=200, blank=True)
    start_ms = models.PositiveIntegerField(null=True, blank=True)
    end_ms = models.PositiveIntegerField(null=True, blank=True)
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()

    class Meta:
        ordering = ["source", "number"]
        constraints = [
            models.UniqueConstraint(fields=["source", "number"], name="qualitative_turn_number")
        ]

    def __str__(self) -> str:
        return f"{self.speaker or 'Turn'} {self.number}"

    @property
    def timestamp(self) -> str:
        if self.start_ms is None:
            return ""
        seconds = self.start_ms // 1000
        return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


class Code(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="codes")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    name = models.CharField(max_length=200)
    colour = models.CharField(max_length=7, blank=True, help_text="For example #005eb8.")
    codable = models.BooleanField(
        default=True, help_text="Untick for a heading that only groups other codes."
    )
    position = models.PositiveIntegerField(default=0)
    starter = models.CharField("copied from starter codebook", max_length=50, blank=True)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def current(self) -> CodeVersion | None:
        """The latest version; read from prefetched versions when there are some."""
        cached = getattr(self, "_prefetched_objects_cache", {}).get("versions")
        if cached is not None:
            return max(cached, key=lambda version: version.number, default=None)
        return self.versions.order_by("-number").first()


class CodeVersion(models.Model):
    """One meaning of a code. A new definition makes a new row; codings point at theirs."""

    code = models.ForeignKey(Code, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    definition = models.TextField(blank=True)
    inclusion = models.TextField("use when (inclusion criteria)", blank=True)
    exclusion = models.TextField("do not use when (exclusion criteria)", blank=True)
    examples = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    MEANING = ("definition", "inclusion", "exclusion", "examples")

    class Meta:
        ordering = ["code", "number"]
        constraints = [
            models.UniqueConstraint(fields=["code", "number"], name="qualitative_code_version")
        ]

    def __str__(self) -> str:
        return f"{self.code.name} v{self.number}"

    def meaning(self) -> tuple[str, ...]:
        return tuple(getattr(self, name) for name in self.MEANING)


class Coding(models.Model):
    """A coder applied a code (at a version) to characters [start, end) of a source.

    `reconciled` codings are the team's agreed coding, made on the comparison page; the
    independent codings stay as they were for the agreement figures.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    source = models.ForeignKey(ProjectSource, on_delete=models.CASCADE, related_name="codings")
    code = models.ForeignKey(Code, on_delete=models.CASCADE, related_name="codings")
    version = models.ForeignKey(CodeVersion, on_delete=models.PROTECT, related_name="codings")
    coder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    coder_name = models.CharField(max_length=200, blank=True)
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    memo = models.TextField(blank=True)
    reconciled = models.BooleanField(default=False)
    compromises = models.ManyToManyField(Compromise, blank=True, related_name="+")
    determinants = models.ManyToManyField(
        Determinant, blank=True, related_name="+", verbose_name="barriers and facilitators"
    )
    dialogues = models.ManyToManyField(
        ReflexiveDialogue, blank=True, related_name="+", verbose_name="reflexive dialogues"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["source", "start", "end", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")), name="qualitative_coding_not_empty"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code.name} {self.start}-{self.end}"

    @property
    def excerpt(self) -> str:
        return self.source.text[self.start : self.end]

    @property
    def coder_label(self) -> str:
        return self.coder_name or (str(self.coder) if self.coder else "former user")


def coder_label(user: Any) -> str:
    name = user.get_full_name() if hasattr(user, "get_full_name") else ""
    return name or user.get_username()
