"""Implementation: records, barriers and facilitators, recommendations, measures with their data
points. Any staff role reads them, as on the implementation pages; the study's research team
and managers change them (`implementation.records.require_edit`), through the same forms as the
staff pages (`implementation.forms`), audited as the token's owner (`staff.editing`)."""

# No `from __future__ import annotations`: ninja reads the view signatures at runtime.
import datetime as dt
import uuid
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Field, Header, Query, Router, Schema
from ninja.errors import HttpError

from coproduce.api.auth import StaffToken
from coproduce.api.cursor import CURSOR_PARAMS, CursorParams, Moment, page_of, paginate
from coproduce.api.registry import SLUG_PATTERN, choice
from coproduce.api.schemas import (
    ERRORS,
    WRITE_ERRORS,
    Error,
    one_or_404,
    reject_unknown_params,
)
from coproduce.api.writes import (
    IF_MATCH_HELP,
    KEY_HELP,
    Unprocessable,
    allowed,
    form_data,
    form_problems,
    idempotent,
    owner,
    require_match,
    with_etag,
)
from coproduce.audit.log import snapshot
from coproduce.implementation import forms as f
from coproduce.implementation.models import (
    Determinant,
    ImplementationRecord,
    Meaning,
    Measure,
    Recommendation,
)
from coproduce.implementation.records import require_edit
from coproduce.registry.models import Organisation, Study
from coproduce.staff import editing

router = Router(tags=["implementation"])
TOKEN = StaffToken(area="implementation")


def _study(slug: str) -> Study:
    study = Study.objects.filter(slug=slug).first()
    if study is None:
        raise HttpError(400, f"There is no study with the slug '{slug}'.")
    return study


class StudyFilter(Schema):
    study: str | None = Field(None, pattern=SLUG_PATTERN, description="A study's slug.")
    created_since: Moment | None = Field(
        None, description="Only those recorded at or after this moment."
    )


def _filtered(rows: QuerySet[Any], filters: StudyFilter) -> QuerySet[Any]:
    if filters.study is not None:
        rows = rows.filter(study=_study(filters.study))
    if filters.created_since is not None:
        rows = rows.filter(created_at__gte=filters.created_since)
    return rows


# --- implementation records ---------------------------------------------------------------


class RecordOut(Schema):
    public_id: uuid.UUID
    study: str = Field(..., description="The study's slug.")
    site: str | None = Field(..., description="The organisation's slug; empty if no one site.")
    meaning: str = choice(Meaning)
    title: str
    description: str
    status: str = choice(ImplementationRecord.Status)
    status_since: dt.date | None
    created_at: dt.datetime

    @staticmethod
    def resolve_study(obj: Any) -> str:
        return str(obj.study.slug)

    @staticmethod
    def resolve_site(obj: Any) -> str | None:
        return obj.site.slug if obj.site_id else None


def _records() -> QuerySet[ImplementationRecord]:
    return ImplementationRecord.objects.select_related("study", "site")


class RecordFilters(StudyFilter):
    status: str | None = Field(
        None,
        description="Only records with this status.",
        json_schema_extra={"enum": list(ImplementationRecord.Status.values)},
    )


@router.get(
    "/implementation-records",
    response={200: page_of(RecordOut), **ERRORS},
    auth=TOKEN,
    summary="List implementation records",
)
def list_records(
    request: HttpRequest, filters: Query[RecordFilters], page: Query[CursorParams]
) -> dict[str, Any]:
    reject_unknown_params(request, set(RecordFilters.model_fields) | CURSOR_PARAMS)
    rows = _filtered(_records(), filters)
    if filters.status is not None:
        if filters.status not in ImplementationRecord.Status.values:
            raise HttpError(400, f"There is no status '{filters.status}'.")
        rows = rows.filter(status=filters.status)
    return paginate(rows, page, stamp="created_at")


def _record(public_id: uuid.UUID) -> ImplementationRecord:
    return one_or_404(_records(), public_id, "implementation record")


@router.get(
    "/implementation-records/{public_id}",
    response={200: RecordOut, **ERRORS},
    auth=TOKEN,
    summary="One implementation record (with its ETag)",
)
def get_record(request: HttpRequest, response: HttpResponse, public_id: uuid.UUID) -> Any:
    reject_unknown_params(request)
    record = _record(public_id)
    with_etag(response, record)
    return record


