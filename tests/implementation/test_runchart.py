"""Run-chart rules on hand-worked series (pure functions, no database)."""

from __future__ import annotations

import pytest

from coproduce.implementation import runchart as rc


def _spans(signals: list[rc.Signal]) -> list[tuple[str, int, int, int]]:
    return [(s.direction, s.start, s.end, s.counted) for s in signals]


# --- median --------------------------------------------------------------------------------------


def test_median_odd_even_and_empty() -> None:
    assert rc.median([3, 1, 2]) == 2
    assert rc.median([4, 1, 2, 3]) == 2.5
    assert rc.median([]) is None


# --- shifts --------------------------------------------------------------------------------------


def test_six_points_above_is_a_shift_five_is_not() -> None:
    assert _spans(rc.shifts([6, 7, 8, 9, 10, 11], 5)) == [("above", 0, 5, 6)]
    assert rc.shifts([6, 7, 8, 9, 10], 5) == []


def test_shift_below() -> None:
    values = [9, 1, 2, 3, 1, 2, 3, 9]
    assert _spans(rc.shifts(values, 5)) == [("below", 1, 6, 6)]


def test_points_on_the_median_neither_break_nor_add() -> None:
    # Five above, one on the median, one more above: six that count, the median point not flagged.
    signals = rc.shifts([6, 7, 8, 5, 9, 10, 11], 5)
    assert _spans(signals) == [("above", 0, 6, 6)]
    assert signals[0].points == (0, 1, 2, 4, 5, 6)
    # Five above with a point on the median among them: still only five.
    assert rc.shifts([6, 7, 5, 8, 9, 10], 5) == []


def test_a_point_on_the_other_side_breaks_a_shift() -> None:
    assert rc.shifts([6, 7, 8, 4, 9, 10, 11], 5) == []


def test_two_shifts_either_side() -> None:
    values = [1] * 6 + [9] * 7
    assert _spans(rc.shifts(values, 5)) == [("below", 0, 5, 6), ("above", 6, 12, 7)]


def test_all_points_on_the_median_make_no_shift() -> None:
    assert rc.shifts([5] * 10, 5) == []


# --- trends --------------------------------------------------------------------------------------


def test_five_rising_is_a_trend_four_is_not() -> None:
    assert _spans(rc.trends([1, 2, 3, 4, 5])) == [("up", 0, 4, 5)]
    assert rc.trends([1, 2, 3, 4]) == []


def test_falling_trend() -> None:
    assert _spans(rc.trends([9, 8, 6, 4, 1])) == [("down", 0, 4, 5)]


def test_equal_neighbours_neither_break_nor_add() -> None:
    # 1 2 2 3 4 5: the repeat does not count, so 5 counted points over 6.
    signals = rc.trends([1, 2, 2, 3, 4, 5])
    assert _spans(signals) == [("up", 0, 5, 5)]
    assert signals[0].points == (0, 1, 2, 3, 4, 5)
    # 1 2 2 3 4: only four count.
    assert rc.trends([1, 2, 2, 3, 4]) == []


def test_turning_point_ends_one_trend_and_starts_the_next() -> None:
    assert _spans(rc.trends([1, 2, 3, 4, 5, 4, 3, 2, 1])) == [("up", 0, 4, 5), ("down", 4, 8, 5)]


def test_repeated_turning_point_belongs_to_the_next_trend_from_its_first_repeat() -> None:
    assert _spans(rc.trends([1, 2, 3, 3, 2, 1, 0, -1])) == [("down", 2, 7, 5)]


def test_flat_series_and_tiny_series_have_no_trend() -> None:
    assert rc.trends([3, 3, 3, 3, 3, 3]) == []
    assert rc.trends([]) == []
    assert rc.trends([1]) == []


def test_zigzag_has_no_trend() -> None:
    assert rc.trends([1, 3, 2, 4, 3, 5, 4, 6]) == []


# --- runs ----------------------------------------------------------------------------------------


def test_count_runs_ignores_points_on_the_median() -> None:
    assert rc.count_runs([1, 9, 1, 9], 5) == (4, 2, 2)
    assert rc.count_runs([1, 5, 1, 9], 5) == (2, 1, 2)
    assert rc.count_runs([5, 5], 5) == (0, 0, 0)


def test_runs_distribution_by_hand_for_two_and_two() -> None:
    # AABB BBAA: 2 runs; ABBA BAAB: 3; ABAB BABA: 4 (6 arrangements in all).
    assert rc.runs_probability(2, 2, 2) == pytest.approx(2 / 6)
    assert rc.runs_probability(3, 2, 2) == pytest.approx(2 / 6)
    assert rc.runs_probability(4, 2, 2) == pytest.approx(2 / 6)
    assert rc.runs_probability(5, 2, 2) == 0


@pytest.mark.parametrize(("above", "below"), [(5, 5), (7, 12), (15, 15), (30, 29)])
def test_runs_distribution_sums_to_one(above: int, below: int) -> None:
    total = sum(rc.runs_probability(r, above, below) for r in range(1, above + below + 2))
    assert total == pytest.approx(1.0)


def test_runs_limits() -> None:
    assert rc.runs_limits(5, 5) == (3, 9)
    assert rc.runs_limits(4, 5) is None  # 9 useful points: too few to judge
    assert rc.runs_limits(10, 0) is None
    lower, upper = rc.runs_limits(15, 15) or (0, 0)
    assert lower < 16 < upper


def test_too_few_and_too_many_runs() -> None:
    few = rc.analyse([1] * 10 + [9] * 10)
    assert few.runs == 2
    assert few.too_few_runs
    assert not few.too_many_runs
    many = rc.analyse([1, 9] * 10)
    assert many.runs == 20
    assert many.too_many_runs
    assert not many.too_few_runs


# --- analyse -------------------------------------------------------------------------------------


def test_analyse_flags_points_by_rule() -> None:
    values = [20, 22, 19, 21, 20, 23, 30, 32, 34, 36, 38, 37, 39, 40]
    result = rc.analyse(values)
    assert result.median == 31
    assert [s.direction for s in result.shifts] == ["below", "above"]
    assert result.flags(0) == ["shift"]
    assert "trend" in result.flags(8)
    assert result.flags(6) == ["shift", "trend"]


def test_analyse_empty_and_single() -> None:
    empty = rc.analyse([])
    assert empty.median is None
    assert empty.shifts == []
    assert empty.trends == []
    one = rc.analyse([4])
    assert one.median == 4
    assert one.runs == 0
    assert one.flags(0) == []
