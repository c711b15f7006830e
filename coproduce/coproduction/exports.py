"""Research exports (CSV) and the payments export for finance (CSV, XLSX).

Every cell is written by the project's one spreadsheet writer (`coproduce/lib/exports.py`):
text a spreadsheet would run as a formula gets a leading apostrophe.

**Consent rule for research exports.** A source is exported only if every participant linked
to it (sender, recipient, attendee) has granted research-use consent. Material from anyone
whose consent is not recorded, refused or withdrawn is left out, and so are the links from
compromises to sources that were left out.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone

from coproduce.coproduction.models import (
    Compromise,
    InvolvementActivity,
    Participant,
    Source,
    SourceParticipant,
)
from coproduce.lib import exports as writer
from coproduce.registry.models import Study


def consented_sources(study: Study) -> QuerySet[Source]:
    """The study's sources in which everyone taking part has granted research-use consent."""
    without = SourceParticipant.objects.filter(source=OuterRef("pk")).exclude(
        participant__consent=Participant.Consent.GRANTED
    )
    return Source.objects.filter(study=study).filter(~Exists(without))


SOURCE_HEADER = [
    "source_id",
    "kind",
    "date",
    "title",
    "participants",
    "sender",
    "message_id",
    "thread",
    "notes",
    "observations",
    "attachments",
]


def source_rows(study: Study) -> Iterator[list[str]]:
    yield SOURCE_HEADER
    queryset = (
        consented_sources(study)
        .order_by("date", "pk")
        .prefetch_related(
            Prefetch("links", queryset=SourceParticipant.objects.select_related("participant")),
            "attachments",
        )
    )
    for source in queryset:
        yield [
            str(source.public_id),
            source.get_kind_display(),
            source.date.isoformat(),
            source.title,
            "; ".join(
                f"{link.participant.full_name} ({link.get_role_display().lower()})"
                for link in source.links.all()
            ),
            source.sender,
            source.message_id,
            source.thread_key,
            source.notes,
            source.observations,
            "; ".join(a.original_name for a in source.attachments.all()),
        ]


COMPROMISE_HEADER = [
    "compromise_id",
    "date",
    "topic",
    "summary",
    "positions",
    "options_considered",
    "agreed",
    "direction",
    "rationale",
    "protocol_version",
    "sources",
]


def compromise_rows(study: Study) -> Iterator[list[str]]:
    yield COMPROMISE_HEADER
    allowed = set(consented_sources(study).values_list("pk", flat=True))
    queryset = (
        Compromise.objects.filter(study=study)
        .order_by("date", "pk")
        .prefetch_related("positions", "sources")
    )
    for item in queryset:
        yield [
            str(item.public_id),
            item.date.isoformat(),
            item.get_topic_display(),
            item.summary,
            "; ".join(f"{p.get_party_display()}: {p.position}" for p in item.positions.all()),
            item.options_considered,
            item.agreed,
            item.get_direction_display(),
            item.rationale,
            item.protocol_version,
            "; ".join(str(s.public_id) for s in item.sources.all() if s.pk in allowed),
        ]


def csv_response(rows: Iterable[list[Any]], name: str) -> StreamingHttpResponse:
    return writer.csv_response(rows, name)


def xlsx_response(rows: Iterable[list[Any]], name: str, sheet_name: str) -> FileResponse:
    return writer.xlsx_response([(sheet_name, rows)], name)


PAYMENT_HEADER = [
    "date",
    "study",
    "contributor",
    "payee_reference",
    "what",
    "role",
    "hours",
    "rate",
    "guidance",
    "fee",
    "expenses",
    "payment_declined",
    "total_to_pay",
    "benefits_advice_offered",
    "paid_on",
]


def payment_rows(queryset: QuerySet[InvolvementActivity]) -> Iterator[list[str]]:
    yield PAYMENT_HEADER
    for item in queryset.select_related("study", "contributor", "rate").order_by("date", "pk"):
        yield [
            item.date.isoformat(),
            item.study.title,
            item.contributor.full_name,
            item.contributor.payee_reference,
            item.what,
            item.get_role_display(),
            str(item.hours),
            item.rate.name if item.rate else "",
            item.rate.guidance if item.rate else "",
            "0.00" if item.payment_declined else str(item.fee),
            str(item.expenses),
            "yes" if item.payment_declined else "no",
            str(item.total),
            "yes" if item.benefits_advice_offered else "no",
            item.paid_on.isoformat() if item.paid_on else "",
        ]


def dated(stem: str, extension: str) -> str:
    return f"{stem}-{timezone.localdate().isoformat()}.{extension}"
