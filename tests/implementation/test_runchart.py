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


# --- runs: the published table (Perla, Provost and Murray 2011, Table 1) ----------------------


def test_count_runs_ignores_points_on_the_median() -> None:
    assert rc.count_runs([1, 9, 1, 9], 5) == (4, 2, 2)
    assert rc.count_runs([1, 5, 1, 9], 5) == (2, 1, 2)
    assert rc.count_runs([5, 5], 5) == (0, 0, 0)


# Perla, Provost and Murray 2011, Table 1, as printed (rows 10 to 60), typed again here from
# the image named in runchart.py so that a slip in either copy fails this test.
PUBLISHED_TABLE_1 = """
10 3 9   11 3 10  12 3 11  13 4 11  14 4 12  15 5 12  16 5 13  17 5 13  18 6 14  19 6 15
20 6 16  21 7 16  22 7 17  23 7 17  24 8 18  25 8 18  26 9 19  27 10 19 28 10 20 29 10 20
30 11 21 31 11 22 32 11 23 33 12 23 34 12 24 35 12 24 36 13 25 37 13 25 38 14 26 39 14 26
40 15 27 41 15 27 42 16 28 43 16 28 44 17 29 45 17 30 46 17 31 47 18 31 48 18 32 49 19 32
50 19 33 51 20 33 52 20 34 53 21 34 54 21 35 55 22 35 56 22 35 57 23 36 58 23 37 59 24 38
60 24 38
"""


def _published() -> dict[int, tuple[int, int]]:
    numbers = [int(n) for n in PUBLISHED_TABLE_1.split()]
    rows = [numbers[i : i + 3] for i in range(0, len(numbers), 3)]
    return {n: (lower, upper) for n, lower, upper in rows}


def test_runs_limits_are_the_published_table_every_row() -> None:
    published = _published()
    assert sorted(published) == list(range(10, 61))
    assert published == rc.PERLA_RUNS_TABLE
    for useful, limits in published.items():
        assert rc.runs_limits(useful) == limits


@pytest.mark.parametrize(
    ("useful", "limits"),
    # Rows also in an independent transcription of the same table.
    [
        (10, (3, 9)),
        (14, (4, 12)),
        (16, (5, 13)),
        (24, (8, 18)),
        (30, (11, 21)),
        (40, (15, 27)),
        (50, (19, 33)),
        (60, (24, 38)),
    ],
)
def test_runs_limits_agree_with_an_independent_transcription(
    useful: int, limits: tuple[int, int]
) -> None:
    assert rc.runs_limits(useful) == limits


def _exact_limits(useful: int, tail: float) -> tuple[int, int]:
    """Swed and Eisenhart's exact distribution of runs for n1 = useful // 2 and the rest:
    (smallest r with P(R < r) <= tail, largest r with P(R > r) <= tail)."""
    from math import comb

    n1, n2 = useful // 2, useful - useful // 2
    total = comb(useful, n1)
    p = {}
    for r in range(2, useful + 1):
        k = r // 2
        if r % 2 == 0:
            ways = 2 * comb(n1 - 1, k - 1) * comb(n2 - 1, k - 1)
        else:
            ways = comb(n1 - 1, k) * comb(n2 - 1, k - 1) + comb(n1 - 1, k - 1) * comb(n2 - 1, k)
        p[r] = ways / total
    lower = min(r for r in p if sum(v for q, v in p.items() if q < r + 1) > tail)
    upper = max(r for r in p if sum(v for q, v in p.items() if q >= r) > tail)
    return lower, upper


def test_the_table_is_close_to_but_not_an_exact_calculation() -> None:
    # The rows from 10 to 30 where the printed table and an exact calculation at 2.5% a tail
    # part company (runchart.py names them); everywhere the difference is one run.
    differ = []
    for useful in range(10, 31):
        exact = _exact_limits(useful, 0.025)
        table = rc.PERLA_RUNS_TABLE[useful]
        if exact != table:
            differ.append(useful)
            assert abs(exact[0] - table[0]) <= 1
            assert abs(exact[1] - table[1]) <= 1
    assert differ == [11, 12, 17, 20, 22, 23, 25, 29]


