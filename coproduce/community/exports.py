"""The directory's filtered list as CSV (streamed) or XLSX (write-only), for 200k rows.

Rows are read in keyset batches by primary key, and each batch's communities and interests in
one query each, so memory stays flat and there is no query per person. The columns are the
importer's, so an export can be corrected and imported again.

Every cell is written by the project's one spreadsheet writer (`coproduce/lib/exports.py`),
which puts a leading apostrophe before text a spreadsheet would run as a formula; the importer
takes it off again.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone

from coproduce.community.models import Associate, Channel, CommunityOfPractice, Membership
from coproduce.lib import exports as writer
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
                person["full_name"],
                person["email"] or "",
                person["organisation"],
                str(roles.get(person["role"], person["role"])),
                str(statuses.get(person["status"], person["status"])),
                "; ".join(sorted(cops[person["pk"]])),
                "; ".join(sorted(interests[person["pk"]])),
                *("yes" if person[f"consent_{c}"] else "no" for c in Channel.values),
                timezone.localtime(person["joined"]).date().isoformat(),
            ]


def filename(extension: str) -> str:
    return f"associates-{timezone.localdate().isoformat()}.{extension}"


def csv_response(queryset: Any) -> StreamingHttpResponse:
    return writer.csv_response(rows(queryset), filename("csv"))


def xlsx_response(queryset: Any) -> FileResponse:
    """Built in a temporary file (write-only mode holds one row at a time)."""
    return writer.xlsx_response([("Associates", rows(queryset))], filename("xlsx"))
