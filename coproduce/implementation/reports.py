"""Figures for the pages: the barriers and facilitators matrix, run charts, instrument trends.

Each chart comes with a table of the same numbers (`coproduce.lib.charts`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, QuerySet
from django.urls import reverse

from coproduce.implementation import instruments, runchart, spc
from coproduce.implementation.models import (
    Administration,
    DataPoint,
    Determinant,
    Instrument,
    Item,
    Measure,
    PDSACycle,
)
from coproduce.lib.charts import PALETTE, Chart, Table, line_chart, stacked_bar

LEVELS = list(Determinant.Level)
CATEGORIES = list(Determinant.Category)
KINDS = list(Determinant.Kind)


# --- the matrix --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    barriers: int
    facilitators: int
    barriers_url: str
    facilitators_url: str
    label: str  # for assistive technology: "Individual, political"


@dataclass
class Matrix:
    rows: list[tuple[Any, list[Cell], Cell]]  # level, cells by category, row total
    totals: list[Cell]  # per category
    grand: Cell
    counts: Counter[tuple[str, str, str]]

    def count(self, level: str, category: str, kind: str) -> int:
        return self.counts[(level, category, kind)]


def _list_url(filters: dict[str, str]) -> str:
    query = {key: value for key, value in filters.items() if value}
    base = reverse("implementation:determinants")
    return f"{base}?{urlencode(query)}" if query else base


def matrix(queryset: QuerySet[Determinant], study_slug: str = "") -> Matrix:
    """Counts of barriers and facilitators by level and category, in one grouped query."""
    counts: Counter[tuple[str, str, str]] = Counter()
    for row in queryset.order_by().values("level", "category", "kind").annotate(n=Count("pk")):
        counts[(row["level"], row["category"], row["kind"])] = row["n"]

    def cell(levels: list[Any], categories: list[Any], label: str) -> Cell:
        barriers = sum(
            counts[(lv, cat, Determinant.Kind.BARRIER)] for lv in levels for cat in categories
        )
        facilitators = sum(
            counts[(lv, cat, Determinant.Kind.FACILITATOR)] for lv in levels for cat in categories
        )
        base = {"study": study_slug}
        if len(levels) == 1:
            base["level"] = levels[0]
        if len(categories) == 1:
            base["category"] = categories[0]
        return Cell(
            barriers,
            facilitators,
            _list_url({**base, "kind": Determinant.Kind.BARRIER}),
            _list_url({**base, "kind": Determinant.Kind.FACILITATOR}),
            label,
        )

    rows = []
    for level in LEVELS:
        cells = [cell([level], [cat], f"{level.label}, {cat.label}") for cat in CATEGORIES]
        rows.append((level, cells, cell([level], CATEGORIES, f"{level.label}, all categories")))
    totals = [cell(LEVELS, [cat], f"All levels, {cat.label}") for cat in CATEGORIES]
    return Matrix(rows, totals, cell(LEVELS, CATEGORIES, "All levels and categories"), counts)


def matrix_charts(result: Matrix, scope: str) -> list[Chart]:
    charts = []
    for kind in KINDS:
        plural = f"{kind.label.lower()}s"
        data = [
            {"level": level.label, "category": cat.label, "count": result.count(level, cat, kind)}
            for level in LEVELS
            for cat in CATEGORIES
        ]
        spec = stacked_bar(
            data,
            x="level",
            y="count",
            stack="category",
            title=f"{plural.capitalize()} by level and category, {scope}",
            x_title="Level",
            y_title=f"Number of {plural}",
            stack_title="Category",
            x_order=[level.label for level in LEVELS],
            stack_order=[cat.label for cat in CATEGORIES],
            integer=True,
        )
        rows = []
        for level in LEVELS:
            values = [result.count(level, cat, kind) for cat in CATEGORIES]
            rows.append([level.label, *values, sum(values)])
        column_totals = [sum(result.count(lv, cat, kind) for lv in LEVELS) for cat in CATEGORIES]
        total = sum(column_totals)
        footer: list[Any] = ["All levels", *column_totals, total]
        charts.append(
            Chart(
                key=f"matrix-{kind.value}",
                title=f"{plural.capitalize()} by level and category",
                spec=spec,
                summary=f"Bar chart: {total} {plural} by level, split by category, {scope}. "
                "The table below has the same numbers.",
                table=Table(
                    caption=f"{plural.capitalize()} by level (rows) and category (columns)",
                    columns=["Level", *[cat.label for cat in CATEGORIES], "Total"],
                    rows=rows,
                    numeric=frozenset(range(1, len(CATEGORIES) + 2)),
                    footer=footer,
                ),
            )
        )
    return charts


# --- run chart and control chart --------------------------------------------------------------


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:.4g}" if abs(value) < 1e6 else f"{value:g}"


SIGNAL_STYLES = {  # label -> (colour, shape), so colour is never the only cue
    "None": (PALETTE[0], "circle"),
    "Shift": (PALETTE[5], "square"),
    "Trend": ("#ae2573", "triangle-up"),
    "Shift and trend": ("#330072", "diamond"),
    "Long run": (PALETTE[5], "square"),
    "Astronomical": ("#000000", "cross"),
    "Several": ("#330072", "diamond"),
}
POINT_STYLES = {  # XmR point types (Making Data Count colours) -> (label, colour, shape)
    "common_cause": ("Common cause", "#a6a6a6", "circle"),
    "improvement": ("Special cause: improvement", "#00b0f0", "triangle-up"),
    "concern": ("Special cause: concern", "#e46c0a", "square"),
    "neither": ("Special cause: neither better nor worse", "#7030a0", "diamond"),
}


@dataclass
class CycleMark:
    """A PDSA cycle on the chart: the index of the first point on or after its start."""

    cycle: PDSACycle
    index: int | None


@dataclass
class MeasureCharts:
    analysis: runchart.Analysis
    run: Chart | None = None
    control: Chart | None = None
    xmr: spc.XmR | None = None
    cycles: list[CycleMark] = field(default_factory=list)
    baseline_points: int | None = None
    points: int = 0


def _signal_label(flags: list[str]) -> str:
    if not flags:
        return "None"
    if flags == ["shift", "trend"]:
        return "Shift and trend"
    if len(flags) == 1:
        return flags[0].capitalize()
    return "Several"


def _baseline_count(measure: Measure, points: list[DataPoint]) -> int | None:
    if measure.baseline_end is None:
        return None
    count = sum(1 for point in points if point.date <= measure.baseline_end)
    return count if 0 < count < len(points) else None


def _cycle_marks(cycles: list[PDSACycle], points: list[DataPoint]) -> list[CycleMark]:
    marks = []
    for cycle in cycles:
        index = next((i for i, point in enumerate(points) if point.date >= cycle.start), None)
        marks.append(CycleMark(cycle, index))
    return marks


def _cycles_at(marks: list[CycleMark], index: int) -> str:
    return "; ".join(mark.cycle.title for mark in marks if mark.index == index)


def _annotations(marks: list[CycleMark], baseline_date: str | None) -> list[dict[str, Any]]:
    """Vertical rules with labels: where each PDSA cycle starts, and where the baseline ends."""
    rows = [
        {"date": mark.cycle.start.isoformat(), "label": f"PDSA {n}: {mark.cycle.title}"[:40]}
        for n, mark in enumerate(marks, start=1)
    ]
    layers: list[dict[str, Any]] = []
    if rows:
        layers += [
            {
                "data": {"values": rows},
                "mark": {"type": "rule", "color": PALETTE[3], "strokeDash": [2, 3]},
                "encoding": {
                    "x": {"field": "date", "type": "temporal"},
                    "tooltip": [{"field": "label", "title": "PDSA cycle starts"}],
                },
            },
            {
                "data": {"values": rows},
                "mark": {
                    "type": "text",
                    "color": PALETTE[3],
                    "angle": 270,
                    "align": "right",
                    "baseline": "bottom",
                    "dy": -2,
                    "y": 4,
                    "fontSize": 11,
                },
                "encoding": {
                    "x": {"field": "date", "type": "temporal"},
                    "text": {"field": "label"},
                },
            },
        ]
    if baseline_date:
        layers.append(
            {
                "data": {"values": [{"date": baseline_date, "label": "Baseline ends"}]},
                "mark": {"type": "rule", "color": PALETTE[6], "size": 2},
                "encoding": {
                    "x": {"field": "date", "type": "temporal"},
                    "tooltip": [{"field": "label", "title": "Baseline"}],
                },
            }
        )
    return layers


def _styled_points(
    encoding: dict[str, Any], field_name: str, title: str, styles: dict[str, tuple[str, str]]
) -> dict[str, Any]:
    domain = list(styles)
    return {
        **encoding,
        "color": {
            "field": field_name,
            "type": "nominal",
            "title": title,
            "scale": {"domain": domain, "range": [styles[k][0] for k in domain]},
        },
        "shape": {
            "field": field_name,
            "type": "nominal",
            "title": title,
            "scale": {"domain": domain, "range": [styles[k][1] for k in domain]},
        },
    }


def measure_charts(measure: Measure, rules: str | None = None) -> MeasureCharts:
    """The run chart (by the measure's rule set, or `rules`) and, from 12 points, the XmR
    chart, with the measure's PDSA cycles marked on both and listed in their tables."""
    points = list(measure.points.order_by("date", "pk"))
    cycles = list(measure.cycles.order_by("start", "pk"))
    baseline = _baseline_count(measure, points)
    values = [point.value for point in points]
    analysis = runchart.analyse(
        values,
        rules=rules or measure.rules,
        baseline=baseline,
        astronomical=[i for i, point in enumerate(points) if point.astronomical],
    )
    result = MeasureCharts(analysis=analysis, baseline_points=baseline, points=len(points))
    if not points:
        return result
    marks = _cycle_marks(cycles, points)
    result.cycles = marks
    baseline_date = points[baseline - 1].date.isoformat() if baseline else None
    result.run = _run_chart(measure, points, analysis, marks, baseline_date)
    direction = measure.direction if measure.direction in (spc.UP, spc.DOWN) else spc.NEITHER
    chart = spc.xmr(values, direction=direction, target=measure.target, baseline=baseline)
    if chart is not None:
        result.xmr = chart
        result.control = _control_chart(measure, points, chart, marks, baseline_date)
    return result


def _run_chart(
    measure: Measure,
    points: list[DataPoint],
    analysis: runchart.Analysis,
    marks: list[CycleMark],
    baseline_date: str | None,
) -> Chart:
    unit = f" ({measure.unit})" if measure.unit else ""
    centre = "Baseline median" if analysis.baseline else "Median"
    data = []
    table_rows = []
    for index, point in enumerate(points):
        label = _signal_label(analysis.flags(index))
        period = ""
        if analysis.baseline:
            period = "Baseline" if index < analysis.baseline else "After baseline"
        data.append(
            {
                "date": point.date.isoformat(),
                "value": point.value,
                "median": analysis.median,
                "signal": label,
            }
        )
        row = [
            point.date.strftime("%d %b %Y"),
            _number(point.value),
            _number(analysis.median),
            ", ".join(analysis.flags(index)).capitalize() or "None",
            _cycles_at(marks, index) or "",
        ]
        if analysis.baseline:
            row.insert(3, period)
        table_rows.append(row)
    spec = line_chart(
        data,
        x="date",
        y="value",
        title=f"{measure.name}: run chart",
        x_title="Date",
        y_title=f"{measure.name}{unit}",
    )
    encoding = spec.pop("encoding")
    spec.pop("mark")
    encoding["x"] = {"field": "date", "type": "temporal", "title": "Date"}
    encoding["tooltip"] = [
        {"field": "date", "type": "temporal", "title": "Date"},
        {"field": "value", "title": measure.name},
        {"field": "signal", "title": "Signal"},
    ]
    styles = {k: v for k, v in SIGNAL_STYLES.items() if k in {d["signal"] for d in data}}
    spec["layer"] = [
        {"mark": {"type": "line", "color": PALETTE[6]}, "encoding": encoding},
        {
            "mark": {"type": "point", "filled": True, "size": 90},
            "encoding": _styled_points(encoding, "signal", "Signal", styles),
        },
        {
            "mark": {"type": "rule", "color": PALETTE[2], "strokeDash": [6, 4], "size": 2},
            "encoding": {"y": {"field": "median", "type": "quantitative"}},
        },
        *_annotations(marks, baseline_date),
    ]
    fired = len(analysis.findings())
    summary = (
        f"Run chart of {len(points)} points of {measure.name}, "
        f"{centre.lower()} {_number(analysis.median)}, read by {analysis.rule_set}. "
        f"{fired or 'No'} signal{'s' if fired != 1 else ''} found; {len(marks)} PDSA "
        f"cycle{'s' if len(marks) != 1 else ''} marked. The table below has every point."
    )
    columns = ["Date", f"Value{unit}", centre, "Signal", "PDSA cycle starting"]
    if analysis.baseline:
        columns.insert(3, "Period")
    return Chart(
        key="run-chart",
        title="Run chart",
        spec=spec,
        summary=summary,
        table=Table(
            caption=f"{measure.name}{unit}: every point, the {centre.lower()}, the signals "
            "and the PDSA cycles",
            columns=columns,
            rows=table_rows,
            numeric=frozenset({1, 2}),
        ),
    )


def _control_chart(
    measure: Measure,
    points: list[DataPoint],
    chart: spc.XmR,
    marks: list[CycleMark],
    baseline_date: str | None,
) -> Chart:
    unit = f" ({measure.unit})" if measure.unit else ""
    data = []
    rows = []
    for index, point in enumerate(points):
        kind = chart.point_type(index).rsplit("_", 1)[0]
        label = POINT_STYLES["common_cause" if kind == "common" else kind][0]
        data.append(
            {
                "date": point.date.isoformat(),
                "value": point.value,
                "mean": chart.mean,
                "lower": chart.lower,
                "upper": chart.upper,
                "type": label,
            }
        )
        rows.append(
            [
                point.date.strftime("%d %b %Y"),
                _number(point.value),
                _number(chart.moving_ranges[index]),
                label,
                "; ".join(chart.reasons[index]).capitalize() or "None",
                _cycles_at(marks, index) or "",
            ]
        )
    spec = line_chart(
        data,
        x="date",
        y="value",
        title=f"{measure.name}: XmR control chart",
        x_title="Date",
        y_title=f"{measure.name}{unit}",
    )
    encoding = spec.pop("encoding")
    spec.pop("mark")
    encoding["x"] = {"field": "date", "type": "temporal", "title": "Date"}
    encoding["tooltip"] = [
        {"field": "date", "type": "temporal", "title": "Date"},
        {"field": "value", "title": measure.name},
        {"field": "type", "title": "Variation"},
    ]
    styles = {label: (colour, shape) for label, colour, shape in POINT_STYLES.values()}
    styles = {k: v for k, v in styles.items() if k in {d["type"] for d in data}}
    limit = {"type": "rule", "color": PALETTE[6], "strokeDash": [4, 4]}
    layers: list[dict[str, Any]] = [
        {"mark": {"type": "line", "color": PALETTE[6]}, "encoding": encoding},
        {
            "mark": {"type": "point", "filled": True, "size": 90},
            "encoding": _styled_points(encoding, "type", "Variation", styles),
        },
        {
            "mark": {"type": "rule", "color": PALETTE[2], "size": 2},
            "encoding": {"y": {"field": "mean", "type": "quantitative"}},
        },
        {"mark": limit, "encoding": {"y": {"field": "lower", "type": "quantitative"}}},
        {"mark": limit, "encoding": {"y": {"field": "upper", "type": "quantitative"}}},
    ]
    if chart.target is not None:
        layers.append(
            {
                "data": {"values": [{"target": chart.target}]},
                "mark": {"type": "rule", "color": PALETTE[5], "strokeDash": [8, 2]},
                "encoding": {
                    "y": {"field": "target", "type": "quantitative"},
                    "tooltip": [{"field": "target", "title": "Target"}],
                },
            }
        )
    spec["layer"] = [*layers, *_annotations(marks, baseline_date)]
    special = sum(chart.special)
    summary = (
        f"XmR control chart of {len(points)} points of {measure.name}: mean "
        f"{_number(chart.mean)}, process limits {_number(chart.lower)} to "
        f"{_number(chart.upper)} (from {chart.limits_from} points). {special} "
        f"point{'s' if special != 1 else ''} show special cause variation. "
        f"{chart.variation_text} The table below has every point."
    )
    return Chart(
        key="xmr-chart",
        title="Control chart (XmR)",
        spec=spec,
        summary=summary,
        table=Table(
            caption=f"{measure.name}{unit}: every point, its moving range and its variation "
            f"(mean {_number(chart.mean)}, limits {_number(chart.lower)} to "
            f"{_number(chart.upper)})",
            columns=[
                "Date",
                f"Value{unit}",
                "Moving range",
                "Variation",
                "Why",
                "PDSA cycle starting",
            ],
            rows=rows,
            numeric=frozenset({1, 2}),
        ),
    )


# --- instrument trends -------------------------------------------------------------------------


def construct_trend(
    instrument: Instrument, administrations: list[Administration], study_title: str
) -> Chart | None:
    """Mean score per construct per administration (not relevant and unanswered left out).

    Constructs whose items are reported one by one (NoMAD's general items on 0 to 10) are not
    here: see `separate_items_trend`.
    """
    if not administrations:
        return None
    constructs = list(
        instrument.constructs.filter(items__isnull=False, separate_items=False).distinct()
    )
    if not constructs:
        return None
    means = instruments.construct_means(administrations)
    respondents = dict(
        Administration.objects.filter(pk__in=[a.pk for a in administrations])
        .annotate(n=Count("responses"))
        .values_list("pk", "n")
    )
    data = []
    rows = []
    for administration in administrations:
        label = str(administration)
        row: list[Any] = [label, respondents.get(administration.pk, 0)]
        for construct in constructs:
            mean = means.get(administration.pk, {}).get(construct.pk)
            if mean is not None:
                data.append(
                    {"administration": label, "construct": construct.name, "mean": round(mean, 2)}
                )
            row.append(f"{mean:.2f}" if mean is not None else "No scores")
        rows.append(row)
    values = instrument.scale_values or [0, 1]
    spec = line_chart(
        data,
        x="administration",
        y="mean",
        series="construct",
        title=f"{instrument.name}: mean score by construct",
        x_title="Administration",
        y_title="Mean score",
        x_order=[str(a) for a in administrations],
        y_domain=[min(values), max(values)],
        series_order=[c.name for c in constructs],
    )
    return Chart(
        key=f"trend-{instrument.slug}",
        title=f"{instrument.name}: mean score by construct",
        spec=spec,
        summary=(
            f"Line chart of the mean score of each of {len(constructs)} constructs over "
            f"{len(administrations)} administrations in {study_title}. The table below has the "
            "same numbers."
        ),
        table=Table(
            caption=f"Mean score per construct per administration ({min(values)} to {max(values)})",
            columns=["Administration", "Respondents", *[c.name for c in constructs]],
            rows=rows,
            numeric=frozenset(range(1, len(constructs) + 2)),
        ),
    )


def separate_items_trend(
    instrument: Instrument, administrations: list[Administration], study_title: str
) -> Chart | None:
    """Mean rating per item per administration, for items reported one by one on their own
    scale (NoMAD's three general normalisation items, 0 to 10: Finch TL et al. BMC Med Res
    Methodol 2018;18:135). None when the instrument has no such items."""
    if not administrations:
        return None
    items = list(
        Item.objects.filter(
            construct__instrument=instrument, construct__separate_items=True
        ).select_related("construct__instrument")
    )
    if not items:
        return None
    means = instruments.item_means(administrations)
    values = sorted({v for item in items for v in item.construct.scale_values}) or [0, 1]
    names = [f"{item.code}: {item.text}" for item in items]
    data = []
    rows = []
    for administration in administrations:
        label = str(administration)
        row: list[Any] = [label]
        for item, name in zip(items, names, strict=True):
            mean, answers = means.get(administration.pk, {}).get(item.pk, (None, 0))
            if mean is not None:
                data.append({"administration": label, "item": name, "mean": round(mean, 2)})
            row.append(f"{mean:.2f} ({answers})" if mean is not None else "No answers")
        rows.append(row)
    title = f"{instrument.name}: mean rating of each item reported on its own"
    spec = line_chart(
        data,
        x="administration",
        y="mean",
        series="item",
        title=title,
        x_title="Administration",
        y_title="Mean rating",
        x_order=[str(a) for a in administrations],
        y_domain=[min(values), max(values)],
        series_order=names,
    )
    return Chart(
        key=f"trend-{instrument.slug}-items",
        title=title,
        spec=spec,
        summary=(
            f"Line chart of the mean rating of each of {len(items)} items over "
            f"{len(administrations)} administrations in {study_title}. The table below has the "
            "same numbers, with how many respondents answered in brackets."
        ),
        table=Table(
            caption=(
                f"Mean rating per item per administration ({min(values)} to {max(values)}; "
                "answers in brackets)"
            ),
            columns=["Administration", *names],
            rows=rows,
            numeric=frozenset(range(1, len(items) + 1)),
        ),
    )
