"""XmR control charts and the Making Data Count readings, on hand-worked series."""

from __future__ import annotations

import pytest

from coproduce.implementation import spc

# Mean 10.5; every moving range is 1, so the mean moving range is 1 and the limits are
# 10.5 - 2.66 = 7.84 and 10.5 + 2.66 = 13.16 (worked by hand).
STEADY = [10, 11] * 6


def test_limits_by_hand() -> None:
    chart = spc.xmr(STEADY)
    assert chart is not None
    assert chart.mean == pytest.approx(10.5)
    assert chart.moving_ranges == [None, *[1.0] * 11]
    assert chart.mean_moving_range == pytest.approx(1.0)
    assert chart.lower == pytest.approx(7.84)
    assert chart.upper == pytest.approx(13.16)
    assert chart.limits_from == 12
    assert not any(chart.special)
    assert chart.variation == "common_cause"
    assert chart.variation_text.startswith("Common cause variation")


def test_fewer_than_twelve_points_make_no_chart() -> None:
    assert spc.xmr(STEADY[:11]) is None


def test_large_moving_ranges_are_screened_out() -> None:
    # By hand: moving ranges ten 1s and one 20 (mean 30/11 = 2.727); 20 is above
    # 3.267 x 2.727 = 8.91, so it is left out and the mean moving range is 1. The mean is
    # 145/12 = 12.083, the upper limit 14.743, and the last point (30) is outside it.
    values = [10, 11] * 5 + [10, 30]
    chart = spc.xmr(values)
    assert chart is not None
    assert chart.mean_moving_range == pytest.approx(1.0)
    assert chart.mean == pytest.approx(145 / 12)
    assert chart.upper == pytest.approx(145 / 12 + 2.66)
    assert chart.reasons[11] == ["outside the limits"]
    unscreened = spc.xmr(values, screen=False)
    assert unscreened is not None
    assert unscreened.mean_moving_range == pytest.approx(30 / 11)
    assert unscreened.upper == pytest.approx(145 / 12 + 2.66 * 30 / 11)  # 19.34


@pytest.mark.parametrize(
    ("direction", "variation"),
    [(spc.UP, "improvement_high"), (spc.DOWN, "concern_high"), (spc.NEITHER, "neither_high")],
)
def test_variation_icon_follows_the_direction(direction: str, variation: str) -> None:
    chart = spc.xmr([10, 11] * 5 + [10, 30], direction=direction)
    assert chart is not None
    assert chart.variation == variation
    assert chart.variation_text == spc.VARIATION_TEXT[variation]


def test_low_point_where_lower_is_better_is_improvement() -> None:
    chart = spc.xmr([10, 11] * 5 + [11, -9], direction=spc.DOWN)
    assert chart is not None
    assert chart.variation == "improvement_low"


def test_seven_in_a_row_on_one_side_of_the_mean() -> None:
    # Six below the mean (about 10.3), then seven above.
    values = [9, 8, 9, 8, 9, 8, 12, 11, 12, 11, 12, 11, 12]
    chart = spc.xmr(values)
    assert chart is not None
    assert chart.mean == pytest.approx(sum(values) / 13)
    run = [i for i, r in enumerate(chart.reasons) if any("one side" in x for x in r)]
    assert run == [6, 7, 8, 9, 10, 11, 12]
    # Six in a row is not enough.
    short = spc.xmr([9, 8, 9, 8, 9, 8, 12, 11, 12, 11, 12, 11, 9])
    assert short is not None
    assert not any(any("one side" in x for x in r) for r in short.reasons)


def test_seven_in_a_row_going_up_and_repeats_break_it() -> None:
    values = [5, 4, 5, 4, 5, 1, 2, 3, 4, 5, 6, 7, 5]
    chart = spc.xmr(values)
    assert chart is not None
    rising = [i for i, r in enumerate(chart.reasons) if any("going up" in x for x in r)]
    assert rising == [5, 6, 7, 8, 9, 10, 11]
    repeated = spc.xmr([5, 4, 5, 4, 5, 1, 2, 3, 3, 4, 5, 6, 5])
    assert repeated is not None
    assert not any(any("going up" in x for x in r) for r in repeated.reasons)


def test_two_of_three_beyond_two_sigma() -> None:
    # Steady 10/11 with limits 7.84 to 13.16 from the first twelve (sigma 0.887, 2 sigma
    # above the mean is 12.27): then 12.5, 11, 12.5 -- two of three beyond, all above.
    values = [*STEADY, 12.5, 11, 12.5]
    chart = spc.xmr(values, baseline=12)
    assert chart is not None
    assert chart.upper == pytest.approx(13.16)
    assert [i for i, r in enumerate(chart.reasons) if r] == [12, 14]
    assert chart.reasons[12] == ["two out of three beyond 2 sigma"]
    # Points outside the limits are not "close" to them: 14 and 14 are outside, 11 is not.
    outside = spc.xmr([*STEADY, 14, 11, 14], baseline=12)
    assert outside is not None
    assert outside.reasons[12] == ["outside the limits"]
    assert outside.reasons[13] == []


@pytest.mark.parametrize(
    ("direction", "target", "assurance"),
    [
        (spc.UP, 5, "pass"),  # below the lower limit (7.84): every point meets it
        (spc.UP, 15, "fail"),  # above the upper limit (13.16): none will
        (spc.UP, 12, "hit_and_miss"),
        (spc.DOWN, 15, "pass"),
        (spc.DOWN, 5, "fail"),
        (spc.NEITHER, 5, None),
        (spc.UP, None, None),
    ],
)
def test_assurance(direction: str, target: float | None, assurance: str | None) -> None:
    chart = spc.xmr(STEADY, direction=direction, target=target)
    assert chart is not None
    assert chart.assurance == assurance
    assert (chart.assurance_text is None) == (assurance is None)


def test_baseline_sets_the_limits() -> None:
    values = [*STEADY, 20, 20, 20]
    chart = spc.xmr(values, baseline=12)
    assert chart is not None
    assert chart.limits_from == 12
    assert chart.mean == pytest.approx(10.5)
    assert chart.special[12:] == [True, True, True]
