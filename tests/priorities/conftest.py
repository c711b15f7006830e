"""A small consultation with one question of each kind and a conditional question."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from coproduce.priorities.models import Consultation, Invitation, Question, StakeholderGroup


@pytest.fixture
def consultation(db: Any) -> Consultation:
    c = Consultation.objects.create(
        slug="scoping",
        title="Scoping consultation",
        scope="What research should we do?",
        opens=dt.date(2008, 10, 1),
        closes=dt.date(2099, 11, 30),
        status=Consultation.Status.OPEN,
        open_link_enabled=True,
    )
    q1 = Question.objects.create(
        consultation=c, position=1, kind=Question.Kind.SINGLE, text="Any concerns?",
        choices=["Yes", "No"], required=True,
    )  # fmt: skip
    Question.objects.create(
        consultation=c, position=2, kind=Question.Kind.FREE_TEXT, text="What concerns?",
        required=True, show_if_question=q1, show_if_value="Yes", collects_submissions=True,
    )  # fmt: skip
    Question.objects.create(
        consultation=c, position=3, kind=Question.Kind.MULTIPLE, text="Which themes?",
        choices=["Mental health", "Stroke", "Children"],
    )  # fmt: skip
    Question.objects.create(
        consultation=c, position=4, kind=Question.Kind.SCALE, text="How important?",
        scale_min=1, scale_max=5,
    )  # fmt: skip
    Question.objects.create(
        consultation=c, position=5, kind=Question.Kind.RANKING, text="Rank outcomes",
        choices=["Experience", "Outcomes", "Cost"],
    )  # fmt: skip
    return c


@pytest.fixture
def questions(consultation: Consultation) -> dict[int, Question]:
    return {q.position: q for q in consultation.questions.all()}


@pytest.fixture
def invitation(consultation: Consultation) -> Invitation:
    return Invitation.objects.create(
        consultation=consultation,
        full_name="Ada Arkwright",
        email="ada@example.org",
        group=StakeholderGroup.CLINICIAN,
    )


def form_data(questions: dict[int, Question], **answers: Any) -> dict[str, Any]:
    """POST data: q1="Yes", q2="text", q3=[...], q4="4", q5={"Cost": "1", ...}."""
    data: dict[str, Any] = {}
    for key, value in answers.items():
        q = questions[int(key[1:])]
        if q.kind == Question.Kind.RANKING:
            for index, option in enumerate(q.choices):
                data[f"q_{q.pk}_r{index}"] = value.get(option, "")
        else:
            data[f"q_{q.pk}"] = value
    return data
