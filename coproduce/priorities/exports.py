"""A consultation's responses as CSV or XLSX: one row per response, one column per question.

Tidy columns: a multiple-choice question has one column per option (1 chosen, 0 not chosen)
and a ranking question one column per option (the rank given, empty if not ranked). The
columns come from the questionnaire, not from the answers, so a question skipped because its
condition was not met leaves empty cells in its own columns and nothing shifts. Every cell is
written by the project's one spreadsheet writer (`coproduce/lib/exports.py`), which guards text
a spreadsheet would run as a formula.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone

from coproduce.lib import exports as writer
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


def filename(consultation: Consultation, extension: str) -> str:
    return f"{consultation.slug}-responses-{timezone.localdate().isoformat()}.{extension}"


def csv_response(consultation: Consultation) -> StreamingHttpResponse:
    return writer.csv_response(rows(consultation), filename(consultation, "csv"))


def xlsx_response(consultation: Consultation) -> FileResponse:
    return writer.xlsx_response([("Responses", rows(consultation))], filename(consultation, "xlsx"))
