"""Figures for the pages: the barriers and facilitators matrix, run charts, instrument trends.

Each chart comes with a table of the same numbers (`coproduce.lib.charts`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, QuerySet
from django.urls import reverse

from coproduce.implementation import instruments, runchart
from coproduce.implementation.models import Administration, Determinant, Instrument, Item, Measure
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


# --- run chart ---------------------------------------------------------------------------------


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:g}"


def run_chart(measure: Measure) -> tuple[Chart | None, runchart.Analysis]:
    points = list(measure.points.order_by("date", "pk"))
    analysis = runchart.analyse([point.value for point in points])
    if not points:
        return None, analysis
    unit = f" ({measure.unit})" if measure.unit else ""
    data = []
    table_rows = []
    for index, point in enumerate(points):
        flags = analysis.flags(index)
        flag_text = " and ".join(flags).capitalize() if flags else "None"
        data.append(
            {
                "date": point.date.isoformat(),
                "value": point.value,
                "median": analysis.median,
                "signal": flag_text,
            }
        )
        table_rows.append(
            [
                point.date.strftime("%d %b %Y"),
                _number(point.value),
                _number(analysis.median),
                flag_text,
            ]
        )
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
    signals = ["None", "Shift", "Trend", "Shift and trend"]
    spec["layer"] = [
        {"mark": {"type": "line", "color": PALETTE[6]}, "encoding": encoding},
        {
            "mark": {"type": "point", "filled": True, "size": 90},
            "encoding": {
                **encoding,
                "color": {
                    "field": "signal",
                    "type": "nominal",
                    "title": "Signal",
                    "scale": {
                        "domain": signals,
                        "range": [PALETTE[0], PALETTE[5], "#ae2573", "#330072"],
                    },
                },
                "shape": {
                    "field": "signal",
                    "type": "nominal",
                    "scale": {
                        "domain": signals,
                        "range": ["circle", "square", "triangle-up", "diamond"],
                    },
                },
                "tooltip": [
                    {"field": "date", "type": "temporal", "title": "Date"},
                    {"field": "value", "title": measure.name},
                    {"field": "signal", "title": "Signal"},
                ],
            },
        },
        {
            "mark": {"type": "rule", "color": PALETTE[2], "strokeDash": [6, 4], "size": 2},
            "encoding": {"y": {"field": "median", "type": "quantitative"}},
        },
    ]
    shifts = len(analysis.shifts)
    trends = len(analysis.trends)
    summary = (
        f"Run chart of {len(points)} points of {measure.name}, median {_number(analysis.median)}."
        f" {shifts} shift{'s' if shifts != 1 else ''} and {trends} "
        f"trend{'s' if trends != 1 else ''} flagged. The table below has every point."
    )
    chart = Chart(
        key="run-chart",
        title="Run chart",
        spec=spec,
        summary=summary,
        table=Table(
            caption=f"{measure.name}{unit}: every point, the median and the signals",
            columns=["Date", f"Value{unit}", "Median", "Signal"],
            rows=table_rows,
            numeric=frozenset({1, 2}),
        ),
    )
    return chart, analysis


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
