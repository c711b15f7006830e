"""Figures for the staff and public pages: interim results from the database, workshop rounds,
and the response-rate chart with its table."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Q, Sum, Value

from coproduce.lib import charts
from coproduce.priorities import ranking, services
from coproduce.priorities.models import (
    BallotRank,
    Consultation,
    IndicativeQuestion,
    InterimSurvey,
    Priority,
    StakeholderGroup,
    Workshop,
    WorkshopRank,
)


def interim_result(
    survey: InterimSurvey, method: ranking.Method = ranking.Method.JLA
) -> ranking.InterimResult:
    """Three queries whatever the number of ballots: the survey's questions, points and picks
    summed per (group, question) in the database (step 1 of the JLA Guidebook's method), and
    ballots counted per group. The groups' lists and the combined ranking are worked out in
    `ranking` (by the Guidebook's method unless `method` asks for the alternative)."""
    questions = list(survey.questions.order_by("text"))
    by_pk = {q.pk: q for q in questions}
    group_points: dict[str, dict[Any, int]] = {g: {} for g in StakeholderGroup.values}
    picks: dict[Any, int] = defaultdict(int)
    sums = (
        BallotRank.objects.filter(ballot__survey=survey, question__in=list(by_pk))
        .values_list("ballot__group", "question_id")
        .annotate(
            points=Sum(Value(survey.max_picks + 1) - F("rank")),
            n=Count("pk"),
        )
        .order_by()
    )
    for group, question_id, total, n in sums:
        question = by_pk[question_id]
        group_points.setdefault(group, {})[question] = int(total)
        picks[question] += n
    counts = dict(
        survey.ballots.values_list("group")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("group", "n")
    )
    ballots_by_group = {g: counts.get(g, 0) for g in group_points}
    return ranking.ranking_from_points(group_points, picks, ballots_by_group, questions, method)


@dataclass
class Round:
    """The aggregated ranking after one workshop round."""

    number: int
    rows: list[ranking.RoundRow]
    groups: list[str]  # groups that ranked in this round, in name order
    missing: list[str]  # groups that ranked nothing in this round (left out)


def workshop_questions(workshop: Workshop) -> list[IndicativeQuestion]:
    """What the small groups rank: the consultation's shortlist, and anything already ranked or
    agreed at this workshop. Without a shortlist, every question not already answered."""
    ranked = WorkshopRank.objects.filter(group__workshop=workshop).values("question_id")
    agreed = Priority.objects.filter(workshop=workshop).values("question_id")
    base = IndicativeQuestion.objects.filter(consultation_id=workshop.consultation_id)
    questions = list(
        base.filter(Q(shortlisted=True) | Q(pk__in=ranked) | Q(pk__in=agreed)).order_by("text")
    )
    if not questions:
        questions = list(
            base.exclude(evidence_status=IndicativeQuestion.Evidence.ANSWERED).order_by("text")
        )
    return questions


def workshop_results(
    workshop: Workshop, questions: list[IndicativeQuestion] | None = None
) -> list[Round]:
    """Every round's aggregated ranking (sum of ranks, an unranked question counting as last
    of `questions`), from one query over the ranks. Groups that ranked nothing in a round are
    left out of it and named."""
    if questions is None:
        questions = workshop_questions(workshop)
    by_pk = {q.pk: q for q in questions}
    names = list(workshop.groups.order_by("name").values_list("name", flat=True))
    by_round: dict[int, dict[str, dict[Any, int]]] = defaultdict(dict)
    for number, group, question_id, rank in WorkshopRank.objects.filter(
        group__workshop=workshop
    ).values_list("round", "group__name", "question_id", "rank"):
        if question_id in by_pk:
            by_round[number].setdefault(group, {})[by_pk[question_id]] = rank
    rounds = []
    for number in sorted(by_round):
        given = {name: by_round[number][name] for name in names if name in by_round[number]}
        rounds.append(
            Round(
                number=number,
                rows=ranking.workshop_round(given, questions),
                groups=list(given),
                missing=[name for name in names if name not in given],
            )
        )
    return rounds


def workshop_rounds(workshop: Workshop) -> list[tuple[int, list[ranking.RoundRow]]]:
    return [(r.number, r.rows) for r in workshop_results(workshop)]


def round_chart(workshop: Workshop, result: Round) -> charts.Chart:
    """A bar per question (sum of the groups' ranks, shortest is most important) and the table
    of the same figures, with each group's ranks."""
    order = [row.question.text for row in result.rows]
    spec = charts.bar_chart(
        [{"question": row.question.text, "total": row.total} for row in result.rows],
        category="question",
        value="total",
        title=f"Round {result.number}: sum of the groups' ranks",
        value_title="Sum of ranks (lower is more important)",
        category_order=order,
        integer=True,
        description="Each question's ranks from the small groups added up; the shortest bar "
        "is the most important.",
    )
    table = charts.Table(
        caption=f"Aggregated ranking after round {result.number}: {workshop.title}",
        columns=["Question", "Position", *result.groups, "Sum of ranks"],
        rows=[
            [
                row.question.text,
                f"{row.position}{'=' if row.tied else ''}",
                *[row.by_group[g] for g in result.groups],
                row.total,
            ]
            for row in result.rows
        ],
        numeric=frozenset(range(1, len(result.groups) + 3)),
    )
    top = ", ".join(
        f"{row.position}{'=' if row.tied else ''}. {row.question.text}" for row in result.rows[:3]
    )
    summary = (
        f"Round {result.number}, {len(result.groups)} group(s): sum of ranks per question, "
        f"lower is more important. Top three: {top}."
    )
    return charts.Chart(
        key=f"round-{result.number}",
        title=f"After round {result.number}",
        spec=spec,
        summary=summary,
        table=table,
    )


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
