"""Vega-Lite chart specs built in Python, each paired with a table of the same numbers.

A page shows the chart (drawn in the browser by the vendored vega-embed, see
`static/js/charts.js`) and, beside it, the table: the table is what screen readers, people
without JavaScript and anyone who wants the exact figures use, so a chart never holds a number
that its table does not. Specs carry their data inline: nothing is fetched when they are drawn.

The builders know nothing about the domain: they take rows (plain dicts) and field names.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

# Identifies the spec's grammar and version to vega-embed; it is never downloaded.
SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"

# NHS identity colours, in an order where neighbours contrast with each other.
PALETTE = (
    "#005eb8",  # NHS blue
    "#ffb81c",  # warm yellow
    "#007f3b",  # green
    "#330072",  # purple
    "#00a499",  # aqua green
    "#da291c",  # red
    "#425563",  # dark grey
    "#ae2573",  # pink
)

HEIGHT = 260

Row = dict[str, Any]


def _base(title: str, description: str, rows: Sequence[Row]) -> dict[str, Any]:
    return {
        "$schema": SCHEMA,
        "title": title,
        # Vega-Lite puts this on the SVG as its accessible description.
        "description": description or title,
        "width": "container",
        "height": HEIGHT,
        "data": {"values": [dict(row) for row in rows]},
        "config": {
            "font": "Frutiger W01, Arial, sans-serif",
            "axis": {"labelFontSize": 14, "titleFontSize": 14, "labelColor": "#212b32"},
            "legend": {"labelFontSize": 14, "titleFontSize": 14, "orient": "bottom"},
            "title": {"fontSize": 16, "anchor": "start"},
            "range": {"category": list(PALETTE)},
        },
    }


def _axis_x(x: str, title: str, order: Sequence[Any] | None) -> dict[str, Any]:
    encoding: dict[str, Any] = {"field": x, "type": "ordinal", "title": title}
    if order is not None:
        # An explicit domain keeps categories in order, and shows those with no rows.
        encoding["scale"] = {"domain": list(order)}
        encoding["sort"] = list(order)
    return encoding


def _axis_y(
    y: str, title: str, domain: Sequence[float] | None, integer: bool = False
) -> dict[str, Any]:
    encoding: dict[str, Any] = {"field": y, "type": "quantitative", "title": title}
    if domain is not None:
        encoding["scale"] = {"domain": list(domain)}
    if integer:
        # Counts: no tick at 0.5 people.
        encoding["axis"] = {"tickMinStep": 1, "format": "d"}
    return encoding


def line_chart(
    rows: Sequence[Row],
    *,
    x: str,
    y: str,
    title: str,
    series: str | None = None,
    x_title: str = "",
    y_title: str = "",
    x_order: Sequence[Any] | None = None,
    y_domain: Sequence[float] | None = None,
    integer: bool = False,
    series_order: Sequence[Any] | None = None,
    description: str = "",
) -> dict[str, Any]:
    """A line with points per `series` (or a single line); `x` is ordinal (e.g. quarters).

    `integer` marks `y` as a count, so the axis shows whole numbers only.
    """
    spec = _base(title, description, rows)
    encoding: dict[str, Any] = {
        "x": _axis_x(x, x_title or x, x_order),
        "y": _axis_y(y, y_title or y, y_domain, integer),
        "tooltip": [{"field": x, "title": x_title or x}, {"field": y, "title": y_title or y}],
    }
    if series is not None:
        colour: dict[str, Any] = {"field": series, "type": "nominal", "title": series}
        if series_order is not None:
            colour["scale"] = {"domain": list(series_order)}
            colour["sort"] = list(series_order)
        encoding["color"] = colour
        encoding["tooltip"].insert(0, {"field": series, "title": series})
    spec["mark"] = {"type": "line", "point": True}
    if series is None:
        spec["mark"]["color"] = PALETTE[0]
    spec["encoding"] = encoding
    return spec


def stacked_bar(
    rows: Sequence[Row],
    *,
    x: str,
    y: str,
    stack: str,
    title: str,
    x_title: str = "",
    y_title: str = "",
    stack_title: str = "",
    x_order: Sequence[Any] | None = None,
    stack_order: Sequence[Any] | None = None,
    integer: bool = False,
    description: str = "",
) -> dict[str, Any]:
    """Bars per `x`, each split into coloured parts per `stack`, summing `y`."""
    spec = _base(title, description, rows)
    colour: dict[str, Any] = {"field": stack, "type": "nominal", "title": stack_title or stack}
    if stack_order is not None:
        colour["scale"] = {"domain": list(stack_order)}
        colour["sort"] = list(stack_order)
    encoding: dict[str, Any] = {
        "x": _axis_x(x, x_title or x, x_order),
        "y": {**_axis_y(y, y_title or y, None, integer), "aggregate": "sum", "stack": "zero"},
        "color": colour,
        "tooltip": [
            {"field": x, "title": x_title or x},
            {"field": stack, "title": stack_title or stack},
            {"field": y, "title": y_title or y},
        ],
    }
    if stack_order is not None:
        # Stack in the legend's order rather than alphabetically.
        encoding["order"] = {"field": f"{stack}_position", "type": "ordinal"}
        position = {value: index for index, value in enumerate(stack_order)}
        spec["data"]["values"] = [
            {**row, f"{stack}_position": position.get(row.get(stack), len(position))}
            for row in spec["data"]["values"]
        ]
    spec["mark"] = {"type": "bar"}
    spec["encoding"] = encoding
    return spec


def bar_chart(
    rows: Sequence[Row],
    *,
    category: str,
    value: str,
    title: str,
    category_title: str = "",
    value_title: str = "",
    category_order: Sequence[Any] | None = None,
    value_domain: Sequence[float] | None = None,
    integer: bool = False,
    description: str = "",
) -> dict[str, Any]:
    """Horizontal bars, one per category: long category names stay readable."""
    spec = _base(title, description, rows)
    spec["height"] = {"step": 28}
    category_axis = _axis_x(category, category_title or category, category_order)
    # The names explain themselves; a rotated axis title would sit on top of long ones.
    category_axis["title"] = None
    category_axis["axis"] = {"labelLimit": 320}
    spec["mark"] = {"type": "bar", "color": PALETTE[0]}
    spec["encoding"] = {
        "y": category_axis,
        "x": _axis_y(value, value_title or value, value_domain, integer),
        "tooltip": [
            {"field": category, "title": category_title or category},
            {"field": value, "title": value_title or value},
        ],
    }
    return spec


@dataclass(frozen=True)
class Link:
    """A table cell that links somewhere."""

    text: str
    url: str

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Table:
    """The figures of a chart, as an accessible table: the first column heads each row."""

    caption: str
    columns: list[str]
    rows: list[list[Any]]
    # Columns (by index) whose values are numbers, right-aligned as the NHS table style asks.
    numeric: frozenset[int] = field(default_factory=frozenset)
    # An optional last row, such as totals.
    footer: list[Any] | None = None

    def body(self) -> list[list[tuple[Any, bool]]]:
        """Each row's cells with whether the cell is numeric, for templates."""
        return [self._cells(row) for row in self.rows]

    def foot(self) -> list[tuple[Any, bool]]:
        return self._cells(self.footer) if self.footer else []

    def headers(self) -> list[tuple[str, bool]]:
        return self._cells(self.columns)

    def _cells(self, row: list[Any]) -> list[tuple[Any, bool]]:
        return [(value, index in self.numeric) for index, value in enumerate(row)]


@dataclass(frozen=True)
class Chart:
    """One chart on a page: its spec, a text summary for assistive technology, its table."""

    key: str
    title: str
    spec: dict[str, Any]
    summary: str
    table: Table

    @property
    def spec_id(self) -> str:
        return f"chart-spec-{self.key}"

    @property
    def heading_id(self) -> str:
        return f"chart-{self.key}"
