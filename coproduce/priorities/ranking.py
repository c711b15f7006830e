"""The ranking arithmetic, kept free of the database so it can be checked by hand.

Interim survey (James Lind Alliance style):
- Each participant picks up to `max_picks` questions and ranks them. Reverse scoring: rank r of
  `max_picks` earns `max_picks - r + 1` points (rank 1 of 10 earns 10, rank 10 earns 1).
- Points are totalled per stakeholder group. To give every group equal weight whatever its
  size, each question's points in a group are divided by that group's total points (its share
  of the group's attention), and the combined score is the mean share over the groups that
  ranked anything. A group with no ballots (or no picks) is left out of the mean rather than
  counted as zero, so it neither dilutes nor decides the result; the page names such groups.
- Positions are competition ranks: equal scores share a position and the next position is
  skipped (1, 2, 2, 4). Exact fractions are used, so ties are real ties.
- The shortlist is every question whose position is within `shortlist_size`, so questions
  tied at the boundary are all kept (the shortlist may be longer than asked).

Workshop rounds: each small group ranks every shortlisted question (1 = most important); the
aggregated ranking after a round orders questions by the sum of the groups' ranks (lower is
better); a question a group did not rank counts as that group's last place.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any


def points(rank: int, max_picks: int) -> int:
    if not 1 <= rank <= max_picks:
        raise ValueError(f"rank {rank} is outside 1..{max_picks}")
    return max_picks - rank + 1


@dataclass
class Scored:
    question: Any
    score: Fraction
    position: int = 0
    tied: bool = False
    by_group: dict[str, int] = field(default_factory=dict)  # points per group
    share_by_group: dict[str, Fraction] = field(default_factory=dict)
    picks: int = 0  # how many ballots picked it

    @property
    def percent(self) -> float:
        return float(self.score * 100)


@dataclass
class InterimResult:
    rows: list[Scored]
    groups_counted: list[str]
    groups_without_ballots: list[str]
    ballots_by_group: dict[str, int]

    def shortlist(self, size: int) -> list[Scored]:
        return [row for row in self.rows if row.position <= size]


def _assign_positions(rows: list[Any], key: Any, reverse: bool) -> None:
    rows.sort(key=lambda r: (key(r) if not reverse else -key(r), str(r.question)))
    previous: Any = None
    for index, row in enumerate(rows, 1):
        value = key(row)
        if index > 1 and value == previous:
            row.position = rows[index - 2].position
            row.tied = True
            rows[index - 2].tied = True
        else:
            row.position = index
        previous = value


def interim_ranking(
    ballots: Iterable[tuple[str, Sequence[tuple[Any, int]]]],
    questions: Sequence[Any],
    groups: Sequence[str],
    max_picks: int,
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
    return ranking_from_points(group_points, picks, ballots_by_group, questions)


def ranking_from_points(
    group_points: Mapping[str, Mapping[Any, int]],
    picks: Mapping[Any, int],
    ballots_by_group: dict[str, int],
    questions: Sequence[Any],
) -> InterimResult:
    """The combined ranking from points already totalled per group (for example by the
    database): `group_points` has every stakeholder group as a key, in display order."""
    totals = {g: sum(p.values()) for g, p in group_points.items()}
    counted = [g for g in group_points if totals[g] > 0]
    rows = []
    for question in questions:
        by_group = {g: group_points[g].get(question, 0) for g in group_points}
        shares = {g: Fraction(by_group[g], totals[g]) for g in counted}
        score = sum(shares.values(), Fraction(0)) / len(counted) if counted else Fraction(0)
        rows.append(Scored(question, score, by_group=by_group, share_by_group=shares,
                           picks=picks.get(question, 0)))  # fmt: skip
    _assign_positions(rows, key=lambda r: r.score, reverse=True)
    return InterimResult(
        rows=rows,
        groups_counted=counted,
        groups_without_ballots=[g for g in group_points if g not in counted],
        ballots_by_group=ballots_by_group,
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