def test_runs_are_not_judged_outside_the_table() -> None:
    assert rc.runs_limits(9) is None
    assert rc.runs_limits(61) is None
    assert rc.analyse([1, 9] * 4 + [1]).runs_lower is None  # 9 points


def test_boundaries_of_a_row_beyond_30() -> None:
    # 40 useful observations: fewer than 15 runs is too few, more than 27 too many.
    def series(runs: int) -> list[int]:
        # 20 points below the median (1) and 20 above (9) in `runs` alternating runs: every
        # run has one point but the first of each side, which takes the rest.
        low_runs, high_runs = (runs + 1) // 2, runs // 2
        lengths = {
            1: [20 - low_runs + 1] + [1] * (low_runs - 1),
            9: [20 - high_runs + 1] + [1] * (high_runs - 1),
        }
        values: list[int] = []
        for i in range(runs):
            side = 1 if i % 2 == 0 else 9
            values += [side] * lengths[side].pop(0)
        return values

    for runs, too_few, too_many in [
        (14, True, False),
        (15, False, False),
        (27, False, False),
        (28, False, True),
    ]:
        values = series(runs)
        assert len(values) == 40
        assert values.count(1) == 20
        result = rc.analyse(values)
        assert (result.useful, result.runs) == (40, runs)
        assert (result.runs_lower, result.runs_upper) == (15, 27)
        assert (result.too_few_runs, result.too_many_runs) == (too_few, too_many)


def test_table_not_an_exact_calculation_decides() -> None:
    # 20 useful observations in 6 runs: the table's lower limit is 6, so 6 runs are not too
    # few (an exact Swed-Eisenhart calculation at 2.5% a tail would put the limit at 7).
    values = [1] * 4 + [9] * 3 + [1] * 3 + [9] * 3 + [1] * 3 + [9] * 4
    result = rc.analyse(values)
    assert (result.useful, result.runs) == (20, 6)
    assert (result.runs_lower, result.runs_upper) == (6, 16)
    assert not result.too_few_runs
    # One run fewer is too few.
    fewer = rc.analyse([1] * 7 + [9] * 3 + [1] * 3 + [9] * 3 + [1] * 0 + [9] * 4)
    assert fewer.runs == 4
    assert fewer.too_few_runs


def test_too_few_and_too_many_runs() -> None:
    few = rc.analyse([1] * 10 + [9] * 10)
    assert few.runs == 2
    assert few.too_few_runs
    assert not few.too_many_runs
    many = rc.analyse([1, 9] * 10)
    assert many.runs == 20
    assert many.too_many_runs  # more than 16 for 20
    assert not many.too_few_runs
    assert any(s.startswith("Too many runs: 20, more than 16") for s in many.findings())


def test_points_on_the_median_are_not_useful_observations() -> None:
    # 11 points, median 5 (one point on it): 10 useful observations, 10 runs: too many (> 9).
    values = [1, 9, 1, 9, 1, 5, 9, 1, 9, 1, 9]
    result = rc.analyse(values)
    assert result.median == 5
    assert (result.useful, result.runs) == (10, 10)
    assert result.too_many_runs


# --- astronomical data points ------------------------------------------------------------------


def test_astronomical_points_are_the_teams_judgement() -> None:
    values = [5, 6, 5, 6, 40, 5, 6, 5]
    assert rc.analyse(values).astronomical == []  # never computed
    result = rc.analyse(values, astronomical={4, 99})
    assert [s.start for s in result.astronomical] == [4]
    assert result.flags(4) == ["astronomical"]
    assert "Astronomical data point: point 5" in " ".join(result.findings())


# --- the Anhøj rules ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("useful", "longest", "crossings"),
    # Anhøj and Olesen 2014 (and the qicharts2 vignette's limits table): round(log2(n) + 3)
    # and qbinom(0.05, n - 1, 0.5). The qicharts2 summary() example has 24 useful
    # observations with limits 8 and 8.
    [
        (10, 6, 2),
        (11, 6, 2),
        (12, 7, 3),
        (14, 7, 4),
        (17, 7, 5),
        (19, 7, 6),
        (22, 7, 7),
        (23, 8, 7),
        (24, 8, 8),
        (27, 8, 9),
        (30, 8, 10),
        (100, 10, 41),
    ],
)
def test_anhoj_limits(useful: int, longest: int, crossings: int) -> None:
    assert rc.longest_run_max(useful) == longest
    assert rc.crossings_min(useful) == crossings


