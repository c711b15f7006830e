"""XmR (individuals and moving range) control charts, read the Making Data Count way.

Limits: Wheeler DJ, *Understanding Variation* (2nd ed. 2000) and Provost and Murray, *The
Health Care Data Guide* (2011), chapter 5 (the I chart): the centre line is the mean of the
points, the moving ranges are the absolute differences between neighbours, and the process
limits are mean ± 2.66 × mean moving range (2.66 = 3 / d2, d2 = 1.128 for ranges of two).

NHS England's *Making Data Count* (MDC) guidance, as implemented by the NHS-R community's
NHSRplotthedots package, screens out unusually large moving ranges first (above 3.267 × the
mean moving range, the upper range limit) and recalculates the mean moving range without
them; `screen` does this and is on by default.

Special cause rules (MDC, "Making Data Count: strengthening your decisions", 2019):

- a point outside the process limits;
- a shift: 7 or more points in a row all above or all below the mean (a point on the mean
  breaks it);
- a trend: 7 or more points in a row each higher (or each lower) than the one before (a
  repeated value breaks it);
- two out of three points in a row close to a limit (beyond 2 sigma, two thirds of the way
  from the mean to the limit, but not outside it) on the same side, all three on that side
  of the mean.

Each special cause point is *improvement* or *concern* by the measure's improvement
direction and which side of the mean it is on (or *neither* when no direction is better).
The variation icon follows the latest point; the assurance icon compares a target with the
limits. MDC and NHSRplotthedots ask for at least 12 points before limits are calculated
(`MIN_POINTS`), ideally 20.
"""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field

MIN_POINTS = 12
E2 = 2.66  # 3 / d2 with d2 = 1.128
D4 = 3.267  # upper range limit factor for ranges of two
RUN = 7

UP = "up"
DOWN = "down"
NEITHER = "neither"

# The icons' meanings in words (MDC's variation and assurance icons).
VARIATION_TEXT = {
    "common_cause": "Common cause variation: no significant change.",
    "improvement_high": "Special cause variation of an improving nature, where higher is "
    "better: the latest points are unusually high.",
    "improvement_low": "Special cause variation of an improving nature, where lower is "
    "better: the latest points are unusually low.",
    "concern_high": "Special cause variation of a concerning nature, where higher is a "
    "concern: the latest points are unusually high.",
    "concern_low": "Special cause variation of a concerning nature, where lower is a "
    "concern: the latest points are unusually low.",
    "neither_high": "Special cause variation, unusually high, for a measure where neither "
    "direction is better.",
    "neither_low": "Special cause variation, unusually low, for a measure where neither "
    "direction is better.",
}
ASSURANCE_TEXT = {
    "pass": "The process will consistently hit the target: the target lies beyond the "
    "limit on the worse side, so even the worst expected point meets it.",
    "fail": "The process will consistently miss the target unless something changes: the "
    "target lies beyond the limit on the better side, so even the best expected point falls "
    "short.",
    "hit_and_miss": "The process will hit and miss the target at random: the target lies "
    "between the limits.",
}


@dataclass
class XmR:
    values: list[float]
    direction: str
    mean: float
    moving_ranges: list[float | None]  # None for the first point
    mean_moving_range: float
    lower: float
    upper: float
    limits_from: int  # how many points the mean and limits were calculated from
    special: list[bool] = field(default_factory=list)  # per point
    reasons: list[list[str]] = field(default_factory=list)  # per point, plain words
    target: float | None = None

    @property
    def sigma(self) -> float:
        return (self.upper - self.mean) / 3

    def point_type(self, index: int) -> str:
        """ "common_cause", or "improvement"/"concern"/"neither" with "_high" or "_low"."""
        if not self.special[index]:
            return "common_cause"
        high = self.values[index] > self.mean
        side = "high" if high else "low"
        if self.direction == NEITHER:
            return f"neither_{side}"
        good = high == (self.direction == UP)
        return f"{'improvement' if good else 'concern'}_{side}"

    @property
    def variation(self) -> str:
        """The variation icon, from the latest point."""
        return self.point_type(len(self.values) - 1)

    @property
    def variation_text(self) -> str:
        return VARIATION_TEXT[self.variation]

    @property
    def assurance(self) -> str | None:
        """ "pass", "fail" or "hit_and_miss"; None without a target or a better direction."""
        if self.target is None or self.direction == NEITHER:
            return None
        if self.target > self.upper:
            return "fail" if self.direction == UP else "pass"
        if self.target < self.lower:
            return "pass" if self.direction == UP else "fail"
        return "hit_and_miss"

    @property
    def assurance_text(self) -> str | None:
        return ASSURANCE_TEXT[self.assurance] if self.assurance else None


