"""Bringing sources into a project and coding them. Every change writes one audit entry."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from coproduce.audit.log import record
from coproduce.coproduction.models import JournalEntry, ReflexiveDialogue
from coproduce.coproduction.models import Source as CoproductionSource
from coproduce.qualitative import transcripts
from coproduce.qualitative.models import (
    Code,
    Coding,
    Project,
    ProjectSource,
    Turn,
    coder_label,
)
from coproduce.registry.models import Study


class CodingError(ValueError):
    """A coding that cannot be saved; `field` names the form field the message belongs to."""

    def __init__(self, message: str, field: str = "start") -> None:
        super().__init__(message)
        self.field = field


def start_project(study: Study, *, by: Any) -> Project:
    project, created = Project.objects.get_or_create(
        study=study, defaults={"name": f"{study.title}: qualitative analysis"}
    )
    if created:
        record(by, "qualitative.project.created", project, {"name": [None, project.name]})
    return project


def _text_of_source(source: CoproductionSource) -> str:
    parts: list[str] = []
    if source.kind == CoproductionSource.Kind.EMAIL:
        parts.append(f"From: {source.sender}\nTo: {source.recipients}\n")
    if source.notes.strip():
        parts.append(source.notes.strip())
    if source.observations.strip():
        parts.append("Observations:\n" + source.observations.strip())
    return "\n\n".join(parts) or source.title


def _by(user: Any) -> Any:
    return user if getattr(user, "pk", None) else None


def add_coproduction_sources(
    project: Project, sources: Iterable[CoproductionSource], *, by: Any
) -> list[ProjectSource]:
    """Copy meeting records, documents and email messages (with their participants) in."""
    added = []
    with transaction.atomic():
        for source in sources:
            if source.study_id != project.study_id:
                raise ValueError("A source of another study cannot join this project.")
            item, created = ProjectSource.objects.get_or_create(
                project=project,
                source=source,
                defaults={
                    "kind": source.kind,
                    "format": ProjectSource.Format.RECORD,
                    "title": source.title,
                    "text": _text_of_source(source),
                    "added_by": _by(by),
                },
            )
            if created:
                item.participants.set(source.participants.all())
                record(by, "qualitative.source.added", item, {"title": [None, item.title]})
                added.append(item)
    return added


def add_dialogues(
    project: Project, dialogues: Iterable[ReflexiveDialogue], *, by: Any
) -> list[ProjectSource]:
    added = []
    with transaction.atomic():
        for dialogue in dialogues:
            if dialogue.study_id != project.study_id:
                raise ValueError("A dialogue of another study cannot join this project.")
            text = f"Who took part: {dialogue.partners}\n\n{dialogue.summary}"
            if dialogue.actions.strip():
                text += f"\n\nWhat we will do differently:\n{dialogue.actions}"
            item, created = ProjectSource.objects.get_or_create(
                project=project,
                dialogue=dialogue,
                defaults={
                    "kind": ProjectSource.Kind.DIALOGUE,
                    "format": ProjectSource.Format.RECORD,
                    "title": dialogue.title,
                    "text": text,
                    "added_by": _by(by),
                },
            )
            if created:
                record(by, "qualitative.source.added", item, {"title": [None, item.title]})
                added.append(item)
    return added


def shared_journal_entries(project: Project) -> Any:
    """Journal entries that may join the project: shared by their author, of the study's
    placements. Unshared entries stay their author's alone."""
    return JournalEntry.objects.filter(shared=True, placement__study=project.study_id)


def add_journal_entries(
    project: Project, entries: Iterable[JournalEntry], *, by: Any
) -> list[ProjectSource]:
    allowed = set(shared_journal_entries(project).values_list("pk", flat=True))
    added = []
    with transaction.atomic():
        for entry in entries:
            if entry.pk not in allowed:
                raise ValueError("Only shared journal entries of this study's placements.")
            text = entry.text
            if entry.strategies.strip():
                text += f"\n\nStrategies used:\n{entry.strategies}"
            item, created = ProjectSource.objects.get_or_create(
                project=project,
                journal_entry=entry,
                defaults={
                    "kind": ProjectSource.Kind.JOURNAL,
                    "format": ProjectSource.Format.RECORD,
                    "title": entry.title,
                    "text": text,
                    "added_by": _by(by),
                },
            )
            if created:
                # The entry's text is private: the log names the source, never its words.
                record(by, "qualitative.source.added", item, {})
                added.append(item)
    return added


