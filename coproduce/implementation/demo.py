"""The implementation side of the CLAHRC-NDL demo: invented records, barriers and facilitators,
recommendations, NoMAD administrations, a run chart with PDSA cycles, and outputs.

Run by `coproduce loaddemo` after the registry demo, in the same transaction. Everything is
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
from coproduce.registry.models import Organisation, Person, Study

D = dt.date
SEED = "coproduce-clahrc-ndl-implementation-v1"
S = ImplementationRecord.Status
K = Determinant.Kind
L = Determinant.Level
C = Determinant.Category
R = Recommendation.Status

RECORDS: list[dict[str, Any]] = [
    {
        "study": "return-to-work-after-stroke",
        "title": "Vocational rehabilitation in the community stroke team",
        "site": "greenwood-vale-hospitals",
        "meaning": "organisation",
        "description": "Early vocational assessment offered by occupational therapists.",
        "statuses": [
            (S.PLANNED, D(2010, 3, 1)),
            (S.STARTED, D(2010, 9, 6)),
            (S.SPREADING, D(2012, 1, 9)),
        ],
    },
    {
        "study": "return-to-work-after-stroke",
        "title": "Stroke survivors back at work with employer support",
        "site": "workwise-pathways",
        "meaning": "treatment",
        "description": "Survivors and employers taking up the workplace support plan.",
        "statuses": [(S.STARTED, D(2011, 2, 1))],
    },
    {
        "study": "return-to-work-after-stroke",
        "title": "How the vocational service became routine",
        "site": None,
        "meaning": "science",
        "description": "A process evaluation using Normalisation Process Theory.",
        "statuses": [(S.STARTED, D(2010, 9, 6))],
    },
    {
        "study": "cbt-chronic-mood-disorder",
        "title": "Service-user-run follow-on groups",
        "site": "trentside-healthcare",
        "meaning": "organisation",
        "description": "Follow-on groups run by service users after the therapy ends.",
        "statuses": [
            (S.PLANNED, D(2011, 5, 1)),
            (S.STARTED, D(2012, 1, 16)),
            (S.EMBEDDED, D(2013, 6, 3)),
        ],
    },
    {
        "study": "early-supported-discharge",
        "title": "Early supported discharge team in Mapleford",
        "site": "mapleford-pct",
        "meaning": "organisation",
        "description": "A commissioned early supported discharge service.",
        "statuses": [
            (S.PLANNED, D(2010, 6, 1)),
            (S.STARTED, D(2011, 4, 4)),
            (S.PAUSED, D(2012, 2, 6)),
            (S.STARTED, D(2012, 7, 2)),
        ],
    },
    {
        "study": "mosaic",
        "title": "Medication review clinic for children with ADHD",
        "site": "greenwood-vale-hospitals",
        "meaning": "treatment",
        "description": "Families taking up the medication optimisation strategy.",
        "statuses": [(S.STARTED, D(2011, 9, 5))],
    },
]

DETERMINANTS: list[tuple[str, str, str, str, str, str, D]] = [
    # study, kind, level, category, description, source, date
    (
        "return-to-work-after-stroke",
        K.BARRIER,
        L.ORGANISATION,
        C.RESOURCES,
        "No protected time for occupational therapists to contact employers.",
        "Steering committee minutes",
        D(2010, 5, 12),
    ),
    (
        "return-to-work-after-stroke",
        K.BARRIER,
        L.SYSTEM,
        C.POLITICAL,
        "Work outcomes are not in the stroke service specification.",
        "Interview with a commissioner",
        D(2010, 7, 2),
    ),
    (
        "return-to-work-after-stroke",
        K.FACILITATOR,
        L.TEAM,
        C.CULTURAL,
        "The community stroke team already valued return to work as a goal.",
        "Team meeting observation",
        D(2010, 6, 14),
    ),
    (
        "return-to-work-after-stroke",
        K.FACILITATOR,
        L.INDIVIDUAL,
        C.EVIDENCE,
        "A diffusion fellow shared trial evidence with therapists.",
        "Diffusion fellow log",
        D(2010, 10, 4),
    ),
    (
        "return-to-work-after-stroke",
        K.BARRIER,
        L.INDIVIDUAL,
        C.CULTURAL,
        "Some survivors feared losing benefits if they tried work.",
        "Service user panel",
        D(2011, 3, 21),
    ),
    (
        "cbt-chronic-mood-disorder",
        K.BARRIER,
        L.ORGANISATION,
        C.STRUCTURAL,
        "Therapy rooms are not available in the evenings.",
        "Community of practice meeting",
        D(2011, 4, 6),
    ),
    (
        "cbt-chronic-mood-disorder",
        K.FACILITATOR,
        L.TEAM,
        C.CULTURAL,
        "Service users keen to run groups themselves.",
        "Community of practice meeting",
        D(2011, 6, 1),
    ),
    (
        "cbt-chronic-mood-disorder",
        K.FACILITATOR,
        L.SYSTEM,
        C.POLITICAL,
        "Commissioners' priority on recovery-oriented services.",
        "Commissioners' panel",
        D(2011, 9, 8),
    ),
    (
        "early-supported-discharge",
        K.BARRIER,
        L.SYSTEM,
        C.RESOURCES,
        "Funding for the team was agreed for one year only.",
        "Board paper",
        D(2011, 1, 17),
    ),
    (
        "early-supported-discharge",
        K.BARRIER,
        L.ORGANISATION,
        C.STRUCTURAL,
        "Ward and community teams use different records systems.",
        "Interviews with staff",
        D(2011, 8, 3),
    ),
    (
        "early-supported-discharge",
        K.FACILITATOR,
        L.ORGANISATION,
        C.EVIDENCE,
        "National clinical guideline recommends the service.",
        "Document review",
        D(2010, 11, 1),
    ),
    (
        "mosaic",
        K.BARRIER,
        L.INDIVIDUAL,
        C.OTHER,
        "Families find clinic times hard around school.",
        "Parent focus group",
        D(2011, 11, 14),
    ),
    (
        "mosaic",
        K.FACILITATOR,
        L.TEAM,
        C.RESOURCES,
        "A specialist nurse leads the clinic.",
        "Service audit",
        D(2012, 2, 20),
    ),
]

# study, researcher email, addressee, partner slug, text, made_on, due, steps [(to, date, note)]
RECOMMENDATIONS: list[tuple[str, str, str, str | None, str, D, D, list[tuple[str, D, str]]]] = [
    (
        "return-to-work-after-stroke",
        "mark.hensby@trentside.example.org",
        "partner",
        "greenwood-vale-hospitals",
        "Give each community therapist two protected hours a week for employer contact.",
        D(2010, 6, 1),
        D(2010, 9, 1),
        [
            (R.ACCEPTED, D(2010, 6, 20), "Agreed by the therapy lead."),
            (R.ACTIONED, D(2010, 9, 6), "Job plans changed."),
            (R.OUTCOME, D(2011, 3, 1), "Employer contacts rose from 2 to 11 a month."),
        ],
    ),
    (
        "return-to-work-after-stroke",
        "mark.hensby@trentside.example.org",
        "study_team",
        None,
        "Add a benefits adviser to the steering committee.",
        D(2011, 4, 1),
        D(2011, 7, 1),
        [(R.ACCEPTED, D(2011, 4, 15), "")],
    ),
    (
        "return-to-work-after-stroke",
        "mark.hensby@trentside.example.org",
        "study_team",
        None,
        "Share the pro forma with the other stroke studies.",
        D(2013, 9, 2),
        D(2013, 12, 2),
        [],
    ),
    (
        "cbt-chronic-mood-disorder",
        "catherine.aldous@trentside.example.org",
        "partner",
        "trentside-healthcare",
        "Open two therapy rooms one evening a week for follow-on groups.",
        D(2011, 5, 2),
        D(2011, 9, 1),
        [
            (R.ACCEPTED, D(2011, 5, 20), ""),
            (R.ACTIONED, D(2012, 1, 16), "Rooms booked on Tuesdays."),
        ],
    ),
    (
        "early-supported-discharge",
        "mark.hensby@trentside.example.org",
        "partner",
        "mapleford-pct",
        "Commission the team for three years rather than one.",
        D(2011, 2, 1),
        D(2011, 6, 30),
        [(R.DECLINED, D(2011, 7, 11), "Budget rules allow one-year commitments only.")],
    ),
    (
        "mosaic",
        "gita.chauhan@trentside.example.org",
        "study_team",
        None,
        "Offer clinic appointments after school hours.",
        D(2012, 1, 9),
        D(2012, 4, 2),
        [],
    ),
]

MEASURE = {
    "study": "return-to-work-after-stroke",
    "name": "Survivors offered a vocational assessment within 6 weeks",
    "unit": "%",
    "definition": "Of working-age survivors discharged in the month, the percentage offered a "
    "vocational assessment within six weeks.",
}
# Monthly values from January 2010: flat, then a rise after the first PDSA cycle, then higher.
MEASURE_VALUES = [
    18,
    22,
    20,
    17,
    21,
    19,
    23,
    20,
    26,
    31,
    35,
    38,
    42,
    41,
    44,
    46,
    43,
    47,
    45,
    48,
    44,
    49,
    47,
    50,
]
CYCLES = [
    (
        "Therapist prompt card at discharge",
        D(2010, 8, 2),
        D(2010, 10, 29),
        "Test a prompt card on one ward.",
        "Cards used for 12 weeks.",
        "Offers rose on that ward.",
        "Adopt; spread to all wards.",
    ),
    (
        "Protected employer contact time",
        D(2010, 11, 1),
        D(2011, 2, 25),
        "Two hours a week per therapist.",
        "Job plans changed.",
        "Rise held.",
        "Adopt.",
    ),
]

OUTPUTS: list[tuple[str, str, D, list[str], list[str], str]] = [
    # kind, title, date, studies, records (titles), description
    (
        "tool",
        "Return to work pro forma",
        D(2011, 6, 1),
        ["return-to-work-after-stroke"],
        ["Vocational rehabilitation in the community stroke team"],
        "Captures the intervention's content.",
    ),
    (
        "service_change",
        "Vocational assessment in the community stroke pathway",
        D(2012, 1, 9),
        ["return-to-work-after-stroke"],
        ["Vocational rehabilitation in the community stroke team"],
        "",
    ),
    (
        "publication",
        "Return to work after stroke: a feasibility study",
        D(2013, 4, 1),
        ["return-to-work-after-stroke"],
        [],
        "Invented reference for the demo.",
    ),
    (
        "commissioning",
        "Follow-on groups in the mental health contract",
        D(2013, 4, 1),
        ["cbt-chronic-mood-disorder"],
        ["Service-user-run follow-on groups"],
        "",
    ),
    (
        "funding",
        "Further funding for a multi-site trial",
        D(2013, 10, 1),
        ["return-to-work-after-stroke", "early-supported-discharge"],
        [],
        "",
    ),
    (
        "capacity",
        "Implementation science training for diffusion fellows",
        D(2012, 5, 14),
        ["cbt-chronic-mood-disorder", "mosaic"],
        [],
        "",
    ),
    (
        "guideline",
        "Local guideline on early supported discharge",
        D(2012, 9, 3),
        ["early-supported-discharge"],
        ["Early supported discharge team in Mapleford"],
        "",
    ),
]

ADMINISTRATIONS = [
    ("return-to-work-after-stroke", D(2010, 9, 1), "Baseline", 2.6),
    ("return-to-work-after-stroke", D(2011, 9, 1), "One year", 3.4),
    ("return-to-work-after-stroke", D(2012, 9, 3), "Two years", 4.0),
    ("cbt-chronic-mood-disorder", D(2012, 1, 9), "Baseline", 3.0),
    ("cbt-chronic-mood-disorder", D(2013, 1, 7), "One year", 3.6),
]
RESPONDENTS = 12


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
        output = Output.objects.create(kind=kind, title=title, date=day, description=description)
        output.studies.set(linked)
        output.records.set([records[t] for t in record_titles if t in records])
        made["outputs"] += 1
    return summary


def load_administrations(studies: dict[str, Study], made: Counter[str]) -> None:
    nomad = Instrument.objects.get(slug="nomad")
    items = list(Item.objects.filter(construct__instrument=nomad).select_related("construct"))
    lift = {"coherence": 0.4, "cognitive-participation": 0.2, "collective-action": -0.3}
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
                if rng.random() < 0.05:
                    value = None  # not relevant
                else:
                    mean = centre + lift.get(item.construct.key, 0.0)
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
            "record": records.get("Vocational rehabilitation in the community stroke team"),
        },
    )
    made["measures"] += created
    for month, value in enumerate(MEASURE_VALUES):
        day = D(2010 + month // 12, month % 12 + 1, 1)
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