class RecordIn(Schema):
    study: str = Field(..., pattern=SLUG_PATTERN, description="The study's slug.")
    meaning: str = Field(
        ..., description="; ".join(f"{v}: {label}" for v, label in Meaning.choices)
    )
    title: str
    site: str | None = Field(None, description="The site organisation's slug, or empty.")
    description: str = ""


class RecordPatch(Schema):
    meaning: str | None = None
    title: str | None = None
    site: str | None = Field(None, description="The site organisation's slug.")
    description: str | None = None


def _site_pk(slug: str | None) -> Any:
    if not slug:
        return None
    pk = Organisation.objects.filter(slug=slug).values_list("pk", flat=True).first()
    if pk is None:
        raise Unprocessable(
            [
                {
                    "type": "invalid",
                    "loc": ["body", "site"],
                    "msg": f"There is no organisation with the slug '{slug}'.",
                }
            ]
        )
    return pk


def _dump(schema: type[Schema]) -> Any:
    return lambda obj: schema.from_orm(obj).model_dump()


def _save(form: Any, user: Any, before: dict[str, Any] | None = None) -> Any:
    if not form.is_valid():
        raise Unprocessable(form_problems(form))
    obj, _ = editing.save_with_audit(form, user, before, via="api")
    return obj


@router.post(
    "/implementation-records",
    response={201: RecordOut, **WRITE_ERRORS},
    auth=TOKEN,
    summary="Add an implementation record (read-write token; the study's team or a manager)",
)
def create_record(
    request: HttpRequest,
    body: RecordIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key", description=KEY_HELP),
) -> Any:
    reject_unknown_params(request)
    data = body.model_dump()
    study = _study(body.study)
    user = owner(request)
    allowed(require_edit, user, study)

    def create() -> tuple[int, Any]:
        fields = {**data, "site": _site_pk(body.site)}
        form = f.RecordForm(
            form_data(fields), instance=ImplementationRecord(study=study), study=study
        )
        record = _save(form, user)
        return 201, _record(record.public_id)

    return idempotent(request, "create_record", data, create, _dump(RecordOut))


@router.patch(
    "/implementation-records/{public_id}",
    response={200: RecordOut, **WRITE_ERRORS, 412: Error, 428: Error},
    auth=TOKEN,
    summary="Change an implementation record (read-write token, If-Match)",
)
def update_record(
    request: HttpRequest,
    response: HttpResponse,
    public_id: uuid.UUID,
    body: RecordPatch,
    if_match: str | None = Header(None, alias="If-Match", description=IF_MATCH_HELP),
) -> Any:
    reject_unknown_params(request)
    record = _record(public_id)
    user = owner(request)
    allowed(require_edit, user, record.study)
    require_match(request, record)
    before = snapshot(record)
    current = {
        "meaning": record.meaning,
        "title": record.title,
        "site": record.site.slug if record.site is not None else None,
        "description": record.description,
    }
    current.update(body.model_dump(exclude_unset=True))
    current["site"] = _site_pk(current["site"])
    form = f.RecordForm(form_data(current), instance=record, study=record.study)
    _save(form, user, before)
    record = _record(public_id)
    with_etag(response, record)
    return record


# --- barriers and facilitators ----------------------------------------------------------------


class BarrierOut(Schema):
    public_id: uuid.UUID
    study: str = Field(..., description="The study's slug.")
    record: uuid.UUID | None = Field(..., description="The implementation record's id, if any.")
    kind: str = choice(Determinant.Kind)
    level: str = choice(Determinant.Level)
    category: str = choice(Determinant.Category)
    description: str
    source: str
    date: dt.date
    created_at: dt.datetime

    @staticmethod
    def resolve_study(obj: Any) -> str:
        return str(obj.study.slug)

    @staticmethod
    def resolve_record(obj: Any) -> uuid.UUID | None:
        return obj.record.public_id if obj.record_id else None


class BarrierFilters(StudyFilter):
    kind: str | None = Field(
        None,
        description="barrier or facilitator.",
        json_schema_extra={"enum": list(Determinant.Kind.values)},
    )


def _barriers() -> QuerySet[Determinant]:
    return Determinant.objects.select_related("study", "record")


