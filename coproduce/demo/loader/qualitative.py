"""The demo's qualitative project (data/qualitative.toml): the return to work study's sources
and a steering group transcript, coded with the compromise typology by two coders who
disagree in places, and the team's reconciled coding.

Idempotent: the project, sources, codebook copy, codings and reconciled coding are made only
when missing; a second run creates nothing and leaves what people changed alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model

from coproduce.coproduction.models import Compromise, Participant
from coproduce.coproduction.models import Source as CoproductionSource
from coproduce.demo import data
from coproduce.qualitative import codebooks, services, transcripts
from coproduce.qualitative.models import Code, Coding, Project, ProjectSource
from coproduce.registry.models import Study

ACTOR = "demo loader"


@dataclass
class Summary:
    created: dict[str, int] = field(default_factory=dict)

    def add(self, name: str, n: int = 1) -> None:
        self.created[name] = self.created.get(name, 0) + n

    def line(self) -> str:
        parts = ", ".join(f"{n} {name}" for name, n in sorted(self.created.items()) if n)
        return f"  qualitative: {parts or 'nothing new'}"


def _span(source: ProjectSource, quote: str) -> tuple[int, int]:
    start = source.text.find(quote)
    if start < 0:
        raise ValueError(f"qualitative.toml: “{quote}” is not in “{source.title}”")
    return start, start + len(quote)


def load() -> Summary:
    summary = Summary()
    spec = data.part("qualitative")
    study = Study.objects.get(slug=data.slug(spec["study"]))
    created = not Project.objects.filter(study=study).exists()
    project = services.start_project(study, by=ACTOR)
    summary.add("projects", int(created))
    if not project.codes.filter(starter=spec["starter"]).exists():
        summary.add("codes", len(codebooks.copy_starter(project, spec["starter"], by=ACTOR)))
    ledger = CoproductionSource.objects.filter(study=study, title__in=spec["sources"])
    summary.add("sources", len(services.add_coproduction_sources(project, ledger, by=ACTOR)))
    for row in spec.get("transcripts", []):
        if project.sources.filter(title=row["title"]).exists():
            continue
        people = Participant.objects.filter(study=study, email__in=row["participants"])
        services.add_transcript(
            project,
            title=row["title"],
            parsed=transcripts.parse(row["vtt"].encode()),
            participants=people,
            by=ACTOR,
        )
        summary.add("transcripts")
    users = {u.username: u for u in get_user_model()._default_manager.all()}
    sources = {s.title: s for s in project.sources.all()}
    codes = {c.name: c for c in Code.objects.filter(project=project, starter=spec["starter"])}

    def find(row: dict[str, Any]) -> tuple[ProjectSource, Code, Any, int, int]:
        source = sources[row["source"]]
        start, end = _span(source, row["quote"])
        return source, codes[row["code"]], users[row["coder"]], start, end

    for row in spec.get("codings", []):
        source, code, coder, start, end = find(row)
        if Coding.objects.filter(
            source=source, code=code, coder=coder, start=start, end=end, reconciled=False
        ).exists():
            continue
        compromises = Compromise.objects.filter(study=study, summary=row.get("compromise", ""))
        services.apply_code(
            source, code, start=start, end=end, by=coder, memo=row.get("memo", ""),
            compromises=compromises,
        )  # fmt: skip
        summary.add("codings")
    chosen: dict[int, list[Coding]] = {}
    for row in spec.get("reconciled", []):
        source, code, coder, start, end = find(row)
        coding = Coding.objects.get(
            source=source, code=code, coder=coder, start=start, end=end, reconciled=False
        )
        chosen.setdefault(source.pk, []).append(coding)
    for source_pk, picks in chosen.items():
        source = ProjectSource.objects.get(pk=source_pk)
        if not source.codings.filter(reconciled=True).exists():
            services.reconcile(source, picks, by=users["manager"])
            summary.add("reconciled codings", len(picks))
    return summary
