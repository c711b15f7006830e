"""The recommendation workflow: allowed moves, refusals, history and audit."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from coproduce.audit.models import AuditEntry
from coproduce.implementation import transitions
from coproduce.implementation.models import Recommendation
from coproduce.implementation.transitions import TransitionError

S = Recommendation.Status


def test_the_whole_way_to_an_outcome(recommendation: Recommendation, manager: Any) -> None:
    transitions.move(recommendation, S.ACCEPTED, by=manager)
    transitions.move(recommendation, S.ACTIONED, by=manager, on=dt.date(2030, 2, 1))
    transitions.move(recommendation, S.OUTCOME, by=manager, outcome="Contacts rose.")
    recommendation.refresh_from_db()
    assert recommendation.status == S.OUTCOME
    assert recommendation.outcome == "Contacts rose."
    steps = list(recommendation.steps.order_by("pk").values_list("from_status", "to_status"))
    assert steps == [(S.OPEN, S.ACCEPTED), (S.ACCEPTED, S.ACTIONED), (S.ACTIONED, S.OUTCOME)]
    assert (
        AuditEntry.objects.filter(action="implementation.recommendation.status_changed").count()
        == 3
    )


@pytest.mark.parametrize("start", [S.OPEN, S.ACCEPTED])
def test_declined_from_open_or_accepted_needs_a_reason(
    recommendation: Recommendation, start: str
) -> None:
    Recommendation.objects.filter(pk=recommendation.pk).update(status=start)
    recommendation.refresh_from_db()
    with pytest.raises(TransitionError, match="reason") as caught:
        transitions.move(recommendation, S.DECLINED, reason="  ")
    assert caught.value.field == "reason"
    transitions.move(recommendation, S.DECLINED, reason="No budget.")
    recommendation.refresh_from_db()
    assert recommendation.status == S.DECLINED
    assert recommendation.decline_reason == "No budget."


def test_outcome_needs_a_description(recommendation: Recommendation) -> None:
    transitions.move(recommendation, S.ACCEPTED)
    transitions.move(recommendation, S.ACTIONED)
    with pytest.raises(TransitionError, match="outcome"):
        transitions.move(recommendation, S.OUTCOME, outcome="")


@pytest.mark.parametrize(
    ("start", "to"),
    [
        (S.OPEN, S.ACTIONED),
        (S.OPEN, S.OUTCOME),
        (S.OPEN, S.OPEN),
        (S.ACCEPTED, S.OPEN),
        (S.ACCEPTED, S.OUTCOME),
        (S.ACTIONED, S.DECLINED),
        (S.ACTIONED, S.ACCEPTED),
        (S.OUTCOME, S.OPEN),
        (S.DECLINED, S.ACCEPTED),
        (S.DECLINED, S.OPEN),
    ],
)
def test_other_moves_are_refused_with_a_clear_error(
    recommendation: Recommendation, start: str, to: str
) -> None:
    Recommendation.objects.filter(pk=recommendation.pk).update(status=start)
    recommendation.refresh_from_db()
    with pytest.raises(TransitionError, match="cannot become"):
        transitions.move(recommendation, to, reason="x", outcome="x")
    recommendation.refresh_from_db()
    assert recommendation.status == start
    assert not recommendation.steps.exists()


def test_error_message_says_what_is_allowed(recommendation: Recommendation) -> None:
    with pytest.raises(TransitionError) as caught:
        transitions.check(recommendation, S.ACTIONED)
    assert str(caught.value) == (
        "A recommendation that is open cannot become actioned. "
        "From open it can only become accepted or declined."
    )
    Recommendation.objects.filter(pk=recommendation.pk).update(status=S.DECLINED)
    recommendation.refresh_from_db()
    with pytest.raises(TransitionError, match="which is final"):
        transitions.check(recommendation, S.ACCEPTED)


def test_unknown_status(recommendation: Recommendation) -> None:
    with pytest.raises(TransitionError, match="not a status"):
        transitions.check(recommendation, "lost")


def test_a_stale_copy_cannot_move_twice(recommendation: Recommendation) -> None:
    stale = Recommendation.objects.get(pk=recommendation.pk)
    transitions.move(recommendation, S.ACCEPTED)
    transitions.move(recommendation, S.ACTIONED)
    # The stale copy still says "open"; the locked row says "actioned", which wins.
    with pytest.raises(TransitionError, match="actioned cannot become accepted"):
        transitions.move(stale, S.ACCEPTED)


def test_every_status_has_an_entry_in_the_table() -> None:
    assert set(transitions.ALLOWED) == set(S.values)
