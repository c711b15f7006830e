"""A study's pathway from the priority that started it to the change it made, and the
collaboration's pathways counted by the stage each study reached.

Stages, in order: the priority (a priority-setting exercise's agreed priority whose outcome
names the study), the study, its governance protocol versions and the compromises agreed on
the way, its implementation records and recommendations, and its outputs and the impact they
recorded. A study reaches **service change** when one of its implementation records says an
organisation changed a service and the change is spreading or embedded, or one of its outputs
is an influence on policy or practice.

`study_pathway` reads each stage in one query (six in all, whatever the numbers);
`pathways` reads every study with its stages as EXISTS columns in one query.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse

from coproduce.coproduction.models import Compromise
from coproduce.governance.models import ProtocolVersion
from coproduce.implementation.models import (
    ImplementationRecord,
    Meaning,
    Output,
    Recommendation,
)
from coproduce.implementation.outcomes import OutcomeType
from coproduce.priorities.models import Consultation, Priority
from coproduce.registry.models import Study

CHANGED = Q(
    meaning=Meaning.ORGANISATION,
    status__in=[ImplementationRecord.Status.SPREADING, ImplementationRecord.Status.EMBEDDED],
)


@dataclasses.dataclass
class Node:
    kind: str
    label: str
    url: str
    note: str = ""


@dataclasses.dataclass
class Stage:
    key: str
    title: str
    nodes: list[Node]
    empty: str


def study_pathway(study: Study) -> list[Stage]:
    priorities = Priority.objects.filter(study=study).select_related(
        "question", "workshop__consultation"
    )
    protocols = ProtocolVersion.objects.filter(study=study).order_by("uploaded_at")
    compromises = (
        Compromise.objects.filter(study=study).select_related("protocol").order_by("date", "pk")
    )
    records = ImplementationRecord.objects.filter(study=study).select_related("site")
    recommendations = Recommendation.objects.filter(study=study).order_by("made_on", "pk")
    outputs = Output.objects.filter(studies=study).order_by("date", "title")
    return [
        Stage(
            "priority",
            "Priority",
            [
                Node(
                    "priority",
                    p.question.text,
                    reverse(
                        "priorities_staff:workshop",
                        args=[p.workshop.consultation.slug, p.workshop.public_id],
                    ),
                    f"{p.workshop.consultation.title}: priority {p.position}, "
                    f"{p.get_outcome_display().lower()}",
                )
                for p in priorities
            ],
            "No agreed priority names this study.",
        ),
        Stage(
            "study",
            "Study",
            [
                Node(
                    "study",
                    study.title,
                    reverse("implementation:study", args=[study.slug]),
                    study.get_stage_display(),
                )
            ],
            "",
        ),
        Stage(
            "protocol",
            "Protocol versions and compromises",
            [
                Node(
                    "protocol",
                    f"Protocol version {v.label}",
                    reverse("governance:study", args=[study.slug]),
                    v.summary_of_changes[:120],
                )
                for v in protocols
            ]
            + [
                Node(
                    "compromise",
                    c.summary,
                    reverse("coproduction:compromise", args=[study.slug, c.public_id]),
                    f"Compromise agreed {c.date:%d %B %Y}"
                    + (
                        f", changed protocol version {c.protocol.label}"
                        if c.protocol
                        else (f", protocol {c.protocol_version}" if c.protocol_version else "")
                    ),
                )
                for c in compromises
            ],
            "No protocol version or compromise is recorded.",
        ),
        Stage(
            "implementation",
            "Implementation records and recommendations",
            [Node("record", str(r), r.get_absolute_url(), r.get_status_display()) for r in records]
            + [
                Node(
                    "recommendation",
                    r.text[:120],
                    r.get_absolute_url(),
                    f"Recommendation: {r.get_status_display().lower()}",
                )
                for r in recommendations
            ],
            "No implementation record or recommendation is recorded.",
        ),
        Stage(
            "outputs",
            "Outputs and impact",
            [
                Node(
                    "output",
                    o.title,
                    o.get_absolute_url(),
                    str(o.get_kind_display())
                    + (f". What changed: {o.what_changed}" if o.what_changed else ""),
                )
                for o in outputs
            ],
            "No output is recorded.",
        ),
    ]


# --- the drawing ----------------------------------------------------------------------------

COLUMN = 230
BOX_WIDTH = 200
BOX_HEIGHT = 46
GAP = 12
TOP = 40


def _short(text: str, limit: int = 30) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def drawing(stages: list[Stage]) -> dict[str, Any]:
    """Positions for an SVG of the stages as columns of linked boxes (the list beside it is
    the accessible equivalent)."""
    columns = []
    tallest = 1
    for i, stage in enumerate(stages):
        x = 10 + i * COLUMN
        boxes = []
        for j, node in enumerate(stage.nodes):
            y = TOP + j * (BOX_HEIGHT + GAP)
            boxes.append(
                {
                    "x": x,
                    "y": y,
                    "text_x": x + 8,
                    "text_y": y + 20,
                    "note_y": y + 37,
                    "label": _short(node.label),
                    "note": _short(node.note, 34),
                    "full": node.label,
                    "url": node.url,
                    "kind": node.kind,
                }
            )
        tallest = max(tallest, len(stage.nodes))
        columns.append(
            {
                "title": stage.title,
                "x": x,
                "title_x": x,
                "arrow": i < len(stages) - 1,
                "arrow_x1": x + BOX_WIDTH + 4,
                "arrow_x2": x + COLUMN - 6,
                "boxes": boxes,
                "empty": not stage.nodes,
            }
        )
    return {
        "width": 10 + len(stages) * COLUMN,
        "height": TOP + tallest * (BOX_HEIGHT + GAP) + 10,
        "box_width": BOX_WIDTH,
        "box_height": BOX_HEIGHT,
        "arrow_y": TOP + BOX_HEIGHT // 2,
        "columns": columns,
    }


# --- the collaboration's pathways --------------------------------------------------------------

STAGES = (
    ("priority", "Started from an agreed priority"),
    ("protocol", "Protocol version or compromise recorded"),
    ("implementation", "Implementation recorded"),
    ("outputs", "Output recorded"),
    ("change", "Reached service change"),
)


def pathways(consultation: Consultation | None = None) -> QuerySet[Study]:
    """Every study (or those a consultation's priorities named), each with `reached_<stage>`
    for every stage of STAGES."""
    study = OuterRef("pk")
    queryset = Study.objects.select_related("theme").annotate(
        reached_priority=Exists(Priority.objects.filter(study=study)),
        reached_protocol=Exists(ProtocolVersion.objects.filter(study=study))
        | Exists(Compromise.objects.filter(study=study)),
        reached_implementation=Exists(ImplementationRecord.objects.filter(study=study))
        | Exists(Recommendation.objects.filter(study=study)),
        reached_outputs=Exists(Output.objects.filter(studies=study)),
        reached_change=Exists(ImplementationRecord.objects.filter(CHANGED, study=study))
        | Exists(Output.objects.filter(studies=study, kind=OutcomeType.POLICY)),
    )
    if consultation is not None:
        queryset = queryset.filter(
            Exists(Priority.objects.filter(study=study, workshop__consultation=consultation))
        )
    return queryset.order_by("title")


def counts(rows: list[Study]) -> list[tuple[str, str, int]]:
    return [
        (key, label, sum(1 for s in rows if getattr(s, f"reached_{key}"))) for key, label in STAGES
    ]
