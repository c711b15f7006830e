"""The directory's filtered list as CSV (streamed) or XLSX (write-only), for 200k rows.

Rows are read in keyset batches by primary key, and each batch's communities and interests in
one query each, so memory stays flat and there is no query per person. The columns are the
importer's, so an export can be corrected and imported again.

Text that a spreadsheet would run as a formula (starting = + - @, tab or carriage return) is
written with a leading apostrophe; the importer takes it off again.
"""

from __future__ import annotations

import csv
import re
import tempfile
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone

from coproduce.community.models import Associate, Channel, CommunityOfPractice, Membership
from coproduce.registry.models import Theme

BATCH = 500  # people per batch: keeps each IN (...) under SQLite's bound-parameter limit
HEADER = [
    "full_name",
    "email",
    "organisation",
    "role",
    "status",
    "cops",
    "interests",
    *Channel.values,
    "joined",
]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Characters XML 1.0 (and so an .xlsx file) cannot hold.
XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def neutralise(text: str) -> str:
    """Make text inert in a spreadsheet: a leading apostrophe stops it running as a formula."""
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def rows(queryset: Any) -> Iterator[list[str]]:
    """The header, then one row per associate in the queryset, oldest record first."""
    cop_slugs = dict(CommunityOfPractice.objects.values_list("pk", "slug"))
    theme_slugs = dict(Theme.objects.values_list("pk", "slug"))
    roles = dict(Associate.Role.choices)
    statuses = dict(Associate.Status.choices)
    fields = ["pk", "full_name", "email", "organisation", "role", "status", "joined"]
    fields += [f"consent_{channel}" for channel in Channel.values]
    queryset = queryset.order_by("pk").values(*fields)
    yield HEADER
    last = 0
    while True:
        batch = list(queryset.filter(pk__gt=last)[:BATCH])
        if not batch:
            return
        ids = [person["pk"] for person in batch]
        last = ids[-1]
        cops: dict[int, list[str]] = defaultdict(list)
        for associate_id, cop_id in Membership.objects.filter(
            associate_id__in=ids, left__isnull=True
        ).values_list("associate_id", "cop_id"):
            cops[associate_id].append(cop_slugs[cop_id])
        interests: dict[int, list[str]] = defaultdict(list)
        for associate_id, theme_id in Associate.interests.through.objects.filter(
            associate_id__in=ids
        ).values_list("associate_id", "theme_id"):
            interests[associate_id].append(theme_slugs[theme_id])
        for person in batch:
            yield [
                neutralise(text)
                for text in (
                    person["full_name"],
                    person["email"] or "",
                    person["organisation"],
                    str(roles.get(person["role"], person["role"])),
                    str(statuses.get(person["status"], person["status"])),
                    "; ".join(sorted(cops[person["pk"]])),
                    "; ".join(sorted(interests[person["pk"]])),
                    *("yes" if person[f"consent_{c}"] else "no" for c in Channel.values),
                    timezone.localtime(person["joined"]).date().isoformat(),
                )
            ]


class _Echo:
    """A file-like object whose write returns what it was given, for csv.writer to stream."""

    def write(self, value: str) -> str:
        return value


def filename(extension: str) -> str:
    return f"associates-{timezone.localdate().isoformat()}.{extension}"


def csv_response(queryset: Any) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def stream() -> Iterator[str]:
        yield "\ufeff"  # so Excel reads the file as UTF-8
        for row in rows(queryset):
            yield writer.writerow(row)

    response = StreamingHttpResponse(stream(), content_type=CSV_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename("csv")}"'
    return response


def xlsx_response(queryset: Any) -> FileResponse:
    """Build the workbook in a temporary file (write-only mode holds one row at a time)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Associates")
    for row in rows(queryset):
        # Removing an illegal character can uncover a formula start, so guard again after.
        sheet.append([neutralise(XML_ILLEGAL.sub("", text)) for text in row])
    output = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - FileResponse closes it
    workbook.save(output)
    output.seek(0)
    return FileResponse(
        output, as_attachment=True, filename=filename("xlsx"), content_type=XLSX_TYPE
    )
