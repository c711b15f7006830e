"""The demo's pathways from priority to impact (data/pathways.toml) and its publications,
imported from data/outputs.ris through the same import the staff page uses.

Runs after every other part: it links what they made (compromises to protocol versions and
implementation records) and fills the gaps so that four studies have a full pathway. Idempotent:
everything is looked up by a natural key first (a workshop by title, a protocol version by
label, a compromise and a record by title, an output by title or DOI), and a second run
creates nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from coproduce.coproduction.models import Compromise
from coproduce.demo import data
from coproduce.demo.loader.governance import DEMO_PDF
from coproduce.governance import services as governance
from coproduce.governance import uploads
from coproduce.governance.models import ProtocolVersion
from coproduce.implementation import outputs_import, services
from coproduce.implementation.models import (
    ImplementationRecord,
    Output,
    Recommendation,
    RecommendationStep,
)
from coproduce.lib.references import format_of
from coproduce.priorities.models import Consultation, IndicativeQuestion, Priority, Workshop
from coproduce.registry.models import Organisation, Person, Study


@dataclasses.dataclass
class Summary:
    created: Counter[str] = dataclasses.field(default_factory=Counter)

    def line(self) -> str:
        parts = ", ".join(f"{n} {name}" for name, n in sorted(self.created.items()) if n)
        return f"  pathways: {parts or 'nothing new'}"


def _studies() -> dict[str, Study]:
    keys = data.studies()
    found = {s.slug: s for s in Study.objects.filter(slug__in=[v["slug"] for v in keys.values()])}
    return {key: found[row["slug"]] for key, row in keys.items() if row["slug"] in found}


def load() -> Summary:
    summary = Summary()
    made = summary.created
    spec = data.part("pathways")
    studies = _studies()
    _scoping_priorities(spec["scoping_meeting"], studies, made)
    versions = _protocols(spec["protocols"], studies, made)
    _records(spec["records"], studies, made)
    _compromises(spec["compromises"], studies, versions, made)
    _recommendations(spec["recommendations"], studies, made)
    load_publications(spec, studies, made)
    _impacts(spec["impacts"], studies, made)
    return summary


def _scoping_priorities(
    spec: dict[str, Any], studies: dict[str, Study], made: Counter[str]
) -> None:
    from coproduce.demo.loader.priorities import SCOPING_SLUG

    consultation = Consultation.objects.filter(slug=SCOPING_SLUG).first()
    if consultation is None:
        return
    workshop, created = Workshop.objects.get_or_create(
        consultation=consultation,
        title=spec["title"],
        defaults={"held_on": spec["held_on"]},
    )
    made["priority meetings"] += created
    for position, row in enumerate(spec["priorities"], start=1):
        question, _ = IndicativeQuestion.objects.get_or_create(
            consultation=consultation, text=row["question"]
        )
        _, created = Priority.objects.get_or_create(
            workshop=workshop,
            question=question,
            defaults={
                "position": position,
                "outcome": row["outcome"],
                "study": studies.get(row["study"]),
                "reason": row.get("reason", ""),
            },
        )
        made["priorities"] += created


def _protocols(
    rows: list[dict[str, Any]], studies: dict[str, Study], made: Counter[str]
) -> dict[tuple[str, str], ProtocolVersion]:
    versions = {}
    for row in rows:
        study = studies.get(row["study"])
        if study is None:
            continue
        version = ProtocolVersion.objects.filter(study=study, label=row["label"]).first()
        if version is None:
            upload = SimpleUploadedFile(
                f"{study.slug}-{row['label']}.pdf", DEMO_PDF, content_type="application/pdf"
            )
            version = governance.upload_protocol(
                study,
                label=row["label"],
                summary=row["summary"],
                uploaded=upload,
                checked=uploads.check(upload),
                by=None,
            )
            made["protocol versions"] += 1
        versions[(row["study"], row["label"])] = version
    return versions


def _records(
    rows: list[dict[str, Any]], studies: dict[str, Study], made: Counter[str]
) -> dict[str, ImplementationRecord]:
    records = {}
    for row in rows:
        study = studies.get(row["study"])
        if study is None:
            continue
        record = ImplementationRecord.objects.filter(study=study, title=row["title"]).first()
        if record is None:
            record = ImplementationRecord.objects.create(
                study=study,
                title=row["title"],
                meaning=row["meaning"],
                site=Organisation.objects.filter(slug=row.get("site", "")).first(),
                description=row.get("description", ""),
            )
            for status, on in row.get("statuses", []):
                services.add_status(record, status, on)
            made["implementation records"] += 1
        records[row["title"]] = record
    return records


def _compromises(
    rows: list[dict[str, Any]],
    studies: dict[str, Study],
    versions: dict[tuple[str, str], ProtocolVersion],
    made: Counter[str],
) -> None:
    for row in rows:
        study = studies.get(row["study"])
        if study is None:
            continue
        compromise = Compromise.objects.filter(study=study, summary=row["summary"]).first()
        if compromise is None:
            if "agreed" not in row:
                continue
            compromise = Compromise.objects.create(
                study=study,
                summary=row["summary"],
                date=row["date"],
                topic=row["topic"],
                direction=row["direction"],
                agreed=row["agreed"],
            )
            made["compromises"] += 1
        version = versions.get((row["study"], row.get("protocol", "")))
        if version is not None and compromise.protocol_id is None:
            compromise.protocol = version
            compromise.save(update_fields=["protocol"])
            made["compromise links"] += 1
        for title in row.get("records", []):
            record = ImplementationRecord.objects.filter(study=study, title=title).first()
            if record is not None and not record.compromises.filter(pk=compromise.pk).exists():
                record.compromises.add(compromise)
                made["compromise links"] += 1


def _recommendations(
    rows: list[dict[str, Any]], studies: dict[str, Study], made: Counter[str]
) -> None:
    for row in rows:
        study = studies.get(row["study"])
        person = Person.objects.filter(email=row["made_by"]).first()
        if study is None or person is None:
            continue
        if Recommendation.objects.filter(study=study, text=row["text"]).exists():
            continue
        recommendation = Recommendation.objects.create(
            study=study,
            made_by=person,
            addressee=Recommendation.Addressee.STUDY_TEAM,
            text=row["text"],
            made_on=row["made_on"],
            due=row["due"],
            status=row["status"],
        )
        steps = [("open", "accepted"), ("accepted", row["status"])]
        for n, (before, after) in enumerate(steps, start=1):
            RecommendationStep.objects.create(
                recommendation=recommendation,
                from_status=before,
                to_status=after,
                date=row["made_on"] + dt.timedelta(days=30 * n),
            )
        made["recommendations"] += 1


def load_publications(spec: dict[str, Any], studies: dict[str, Study], made: Counter[str]) -> None:
    """Import data/outputs.ris as publications (leaving out any already imported), then give
    each its studies and public flag from `[[publications]]`."""
    name = spec["ris"]
    text = (data.DATA / name).read_text(encoding="utf-8")
    fmt = format_of(name)
    assert fmt is not None
    first = next(iter(studies.values()), None)
    if first is None:
        return
    result = outputs_import.run(text, fmt, first, "demo", leave_out_duplicates=True)
    assert not result.errors, result.errors
    made["publications"] += len(result.created)
    for row in spec["publications"]:
        if "doi" in row:
            output = Output.objects.filter(doi__iexact=row["doi"]).first()
        else:
            output = Output.objects.filter(isbn=row["isbn"]).first()
        if output is None:
            continue
        if output in result.created:
            output.studies.set([studies[k] for k in row["studies"] if k in studies])
            output.public = row["public"]
            output.save(update_fields=["public"])


def _impacts(rows: list[dict[str, Any]], studies: dict[str, Study], made: Counter[str]) -> None:
    for row in rows:
        study = studies.get(row["study"])
        if study is None or Output.objects.filter(title=row["title"]).exists():
            continue
        output = Output.objects.create(
            kind=row["kind"],
            subtype=row.get("subtype", ""),
            title=row["title"],
            date=row["date"],
            what_changed=row["what_changed"],
            what_changed_public=True,
            public=True,
            link=row.get("link", ""),
        )
        output.studies.set([study])
        output.records.set(ImplementationRecord.objects.filter(title__in=row.get("records", [])))
        output.organisations.set(Organisation.objects.filter(slug__in=row.get("organisations", [])))
        made["impacts"] += 1
