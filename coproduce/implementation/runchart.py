"""Run-chart rules as pure functions over a list of numbers in time order.

Two published rule sets; a measure uses one, and the page names it.

**The Health Care Data Guide's four rules** (`IHI`, the default): Provost LP, Murray SK, *The
Health Care Data Guide: Learning from Data for Improvement*, Jossey-Bass 2011, chapter 3; and
Perla RJ, Provost LP, Murray SK, "The run chart: a simple analytical tool for learning from
variation in healthcare processes", *BMJ Qual Saf* 2011;20:46-51.

- **Shift**: 6 or more consecutive points all above or all below the median. A point on the
  median neither adds to a shift nor breaks it: skip it and keep counting.
- **Trend**: 5 or more consecutive points all going up or all going down. When two or more
  points in a row have the same value, count only one of them: like values neither make nor
  break a trend. The median plays no part.
- **Too few or too many runs**: a run is one or more consecutive points on the same side of
  the median; count runs as the number of times the line crosses the median, plus one. Points
  on the median are not "useful observations" and are left out of both counts. The limits
  come from the published table (`PERLA_RUNS_TABLE`, Perla et al. 2011 Table 1) by the number
  of useful observations; the table covers 10 to 60 and we do not judge runs outside it.
- **Astronomical data point**: a point obviously, blatantly different from the rest, that
  everyone studying the chart would agree is unusual. The Guide makes this a judgement, not a
  calculation (every chart has a highest and a lowest point), so the team marks such points
  and we report them; we never compute them.

**The Anhøj rules** (`ANHOJ`), as used by NHS England's *Making Data Count* and the R package
qicharts2: Anhøj J, Olesen AV, "Run charts revisited: a simulation study of run chart rules
for detection of non-random variation in health care processes", *PLoS ONE* 2014;9(11):
e113825; Anhøj J, "Diagnostic value of run chart analysis", *PLoS ONE* 2015;10(3):e0121349.
Points on the median are ignored; `n` is the number of useful observations.

- **Unusually long run**: the longest run on one side of the median has more than
  round(log2(n) + 3) points.
- **Unusually few crossings**: the line crosses the median fewer times than the lower 5%
  quantile of a binomial distribution with n - 1 trials and p = 0.5 (R's `qbinom(0.05, n - 1,
  0.5)`).

There is no trend rule in this set (Anhøj and Olesen found it adds false signals without
finding drifts).

**Frozen baseline**: the median can be taken over the first points only (the baseline) and
extended across the later ones. The rules then look at the two periods apart, each against
that one median, so later points are judged against the baseline (as in Anhøj's pbcharts
and the Guide's advice to freeze and extend a baseline median).

Nothing here touches the database: `analyse(values)` takes floats and returns the signals.
"""

from __future__ import annotations

import itertools
import math
import statistics
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from math import comb

IHI = "ihi"
ANHOJ = "anhoj"
RULE_SETS = {
    IHI: "The Health Care Data Guide’s four run chart rules (Provost and Murray 2011; "
    "Perla, Provost and Murray 2011)",
    ANHOJ: "The Anhøj rules (Anhøj and Olesen 2014), as used by NHS England’s Making Data Count",
}

SHIFT_LENGTH = 6
TREND_LENGTH = 5

