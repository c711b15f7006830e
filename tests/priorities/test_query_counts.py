"""The analysis pages run a fixed number of queries whatever the number of submissions,
ballots and invitees (bench/priorities.py loads them with 10,000 submissions)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coproduce.priorities import services
from coproduce.priorities.models import (
    Consultation,
    IndicativeQuestion,
    InterimSurvey,
    Invitation,
    Merge,
    Response,
    StakeholderGroup,
    Submission,
)

GROUPS = StakeholderGroup.values


@pytest.fixture
def exercise(consultation: Consultation) -> dict[str, Any]:
    iqs = [
        IndicativeQuestion.objects.create(consultation=consultation, text=f"Question {n}")
        for n in range(12)
    ]
    survey = InterimSurvey.objects.create(consultation=consultation, title="Interim")
    survey.questions.set(iqs)
    return {"iqs": iqs, "survey": survey, "n": 0}


def _grow(consultation: Consultation, exercise: dict[str, Any], people: int) -> None:
    """Add `people` invitees who respond, each with two submissions and a ballot."""
    iqs = exercise["iqs"]
    for _ in range(people):
        n = exercise["n"] = exercise["n"] + 1
        group = GROUPS[n % len(GROUPS)]
        invitation = Invitation.objects.create(
            consultation=consultation, full_name=f"P {n}", email=f"p{n}@example.org", group=group
        )
        response = Response.objects.create(
            consultation=consultation, invitation=invitation, group=group,
            submitted_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
        )  # fmt: skip
        for k in range(2):
            submission = Submission.objects.create(
                consultation=consultation, response=response, group=group,
                text=f"What helps carers of people with stroke {n} {k}?",
            )  # fmt: skip
            if k:
                Merge.objects.create(submission=submission, indicative_question=iqs[n % 12])
        picks = [iqs[(n + i) % 12].pk for i in range(1 + n % 5)]
        services.cast_ballot(exercise["survey"], group, picks)


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_analysis_pages_do_not_grow_with_data(
    reader_client: Client, client: Client, consultation: Consultation, exercise: dict[str, Any]
) -> None:
    consultation.published = True
    consultation.save()
    slug = consultation.slug
    first = Submission.objects.none()
    urls = [
        (reader_client, reverse("priorities_staff:list")),
        (reader_client, reverse("priorities_staff:detail", args=[slug])),
        (reader_client, reverse("priorities_staff:submissions", args=[slug])),
        (reader_client, reverse("priorities_staff:submissions", args=[slug]) + "?show=merged"),
        (reader_client, reverse("priorities_staff:indicative_list", args=[slug])),
        (reader_client, reverse("priorities_staff:survey", args=[slug, exercise["survey"].public_id])),
        (client, reverse("priorities:index")),
    ]  # fmt: skip
    _grow(consultation, exercise, 3)
    first = Submission.objects.order_by("pk").first()
    assert first is not None
    iq = exercise["iqs"][0]
    urls += [
        (reader_client, reverse("priorities_staff:submission", args=[slug, first.public_id])),
        (reader_client, reverse("priorities_staff:indicative", args=[slug, iq.public_id])),
    ]
    small = [_queries(c, url) for c, url in urls]
    _grow(consultation, exercise, 30)
    large = [_queries(c, url) for c, url in urls]
    assert large == small, list(zip([u for _, u in urls], small, large, strict=True))
