"""A consultation's responses as CSV or XLSX: one row per response, one column per question.

Tidy columns: a multiple-choice question has one column per option (1 chosen, 0 not chosen)
and a ranking question one column per option (the rank given, empty if not ranked). The
columns come from the questionnaire, not from the answers, so a question skipped because its
condition was not met leaves empty cells in its own columns and nothing shifts. Formula
protection and the streaming helpers are the community export's (`community/exports.py`).
"""

from __future__ import annotations

import csv
import tempfile
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone

from coproduce.community.exports import CSV_TYPE, XLSX_TYPE, XML_ILLEGAL, _Echo, neutralise
from coproduce.priorities.models import Answer, Consultation, Question, Response

BATCH = 500
Cell = str | int


def columns(questions: list[Question]) -> list[tuple[str, Question, str | None]]:
    """(header, question, option) per column; option is None for single-column questions."""
    cols: list[tuple[str, Question, str | None]] = []
    for q in questions:
        if q.kind == Question.Kind.MULTIPLE:
            cols += [(f"{q.code} {q.text} [{opt}]", q, opt) for opt in q.choices]
        elif q.kind == Question.Kind.RANKING:
            cols += [(f"{q.code} {q.text} [rank: {opt}]", q, opt) for opt in q.choices]
        else:
            cols.append((f"{q.code} {q.text}", q, None))
    return cols


def _cell(question: Question, option: str | None, value: Any) -> Cell:
    if value is None:
        return ""
    if question.kind == Question.Kind.MULTIPLE:
        return 1 if option in value else 0
    if question.kind == Question.Kind.RANKING:
        return value.index(option) + 1 if option in value else ""
    if question.kind == Question.Kind.SCALE:
        return int(value)
    return str(value)


def rows(consultation: Consultation, *, submitted_only: bool = False) -> Iterator[list[Cell]]:
    questions = list(consultation.questions.order_by("position", "pk"))
    cols = columns(questions)
    yield ["response", "group", "via", "status", "submitted_at", *(c[0] for c in cols)]
    queryset = Response.objects.filter(consultation=consultation)
    if submitted_only:
        queryset = queryset.filter(submitted_at__isnull=False)
    values = queryset.order_by("pk").values(
        "pk", "public_id", "group", "invitation_id", "submitted_at"
    )
    last = 0
    while True:
        batch = list(values.filter(pk__gt=last)[:BATCH])
        if not batch:
            return
        ids = [r["pk"] for r in batch]
        last = ids[-1]
        answers: dict[int, dict[int, Any]] = defaultdict(dict)
        for response_id, question_id, value in Answer.objects.filter(
            response_id__in=ids
        ).values_list("response_id", "question_id", "value"):
            answers[response_id][question_id] = value
        for r in batch:
            given = answers[r["pk"]]
            submitted = r["submitted_at"]
            yield [
                r["public_id"].hex[:12],
                r["group"],
                "invitation" if r["invitation_id"] else "open link",
                "submitted" if submitted else "in progress",
                timezone.localtime(submitted).isoformat(timespec="minutes") if submitted else "",
                *(_cell(q, opt, given.get(q.pk)) for _, q, opt in cols),
            ]


def _safe(cell: Cell) -> Cell:
    if isinstance(cell, int):
        return cell
    return neutralise(XML_ILLEGAL.sub("", cell))


def filename(consultation: Consultation, extension: str) -> str:
    return f"{consultation.slug}-responses-{timezone.localdate().isoformat()}.{extension}"


def csv_response(consultation: Consultation) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def stream() -> Iterator[str]:
        yield "\ufeff"
        for row in rows(consultation):
            yield writer.writerow([c if isinstance(c, int) else neutralise(c) for c in row])

    response = StreamingHttpResponse(stream(), content_type=CSV_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename(consultation, "csv")}"'
    return response


def xlsx_response(consultation: Consultation) -> FileResponse:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Responses")
    for row in rows(consultation):
        sheet.append([_safe(c) for c in row])
    output = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - FileResponse closes it
    workbook.save(output)
    output.seek(0)
    return FileResponse(
        output,
        as_attachment=True,
        filename=filename(consultation, "xlsx"),
        content_type=XLSX_TYPE,
    )