# Perla RJ, Provost LP, Murray SK. BMJ Qual Saf 2011;20:46-51, Table 1 ("Checking for too
# many or too few runs on a run chart"; the table is "adapted from Swed and Eisenhart" and put
# at "about a 5% risk"), also in Provost and Murray, The Health Care Data Guide (2011). Useful
# observations (points not on the median) -> (lower, upper): fewer runs than `lower` is too
# few, more than `upper` too many. The table runs from 10 to 60 useful observations.
#
# Checked row by row on 7 December 2026 against an image of the published Table 1 (the
# journal's typesetting, footnote "Source: Adapted from Swed and Eisenhart"), reproduced in
# the notes of IHI Open School course QI 104 at github.com/alioh/IHI-QI104, img/L2-4.jpg
# (commit 948fd5f, April 2020); rows 10, 14, 16, 24, 30, 40, 50 and 60 also agree with an
# independent transcription in a public test suite. Every row from 10 to 30 was already as
# below; rows 31 to 60 are new.
#
# Transcribed, not computed: the limits are close to, not the same as, an exact
# Swed-Eisenhart calculation at 2.5% a tail (of the rows from 10 to 30 they differ in 11, 12,
# 17, 20, 22, 23, 25 and 29; e.g. 20 -> (6, 16) where the exact limits are (7, 15)), and we
# follow the published table.
# tests/implementation/test_runchart.py pins every row.
PERLA_RUNS_TABLE: dict[int, tuple[int, int]] = {
    10: (3, 9),
    11: (3, 10),
    12: (3, 11),
    13: (4, 11),
    14: (4, 12),
    15: (5, 12),
    16: (5, 13),
    17: (5, 13),
    18: (6, 14),
    19: (6, 15),
    20: (6, 16),
    21: (7, 16),
    22: (7, 17),
    23: (7, 17),
    24: (8, 18),
    25: (8, 18),
    26: (9, 19),
    27: (10, 19),
    28: (10, 20),
    29: (10, 20),
    30: (11, 21),
    31: (11, 22),
    32: (11, 23),
    33: (12, 23),
    34: (12, 24),
    35: (12, 24),
    36: (13, 25),
    37: (13, 25),
    38: (14, 26),
    39: (14, 26),
    40: (15, 27),
    41: (15, 27),
    42: (16, 28),
    43: (16, 28),
    44: (17, 29),
    45: (17, 30),
    46: (17, 31),
    47: (18, 31),
    48: (18, 32),
    49: (19, 32),
    50: (19, 33),
    51: (20, 33),
    52: (20, 34),
    53: (21, 34),
    54: (21, 35),
    55: (22, 35),
    56: (22, 35),
    57: (23, 36),
    58: (23, 37),
    59: (24, 38),
    60: (24, 38),
}
MIN_POINTS_FOR_RUNS = min(PERLA_RUNS_TABLE)


@dataclass(frozen=True)
class Signal:
    rule: str  # "shift", "trend", "long run" or "astronomical"
    direction: str  # "above"/"below" for shifts and long runs, "up"/"down" for trends
    start: int  # index of the first point of its span
    end: int  # index of the last point of its span
    points: tuple[int, ...]  # the indices flagged
    counted: int  # points that count towards the rule (on the median or repeated do not)


@dataclass
class Period:
    """The runs of one period (the whole chart, or the baseline, or the points after it)."""

    start: int
    end: int  # inclusive
    runs: int = 0
    useful: int = 0  # points not on the median
    # The Guide's table:
    runs_lower: int | None = None  # fewer runs than this is a signal
    runs_upper: int | None = None  # more runs than this is a signal
    # Anhøj:
    longest_run: int = 0
    longest_run_max: int | None = None  # a longer run than this is a signal
    crossings: int = 0
    crossings_min: int | None = None  # fewer crossings than this is a signal

    @property
    def too_few_runs(self) -> bool:
        return self.runs_lower is not None and self.runs < self.runs_lower

    @property
    def too_many_runs(self) -> bool:
        return self.runs_upper is not None and self.runs > self.runs_upper

    @property
    def long_run(self) -> bool:
        return self.longest_run_max is not None and self.longest_run > self.longest_run_max

    @property
    def few_crossings(self) -> bool:
        return self.crossings_min is not None and self.crossings < self.crossings_min


