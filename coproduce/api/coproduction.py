"""Co-production: compromises (any staff role reads, as on the study's pages) and the
involvement ledger (public contributors' names and payments: personal data, so the token's
owner also needs the personal data export grant, like every bulk read of personal data). The
study's research team and managers record involvement (`registry.access.get_study_for` with
`write=True`), through the ledger page's own form (`coproduction.forms.InvolvementForm`)."""

# No `from __future__ import annotations`: ninja reads the view signatures at runtime.
import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Field, Header, Query, Router, Schema
from ninja.errors import HttpError

from coproduce.api.auth import StaffToken
from coproduce.api.cursor import CURSOR_PARAMS, CursorParams, Moment, page_of, paginate
from coproduce.api.registry import SLUG_PATTERN, choice
from coproduce.api.schemas import ERRORS, Error, one_or_404, reject_unknown_params
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
from coproduce.coproduction import forms as f
from coproduce.coproduction.models import Compromise, InvolvementActivity, PaymentRate
from coproduce.registry.access import get_study_for
from coproduce.registry.models import Study
from coproduce.staff import editing

router = Router(tags=["co-production"])
READ = StaffToken(area="coproduction")
PERSONAL = StaffToken(area="coproduction", personal_data=True)


class Filters(Schema):
    study: str | None = Field(None, pattern=SLUG_PATTERN, description="A study's slug.")
    updated_since: Moment | None = Field(
        None, description="Only those added or changed at or after this moment."
    )


def _filtered(rows: QuerySet[Any], filters: Filters) -> QuerySet[Any]:
    if filters.study is not None:
        if not Study.objects.filter(slug=filters.study).exists():
            raise HttpError(400, f"There is no study with the slug '{filters.study}'.")
        rows = rows.filter(study__slug=filters.study)
    if filters.updated_since is not None:
        rows = rows.filter(updated_at__gte=filters.updated_since)
    return rows


class CompromiseOut(Schema):
    public_id: uuid.UUID
    study: str = Field(..., description="The study's slug.")
    date: dt.date
    topic: str = choice(Compromise.Topic)
    summary: str
    options_considered: str
    agreed: str
    direction: str = choice(Compromise.Direction)
    rationale: str
    protocol_version: str
    updated_at: dt.datetime

    @staticmethod
    def resolve_study(obj: Any) -> str:
        return str(obj.study.slug)


@router.get(
    "/compromises",
    response={200: page_of(CompromiseOut), **ERRORS},
    auth=READ,
    summary="List compromises between rigour and practice",
)
def list_compromises(
    request: HttpRequest, filters: Query[Filters], page: Query[CursorParams]
) -> dict[str, Any]:
    reject_unknown_params(request, set(Filters.model_fields) | CURSOR_PARAMS)
    rows = _filtered(Compromise.objects.select_related("study"), filters)
    return paginate(rows, page, stamp="updated_at")


@router.get(
    "/compromises/{public_id}",
    response={200: CompromiseOut, **ERRORS},
    auth=READ,
    summary="One compromise",
)
def get_compromise(request: HttpRequest, public_id: uuid.UUID) -> Compromise:
    reject_unknown_params(request)
    return one_or_404(Compromise.objects.select_related("study"), public_id, "compromise")


class InvolvementOut(Schema):
    public_id: uuid.UUID
    study: str = Field(..., description="The study's slug.")
    contributor: str = Field(..., description="The public contributor's full name.")
    date: dt.date
    what: str
    role: str = choice(InvolvementActivity.Role)
    hours: Decimal
    rate: uuid.UUID | None = Field(..., description="The payment rate's id, if paid at one.")
    fee: Decimal
    expenses: Decimal
    payment_declined: bool
    benefits_advice_offered: bool
    paid_on: dt.date | None
    updated_at: dt.datetime

    @staticmethod
    def resolve_study(obj: Any) -> str:
        return str(obj.study.slug)

    @staticmethod
    def resolve_contributor(obj: Any) -> str:
        return str(obj.contributor.full_name)

    @staticmethod
    def resolve_rate(obj: Any) -> uuid.UUID | None:
        return obj.rate.public_id if obj.rate_id else None


def _involvement() -> QuerySet[InvolvementActivity]:
    return InvolvementActivity.objects.select_related("study", "contributor", "rate")


@router.get(
    "/involvement",
    response={200: page_of(InvolvementOut), **ERRORS},
    auth=PERSONAL,
    summary="List public involvement entries (personal data export role)",
)
def list_involvement(
    request: HttpRequest, filters: Query[Filters], page: Query[CursorParams]
) -> dict[str, Any]:
    reject_unknown_params(request, set(Filters.model_fields) | CURSOR_PARAMS)
    return paginate(_filtered(_involvement(), filters), page, stamp="updated_at")


