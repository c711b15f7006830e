"""Priority setting: consultations and the indicative questions staff wrote from their
submissions. Any staff role reads them, as on the staff priorities pages; respondents'
answers are not here (they are personal, and stay on the pages)."""

# No `from __future__ import annotations`: ninja reads the view signatures at runtime.
import datetime as dt
import uuid
from typing import Any

from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema
from ninja.errors import HttpError

from coproduce.api.auth import StaffToken
from coproduce.api.cursor import CURSOR_PARAMS, CursorParams, Moment, page_of, paginate
from coproduce.api.registry import SLUG_PATTERN, choice
from coproduce.api.schemas import ERRORS, one_or_404, reject_unknown_params
from coproduce.priorities.models import Consultation, IndicativeQuestion

router = Router(tags=["priorities"])
TOKEN = StaffToken(area="priorities")


class ConsultationOut(Schema):
    public_id: uuid.UUID
    slug: str
    title: str
    scope: str
    opens: dt.date
    closes: dt.date
    status: str = choice(Consultation.Status)
    published: bool
    updated: dt.datetime


class ConsultationFilters(Schema):
    status: str | None = Field(
        None,
        description="Only consultations with this status.",
        json_schema_extra={"enum": list(Consultation.Status.values)},
    )
    updated_since: Moment | None = Field(
        None, description="Only consultations changed at or after this moment."
    )


@router.get(
    "/consultations",
    response={200: page_of(ConsultationOut), **ERRORS},
    auth=TOKEN,
    summary="List priority-setting consultations",
)
def list_consultations(
    request: HttpRequest, filters: Query[ConsultationFilters], page: Query[CursorParams]
) -> dict[str, Any]:
    reject_unknown_params(request, set(ConsultationFilters.model_fields) | CURSOR_PARAMS)
    rows = Consultation.objects.all()
    if filters.status is not None:
        if filters.status not in Consultation.Status.values:
            raise HttpError(400, f"There is no consultation status '{filters.status}'.")
        rows = rows.filter(status=filters.status)
    if filters.updated_since is not None:
        rows = rows.filter(updated__gte=filters.updated_since)
    return paginate(rows, page, stamp="updated")


def _consultation(slug: str) -> Consultation:
    return one_or_404(Consultation.objects.all(), slug, "consultation", by="slug")


@router.get(
    "/consultations/{slug}",
    response={200: ConsultationOut, **ERRORS},
    auth=TOKEN,
    summary="One consultation",
)
def get_consultation(
    request: HttpRequest, slug: str = Path(..., pattern=SLUG_PATTERN)
) -> Consultation:
    reject_unknown_params(request)
    return _consultation(slug)


class IndicativeOut(Schema):
    public_id: uuid.UUID
    consultation: str = Field(..., description="The consultation's slug.")
    text: str
    evidence_status: str = choice(IndicativeQuestion.Evidence)
    evidence_source: str
    evidence_checked_on: dt.date | None
    shortlisted: bool
    created: dt.datetime

    @staticmethod
    def resolve_consultation(obj: Any) -> str:
        return str(obj.consultation.slug)


class IndicativeFilters(Schema):
    evidence_status: str | None = Field(
        None,
        description="Only questions with this evidence check.",
        json_schema_extra={"enum": list(IndicativeQuestion.Evidence.values)},
    )
    shortlisted: bool | None = Field(None, description="Only shortlisted (or not) questions.")


@router.get(
    "/consultations/{slug}/indicative-questions",
    response={200: page_of(IndicativeOut), **ERRORS},
    auth=TOKEN,
    summary="List a consultation's indicative questions",
)
def list_indicative(
    request: HttpRequest,
    filters: Query[IndicativeFilters],
    page: Query[CursorParams],
    slug: str = Path(..., pattern=SLUG_PATTERN),
) -> dict[str, Any]:
    reject_unknown_params(request, set(IndicativeFilters.model_fields) | CURSOR_PARAMS)
    consultation = _consultation(slug)
    rows = IndicativeQuestion.objects.filter(consultation=consultation).select_related(
        "consultation"
    )
    if filters.evidence_status is not None:
        if filters.evidence_status not in IndicativeQuestion.Evidence.values:
            raise HttpError(400, f"There is no evidence status '{filters.evidence_status}'.")
        rows = rows.filter(evidence_status=filters.evidence_status)
    if filters.shortlisted is not None:
        rows = rows.filter(shortlisted=filters.shortlisted)
    return paginate(rows, page, stamp="created")
