"""Funding and capacity, as on the staff funding pages (`funding/records.py`): every staff role
reads; managers add and change. Records that name or point at a person (staff time, further
funding, fellows' posts and events, placement agreements, training sessions and who attended;
funding/personal_data.py) are personal data: the token's owner also needs the personal data
export grant. Contributions (the matched-funding ledger's entries) are written through the
staff page's `ContributionForm`, audited as the token's owner.

None of these records keeps a time of its own: lists are in the order recorded, and
`updated_since` reads the audit trail (`cursor.changed_since`)."""

# No `from __future__ import annotations`: ninja reads the view signatures at runtime.
import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Field, Header, Query, Router, Schema
from ninja.errors import HttpError

from coproduce.api.auth import StaffToken
from coproduce.api.cursor import (
    CURSOR_PARAMS,
    CursorParams,
    Moment,
    changed_since,
    page_of,
    paginate,
)
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
    problem,
    require_match,
    with_etag,
)
from coproduce.audit.log import snapshot
from coproduce.funding import fy
from coproduce.funding.models import (
    Attendance,
    Award,
    Contribution,
    Currency,
    FellowEvent,
    FurtherFunding,
    PlacementAgreement,
    StaffTime,
    TrainingSession,
    Vacancy,
)
from coproduce.registry.models import Organisation, Person, Study
from coproduce.staff import editing
from coproduce.staff.records import kind_named

router = Router(tags=["funding"])
READ = StaffToken(area="funding")
PERSONAL = StaffToken(area="funding", personal_data=True)


class Since(Schema):
    updated_since: Moment | None = Field(
        None,
        description="Only those added or changed at or after this moment (by the audit trail).",
    )


def _since(rows: QuerySet[Any], filters: Any) -> QuerySet[Any]:
    if filters.updated_since is not None:
        rows = changed_since(rows, filters.updated_since)
    return rows


def _choice_filter(rows: QuerySet[Any], field: str, value: str | None, allowed: Any) -> Any:
    if value is None:
        return rows
    if value not in allowed.values:
        raise HttpError(400, f"There is no {field} '{value}'.")
    return rows.filter(**{field: value})


def _by_slug(model: Any, slug: str, noun: str) -> Any:
    obj = model.objects.filter(slug=slug).first()
    if obj is None:
        raise HttpError(400, f"There is no {noun} with the slug '{slug}'.")
    return obj


YEAR = Field(
    None,
    ge=fy.FIRST,
    le=fy.LAST,
    description="A UK financial year, as the year it starts in (2009 is April 2009 to March 2010).",
)


# --- awards -----------------------------------------------------------------------------------


class AmountOut(Schema):
    year: int = Field(..., description="The financial year it starts in.")
    amount: Decimal


class AwardOut(Schema):
    public_id: uuid.UUID
    funder: str
    reference: str
    title: str
    currency: str = choice(Currency)
    start: dt.date
    end: dt.date
    amounts: list[AmountOut] = Field(..., description="What it gives in each financial year.")

    @staticmethod
    def resolve_amounts(obj: Any) -> list[Any]:
        return list(obj.amounts.all())


@router.get(
    "/funding/awards",
    response={200: page_of(AwardOut), **ERRORS},
    auth=READ,
    summary="List the collaboration's awards, with their amounts by financial year",
)
def list_awards(
    request: HttpRequest, filters: Query[Since], page: Query[CursorParams]
) -> dict[str, Any]:
    reject_unknown_params(request, set(Since.model_fields) | CURSOR_PARAMS)
    rows = _since(Award.objects.prefetch_related("amounts"), filters)
    return paginate(rows, page, stamp=None)


# --- contributions: the matched-funding ledger's entries ----------------------------------------


class ContributionOut(Schema):
    public_id: uuid.UUID
    organisation: str = Field(..., description="The partner organisation's slug.")
    year: int = Field(..., description="The financial year it starts in.")
    kind: str = choice(Contribution.Kind)
    amount: Decimal
    currency: str = choice(Currency)
    description: str
    received_on: dt.date | None

    @staticmethod
    def resolve_organisation(obj: Any) -> str:
        return str(obj.organisation.slug)


