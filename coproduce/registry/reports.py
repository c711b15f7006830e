"""Table 1, studies by theme, rebuilt from the registry for a page, a CSV file and a workbook.

All three outputs take their rows from `studies_by_theme()`, so they cannot disagree. The CSV
and the workbook are written by the project's one spreadsheet writer (`coproduce/lib/exports.py`).
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from itertools import groupby

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

from coproduce.lib import exports as writer
from coproduce.registry.models import Study

HEADERS = (
    "Theme",
    "Study",
    "Diffusion fellow posts filled",
    "Vacant posts",
    "Diffusion fellows seconded (all time)",
)
VACANT = "vacant"

CSV_CONTENT_TYPE = writer.CSV_TYPE
XLSX_CONTENT_TYPE = writer.XLSX_TYPE

Cell = str | int


@dataclass(frozen=True)
class StudyRow:
    theme: str
    theme_slug: str
    study: str
    study_slug: str
    df_posts: int
    filled: int
    vacant: int
    all_time: int

    @property
    def none_filled(self) -> bool:
        """The study has funded posts, nobody in any of them, and has not ended: the table says
        "vacant"."""
        return self.df_posts > 0 and self.filled == 0 and self.vacant > 0

    @property
    def filled_cell(self) -> Cell:
        return VACANT if self.none_filled else self.filled

    def cells(self) -> list[Cell]:
        return [self.theme, self.study, self.filled_cell, self.vacant, self.all_time]


@dataclass(frozen=True)
class ThemeGroup:
    name: str
    slug: str
    rows: tuple[StudyRow, ...]


@dataclass(frozen=True)
class Totals:
    filled: int
    vacant: int
    all_time: int

    def cells(self) -> list[Cell]:
        return ["Total", "", self.filled, self.vacant, self.all_time]


@dataclass(frozen=True)
class StudiesByTheme:
    on: dt.date
    groups: tuple[ThemeGroup, ...]

    @property
    def rows(self) -> list[StudyRow]:
        return [row for group in self.groups for row in group.rows]

    @property
    def totals(self) -> Totals:
        rows = self.rows
        return Totals(
            filled=sum(r.filled for r in rows),
            vacant=sum(r.vacant for r in rows),
            all_time=sum(r.all_time for r in rows),
        )

    def table(self) -> list[list[Cell]]:
        """Header, one line a study, totals: what the CSV and the workbook hold."""
        return [list(HEADERS), *(row.cells() for row in self.rows), self.totals.cells()]

    def filename(self, extension: str) -> str:
        return f"studies-by-theme-{self.on.isoformat()}.{extension}"


def studies_by_theme(on: dt.date | None = None) -> StudiesByTheme:
    """Every study, grouped by theme in theme order, with its diffusion fellow posts on `on`."""
    on = on or timezone.localdate()
    studies = (
        Study.objects.with_df_counts(on)
        .select_related("theme")
        .order_by("theme__position", "theme__name", "title")
    )
    rows = [
        StudyRow(
            theme=study.theme.name,
            theme_slug=study.theme.slug,
            study=str(study),
            study_slug=study.slug,
            df_posts=study.df_posts,
            filled=study.df_posts_filled,  # type: ignore[attr-defined]
            vacant=study.df_posts_vacant,  # type: ignore[attr-defined]
            all_time=study.dfs_all_time,  # type: ignore[attr-defined]
        )
        for study in studies
    ]
    groups = []
    for slug, group in groupby(rows, key=lambda row: row.theme_slug):
        items = tuple(group)
        groups.append(ThemeGroup(name=items[0].theme, slug=slug, rows=items))
    return StudiesByTheme(on=on, groups=tuple(groups))


def to_csv(report: StudiesByTheme) -> bytes:
    return writer.csv_bytes(report.table())


def to_xlsx(report: StudiesByTheme) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new workbook always has one sheet
    sheet.title = "Studies by theme"
    bold = Font(bold=True)
    table = report.table()
    for row_number, line in enumerate(table, start=1):
        writer.append_row(sheet, line, font=bold if row_number in (1, len(table)) else None)
    sheet.freeze_panes = "A2"
    for letter, width in zip("ABCDE", (28, 70, 16, 14, 20), strict=True):
        sheet.column_dimensions[letter].width = width
    workbook.properties.title = f"Studies by theme on {report.on.isoformat()}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