@router.get(
    "/barriers-and-facilitators",
    response={200: page_of(BarrierOut), **ERRORS},
    auth=TOKEN,
    summary="List barriers and facilitators",
)
def list_barriers(
    request: HttpRequest, filters: Query[BarrierFilters], page: Query[CursorParams]
) -> dict[str, Any]:
    reject_unknown_params(request, set(BarrierFilters.model_fields) | CURSOR_PARAMS)
    rows = _filtered(_barriers(), filters)
    if filters.kind is not None:
        if filters.kind not in Determinant.Kind.values:
            raise HttpError(400, f"There is no kind '{filters.kind}': barrier or facilitator.")
        rows = rows.filter(kind=filters.kind)
    return paginate(rows, page, stamp="created_at")


@router.get(
    "/barriers-and-facilitators/{public_id}",
    response={200: BarrierOut, **ERRORS},
    auth=TOKEN,
    summary="One barrier or facilitator (with its ETag)",
)
def get_barrier(request: HttpRequest, response: HttpResponse, public_id: uuid.UUID) -> Any:
    reject_unknown_params(request)
    obj = one_or_404(_barriers(), public_id, "barrier or facilitator")
    with_etag(response, obj)
    return obj


class BarrierIn(Schema):
    study: str = Field(..., pattern=SLUG_PATTERN, description="The study's slug.")
    kind: str = Field(..., description="barrier or facilitator")
    level: str = Field(
        ..., description="; ".join(f"{v}: {label}" for v, label in Determinant.Level.choices)
    )
    category: str = Field(
        ..., description="; ".join(f"{v}: {label}" for v, label in Determinant.Category.choices)
    )
    description: str
    source: str = Field(..., description="Where it was found: an interview, meeting notes...")
    date: str = Field(..., description="When it was found, as YYYY-MM-DD.")
    record: uuid.UUID | None = Field(None, description="An implementation record of the study.")


@router.post(
    "/barriers-and-facilitators",
    response={201: BarrierOut, **WRITE_ERRORS},
    auth=TOKEN,
    summary="Record a barrier or facilitator (read-write token; the study's team or a manager)",
)
def create_barrier(
    request: HttpRequest,
    body: BarrierIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key", description=KEY_HELP),
) -> Any:
    reject_unknown_params(request)
    data = body.model_dump(mode="json")
    study = _study(body.study)
    user = owner(request)
    allowed(require_edit, user, study)

    def create() -> tuple[int, Any]:
        fields = dict(data)
        if body.record is not None:
            pk = (
                ImplementationRecord.objects.filter(study=study, public_id=body.record)
                .values_list("pk", flat=True)
                .first()
            )
            if pk is None:
                raise Unprocessable(
                    [
                        {
                            "type": "invalid",
                            "loc": ["body", "record"],
                            "msg": "Choose an implementation record of this study",
                        }
                    ]
                )
            fields["record"] = pk
        form = f.DeterminantForm(form_data(fields), instance=Determinant(study=study), study=study)
        obj = _save(form, user)
        return 201, _barriers().get(pk=obj.pk)

    return idempotent(request, "create_barrier", data, create, _dump(BarrierOut))


class BarrierPatch(Schema):
    kind: str | None = None
    level: str | None = None
    category: str | None = None
    description: str | None = None
    source: str | None = None
    date: str | None = Field(None, description="YYYY-MM-DD")
    record: uuid.UUID | None = Field(None, description="An implementation record of the study.")


def _record_pk(study: Study, public_id: uuid.UUID | None) -> Any:
    if public_id is None:
        return None
    pk = (
        ImplementationRecord.objects.filter(study=study, public_id=public_id)
        .values_list("pk", flat=True)
        .first()
    )
    if pk is None:
        raise Unprocessable(
            [
                {
                    "type": "invalid",
                    "loc": ["body", "record"],
                    "msg": "Choose an implementation record of this study",
                }
            ]
        )
    return pk


@router.patch(
    "/barriers-and-facilitators/{public_id}",
    response={200: BarrierOut, **WRITE_ERRORS, 412: Error, 428: Error},
    auth=TOKEN,
    summary="Change a barrier or facilitator (read-write token, If-Match)",
)
def update_barrier(
    request: HttpRequest,
    response: HttpResponse,
    public_id: uuid.UUID,
    body: BarrierPatch,
    if_match: str | None = Header(None, alias="If-Match", description=IF_MATCH_HELP),
) -> Any:
    reject_unknown_params(request)
    obj = one_or_404(_barriers(), public_id, "barrier or facilitator")
    user = owner(request)
    allowed(require_edit, user, obj.study)
    require_match(request, obj)
    before = snapshot(obj)
    current: dict[str, Any] = {
        "kind": obj.kind,
        "level": obj.level,
        "category": obj.category,
        "description": obj.description,
        "source": obj.source,
        "date": obj.date.isoformat(),
        "record": obj.record.public_id if obj.record is not None else None,
    }
    current.update(body.model_dump(exclude_unset=True))
    current["record"] = _record_pk(obj.study, current["record"])
    current["codes"] = list(obj.codes.values_list("pk", flat=True))
    form = f.DeterminantForm(form_data(current), instance=obj, study=obj.study)
    _save(form, user, before)
    saved = _barriers().get(pk=obj.pk)
    with_etag(response, saved)
    return saved