class ContributionFilters(Since):
    organisation: str | None = Field(
        None, pattern=SLUG_PATTERN, description="A partner organisation's slug."
    )
    year: int | None = YEAR
    kind: str | None = Field(
        None, description="cash or in_kind.", json_schema_extra={"enum": list(Contribution.Kind)}
    )


def _contributions() -> QuerySet[Contribution]:
    return Contribution.objects.select_related("organisation")


@router.get(
    "/funding/contributions",
    response={200: page_of(ContributionOut), **ERRORS},
    auth=READ,
    summary="List partners' contributions (matched funding)",
)
def list_contributions(
    request: HttpRequest, filters: Query[ContributionFilters], page: Query[CursorParams]
) -> dict[str, Any]:
    reject_unknown_params(request, set(ContributionFilters.model_fields) | CURSOR_PARAMS)
    rows = _contributions()
    if filters.organisation is not None:
        rows = rows.filter(
            organisation=_by_slug(Organisation, filters.organisation, "organisation")
        )
    if filters.year is not None:
        rows = rows.filter(year=filters.year)
    rows = _choice_filter(rows, "kind", filters.kind, Contribution.Kind)
    return paginate(_since(rows, filters), page, stamp=None)


def _contribution(public_id: uuid.UUID) -> Contribution:
    return one_or_404(_contributions(), public_id, "contribution")


@router.get(
    "/funding/contributions/{public_id}",
    response={200: ContributionOut, **ERRORS},
    auth=READ,
    summary="One contribution (with its ETag)",
)
def get_contribution(request: HttpRequest, response: HttpResponse, public_id: uuid.UUID) -> Any:
    reject_unknown_params(request)
    obj = _contribution(public_id)
    with_etag(response, obj)
    return obj


class ContributionIn(Schema):
    organisation: str = Field(..., description="The partner organisation's slug.")
    year: int = Field(..., description="The financial year it starts in (2009 is 2009/10).")
    kind: str = Field(..., description="cash or in_kind")
    amount: str = Field(..., description='Pounds and pence, e.g. "12500.50".')
    currency: str = Field("GBP", description="GBP, EUR or USD")
    description: str
    received_on: str | None = Field(
        None, description="YYYY-MM-DD, inside the financial year; optional."
    )


class ContributionPatch(Schema):
    organisation: str | None = None
    year: int | None = None
    kind: str | None = None
    amount: str | None = None
    currency: str | None = None
    description: str | None = None
    received_on: str | None = None


def _contribution_form(fields: dict[str, Any], instance: Contribution) -> Any:
    data = dict(fields)
    slug = data.get("organisation") or ""
    pk = Organisation.objects.filter(slug=slug).values_list("pk", flat=True).first()
    if pk is None:
        raise problem("organisation", f"There is no organisation with the slug '{slug}'.")
    data["organisation"] = pk
    kind = kind_named("contribution", "funding")
    return kind.form_class(form_data(data), instance=instance)


def _saved(form: Any, user: Any, before: dict[str, Any] | None = None) -> Contribution:
    if not form.is_valid():
        raise Unprocessable(form_problems(form))
    obj, _ = editing.save_with_audit(form, user, before, via="api")
    return _contribution(obj.public_id)


@router.post(
    "/funding/contributions",
    response={201: ContributionOut, **WRITE_ERRORS},
    auth=READ,
    summary="Record a partner's contribution (read-write token; managers)",
    description="Through the staff page's contribution form: a partner organisation, a "
    "financial year, no more than 2 decimal places, a date inside the year.",
)
def create_contribution(
    request: HttpRequest,
    body: ContributionIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key", description=KEY_HELP),
) -> Any:
    reject_unknown_params(request)
    user = owner(request)
    allowed(kind_named("contribution", "funding").policy.require_create, user)
    data = body.model_dump(mode="json")

    def create() -> tuple[int, Any]:
        return 201, _saved(_contribution_form(data, Contribution()), user)

    return idempotent(
        request,
        "create_contribution",
        data,
        create,
        lambda obj: ContributionOut.from_orm(obj).model_dump(),
    )