@dataclass
class Analysis:
    values: list[float]
    median: float | None
    rules: str = IHI
    baseline: int | None = None  # points in the frozen baseline; None: the median of all
    shifts: list[Signal] = field(default_factory=list)
    trends: list[Signal] = field(default_factory=list)
    long_runs: list[Signal] = field(default_factory=list)
    astronomical: list[Signal] = field(default_factory=list)
    periods: list[Period] = field(default_factory=list)

    @property
    def rule_set(self) -> str:
        return RULE_SETS[self.rules]

    # The whole chart's (or, with a baseline, the later period's) runs, for short templates.
    @property
    def main(self) -> Period:
        return self.periods[-1] if self.periods else Period(0, -1)

    @property
    def runs(self) -> int:
        return self.main.runs

    @property
    def useful(self) -> int:
        return self.main.useful

    @property
    def runs_lower(self) -> int | None:
        return self.main.runs_lower

    @property
    def runs_upper(self) -> int | None:
        return self.main.runs_upper

    @property
    def too_few_runs(self) -> bool:
        return self.main.too_few_runs

    @property
    def too_many_runs(self) -> bool:
        return self.main.too_many_runs

    def flags(self, index: int) -> list[str]:
        """The rules that flag the point at `index`, in a fixed order."""
        found = []
        for rule, signals in (
            ("shift", self.shifts),
            ("trend", self.trends),
            ("long run", self.long_runs),
            ("astronomical", self.astronomical),
        ):
            if any(index in signal.points for signal in signals):
                found.append(rule)
        return found

    def findings(self) -> list[str]:
        """Plain English: which signals fired, one sentence each (empty: none fired)."""
        said: list[str] = []
        for signal in self.shifts:
            said.append(
                f"Shift: {signal.counted} points in a row {signal.direction} the median "
                f"(points {signal.start + 1} to {signal.end + 1})."
            )
        for signal in self.trends:
            said.append(
                f"Trend: {signal.counted} points in a row going {signal.direction} "
                f"(points {signal.start + 1} to {signal.end + 1})."
            )
        for signal in self.long_runs:
            said.append(
                f"Unusually long run: {signal.counted} points in a row {signal.direction} the "
                f"median (points {signal.start + 1} to {signal.end + 1})."
            )
        for signal in self.astronomical:
            said.append(
                f"Astronomical data point: point {signal.start + 1}, judged by the team to be "
                "obviously different from the rest."
            )
        for period in self.periods:
            where = self._where(period)
            if period.too_few_runs:
                said.append(
                    f"Too few runs{where}: {period.runs}, fewer than {period.runs_lower} for "
                    f"{period.useful} useful observations."
                )
            if period.too_many_runs:
                said.append(
                    f"Too many runs{where}: {period.runs}, more than {period.runs_upper} for "
                    f"{period.useful} useful observations."
                )
            if period.few_crossings:
                said.append(
                    f"Unusually few crossings{where}: the line crosses the median "
                    f"{period.crossings} time{'s' if period.crossings != 1 else ''}, fewer "
                    f"than {period.crossings_min} for "
                    f"{period.useful} useful observations."
                )
        return said

    def _where(self, period: Period) -> str:
        if self.baseline is None:
            return ""
        if period.start == 0:
            return " in the baseline"
        return " after the baseline"


def median(values: Sequence[float]) -> float | None:
    return float(statistics.median(values)) if values else None


def sides(values: Sequence[float], centre: float) -> list[int]:
    """+1 above the centre line, -1 below, 0 on it."""
    return [(value > centre) - (value < centre) for value in values]


def _runs_of_sides(
    values: Sequence[float], centre: float, offset: int = 0
) -> list[tuple[int, list[int]]]:
    """The runs as (side, indices), skipping points on the centre line."""
    found: list[tuple[int, list[int]]] = []
    for index, point_side in enumerate(sides(values, centre)):
        if point_side == 0:
            continue  # neither breaks nor adds
        if not found or found[-1][0] != point_side:
            found.append((point_side, []))
        found[-1][1].append(index + offset)
    return found


def _side_signal(rule: str, side: int, indices: list[int]) -> Signal:
    return Signal(
        rule,
        "above" if side > 0 else "below",
        indices[0],
        indices[-1],
        tuple(indices),
        counted=len(indices),
    )