def test_anhoj_unusually_long_run() -> None:
    # 16 useful observations: a run of 8 (more than round(log2(16) + 3) = 7) is a signal.
    values = [1] * 8 + [9] * 8
    result = rc.analyse(values, rules=rc.ANHOJ)
    period = result.periods[0]
    assert (period.useful, period.longest_run, period.longest_run_max) == (16, 8, 7)
    assert period.long_run
    assert [(s.direction, s.start, s.end) for s in result.long_runs] == [
        ("below", 0, 7),
        ("above", 8, 15),
    ]
    assert result.flags(0) == ["long run"]
    assert result.trends == []  # no trend rule in this set
    # A longest run of 7 is not a signal.
    seven = rc.analyse([1] * 7 + [9] * 7 + [1, 9], rules=rc.ANHOJ)
    assert seven.periods[0].longest_run == 7
    assert not seven.periods[0].long_run


def test_anhoj_unusually_few_crossings() -> None:
    # 14 useful observations need at least 4 crossings; 3 crossings is a signal.
    values = [1, 1, 1, 1, 9, 9, 9, 9, 1, 1, 1, 9, 9, 9]
    period = rc.analyse(values, rules=rc.ANHOJ).periods[0]
    assert (period.useful, period.crossings, period.crossings_min) == (14, 3, 4)
    assert period.few_crossings
    assert not period.long_run


def test_anhoj_ignores_points_on_the_median() -> None:
    # 17 points, median 5 (the one point on it): 16 useful observations. The point on the
    # median neither breaks the run below nor adds to it: a run of 8, more than 7.
    values = [1, 1, 1, 1, 5, 1, 1, 1, 1] + [9] * 8
    result = rc.analyse(values, rules=rc.ANHOJ)
    period = result.periods[0]
    assert result.median == 5
    assert period.useful == 16
    assert period.longest_run == 8
    assert period.long_run
    assert result.long_runs[0].points == (0, 1, 2, 3, 5, 6, 7, 8)
    assert 4 not in result.long_runs[0].points


# --- frozen baseline ---------------------------------------------------------------------------


def test_frozen_baseline_median_judges_the_later_points() -> None:
    baseline = [4, 6, 5, 4, 6, 5, 4, 6, 5, 4, 6, 5]  # median 5
    later = [7, 8, 7, 9, 8, 7]  # all above the baseline median
    values = baseline + later
    frozen = rc.analyse(values, baseline=12)
    assert frozen.median == 5
    assert frozen.baseline == 12
    assert [(p.start, p.end) for p in frozen.periods] == [(0, 11), (12, 17)]
    assert [(s.direction, s.start, s.end) for s in frozen.shifts] == [("above", 12, 17)]
    assert "Shift: 6 points in a row above the median (points 13 to 18)." in frozen.findings()
    # Unfrozen, the later points pull the median up to 6.
    whole = rc.analyse(values)
    assert whole.median == 6
    assert whole.baseline is None
    assert len(whole.periods) == 1


def test_baseline_periods_are_judged_apart() -> None:
    # A run above starting in the baseline does not carry into the later period.
    baseline = [1, 2, 1, 2, 1, 2, 9, 9, 9]
    values = [*baseline, 9, 9, 9, 1]
    result = rc.analyse(values, baseline=9)
    assert result.median == 2
    assert result.shifts == []  # 3 + 3 above, split by the end of the baseline


def test_baseline_of_none_or_all_points_is_ignored() -> None:
    assert rc.analyse([1, 2, 3], baseline=0).baseline is None
    assert rc.analyse([1, 2, 3], baseline=3).baseline is None


def test_unknown_rule_set() -> None:
    with pytest.raises(ValueError, match="Unknown rule set"):
        rc.analyse([1, 2], rules="western-electric")


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
