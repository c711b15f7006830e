"""The implementation side of the CLAHRC-NDL demo: invented records, barriers and facilitators,
recommendations, NoMAD administrations, a run chart with PDSA cycles, and outputs.

The data is in data/implementation.toml. Loaded after the registry part, in the same
transaction. Everything is
invented, apart from the frameworks' structure (loaded from the shipped instrument files).
Deterministic (a seeded `random.Random`) and idempotent: rows are matched by natural keys
(record: study and title; barrier or facilitator: study, date and description; recommendation:
study and text; administration: study, instrument and date; measure: study and name; data
point: measure and date; cycle: measure and title; output: title) and only missing ones are
created, so a second run adds nothing and leaves what people changed since alone.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from coproduce.demo import data as demo_data
from coproduce.implementation import instruments
from coproduce.implementation.models import (
    Administration,
    DataPoint,
    Determinant,
    ImplementationRecord,
    Instrument,
    Item,
    Measure,
    Output,
    PDSACycle,
    Recommendation,
    RecommendationStep,
    Response,
    Score,
    StatusEntry,
)
from coproduce.implementation.outcomes import LEGACY as LEGACY_KINDS
from coproduce.registry.models import Organisation, Person, Study

D = dt.date
_DATA = demo_data.part("implementation")
SEED: str = _DATA["seed"]
S = ImplementationRecord.Status
K = Determinant.Kind
L = Determinant.Level
C = Determinant.Category
R = Recommendation.Status

RECORDS: list[dict[str, Any]] = [
    {
        **row,
        "study": demo_data.slug(row["study"]),
        "site": row.get("site"),
        "statuses": demo_data.rows(row["statuses"], "status", "date"),
    }
    for row in _DATA["records"]
]

DETERMINANTS: list[tuple[Any, ...]] = [
    (demo_data.slug(study), *rest)
    for study, *rest in demo_data.rows(
        _DATA["determinants"],
        "study", "kind", "level", "category", "description", "source", "date",
    )
]  # fmt: skip

# study, researcher email, addressee, partner slug, text, made_on, due, steps [(to, date, note)]
RECOMMENDATIONS: list[tuple[Any, ...]] = [
    (
        demo_data.slug(study),
        *rest,
        demo_data.rows(steps, "status", "date", "note"),
    )
    for study, *rest, steps in demo_data.rows(
        _DATA["recommendations"],
        "study", "made_by", "addressee", "partner", "text", "made_on", "due", "steps",
    )
]  # fmt: skip

MEASURE: dict[str, Any] = {
    **_DATA["measure"],
    "study": demo_data.slug(_DATA["measure"]["study"]),
}
# Monthly values from January 2010: flat, then a rise after the first PDSA cycle, then higher.
MEASURE_VALUES: list[int] = _DATA["measure_values"]
MEASURE_FROM: dt.date = _DATA["measure_from"]
CYCLES = demo_data.rows(
    _DATA["cycles"], "title", "start", "end", "plan", "do", "study_notes", "act"
)

OUTPUTS: list[tuple[Any, ...]] = [
    (kind, title, day, [demo_data.slug(key) for key in studies], records, description)
    for kind, title, day, studies, records, description in demo_data.rows(
        _DATA["outputs"], "kind", "title", "date", "studies", "records", "description"
    )
]

ADMINISTRATIONS: list[tuple[Any, ...]] = [
    (demo_data.slug(study), *rest)
    for study, *rest in demo_data.rows(_DATA["administrations"], "study", "date", "label", "centre")
]
RESPONDENTS: int = _DATA["respondents"]
# How far each NoMAD construct's scores sit above (or below) an administration's centre.
NOMAD_LIFT: dict[str, float] = _DATA["nomad_lift"]


@dataclass
class Summary:
    created: Counter[str] = field(default_factory=Counter)

    def line(self) -> str:
        parts = ", ".join(f"{n} {name}" for name, n in sorted(self.created.items()) if n)
        return f"  implementation: {parts or 'nothing new'}"


def load() -> Summary:
    summary = Summary()
    made = summary.created
    instruments.load_files()
    studies = {s.slug: s for s in Study.objects.filter(slug__in={r["study"] for r in RECORDS})}
    studies.update(
        {s.slug: s for s in Study.objects.filter(slug__in={row[0] for row in DETERMINANTS})}
    )
    orgs = {o.slug: o for o in Organisation.objects.all()}
    records: dict[str, ImplementationRecord] = {}
    for row in RECORDS:
        study = studies.get(row["study"])
        if study is None:
            continue
        rec = ImplementationRecord.objects.filter(study=study, title=row["title"]).first()
        if rec is None:
            rec = ImplementationRecord.objects.create(
                study=study,
                title=row["title"],
                site=orgs.get(row["site"]) if row["site"] else None,
                meaning=row["meaning"],
                description=row["description"],
            )
            for status, day in row["statuses"]:
                StatusEntry.objects.create(record=rec, status=status, date=day)
            latest = max(row["statuses"], key=lambda s: s[1])
            rec.status, rec.status_since = latest
            rec.save(update_fields=["status", "status_since"])
            made["records"] += 1
        records[rec.title] = rec

    for study_slug, kind, level, category, text, source, day in DETERMINANTS:
        study = studies.get(study_slug)
        if study is None:
            continue
        _, created = Determinant.objects.get_or_create(
            study=study,
            date=day,
            description=text,
            defaults={"kind": kind, "level": level, "category": category, "source": source},
        )
        made["barriers and facilitators"] += created

    people = {p.email: p for p in Person.objects.filter(email__endswith="example.org")}
    for study_slug, email, addressee, partner, text, made_on, due, steps in RECOMMENDATIONS:
        study = studies.get(study_slug)
        if study is None or email not in people:
            continue
        if Recommendation.objects.filter(study=study, text=text).exists():
            continue
        status = steps[-1][0] if steps else R.OPEN
        recommendation = Recommendation.objects.create(
            study=study,
            made_by=people[email],
            addressee=addressee,
            partner=orgs.get(partner) if partner else None,
            text=text,
            made_on=made_on,
            due=due,
            status=status,
            status_changed_on=steps[-1][1] if steps else None,
            decline_reason=steps[-1][2] if status == R.DECLINED else "",
            outcome=steps[-1][2] if status == R.OUTCOME else "",
        )
        previous: str = R.OPEN
        for to, day, note in steps:
            RecommendationStep.objects.create(
                recommendation=recommendation,
                from_status=previous,
                to_status=to,
                date=day,
                note=note,
            )
            previous = to
        made["recommendations"] += 1

    load_administrations(studies, made)
    load_measure(studies, records, made)

    for kind, title, day, study_slugs, record_titles, description in OUTPUTS:
        if Output.objects.filter(title=title).exists():
            continue
        linked = [studies[s] for s in study_slugs if s in studies]
        if not linked:
            continue
        # The demo file still names the former kinds; each maps to a Researchfish type.
        kind, subtype = LEGACY_KINDS.get(kind, (kind, ""))
        output = Output.objects.create(
            kind=kind, subtype=subtype, title=title, date=day, description=description
        )
        output.studies.set(linked)
        output.records.set([records[t] for t in record_titles if t in records])
        made["outputs"] += 1
    return summary


def load_administrations(studies: dict[str, Study], made: Counter[str]) -> None:
    nomad = Instrument.objects.get(slug="nomad")
    items = list(
        Item.objects.filter(construct__instrument=nomad).select_related("construct__instrument")
    )
    for study_slug, day, label, centre in ADMINISTRATIONS:
        study = studies.get(study_slug)
        if study is None:
            continue
        if Administration.objects.filter(study=study, instrument=nomad, date=day).exists():
            continue
        administration = Administration.objects.create(
            study=study, instrument=nomad, date=day, label=label
        )
        rng = random.Random(f"{SEED}:{study_slug}:{day.isoformat()}")  # noqa: S311 - demo data
        for number in range(1, RESPONDENTS + 1):
            response = Response.objects.create(
                administration=administration, respondent=f"R{number:02d}"
            )
            scores = []
            for item in items:
                construct = item.construct
                reasons = [key for key, _ in construct.not_relevant_choices]
                if construct.scale:
                    # General items (0 to 10): the centre (1 to 5) stretched onto the scale.
                    low, high = min(construct.scale_values), max(construct.scale_values)
                    mean = low + (centre - 1) / 4 * (high - low)
                    value = max(low, min(high, round(rng.gauss(mean, 1.5))))
                    scores.append(Score(response=response, item=item, value=value))
                elif reasons and rng.random() < 0.05:
                    # One of option B's "not relevant" responses, kept apart.
                    scores.append(
                        Score(response=response, item=item, not_relevant=rng.choice(reasons))
                    )
                else:
                    mean = centre + NOMAD_LIFT.get(construct.key, 0.0)
                    value = max(1, min(5, round(rng.gauss(mean, 0.8))))
                    scores.append(Score(response=response, item=item, value=value))
            Score.objects.bulk_create(scores)
        made["administrations"] += 1


def load_measure(
    studies: dict[str, Study], records: dict[str, ImplementationRecord], made: Counter[str]
) -> None:
    study = studies.get(MEASURE["study"])
    if study is None:
        return
    measure, created = Measure.objects.get_or_create(
        study=study,
        name=MEASURE["name"],
        defaults={
            "unit": MEASURE["unit"],
            "definition": MEASURE["definition"],
            "record": records.get(MEASURE["record"]),
            "target": MEASURE.get("target"),
        },
    )
    made["measures"] += created
    first = MEASURE_FROM
    for month, value in enumerate(MEASURE_VALUES):
        day = D(first.year + (first.month - 1 + month) // 12, (first.month - 1 + month) % 12 + 1, 1)
        _, created = DataPoint.objects.get_or_create(
            measure=measure, date=day, defaults={"value": float(value)}
        )
        made["data points"] += created
    for title, start, end, plan, do, study_notes, act in CYCLES:
        _, created = PDSACycle.objects.get_or_create(
            measure=measure,
            title=title,
            defaults={
                "start": start,
                "end": end,
                "plan": plan,
                "do": do,
                "study_notes": study_notes,
                "act": act,
            },
        )
        made["PDSA cycles"] += created
