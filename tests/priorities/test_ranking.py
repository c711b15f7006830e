"""The ranking arithmetic against hand-worked examples."""

from __future__ import annotations

from fractions import Fraction

import pytest

from coproduce.priorities import ranking

GROUPS = ["patients", "clinicians", "carers"]


def test_reverse_scoring() -> None:
    assert ranking.points(1, 10) == 10
    assert ranking.points(10, 10) == 1
    assert ranking.points(3, 5) == 3
    with pytest.raises(ValueError, match="outside"):
        ranking.points(11, 10)


def test_equal_weight_per_group_worked_example() -> None:
    """max_picks = 3, so ranks 1, 2, 3 earn 3, 2, 1 points.

    patients (3 ballots): A,B,C / A,B / A      -> A 3+3+3 = 9, B 2+2 = 4, C 1; total 14
    clinicians (1 ballot): C,B                 -> C 3, B 2; total 5
    carers: no ballots                          -> left out of the mean

    shares: patients A 9/14, B 4/14, C 1/14; clinicians A 0, B 2/5, C 3/5
    combined (mean over 2 groups): A = 9/28, B = (4/14 + 2/5)/2 = 12/35, C = (1/14 + 3/5)/2
    = 47/140. So B (0.343) beats C (0.336) beats A (0.321), although A has most points (9),
    because the one clinician counts as much as the three patients together.
    """
    ballots = [
        ("patients", [("A", 1), ("B", 2), ("C", 3)]),
        ("patients", [("A", 1), ("B", 2)]),
        ("patients", [("A", 1)]),
        ("clinicians", [("C", 1), ("B", 2)]),
    ]
    result = ranking.interim_ranking(ballots, ["A", "B", "C", "D"], GROUPS, max_picks=3)
    scores = {row.question: row.score for row in result.rows}
    assert scores == {
        "A": Fraction(9, 28),
        "B": Fraction(12, 35),
        "C": Fraction(47, 140),
        "D": Fraction(0),
    }
    assert [row.question for row in result.rows] == ["B", "C", "A", "D"]
    assert [row.position for row in result.rows] == [1, 2, 3, 4]
    assert result.rows[2].by_group == {"patients": 9, "clinicians": 0, "carers": 0}
    assert result.groups_counted == ["patients", "clinicians"]
    assert result.groups_without_ballots == ["carers"]
    assert result.ballots_by_group == {"patients": 3, "clinicians": 1, "carers": 0}
    assert sum(scores.values()) == 1  # each counted group's shares sum to 1


def test_ties_share_a_position_and_the_shortlist_keeps_them() -> None:
    """Two groups, max_picks 2. patients: X,Y -> X 2, Y 1. clinicians: Y,X -> Y 2, X 1.
    X = Y = (2/3 + 1/3)/2 = 1/2: tied at 1; Z scores 0 and comes 3rd (competition ranking)."""
    ballots = [("patients", [("X", 1), ("Y", 2)]), ("clinicians", [("Y", 1), ("X", 2)])]
    result = ranking.interim_ranking(ballots, ["X", "Y", "Z"], GROUPS, max_picks=2)
    assert [(r.question, r.position, r.tied) for r in result.rows] == [
        ("X", 1, True),
        ("Y", 1, True),
        ("Z", 3, False),
    ]
    assert [r.question for r in result.shortlist(1)] == ["X", "Y"]


def test_nobody_ranked_anything() -> None:
    result = ranking.interim_ranking([], ["X", "Y"], GROUPS, max_picks=10)
    assert all(row.score == 0 for row in result.rows)
    assert result.groups_counted == []
    assert [row.position for row in result.rows] == [1, 1]


def test_workshop_round_sums_ranks_lowest_first() -> None:
    """Group A: P1 Q2 R3; group B: Q1 P2 (R unranked = last = 3).
    Totals: P 3, Q 3, R 6 -> P and Q tie at 1, R is 3rd."""
    rows = ranking.workshop_round(
        {"A": {"P": 1, "Q": 2, "R": 3}, "B": {"Q": 1, "P": 2}}, ["P", "Q", "R"]
    )
    assert [(r.question, r.total, r.position) for r in rows] == [
        ("P", 3, 1),
        ("Q", 3, 1),
        ("R", 6, 3),
    ]
    assert rows[2].by_group == {"A": 3, "B": 3}