@router.patch(
    "/funding/contributions/{public_id}",
    response={200: ContributionOut, **WRITE_ERRORS, 412: Error, 428: Error},
    auth=READ,
    summary="Change a contribution (read-write token, If-Match; managers)",
)
def update_contribution(
    request: HttpRequest,
    response: HttpResponse,
    public_id: uuid.UUID,
    body: ContributionPatch,
    if_match: str | None = Header(None, alias="If-Match", description=IF_MATCH_HELP),
) -> Any:
    reject_unknown_params(request)
    user = owner(request)
    kind = kind_named("contribution", "funding")
    obj = _contribution(public_id)
    allowed(kind.policy.get, kind, user, public_id, write=True, scope={})
    require_match(request, obj)
    before = snapshot(obj)
    data: dict[str, Any] = {
        "organisation": obj.organisation.slug,
        "year": obj.year,
        "kind": obj.kind,
        "amount": str(obj.amount),
        "currency": obj.currency,
        "description": obj.description,
        "received_on": obj.received_on.isoformat() if obj.received_on else None,
    }
    data.update(body.model_dump(exclude_unset=True))
    saved = _saved(_contribution_form(data, obj), user, before)
    with_etag(response, saved)
    return saved


# --- personal data: staff time, further funding, fellows' posts and events, placements ---------


class StaffTimeOut(Schema):
    public_id: uuid.UUID
    organisation: str = Field(..., description="The partner organisation's slug.")
    person: uuid.UUID | None = Field(..., description="The person's id, if recorded.")
    description: str
    fte: Decimal = Field(..., description="Full-time equivalent (0.2 is a day a week).")
    start: dt.date
    end: dt.date

    @staticmethod
    def resolve_organisation(obj: Any) -> str:
        return str(obj.organisation.slug)

    @staticmethod
    def resolve_person(obj: Any) -> uuid.UUID | None:
        return obj.person.public_id if obj.person_id else None


class OrganisationFilters(Since):
    organisation: str | None = Field(
        None, pattern=SLUG_PATTERN, description="A partner organisation's slug."
    )


@router.get(
    "/funding/staff-time",
    response={200: page_of(StaffTimeOut), **ERRORS},
    auth=PERSONAL,
    summary="List staff time given in kind (personal data export role)",
)
def list_staff_time(
    request: HttpRequest, filters: Query[OrganisationFilters], page: Query[CursorParams]
) -> dict[str, Any]:
    reject_unknown_params(request, set(OrganisationFilters.model_fields) | CURSOR_PARAMS)
    rows = StaffTime.objects.select_related("organisation", "person")
    if filters.organisation is not None:
        rows = rows.filter(
            organisation=_by_slug(Organisation, filters.organisation, "organisation")
        )
    return paginate(_since(rows, filters), page, stamp=None)


def _staff_time(public_id: uuid.UUID) -> StaffTime:
    rows = StaffTime.objects.select_related("organisation", "person")
    return one_or_404(rows, public_id, "staff time")


@router.get(
    "/funding/staff-time/{public_id}",
    response={200: StaffTimeOut, **ERRORS},
    auth=PERSONAL,
    summary="One entry of staff time in kind, with its ETag (personal data export role)",
)
def get_staff_time(request: HttpRequest, response: HttpResponse, public_id: uuid.UUID) -> Any:
    reject_unknown_params(request)
    obj = _staff_time(public_id)
    with_etag(response, obj)
    return obj


class StaffTimeIn(Schema):
    organisation: str = Field(..., description="The partner organisation's slug.")
    person: uuid.UUID | None = Field(None, description="The person giving the time, if named.")
    description: str
    fte: str = Field(..., description="Full-time equivalent, 0.01 to 1 (0.2 is a day a week).")
    start: str = Field(..., description="YYYY-MM-DD")
    end: str = Field(..., description="YYYY-MM-DD")


class StaffTimePatch(Schema):
    organisation: str | None = None
    person: uuid.UUID | None = None
    description: str | None = None
    fte: str | None = None
    start: str | None = None
    end: str | None = None


