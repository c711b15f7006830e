"""The demo: 34 invited, 26 responded (76%), about 300 submissions, and idempotent."""

from __future__ import annotations

from typing import Any

from coproduce.demo.loader import priorities as demo
from coproduce.priorities import services
from coproduce.priorities.models import Consultation, Merge, Priority, Submission


def test_demo_reproduces_the_scoping_consultation_and_is_idempotent(db: Any) -> None:
    demo.load()
    scoping = Consultation.objects.get(slug=demo.SCOPING_SLUG)
    rates = services.response_rates(scoping).overall
    assert (rates.invited, rates.responded, rates.percent) == (34, 26, 76)
    stroke = Consultation.objects.get(slug=demo.STROKE_SLUG)
    assert 290 <= stroke.submissions.count() <= 310
    assert Merge.objects.filter(submission__consultation=stroke).count() > 200
    assert Priority.objects.filter(workshop__consultation=stroke).count() == 10
    counts = (Submission.objects.count(), Merge.objects.count(), Priority.objects.count())
    demo.load()
    assert (Submission.objects.count(), Merge.objects.count(), Priority.objects.count()) == counts
    assert "26 of 34 responded (76%)" in demo.Summary().line()


def test_scoping_survey_of_may_2008_with_its_recorded_outcomes(db: Any) -> None:
    """The paper: a survey in May 2008; feedback amended some studies' scope and others were not
    taken forward."""
    demo.load()
    scoping = Consultation.objects.get(slug=demo.SCOPING_SLUG)
    assert (scoping.opens.year, scoping.opens.month) == (2008, 5)
    submitted = scoping.responses.exclude(submitted_at=None).values_list("submitted_at", flat=True)
    assert submitted
    assert all(at.year == 2008 and 5 <= at.month <= 6 for at in submitted)
    outcomes = set(
        Priority.objects.filter(workshop__consultation=scoping).values_list("outcome", flat=True)
    )
    assert {Priority.Outcome.AMENDED_SCOPE, Priority.Outcome.NOT_TAKEN_FORWARD} <= outcomes
    assert not scoping.workshops.filter(published=True).exists()
