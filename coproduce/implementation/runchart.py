"""Run-chart rules as pure functions over a list of numbers in time order.

The rules (Perla, Provost and Murray, "The run chart", BMJ Qual Saf 2011; IHI):

- **Median**: the centre line, the median of all the points.
- **Shift**: 6 or more consecutive points all above or all below the median. Points exactly on
  the median neither break a shift nor add to it; they are not flagged.
- **Trend**: 5 or more consecutive points all increasing or all decreasing. A point equal to
  the one before neither breaks a trend nor adds to it; it lies inside the trend's span and is
  flagged with it. The point where a rise turns into a fall (or back) ends one trend and
  starts the next.
- **Runs**: a run is a series of points on the same side of the median (points on the median
  ignored); the number of runs is the number of times the line crosses the median, plus one.
  Too few or too many runs signal non-random variation. We use the exact distribution of the
  number of runs (Swed and Eisenhart, 1943) for the points above and below the median, with
  2.5% in each tail: a number of runs below the lower limit (or above the upper limit) is
  flagged. Published run-chart tables (Perla et al.) come from the same distribution;
  we compute it for the actual numbers above and below instead of reading a table. With fewer
  than 10 points off the median we do not judge the number of runs.

Nothing here touches the database: `analyse(values)` takes floats and returns the signals.
"""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from math import comb

SHIFT_LENGTH = 6
TREND_LENGTH = 5
MIN_POINTS_FOR_RUNS = 10
ALPHA = 0.025  # each tail: 5% in all, as in the published table


@dataclass(frozen=True)
class Signal:
    rule: str  # "shift" or "trend"
    direction: str  # "above"/"below" for shifts, "up"/"down" for trends
    start: int  # index of the first point of its span
    end: int  # index of the last point of its span
    points: tuple[int, ...]  # the indices flagged
    counted: int  # points that count towards the rule (on the median or repeated do not)


@dataclass
class Analysis:
    values: list[float]
    median: float | None
    shifts: list[Signal] = field(default_factory=list)
    trends: list[Signal] = field(default_factory=list)
    runs: int = 0
    useful: int = 0  # points not on the median
    runs_lower: int | None = None  # fewer runs than this is a signal
    runs_upper: int | None = None  # more runs than this is a signal

    @property
    def too_few_runs(self) -> bool:
        return self.runs_lower is not None and self.runs < self.runs_lower

    @property
    def too_many_runs(self) -> bool:
        return self.runs_upper is not None and self.runs > self.runs_upper

    def flags(self, index: int) -> list[str]:
        """The rules that flag the point at `index`: "shift", "trend", both or none."""
        found = []
        if any(index in signal.points for signal in self.shifts):
            found.append("shift")
        if any(index in signal.points for signal in self.trends):
            found.append("trend")
        return found


def median(values: Sequence[float]) -> float | None:
    return float(statistics.median(values)) if values else None


def sides(values: Sequence[float], centre: float) -> list[int]:
    """+1 above the centre line, -1 below, 0 on it."""
    return [(value > centre) - (value < centre) for value in values]


def shifts(values: Sequence[float], centre: float, length: int = SHIFT_LENGTH) -> list[Signal]:
    """Runs of at least `length` points on one side of `centre`, skipping points on it."""
    found: list[Signal] = []
    current: list[int] = []
    side = 0

    def close() -> None:
        if len(current) >= length:
            found.append(
                Signal(
                    "shift",
                    "above" if side > 0 else "below",
                    current[0],
                    current[-1],
                    tuple(current),
                    counted=len(current),
                )
            )

    for index, point_side in enumerate(sides(values, centre)):
        if point_side == 0:
            continue  # neither breaks nor adds
        if point_side != side:
            close()
            current, side = [], point_side
        current.append(index)
    close()
    return found


def trends(values: Sequence[float], length: int = TREND_LENGTH) -> list[Signal]:
    """Spans of at least `length` points all rising or all falling; repeats do not count."""
    found: list[Signal] = []
    if not values:
        return found
    start = 0  # first index of the span
    counted = 1  # points that count: the first, then each strict rise (or fall)
    direction = 0  # +1 rising, -1 falling, 0 not yet known
    group_start = 0  # first index of the latest group of equal values

    def close(end: int) -> None:
        if direction != 0 and counted >= length:
            found.append(
                Signal(
                    "trend",
                    "up" if direction > 0 else "down",
                    start,
                    end,
                    tuple(range(start, end + 1)),
                    counted=counted,
                )
            )

    for index in range(1, len(values)):
        step = (values[index] > values[index - 1]) - (values[index] < values[index - 1])
        if step == 0:
            continue  # a repeat: inside the span, not counted
        if direction in (0, step):
            direction = step
            counted += 1
        else:
            # The turning point (with any repeats of it) ends this trend and starts the next.
            close(index - 1)
            start, counted, direction = group_start, 2, step
        group_start = index
    close(len(values) - 1)
    return found


def count_runs(values: Sequence[float], centre: float) -> tuple[int, int, int]:
    """(runs, points above, points below), ignoring points on the centre line."""
    useful = [side for side in sides(values, centre) if side != 0]
    if not useful:
        return 0, 0, 0
    runs = 1 + sum(1 for a, b in itertools.pairwise(useful) if a != b)
    return runs, useful.count(1), useful.count(-1)


def runs_probability(runs: int, above: int, below: int) -> float:
    """P(exactly `runs` runs) for `above` and `below` points in random order."""
    if above == 0 or below == 0:
        return 1.0 if runs == 1 else 0.0
    if runs < 2:
        return 0.0
    total = comb(above + below, above)
    k, odd = divmod(runs, 2)
    if not odd:
        ways = 2 * comb(above - 1, k - 1) * comb(below - 1, k - 1)
    else:
        ways = comb(above - 1, k - 1) * comb(below - 1, k) + comb(above - 1, k) * comb(
            below - 1, k - 1
        )
    return ways / total


def runs_limits(above: int, below: int, alpha: float = ALPHA) -> tuple[int, int] | None:
    """(lower, upper): fewer runs than lower, or more than upper, is a signal.

    None when there are too few useful points to judge.
    """
    if above + below < MIN_POINTS_FOR_RUNS or above == 0 or below == 0:
        return None
    most = 2 * min(above, below) + (above != below)
    probabilities = {r: runs_probability(r, above, below) for r in range(2, most + 1)}
    lower = 2
    cumulative = 0.0
    for r in range(2, most + 1):
        cumulative += probabilities[r]
        if cumulative >= alpha:
            lower = r
            break
    upper = most
    cumulative = 0.0
    for r in range(most, 1, -1):
        cumulative += probabilities[r]
        if cumulative >= alpha:
            upper = r
            break
    return lower, upper


def analyse(values: Sequence[float]) -> Analysis:
    points = [float(value) for value in values]
    centre = median(points)
    if centre is None:
        return Analysis(values=points, median=None)
    runs, above, below = count_runs(points, centre)
    limits = runs_limits(above, below)
    return Analysis(
        values=points,
        median=centre,
        shifts=shifts(points, centre),
        trends=trends(points),
        runs=runs,
        useful=above + below,
        runs_lower=limits[0] if limits else None,
        runs_upper=limits[1] if limits else None,
    )