def _staff_time_form(fields: dict[str, Any], instance: StaffTime) -> Any:
    data = dict(fields)
    slug = data.get("organisation") or ""
    organisation = Organisation.objects.filter(slug=slug).values_list("pk", flat=True).first()
    if organisation is None:
        raise problem("organisation", f"There is no organisation with the slug '{slug}'.")
    data["organisation"] = organisation
    if data.get("person"):
        person = Person.objects.filter(public_id=data["person"]).values_list("pk", flat=True)
        data["person"] = person.first()
        if data["person"] is None:
            raise problem("person", f"There is no person with the id '{fields['person']}'.")
    return kind_named("stafftime", "funding").form_class(form_data(data), instance=instance)


def _saved_staff_time(form: Any, user: Any, before: dict[str, Any] | None = None) -> StaffTime:
    if not form.is_valid():
        raise Unprocessable(form_problems(form))
    obj, _ = editing.save_with_audit(form, user, before, via="api")
    return _staff_time(obj.public_id)


@router.post(
    "/funding/staff-time",
    response={201: StaffTimeOut, **WRITE_ERRORS},
    auth=PERSONAL,
    summary="Record staff time given in kind (read-write token; managers)",
    description="Through the staff page's form; valued in the ledger like a secondment.",
)
def create_staff_time(
    request: HttpRequest,
    body: StaffTimeIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key", description=KEY_HELP),
) -> Any:
    reject_unknown_params(request)
    user = owner(request)
    allowed(kind_named("stafftime", "funding").policy.require_create, user)
    data = body.model_dump(mode="json")

    def create() -> tuple[int, Any]:
        return 201, _saved_staff_time(_staff_time_form(data, StaffTime()), user)

    return idempotent(
        request,
        "create_staff_time",
        data,
        create,
        lambda obj: StaffTimeOut.from_orm(obj).model_dump(),
    )


@router.patch(
    "/funding/staff-time/{public_id}",
    response={200: StaffTimeOut, **WRITE_ERRORS, 412: Error, 428: Error},
    auth=PERSONAL,
    summary="Change staff time in kind (read-write token, If-Match; managers)",
)
def update_staff_time(
    request: HttpRequest,
    response: HttpResponse,
    public_id: uuid.UUID,
    body: StaffTimePatch,
    if_match: str | None = Header(None, alias="If-Match", description=IF_MATCH_HELP),
) -> Any:
    reject_unknown_params(request)
    user = owner(request)
    kind = kind_named("stafftime", "funding")
    obj = _staff_time(public_id)
    allowed(kind.policy.get, kind, user, public_id, write=True, scope={})
    require_match(request, obj)
    before = snapshot(obj)
    data: dict[str, Any] = {
        "organisation": obj.organisation.slug,
        "person": str(obj.person.public_id) if obj.person is not None else None,
        "description": obj.description,
        "fte": str(obj.fte),
        "start": obj.start.isoformat(),
        "end": obj.end.isoformat(),
    }
    data.update(body.model_dump(mode="json", exclude_unset=True))
    saved = _saved_staff_time(_staff_time_form(data, obj), user, before)
    with_etag(response, saved)
    return saved


class FurtherFundingOut(Schema):
    public_id: uuid.UUID
    funder: str
    scheme: str
    title: str
    amount: Decimal
    currency: str = choice(Currency)
    start: dt.date
    end: dt.date | None
    studies: list[str] = Field(..., description="The studies' slugs.")
    people: list[uuid.UUID] = Field(..., description="The people who won it.")

    @staticmethod
    def resolve_studies(obj: Any) -> list[str]:
        return sorted(study.slug for study in obj.studies.all())

    @staticmethod
    def resolve_people(obj: Any) -> list[uuid.UUID]:
        return [person.public_id for person in obj.people.all()]


class StudySince(Since):
    study: str | None = Field(None, pattern=SLUG_PATTERN, description="A study's slug.")