@transaction.atomic
def add_transcript(
    project: Project,
    *,
    title: str,
    parsed: transcripts.Parsed,
    participants: Iterable[Any] = (),
    by: Any,
    kind: str = ProjectSource.Kind.TRANSCRIPT,
) -> ProjectSource:
    item = ProjectSource.objects.create(
        project=project,
        kind=kind,
        format=parsed.format,
        title=title,
        text=parsed.text,
        added_by=_by(by),
    )
    item.participants.set(participants)
    Turn.objects.bulk_create(
        Turn(
            source=item,
            number=number,
            speaker=turn.speaker[:200],
            start_ms=turn.start_ms,
            end_ms=turn.end_ms,
            start=turn.start,
            end=turn.end,
        )
        for number, turn in enumerate(parsed.turns, start=1)
    )
    record(
        by,
        "qualitative.source.added",
        item,
        {
            "title": [None, title],
            "format": [None, parsed.format],
            "turns": [None, len(parsed.turns)],
        },
    )
    return item


def check_span(source: ProjectSource, start: int, end: int) -> None:
    if start < 0 or end > len(source.text):
        raise CodingError(
            f"The passage must lie within the text: from 0 to {len(source.text)} characters."
        )
    if end <= start:
        raise CodingError("The end must come after the start.", field="end")
    if not source.text[start:end].strip():
        raise CodingError("Choose a passage with words in it, not only spaces.")


@transaction.atomic
def apply_code(
    source: ProjectSource,
    code: Code,
    *,
    start: int,
    end: int,
    by: Any,
    memo: str = "",
    reconciled: bool = False,
    compromises: Iterable[Any] = (),
    determinants: Iterable[Any] = (),
    dialogues: Iterable[Any] = (),
) -> Coding:
    check_span(source, start, end)
    if code.project_id != source.project_id:
        raise CodingError("That code belongs to another project.", field="code")
    if not code.codable:
        raise CodingError(
            f"“{code.name}” is a heading: choose one of the codes under it.", field="code"
        )
    version = code.versions.order_by("-number").first()
    assert version is not None
    coding = Coding.objects.create(
        source=source,
        code=code,
        version=version,
        coder=_by(by),
        coder_name=coder_label(by) if _by(by) else str(by),
        start=start,
        end=end,
        memo=memo,
        reconciled=reconciled,
    )
    coding.compromises.set(compromises)
    coding.determinants.set(determinants)
    coding.dialogues.set(dialogues)
    record(
        by,
        "qualitative.coding.created",
        coding,
        {
            "code": [None, f"{code.name} v{version.number}"],
            "start": [None, start],
            "end": [None, end],
            "reconciled": [None, reconciled],
        },
    )
    return coding


@transaction.atomic
def remove_coding(coding: Coding, *, by: Any) -> None:
    record(
        by,
        "qualitative.coding.deleted",
        coding,
        {
            "code": [coding.code.name, None],
            "start": [coding.start, None],
            "end": [coding.end, None],
        },
    )
    coding.delete()


@transaction.atomic
def reconcile(source: ProjectSource, choices: Iterable[Coding], *, by: Any) -> list[Coding]:
    """Make the chosen independent codings the source's reconciled coding (replacing any)."""
    old = source.codings.filter(reconciled=True)
    for coding in old:
        remove_coding(coding, by=by)
    made = []
    for chosen in choices:
        coding = apply_code(
            source,
            chosen.code,
            start=chosen.start,
            end=chosen.end,
            by=by,
            memo=chosen.memo,
            reconciled=True,
            compromises=chosen.compromises.all(),
            determinants=chosen.determinants.all(),
            dialogues=chosen.dialogues.all(),
        )
        # Keep the version the choice was coded under.
        if coding.version_id != chosen.version_id:
            coding.version = chosen.version
            coding.save(update_fields=["version"])
        made.append(coding)
    return made