def shifts(
    values: Sequence[float], centre: float, length: int = SHIFT_LENGTH, offset: int = 0
) -> list[Signal]:
    """Runs of at least `length` points on one side of `centre`, skipping points on it."""
    return [
        _side_signal("shift", side, indices)
        for side, indices in _runs_of_sides(values, centre, offset)
        if len(indices) >= length
    ]


def trends(values: Sequence[float], length: int = TREND_LENGTH, offset: int = 0) -> list[Signal]:
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
                    start + offset,
                    end + offset,
                    tuple(range(start + offset, end + offset + 1)),
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


def runs_limits(useful: int) -> tuple[int, int] | None:
    """(lower, upper) from the published table for this many useful observations, or None
    outside the table (fewer than 10, or more than 30)."""
    return PERLA_RUNS_TABLE.get(useful)


def longest_run_max(useful: int) -> int:
    """Anhøj: a run longer than this is unusually long (round(log2(n) + 3)).

    log2(n) + 3 is never exactly a half for a whole n, so how halves round does not matter.
    """
    return round(math.log2(useful) + 3)


def crossings_min(useful: int) -> int:
    """Anhøj: fewer crossings than this is unusually few: the smallest x with
    P(X <= x) >= 0.05 for X ~ Binomial(n - 1, 0.5), as R's qbinom(0.05, n - 1, 0.5).

    Worked in whole numbers (20 * sum of C(m, k) >= 2**m), so no rounding can tip it.
    """
    trials = max(useful - 1, 0)
    total = 0
    for x in range(trials + 1):
        total += comb(trials, x)
        if 20 * total >= 2**trials:
            return x
    return trials


def _period(values: Sequence[float], centre: float, offset: int, rules: str) -> Period:
    runs, above, below = count_runs(values, centre)
    useful = above + below
    period = Period(start=offset, end=offset + len(values) - 1, runs=runs, useful=useful)
    if rules == IHI:
        limits = runs_limits(useful)
        if limits is not None:
            period.runs_lower, period.runs_upper = limits
    elif useful:
        period.longest_run = max(len(ix) for _, ix in _runs_of_sides(values, centre))
        period.longest_run_max = longest_run_max(useful)
        period.crossings = max(runs - 1, 0)
        period.crossings_min = crossings_min(useful)
    return period


def analyse(
    values: Sequence[float],
    *,
    rules: str = IHI,
    baseline: int | None = None,
    astronomical: Collection[int] = (),
) -> Analysis:
    """The signals of one rule set. `baseline`: freeze the median over the first so many
    points and judge the baseline and the later points apart against it. `astronomical`: the
    indices of the points the team has judged astronomical (the Guide's rule 4)."""
    if rules not in RULE_SETS:
        raise ValueError(f"Unknown rule set {rules!r}")
    points = [float(value) for value in values]
    if baseline is not None and not 0 < baseline < len(points):
        baseline = None  # a baseline of none or all the points is no baseline
    centre = median(points[:baseline] if baseline else points)
    result = Analysis(values=points, median=centre, rules=rules, baseline=baseline)
    if centre is None:
        return result
    bounds = [(0, baseline), (baseline, len(points))] if baseline else [(0, len(points))]
    for start, end in bounds:
        part = points[start:end]
        result.periods.append(_period(part, centre, start, rules))
        if rules == IHI:
            result.shifts += shifts(part, centre, offset=start)
            result.trends += trends(part, offset=start)
        else:
            period = result.periods[-1]
            if period.long_run:
                result.long_runs += [
                    _side_signal("long run", side, indices)
                    for side, indices in _runs_of_sides(part, centre, start)
                    if len(indices) > (period.longest_run_max or 0)
                ]
    if rules == IHI:
        result.astronomical = [
            Signal("astronomical", "", index, index, (index,), counted=1)
            for index in sorted(set(astronomical))
            if 0 <= index < len(points)
        ]
    return result