@router.get(
    "/funding/further-funding",
    response={200: page_of(FurtherFundingOut), **ERRORS},
    auth=PERSONAL,
    summary="List further funding won (personal data export role)",
)
def list_further_funding(
    request: HttpRequest, filters: Query[StudySince], page: Query[CursorParams]
) -> dict[str, Any]:
    reject_unknown_params(request, set(StudySince.model_fields) | CURSOR_PARAMS)
    rows = FurtherFunding.objects.prefetch_related("studies", "people")
    if filters.study is not None:
        rows = rows.filter(studies=_by_slug(Study, filters.study, "study"))
    return paginate(_since(rows, filters), page, stamp=None)


class VacancyOut(Schema):
    public_id: uuid.UUID
    study: str = Field(..., description="The study's slug.")
    advertised_on: dt.date
    status: str = choice(Vacancy.Status)
    notes: str
    nominated_by: str | None = Field(..., description="The nominating partner's slug.")
    nominee: uuid.UUID | None = Field(..., description="The person nominated.")
    nominated_on: dt.date | None
    agreed_on: dt.date | None
    replaces: uuid.UUID | None = Field(..., description="The fellow (person) it replaces.")

    @staticmethod
    def resolve_study(obj: Any) -> str:
        return str(obj.study.slug)

    @staticmethod
    def resolve_nominated_by(obj: Any) -> str | None:
        return obj.nominated_by.slug if obj.nominated_by_id else None

    @staticmethod
    def resolve_nominee(obj: Any) -> uuid.UUID | None:
        return obj.nominee.public_id if obj.nominee_id else None

    @staticmethod
    def resolve_replaces(obj: Any) -> uuid.UUID | None:
        return obj.replaces.person.public_id if obj.replaces_id else None


class VacancyFilters(StudySince):
    status: str | None = Field(
        None,
        description="Only posts at this step.",
        json_schema_extra={"enum": list(Vacancy.Status)},
    )


@router.get(
    "/funding/vacancies",
    response={200: page_of(VacancyOut), **ERRORS},
    auth=PERSONAL,
    summary="List diffusion fellow posts being filled (personal data export role)",
)
def list_vacancies(
    request: HttpRequest, filters: Query[VacancyFilters], page: Query[CursorParams]
) -> dict[str, Any]:
    reject_unknown_params(request, set(VacancyFilters.model_fields) | CURSOR_PARAMS)
    rows = Vacancy.objects.select_related("study", "nominated_by", "nominee", "replaces__person")
    if filters.study is not None:
        rows = rows.filter(study=_by_slug(Study, filters.study, "study"))
    rows = _choice_filter(rows, "status", filters.status, Vacancy.Status)
    return paginate(_since(rows, filters), page, stamp=None)


class FellowEventOut(Schema):
    public_id: uuid.UUID
    person: uuid.UUID = Field(..., description="The fellow.")
    study: str = Field(..., description="The study of the secondment.")
    kind: str = choice(FellowEvent.Kind)
    date: dt.date
    note: str

    @staticmethod
    def resolve_person(obj: Any) -> uuid.UUID:
        return obj.secondment.person.public_id

    @staticmethod
    def resolve_study(obj: Any) -> str:
        return str(obj.secondment.study.slug)


class FellowEventFilters(StudySince):
    kind: str | None = Field(
        None, description="Only this step.", json_schema_extra={"enum": list(FellowEvent.Kind)}
    )


@router.get(
    "/funding/fellowship-events",
    response={200: page_of(FellowEventOut), **ERRORS},
    auth=PERSONAL,
    summary="List diffusion fellows' fellowship events (personal data export role)",
)
def list_fellow_events(
    request: HttpRequest, filters: Query[FellowEventFilters], page: Query[CursorParams]
) -> dict[str, Any]:
    reject_unknown_params(request, set(FellowEventFilters.model_fields) | CURSOR_PARAMS)
    rows = FellowEvent.objects.select_related("secondment__person", "secondment__study")
    if filters.study is not None:
        rows = rows.filter(secondment__study=_by_slug(Study, filters.study, "study"))
    rows = _choice_filter(rows, "kind", filters.kind, FellowEvent.Kind)
    return paginate(_since(rows, filters), page, stamp=None)


