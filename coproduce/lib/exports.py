"""The one writer of spreadsheet exports: every CSV and XLSX file the site produces goes
through `csv_lines` / `csv_response` / `csv_bytes` or `append_row` / `xlsx_response`.

**Invariant: no cell of an export can start a formula.** Text that a spreadsheet would run
(CSV injection, also called formula injection) is written with a leading apostrophe, which
makes it plain text; our importer (`community/importer.py`) takes it off again with
`unguard`. A text cell is guarded when

- its first character is one the OWASP CSV injection guidance lists as starting a formula or
  hiding one: `=` `+` `-` `@`, tab (0x09), carriage return (0x0D), and line feed (0x0A) and NUL
  (0x00), which some versions of the guidance and OWASP ASVS 5.0 V1.2.10 add; or
- after any leading whitespace, control or invisible formatting characters (spaces, no-break
  and ideographic spaces, C0/C1 controls, zero-width and bidirectional marks, byte order mark:
  spreadsheets trim or ignore some of these when they read a cell) it starts with `=` `+` `-`
  `@` or their full-width forms (U+FF1D, U+FF0B, U+FF0D, U+FF20), which spreadsheets in East
  Asian locales read as the ASCII ones.

Sources: OWASP, "CSV Injection", https://owasp.org/www-community/attacks/CSV_Injection
(pages/attacks/CSV_Injection.md in OWASP/www-community: "ensure that no cells begin with any of
the following characters: = + - @ Tab (0x09) Carriage return (0x0D)", and prepend a single
quote); OWASP ASVS 5.0 requirement 1.2.10 (`=` `+` `-` `@` tab and NUL escaped with a single
quote as the first character, for CSV and for XLSX alike). The full-width forms and leading
whitespace go beyond the list, as defence in depth.

Numbers (int, float, Decimal) and dates stay numbers and dates: they cannot be formulas.
Everything else is written as text. In XLSX, text cells are written with `data_type = "s"` (a
shared string, never a formula, whatever openpyxl would guess from the value), after removing
the characters XML 1.0 cannot hold (removing one can uncover a formula start, so the guard runs
after). CSV files start with a UTF-8 byte order mark so that Excel reads them as UTF-8.

`tests/security/test_exports.py` downloads every export URL the resolver has, with hostile
text in the records, and fails on a cell that escaped this module or on an export URL it does
not know.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any

from django.http import FileResponse, StreamingHttpResponse

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Characters a formula can start with, ASCII and full-width.
FORMULA_CHARACTERS = "=+-@\uff1d\uff0b\uff0d\uff20"
# A cell starting with one of these is guarded whatever follows (OWASP; ASVS adds NUL).
FIRST_CHARACTERS = "\t\r\n\x00"
# What may stand, unseen, before a formula character: whitespace (Unicode), C0 and C1
# controls, soft hyphen, Arabic letter mark, Mongolian vowel separator, zero-width and
# directional marks, word joiner and invisible operators, byte order mark.
_LEADING = r"[\s\x00-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202f\u2060-\u206f\ufeff]*"
_GUARD = re.compile(rf"[{re.escape(FIRST_CHARACTERS)}]|{_LEADING}[{re.escape(FORMULA_CHARACTERS)}]")
# Characters XML 1.0 (and so an .xlsx file) cannot hold.
XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

Number = int | float | Decimal


def needs_guard(text: str) -> bool:
    """Would a spreadsheet read this text as (or as the start of) a formula?"""
    return _GUARD.match(text) is not None


def neutralise(text: str) -> str:
    """Make text inert in a spreadsheet: a leading apostrophe stops it running as a formula."""
    if text[:1].isalnum():  # the usual case, and never a formula start: skip the pattern
        return text
    if _GUARD.match(text) is not None:
        return "'" + text
    return text


def unguard(text: str) -> str:
    """Take off the apostrophe `neutralise` put on (for importing our own exports again)."""
    if text[:1] == "'" and _GUARD.match(text, 1) is not None:
        return text[1:]
    return text


def _is_number(value: Any) -> bool:
    return isinstance(value, Number) and not isinstance(value, bool)


def csv_cell(value: Any) -> Any:
    """What one CSV cell holds: numbers as they are, None empty, anything else guarded text."""
    if type(value) is str:
        return value if value[:1].isalnum() else neutralise(value)
    if value is None:
        return ""
    if _is_number(value):
        return value
    return neutralise(str(value))


class _Echo:
    """A file-like object whose write returns what it was given, for csv.writer to stream."""

    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """The file, line by line: a byte order mark, then each row with every cell guarded."""
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    yield "\ufeff"  # so Excel reads the file as UTF-8
    for row in rows:
        yield writer.writerow([csv_cell(value) for value in row])


def csv_bytes(rows: Iterable[Sequence[Any]]) -> bytes:
    return "".join(csv_lines(rows)).encode("utf-8")


def csv_response(rows: Iterable[Sequence[Any]], filename: str) -> StreamingHttpResponse:
    """A streamed CSV download (rows are read as the response is sent)."""
    response = StreamingHttpResponse(csv_lines(rows), content_type=CSV_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsx_cell(sheet: Any, value: Any, *, font: Any = None) -> Any:
    """One cell for `sheet` (write-only or not): numbers and dates as such, else guarded text
    typed as a string."""
    from openpyxl.cell import WriteOnlyCell

    if value is None:
        cell = WriteOnlyCell(sheet, None)
    elif _is_number(value):
        cell = WriteOnlyCell(sheet, float(value) if isinstance(value, Decimal) else value)
    elif isinstance(value, dt.date | dt.time):
        cell = WriteOnlyCell(sheet, value)
    else:
        text = value if type(value) is str else str(value)
        cell = WriteOnlyCell(sheet, neutralise(XML_ILLEGAL.sub("", text)))
        cell.data_type = "s"
    if font is not None:
        cell.font = font
    return cell


def append_row(sheet: Any, values: Iterable[Any], *, font: Any = None) -> None:
    """Append one row to an openpyxl worksheet, every cell made by `xlsx_cell`."""
    sheet.append([xlsx_cell(sheet, value, font=font) for value in values])


def xlsx_response(
    sheets: Iterable[tuple[str, Iterable[Sequence[Any]]]], filename: str
) -> FileResponse:
    """A workbook of (sheet title, rows) built in write-only mode (one row in memory at a
    time) in a temporary file, sent as a download."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for title, rows in sheets:
        sheet = workbook.create_sheet(title)
        for row in rows:
            append_row(sheet, row)
    output = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - FileResponse closes it
    workbook.save(output)
    output.seek(0)
    return FileResponse(output, as_attachment=True, filename=filename, content_type=XLSX_TYPE)