def moving_ranges(values: Sequence[float]) -> list[float]:
    return [abs(b - a) for a, b in itertools.pairwise(values)]


def xmr(
    values: Sequence[float],
    *,
    direction: str = UP,
    target: float | None = None,
    baseline: int | None = None,
    screen: bool = True,
) -> XmR | None:
    """The chart, or None with fewer than `MIN_POINTS` points to set the limits from.

    `baseline`: set the mean and limits from the first so many points and extend them.
    """
    points = [float(v) for v in values]
    base = points[:baseline] if baseline and 0 < baseline < len(points) else points
    if len(base) < MIN_POINTS:
        return None
    mean = statistics.fmean(base)
    ranges = moving_ranges(base)
    mean_range = statistics.fmean(ranges)
    if screen:
        kept = [r for r in ranges if r <= D4 * mean_range]
        if kept:
            mean_range = statistics.fmean(kept)
    chart = XmR(
        values=points,
        direction=direction,
        mean=mean,
        moving_ranges=[None, *moving_ranges(points)],
        mean_moving_range=mean_range,
        lower=mean - E2 * mean_range,
        upper=mean + E2 * mean_range,
        limits_from=len(base),
        target=target,
    )
    _special_causes(chart)
    return chart


def _special_causes(chart: XmR) -> None:
    values, mean = chart.values, chart.mean
    n = len(values)
    reasons: list[list[str]] = [[] for _ in values]
    for i, value in enumerate(values):
        if value > chart.upper or value < chart.lower:
            reasons[i].append("outside the limits")
    side = [(v > mean) - (v < mean) for v in values]
    # Shift: RUN or more in a row on one side (a point on the mean breaks it).
    # Trend: RUN or more points in a row, each higher (or each lower) than the one before.
    same = [0] * n  # points in a row on this point's side, ending here
    up = [1] * n  # points in a row rising, ending here
    down = [1] * n
    for i in range(n):
        if side[i] != 0:
            same[i] = same[i - 1] + 1 if i and side[i - 1] == side[i] else 1
        if i:
            up[i] = up[i - 1] + 1 if values[i] > values[i - 1] else 1
            down[i] = down[i - 1] + 1 if values[i] < values[i - 1] else 1
    for i in range(n):
        for length, reason in (
            (same[i], f"{RUN} or more points in a row on one side of the mean"),
            (max(up[i], down[i]), f"{RUN} or more points in a row going up or down"),
        ):
            if length >= RUN:
                for j in range(i - length + 1, i + 1):
                    if reason not in reasons[j]:
                        reasons[j].append(reason)
    # Two out of three beyond 2 sigma on the same side, all three on that side of the mean.
    high = mean + 2 * chart.sigma
    low = mean - 2 * chart.sigma
    # "Close" is beyond 2 sigma but inside the limits (points outside are special already).
    close = [0 if (v > chart.upper or v < chart.lower) else (v > high) - (v < low) for v in values]
    for i in range(n - 2):
        window = range(i, i + 3)
        for s in (1, -1):
            if all(side[j] == s for j in window) and sum(close[j] == s for j in window) >= 2:
                for j in window:
                    if close[j] == s and "two out of three beyond 2 sigma" not in reasons[j]:
                        reasons[j].append("two out of three beyond 2 sigma")
    chart.reasons = reasons
    chart.special = [bool(r) for r in reasons]