class PlacementAgreementOut(Schema):
    public_id: uuid.UUID
    person: uuid.UUID = Field(..., description="The researcher in residence.")
    host_organisation: str = Field(..., description="The host organisation's slug.")
    placement_start: dt.date
    placement_end: dt.date | None
    fte: Decimal
    agreed_on: dt.date
    notes: str

    @staticmethod
    def resolve_person(obj: Any) -> uuid.UUID:
        return obj.placement.person.public_id

    @staticmethod
    def resolve_host_organisation(obj: Any) -> str:
        return str(obj.placement.host_organisation.slug)

    @staticmethod
    def resolve_placement_start(obj: Any) -> dt.date:
        return obj.placement.start

    @staticmethod
    def resolve_placement_end(obj: Any) -> dt.date | None:
        return obj.placement.end


@router.get(
    "/funding/placement-agreements",
    response={200: page_of(PlacementAgreementOut), **ERRORS},
    auth=PERSONAL,
    summary="List researchers in residence's placement agreements (personal data export role)",
)
def list_placement_agreements(
    request: HttpRequest, filters: Query[Since], page: Query[CursorParams]
) -> dict[str, Any]:
    reject_unknown_params(request, set(Since.model_fields) | CURSOR_PARAMS)
    rows = PlacementAgreement.objects.select_related(
        "placement__person", "placement__host_organisation"
    )
    return paginate(_since(rows, filters), page, stamp=None)


# --- training ----------------------------------------------------------------------------------


class AttendanceOut(Schema):
    public_id: uuid.UUID
    person: uuid.UUID | None = Field(..., description="A registry person (GET /api/people/…).")
    associate: uuid.UUID | None = Field(..., description="Or an associate.")
    organisation: str | None = Field(..., description="The organisation they came from.")
    role: str = choice(Attendance.Role)
    note: str

    @staticmethod
    def resolve_person(obj: Any) -> uuid.UUID | None:
        return obj.person.public_id if obj.person_id else None

    @staticmethod
    def resolve_associate(obj: Any) -> uuid.UUID | None:
        return obj.associate.public_id if obj.associate_id else None

    @staticmethod
    def resolve_organisation(obj: Any) -> str | None:
        return obj.organisation.slug if obj.organisation_id else None


class TrainingSessionOut(Schema):
    public_id: uuid.UUID
    title: str
    kind: str = choice(TrainingSession.Kind)
    date: dt.date
    hours: Decimal
    facilitator: str
    attended: int = Field(..., description="How many attended.")

    @staticmethod
    def resolve_attended(obj: Any) -> int:
        return int(obj.attended_count)


class TrainingFilters(Since):
    kind: str | None = Field(
        None, description="Only this kind.", json_schema_extra={"enum": list(TrainingSession.Kind)}
    )
    year: int | None = YEAR


@router.get(
    "/funding/training-sessions",
    response={200: page_of(TrainingSessionOut), **ERRORS},
    auth=PERSONAL,
    summary="List training sessions (personal data export role)",
)
def list_training_sessions(
    request: HttpRequest, filters: Query[TrainingFilters], page: Query[CursorParams]
) -> dict[str, Any]:
    reject_unknown_params(request, set(TrainingFilters.model_fields) | CURSOR_PARAMS)
    rows = TrainingSession.objects.annotate(attended_count=Count("attended"))
    rows = _choice_filter(rows, "kind", filters.kind, TrainingSession.Kind)
    if filters.year is not None:
        start, end = fy.bounds(filters.year)
        rows = rows.filter(date__gte=start, date__lte=end)
    return paginate(_since(rows, filters), page, stamp=None)


@router.get(
    "/funding/training-sessions/{public_id}/attendance",
    response={200: page_of(AttendanceOut), **ERRORS},
    auth=PERSONAL,
    summary="Who attended a training session (personal data export role)",
)
def list_attendance(
    request: HttpRequest, public_id: uuid.UUID, page: Query[CursorParams]
) -> dict[str, Any]:
    reject_unknown_params(request, CURSOR_PARAMS)
    session = one_or_404(TrainingSession.objects.all(), public_id, "training session")
    rows = Attendance.objects.filter(session=session).select_related(
        "person", "associate", "organisation"
    )
    return paginate(rows, page, stamp=None)