# --- recommendations ---------------------------------------------------------------------------


class RecommendationOut(Schema):
    public_id: uuid.UUID
    study: str = Field(..., description="The study's slug.")
    record: uuid.UUID | None
    addressee: str = choice(Recommendation.Addressee)
    partner: str | None = Field(..., description="The partner organisation's slug, if any.")
    text: str
    made_on: dt.date
    due: dt.date
    status: str = choice(Recommendation.Status)
    status_changed_on: dt.date | None
    created_at: dt.datetime

    @staticmethod
    def resolve_study(obj: Any) -> str:
        return str(obj.study.slug)

    @staticmethod
    def resolve_record(obj: Any) -> uuid.UUID | None:
        return obj.record.public_id if obj.record_id else None

    @staticmethod
    def resolve_partner(obj: Any) -> str | None:
        return obj.partner.slug if obj.partner_id else None


class RecommendationFilters(StudyFilter):
    status: str | None = Field(
        None,
        description="Only those with this status.",
        json_schema_extra={"enum": list(Recommendation.Status.values)},
    )


@router.get(
    "/recommendations",
    response={200: page_of(RecommendationOut), **ERRORS},
    auth=TOKEN,
    summary="List implementation recommendations",
)
def list_recommendations(
    request: HttpRequest, filters: Query[RecommendationFilters], page: Query[CursorParams]
) -> dict[str, Any]:
    reject_unknown_params(request, set(RecommendationFilters.model_fields) | CURSOR_PARAMS)
    rows = _filtered(Recommendation.objects.select_related("study", "record", "partner"), filters)
    if filters.status is not None:
        if filters.status not in Recommendation.Status.values:
            raise HttpError(400, f"There is no status '{filters.status}'.")
        rows = rows.filter(status=filters.status)
    return paginate(rows, page, stamp="created_at")


# --- measures and their data points ----------------------------------------------------------


class PointOut(Schema):
    date: dt.date
    value: float
    note: str


class MeasureOut(Schema):
    public_id: uuid.UUID
    study: str = Field(..., description="The study's slug.")
    record: uuid.UUID | None
    name: str
    unit: str
    direction: str = choice(Measure.Direction)
    definition: str

    @staticmethod
    def resolve_study(obj: Any) -> str:
        return str(obj.study.slug)

    @staticmethod
    def resolve_record(obj: Any) -> uuid.UUID | None:
        return obj.record.public_id if obj.record_id else None


class MeasureDetailOut(MeasureOut):
    points: list[PointOut] = Field(..., description="The data points, oldest first.")

    @staticmethod
    def resolve_points(obj: Any) -> list[Any]:
        return list(obj.points.order_by("date", "pk"))


class MeasureFilters(Schema):
    study: str | None = Field(None, pattern=SLUG_PATTERN, description="A study's slug.")


@router.get(
    "/measures",
    response={200: page_of(MeasureOut), **ERRORS},
    auth=TOKEN,
    summary="List measures (run charts)",
)
def list_measures(
    request: HttpRequest, filters: Query[MeasureFilters], page: Query[CursorParams]
) -> dict[str, Any]:
    reject_unknown_params(request, set(MeasureFilters.model_fields) | CURSOR_PARAMS)
    rows = Measure.objects.select_related("study", "record")
    if filters.study is not None:
        rows = rows.filter(study=_study(filters.study))
    return paginate(rows, page, stamp=None)


@router.get(
    "/measures/{public_id}",
    response={200: MeasureDetailOut, **ERRORS},
    auth=TOKEN,
    summary="One measure with its data points",
)
def get_measure(request: HttpRequest, public_id: uuid.UUID) -> Any:
    reject_unknown_params(request)
    return one_or_404(Measure.objects.select_related("study", "record"), public_id, "measure")