@router.get(
    "/involvement/{public_id}",
    response={200: InvolvementOut, **ERRORS},
    auth=PERSONAL,
    summary="One involvement entry, with its ETag (personal data export role)",
)
def get_involvement(request: HttpRequest, response: HttpResponse, public_id: uuid.UUID) -> Any:
    reject_unknown_params(request)
    obj = one_or_404(_involvement(), public_id, "involvement entry")
    with_etag(response, obj)
    return obj


class InvolvementIn(Schema):
    study: str = Field(..., pattern=SLUG_PATTERN, description="The study's slug.")
    contributor_name: str = Field(
        ..., description="Their full name; a name not known yet adds a new contributor."
    )
    date: str = Field(..., description="YYYY-MM-DD")
    what: str = Field(..., description="What they did.")
    role: str = Field(
        ..., description="; ".join(f"{v}: {label}" for v, label in InvolvementActivity.Role.choices)
    )
    hours: str = Field(..., description="Hours, for example 2.5.")
    rate: uuid.UUID | None = Field(
        None, description="The id of an active payment rate; the fee is worked out from it."
    )
    expenses: str = Field("0", description="Expenses in pounds, for example 12.40.")
    payment_declined: bool = False
    benefits_advice_offered: bool = False
    paid_on: str | None = Field(None, description="YYYY-MM-DD, if paid.")


@router.post(
    "/involvement",
    response={201: InvolvementOut, **ERRORS, 409: Error},
    auth=PERSONAL,
    summary="Record public involvement (read-write token, personal data export role, the "
    "study's team or a manager)",
)
def create_involvement(
    request: HttpRequest,
    body: InvolvementIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key", description=KEY_HELP),
) -> Any:
    reject_unknown_params(request)
    data = body.model_dump(mode="json")
    user = owner(request)
    study: Study = allowed(get_study_for, user, body.study, write=True)

    def create() -> tuple[int, Any]:
        fields = {**data, "rate": _rate_pk(body.rate)}
        form = f.InvolvementForm(form_data(fields), instance=InvolvementActivity(study=study))
        if not form.is_valid():
            raise Unprocessable(form_problems(form))
        obj, _ = editing.save_with_audit(form, user, via="api")
        return 201, _involvement().get(pk=obj.pk)

    return idempotent(
        request,
        "create_involvement",
        data,
        create,
        lambda obj: InvolvementOut.from_orm(obj).model_dump(),
    )


class InvolvementPatch(Schema):
    contributor_name: str | None = None
    date: str | None = Field(None, description="YYYY-MM-DD")
    what: str | None = None
    role: str | None = None
    hours: str | None = None
    rate: uuid.UUID | None = Field(None, description="The id of a payment rate.")
    expenses: str | None = None
    payment_declined: bool | None = None
    benefits_advice_offered: bool | None = None
    paid_on: str | None = Field(None, description="YYYY-MM-DD, if paid.")


def _rate_pk(public_id: Any) -> Any:
    if public_id is None:
        return None
    pk = PaymentRate.objects.filter(public_id=public_id).values_list("pk", flat=True).first()
    if pk is None:
        raise Unprocessable(
            [
                {
                    "type": "invalid",
                    "loc": ["body", "rate"],
                    "msg": "Choose a payment rate from the list",
                }
            ]
        )
    return pk


@router.patch(
    "/involvement/{public_id}",
    response={200: InvolvementOut, **ERRORS, 409: Error, 412: Error, 428: Error},
    auth=PERSONAL,
    summary="Change an involvement entry (read-write token, If-Match, personal data export "
    "role, the study's team or a manager)",
)
def update_involvement(
    request: HttpRequest,
    response: HttpResponse,
    public_id: uuid.UUID,
    body: InvolvementPatch,
    if_match: str | None = Header(None, alias="If-Match", description=IF_MATCH_HELP),
) -> Any:
    reject_unknown_params(request)
    obj = one_or_404(_involvement(), public_id, "involvement entry")
    user = owner(request)
    allowed(get_study_for, user, obj.study.slug, write=True)
    require_match(request, obj)
    before = snapshot(obj)
    current: dict[str, Any] = {
        "contributor_name": obj.contributor.full_name,
        "date": obj.date.isoformat(),
        "what": obj.what,
        "role": obj.role,
        "hours": str(obj.hours),
        "rate": obj.rate.public_id if obj.rate is not None else None,
        "expenses": str(obj.expenses),
        "payment_declined": obj.payment_declined,
        "benefits_advice_offered": obj.benefits_advice_offered,
        "paid_on": obj.paid_on.isoformat() if obj.paid_on else None,
    }
    current.update(body.model_dump(exclude_unset=True))
    current["rate"] = _rate_pk(current["rate"])
    form = f.InvolvementForm(form_data(current), instance=obj)
    if not form.is_valid():
        raise Unprocessable(form_problems(form))
    editing.save_with_audit(form, user, before, via="api")
    saved = _involvement().get(pk=obj.pk)
    with_etag(response, saved)
    return saved
