"""Figures for the staff and public pages: interim results from the database, workshop rounds,
and the response-rate chart with its table."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from coproduce.lib import charts
from coproduce.priorities import ranking, services
from coproduce.priorities.models import (
    BallotRank,
    Consultation,
    InterimSurvey,
    StakeholderGroup,
    Workshop,
    WorkshopRank,
)


def interim_result(survey: InterimSurvey) -> ranking.InterimResult:
    """Two queries: the survey's questions, and every rank given (ballots grouped in Python)."""
    questions = list(survey.questions.order_by("text"))
    by_pk = {q.pk: q for q in questions}
    ballots: dict[int, tuple[str, list[tuple[Any, int]]]] = {}
    for ballot_id, group, question_id, rank in BallotRank.objects.filter(
        ballot__survey=survey
    ).values_list("ballot_id", "ballot__group", "question_id", "rank"):
        if question_id in by_pk:
            ballots.setdefault(ballot_id, (group, []))[1].append((by_pk[question_id], rank))
    counts: dict[str, int] = defaultdict(int)
    for ballot in survey.ballots.values_list("group", flat=True):
        counts[ballot] += 1
    result = ranking.interim_ranking(
        ballots.values(), questions, StakeholderGroup.values, survey.max_picks
    )
    result.ballots_by_group = {g: counts.get(g, 0) for g in StakeholderGroup.values}
    return result


def workshop_rounds(workshop: Workshop) -> list[tuple[int, list[ranking.RoundRow]]]:
    by_round: dict[int, dict[str, dict[Any, int]]] = defaultdict(lambda: defaultdict(dict))
    questions: dict[int, Any] = {}
    for rank in WorkshopRank.objects.filter(group__workshop=workshop).select_related(
        "group", "question"
    ):
        by_round[rank.round][rank.group.name][rank.question] = rank.rank
        questions[rank.question.pk] = rank.question
    ordered = sorted(questions.values(), key=lambda q: q.text)
    return [(n, ranking.workshop_round(by_round[n], ordered)) for n in sorted(by_round)]


def rate_chart(consultation: Consultation, rates: services.Rates) -> charts.Chart:
    rows = [{"group": r.label, "percent": r.percent or 0} for r in rates.groups if r.invited]
    spec = charts.bar_chart(
        rows,
        category="group",
        value="percent",
        title="Response rate by stakeholder group",
        value_title="Responded (% of invited)",
        value_domain=[0, 100],
        description="Percentage of invitees in each group who submitted a response.",
    )
    table = charts.Table(
        caption=f"Response rate by stakeholder group: {consultation.title}",
        columns=["Group", "Invited", "Responded", "Response rate", "In progress", "Open link"],
        rows=[
            [r.label, r.invited, r.responded, _pct(r.percent), r.in_progress, r.open_link]
            for r in rates.groups
        ],
        numeric=frozenset({1, 2, 3, 4, 5}),
        footer=[
            "All groups",
            rates.overall.invited,
            rates.overall.responded,
            _pct(rates.overall.percent),
            rates.overall.in_progress,
            rates.overall.open_link,
        ],
    )
    overall = rates.overall
    summary = (
        f"{overall.responded} of {overall.invited} invitees responded "
        f"({_pct(overall.percent)}). "
        + "; ".join(f"{r.label}: {_pct(r.percent)}" for r in rates.groups if r.invited)
    )
    return charts.Chart(
        key=f"rate-{consultation.slug}",
        title="Response rate by group",
        spec=spec,
        summary=summary,
        table=table,
    )


def _pct(value: int | None) -> str:
    return "–" if value is None else f"{value}%"
