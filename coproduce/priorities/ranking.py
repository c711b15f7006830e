"""The ranking arithmetic, kept free of the database so it can be checked by hand.

Interim survey: the James Lind Alliance (JLA) Guidebook's method
------------------------------------------------------------------
Source: The James Lind Alliance Guidebook, online edition (www.jla.nihr.ac.uk/jla-guidebook),
Chapter 7 "Interim priority setting": the page "Interim priority setting approaches" (box
"Choose and rank 10") and the page "Collating and scoring interim priorities". (An earlier online
edition has the same procedure as Chapter 8, "Collating and scoring interim priorities".)
Checked on 7 December 2026 against stored copies of
www.jla.nihr.ac.uk/jla-guidebook/chapter-7/collating-and-scoring-interim-priorities.htm and
.../chapter-8/collating-and-scoring-interim-priorities.htm: the reverse scoring table, the
groups kept apart, each group's totals ranked again and scored by position, and those position
scores combined so that a group with few responses keeps equal weight. The Guidebook gives no
worked example with numbers beyond the scoring table; the tests' examples are worked by hand
from its steps. Chapter 7 also allows a Steering Group, where the combined list would drop
questions important to one group, to shortlist each group's own top 10 instead; that is a
decision for the Steering Group, not a computation, and is not offered here. The Guidebook's
steps, followed here in order:

1. "Each ranked question is given a score (rank 1 = 10 points, rank 10 = 1 point) and totals are
   tallied for each question, keeping patient, carer and clinician responses separate." The
   Guidebook's table: rank 1 scores 10, 2 -> 9, ... 10 -> 1. A survey here asks for up to
   `max_picks` (usually 10), so rank r earns `max_picks - r + 1` points; with 10 it is the table.
   Every stakeholder group is kept separate ("Some PSPs also score responses from organisations
   separately").
2. "A rank order for each respondent group is calculated, and each question re-scored according
   to its position in the list (top ranking gains maximum points)." Each group's list holds every
   question on the survey (N of them), in order of that group's point totals; place p scores
   N - p + 1, so first place gains the maximum, N.
3. "The totals for each respondent group are added together to generate a combined ranking of
   all the questions." / "It is those position scores that are then combined, to work out the
   final interim prioritised list. This means that where a low number of patients, for example,
   has responded compared with clinicians, their scores will still be given equal weighting."
   The combined score is the sum of the groups' place scores; the combined list is in order of
   that sum, highest first.

Where the Guidebook is silent, this module decides, and the staff page says so:
- Ties in a group's list (equal point totals; every question a group gave no points is level
  at the bottom of its list). The Guidebook only mentions questions "ranked in joint place".
  Tied questions share the place (shown "3=") and each gets the mean of the scores of the places
  they cover (the usual mid-rank rule): two questions level for 3rd and 4th of 4 score
  (2 + 1) / 2 = 1.5 each. So every group's place scores add up to N(N+1)/2 whatever its ties,
  which keeps the equal weighting the Guidebook asks for exact. Scores are exact fractions.
- A group that ranked nothing (no ballots, or ballots with no picks) has no list. It is left out
  of the sum and named on the page. Under the mid-rank rule its list would be one N-way tie, a
  constant (N + 1) / 2 added to every question, so leaving it out changes no order.
- Ties in the combined list: equal sums share a position and the next is skipped (1, 2, 2, 4,
  "competition" ranking); nothing breaks them. The shortlist is every question whose position is
  within `shortlist_size`, so questions tied at the boundary are all kept (the Guidebook leaves
  where "to draw the line" to the Steering Group and the JLA Adviser).

Share of points (alternative), kept for comparison only: each question's points in a group
divided by that group's total points, averaged over the groups that ranked anything. It also
weighs groups equally but uses the size of the point totals rather than the order, so its
shortlist can differ from the Guidebook's; it never decides the order unless asked for with
`method=Method.SHARE`.

Workshop rounds: each small group ranks every shortlisted question (1 = most important); the
aggregated ranking after a round orders questions by the sum of the groups' ranks (lower is
better); a question a group did not rank counts as that group's last place.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any


class Method(enum.StrEnum):
    JLA = "jla"  # the JLA Guidebook's: place scores in each group's list, summed
    SHARE = "share"  # share of points (alternative): mean over groups of each group's share


def points(rank: int, max_picks: int) -> int:
    """Reverse scoring of one ballot: rank 1 of 10 earns 10 points, rank 10 earns 1."""
    if not 1 <= rank <= max_picks:
        raise ValueError(f"rank {rank} is outside 1..{max_picks}")
    return max_picks - rank + 1


def show(value: Fraction) -> str:
    """An exact score for a page: 6, 1.5, or a fraction rounded to 2 places when it is not a
    whole number of halves (never the case for the Guidebook's scores)."""
    if value.denominator == 1:
        return str(value.numerator)
    if value.denominator == 2:
        return f"{float(value):.1f}"
    return f"{float(value):.2f}"


@dataclass
class Standing:
    """A question's place in one group's list."""

    points: int  # the group's reverse-scored points for it (step 1)
    place: int  # its place in the group's list, 1 = most points; tied questions share it
    tied: bool
    score: Fraction  # N - place + 1, or the mean of that over the places a tie covers (step 2)

    @property
    def place_text(self) -> str:
        return f"{self.place}{'=' if self.tied else ''}"

    @property
    def score_text(self) -> str:
        return show(self.score)


def group_list(totals: Mapping[Any, int], questions: Sequence[Any]) -> dict[Any, Standing]:
    """Step 2 for one group: every question in order of the group's points, highest first; place
    p of N scores N - p + 1, questions level on points share their place and the mean score of
    the places they cover."""
    n = len(questions)
    ordered = sorted(questions, key=lambda q: (-totals.get(q, 0), str(q)))
    standings: dict[Any, Standing] = {}
    start = 0
    while start < n:
        value = totals.get(ordered[start], 0)
        end = start
        while end + 1 < n and totals.get(ordered[end + 1], 0) == value:
            end += 1
        first, last = start + 1, end + 1  # the places this block covers
        score = Fraction((n - first + 1) + (n - last + 1), 2)
        for question in ordered[start : end + 1]:
            standings[question] = Standing(value, first, end > start, score)
        start = end + 1
    return standings


@dataclass
class Scored:
    question: Any
    score: Fraction  # the combined score by the method the result was made with
    position: int = 0
    tied: bool = False
    by_group: dict[str, int] = field(default_factory=dict)  # points per group (every group)
    standings: dict[str, Standing] = field(default_factory=dict)  # per counted group
    jla_score: Fraction = Fraction(0)  # sum of the counted groups' place scores
    share_score: Fraction = Fraction(0)  # share of points (alternative)
    share_by_group: dict[str, Fraction] = field(default_factory=dict)
    share_position: int = 0
    share_tied: bool = False
    picks: int = 0  # how many ballots picked it

    @property
    def position_text(self) -> str:
        return f"{self.position}{'=' if self.tied else ''}"

    @property
    def jla_text(self) -> str:
        return show(self.jla_score)

    @property
    def share_position_text(self) -> str:
        return f"{self.share_position}{'=' if self.share_tied else ''}"

    @property
    def percent(self) -> float:
        """The share of points (alternative) as a percentage."""
        return float(self.share_score * 100)


@dataclass
class InterimResult:
    rows: list[Scored]  # in combined order by `method`
    groups_counted: list[str]
    groups_without_ballots: list[str]  # no ballots, or ballots with no picks: left out
    ballots_by_group: dict[str, int]
    method: Method = Method.JLA
    question_count: int = 0  # N: the first place in a group's list scores N

    def shortlist(self, size: int) -> list[Scored]:
        return [row for row in self.rows if row.position <= size]


def _assign_positions(rows: list[Any], key: Any, reverse: bool, attr: str = "") -> None:
    """Competition ranks (1, 2, 2, 4) into `position`/`tied`, or `<attr>_position`/`<attr>_tied`
    without reordering `rows` when `attr` is given."""
    ordered = sorted(rows, key=lambda r: (key(r) if not reverse else -key(r), str(r.question)))
    pos_name, tied_name = (f"{attr}_position", f"{attr}_tied") if attr else ("position", "tied")
    previous: Any = None
    for index, row in enumerate(ordered, 1):
        value = key(row)
        if index > 1 and value == previous:
            setattr(row, pos_name, getattr(ordered[index - 2], pos_name))
            setattr(row, tied_name, True)
            setattr(ordered[index - 2], tied_name, True)
        else:
            setattr(row, pos_name, index)
        previous = value
    if not attr:
        rows[:] = ordered


def interim_ranking(
    ballots: Iterable[tuple[str, Sequence[tuple[Any, int]]]],
    questions: Sequence[Any],
    groups: Sequence[str],
    max_picks: int,
    method: Method = Method.JLA,
) -> InterimResult:
    """`ballots`: (group, [(question, rank), ...]) per participant; `questions`: every question
    on the survey (keys as used in the ballots); `groups`: every stakeholder group."""
    group_points: dict[str, dict[Any, int]] = {g: defaultdict(int) for g in groups}
    picks: dict[Any, int] = defaultdict(int)
    ballots_by_group: dict[str, int] = {g: 0 for g in groups}
    for group, ranks in ballots:
        ballots_by_group[group] = ballots_by_group.get(group, 0) + 1
        bucket = group_points.setdefault(group, defaultdict(int))
        for question, rank in ranks:
            bucket[question] += points(rank, max_picks)
            picks[question] += 1
    return ranking_from_points(group_points, picks, ballots_by_group, questions, method)


def ranking_from_points(
    group_points: Mapping[str, Mapping[Any, int]],
    picks: Mapping[Any, int],
    ballots_by_group: dict[str, int],
    questions: Sequence[Any],
    method: Method = Method.JLA,
) -> InterimResult:
    """The combined ranking from points already totalled per group (step 1, for example by the
    database): `group_points` has every stakeholder group as a key, in display order. Both
    methods' scores are worked out; `method` decides the order and the shortlist."""
    totals = {g: sum(p.values()) for g, p in group_points.items()}
    counted = [g for g in group_points if totals[g] > 0]
    lists = {g: group_list(group_points[g], questions) for g in counted}
    rows = []
    for question in questions:
        by_group = {g: group_points[g].get(question, 0) for g in group_points}
        standings = {g: lists[g][question] for g in counted}
        jla = sum((s.score for s in standings.values()), Fraction(0))
        shares = {g: Fraction(by_group[g], totals[g]) for g in counted}
        share = sum(shares.values(), Fraction(0)) / len(counted) if counted else Fraction(0)
        rows.append(
            Scored(
                question,
                jla if method == Method.JLA else share,
                by_group=by_group,
                standings=standings,
                jla_score=jla,
                share_score=share,
                share_by_group=shares,
                picks=picks.get(question, 0),
            )
        )
    _assign_positions(rows, key=lambda r: r.share_score, reverse=True, attr="share")
    _assign_positions(rows, key=lambda r: r.score, reverse=True)
    return InterimResult(
        rows=rows,
        groups_counted=counted,
        groups_without_ballots=[g for g in group_points if g not in counted],
        ballots_by_group=ballots_by_group,
        method=method,
        question_count=len(questions),
    )


@dataclass
class RoundRow:
    question: Any
    total: int
    position: int = 0
    tied: bool = False
    by_group: dict[str, int] = field(default_factory=dict)


def workshop_round(
    ranks: Mapping[str, Mapping[Any, int]], questions: Sequence[Any]
) -> list[RoundRow]:
    """`ranks`: group name -> {question: rank}. Sum of ranks, lowest first."""
    last = len(questions)
    rows = []
    for question in questions:
        by_group = {g: given.get(question, last) for g, given in ranks.items()}
        rows.append(RoundRow(question, sum(by_group.values()), by_group=by_group))
    _assign_positions(rows, key=lambda r: r.total, reverse=False)
    return rows
