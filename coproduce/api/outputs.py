"""Outputs (the outputs register, typed by the Researchfish common outcome types). Any staff
role reads them, as on the staff outputs list; an output is added or changed by the research
team of every study it names (or a manager), through the staff page's `OutputForm` and the
outputs kind's policy, audited as the token's owner. Adding one announces `output.added` to
webhook subscribers (`staff.editing.WATCHED_NEW`), as the page does."""

# No `from __future__ import annotations`: ninja reads the view signatures at runtime.
import datetime as dt
import uuid
from typing import Any

from django.db.models import QuerySet
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
    pks_of,
    problem,
    require_match,
    with_etag,
)
from coproduce.audit.log import snapshot
from coproduce.coproduction.models import Compromise
from coproduce.implementation import outcomes
from coproduce.implementation.models import ImplementationRecord, Output
from coproduce.implementation.outputs_forms import DETAIL_PREFIX, OutputForm
from coproduce.registry.access import can_edit_study, require_staff
from coproduce.registry.models import Organisation, Person, Study
from coproduce.staff import editing
from coproduce.staff.records import kind_named

router = Router(tags=["implementation"])
TOKEN = StaffToken(area="implementation")


class OutputOut(Schema):
    public_id: uuid.UUID
    kind: str = choice(outcomes.OutcomeType)
    subtype: str = Field(..., description="One of the type's Researchfish sub-types, or empty.")
    title: str
    date: dt.date
    date_precision: str = choice(Output.Precision)
    studies: list[str] = Field(..., description="The studies' slugs.")
    records: list[uuid.UUID] = Field(..., description="Implementation records it came from.")
    people: list[uuid.UUID] = Field(..., description="People named on it (GET /api/people/…).")
    organisations: list[str] = Field(..., description="Partner organisations' slugs.")
    compromises: list[uuid.UUID] = Field(..., description="Compromises it links to.")
    description: str
    authors: list[str] = Field(..., description="One per author: family name, given names.")
    container: str = Field(..., description="Journal, book or venue.")
    volume: str
    issue: str
    pages: str
    publisher: str
    doi: str
    pmid: str
    isbn: str
    link: str
    details: dict[str, str] = Field(..., description="The extra fields of its type.")
    public: bool = Field(..., description="Shown on the public outputs page.")
    what_changed: str
    what_changed_public: bool

    @staticmethod
    def resolve_studies(obj: Any) -> list[str]:
        return sorted(study.slug for study in obj.studies.all())

    @staticmethod
    def resolve_records(obj: Any) -> list[uuid.UUID]:
        return [record.public_id for record in obj.records.all()]

    @staticmethod
    def resolve_people(obj: Any) -> list[uuid.UUID]:
        return [person.public_id for person in obj.people.all()]

    @staticmethod
    def resolve_organisations(obj: Any) -> list[str]:
        return sorted(org.slug for org in obj.organisations.all())

    @staticmethod
    def resolve_compromises(obj: Any) -> list[uuid.UUID]:
        return [compromise.public_id for compromise in obj.compromises.all()]

    @staticmethod
    def resolve_authors(obj: Any) -> list[str]:
        return list(obj.author_list())


def _outputs() -> QuerySet[Output]:
    return Output.objects.prefetch_related(
        "studies", "records", "people", "organisations", "compromises"
    )


class OutputFilters(Schema):
    study: str | None = Field(None, pattern=SLUG_PATTERN, description="A study's slug.")
    kind: str | None = Field(
        None,
        description="Only outputs of this type.",
        json_schema_extra={"enum": list(outcomes.OutcomeType.values)},
    )
    public: bool | None = Field(None, description="Only those shown (or not) on the public page.")
    updated_since: Moment | None = Field(
        None,
        description="Only outputs added or changed at or after this moment (by the audit "
        "trail: changes made in the staff area, by import or through the API).",
    )


@router.get(
    "/outputs",
    response={200: page_of(OutputOut), **ERRORS},
    auth=TOKEN,
    summary="List outputs",
    description="In the order they were recorded; `updated_since` picks up later changes.",
)
def list_outputs(
    request: HttpRequest, filters: Query[OutputFilters], page: Query[CursorParams]
) -> dict[str, Any]:
    reject_unknown_params(request, set(OutputFilters.model_fields) | CURSOR_PARAMS)
    rows = _outputs()
    if filters.study is not None:
        study = Study.objects.filter(slug=filters.study).first()
        if study is None:
            raise HttpError(400, f"There is no study with the slug '{filters.study}'.")
        rows = rows.filter(studies=study)
    if filters.kind is not None:
        if filters.kind not in outcomes.OutcomeType.values:
            raise HttpError(400, f"There is no output type '{filters.kind}'.")
        rows = rows.filter(kind=filters.kind)
    if filters.public is not None:
        rows = rows.filter(public=filters.public)
    if filters.updated_since is not None:
        rows = changed_since(rows, filters.updated_since)
    return paginate(rows, page, stamp=None)


def _output(public_id: uuid.UUID) -> Output:
    return one_or_404(_outputs(), public_id, "output")


@router.get(
    "/outputs/{public_id}",
    response={200: OutputOut, **ERRORS},
    auth=TOKEN,
    summary="One output (with its ETag)",
)
def get_output(request: HttpRequest, response: HttpResponse, public_id: uuid.UUID) -> Any:
    reject_unknown_params(request)
    obj = _output(public_id)
    with_etag(response, obj)
    return obj


KIND_HELP = "; ".join(f"{value}: {label}" for value, label in outcomes.OutcomeType.choices)


class OutputIn(Schema):
    kind: str = Field(..., description=KIND_HELP)
    subtype: str = Field("", description="One of the type's sub-types, or empty.")
    title: str
    date: str = Field(..., description="YYYY-MM-DD (only the year known: 1 January and "
                      "`date_precision` year).")  # fmt: skip
    date_precision: str = Field("day", description="day, month or year")
    studies: list[str] = Field(..., description="The studies' slugs (at least one).")
    records: list[uuid.UUID] = []
    people: list[uuid.UUID] = []
    organisations: list[str] = Field([], description="Partner organisations' slugs.")
    compromises: list[uuid.UUID] = []
    description: str = ""
    authors: list[str] = Field([], description="One per author: family name, given names.")
    container: str = ""
    volume: str = ""
    issue: str = ""
    pages: str = ""
    publisher: str = ""
    doi: str = ""
    pmid: str = ""
    isbn: str = ""
    link: str = ""
    details: dict[str, str] = Field({}, description="The extra fields of the type, by name.")
    public: bool = False
    what_changed: str = ""
    what_changed_public: bool = False


class OutputPatch(Schema):
    kind: str | None = None
    subtype: str | None = None
    title: str | None = None
    date: str | None = Field(None, description="YYYY-MM-DD")
    date_precision: str | None = None
    studies: list[str] | None = None
    records: list[uuid.UUID] | None = None
    people: list[uuid.UUID] | None = None
    organisations: list[str] | None = None
    compromises: list[uuid.UUID] | None = None
    description: str | None = None
    authors: list[str] | None = None
    container: str | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    publisher: str | None = None
    doi: str | None = None
    pmid: str | None = None
    isbn: str | None = None
    link: str | None = None
    details: dict[str, str] | None = None
    public: bool | None = None
    what_changed: str | None = None
    what_changed_public: bool | None = None


def _current(obj: Output) -> dict[str, Any]:
    """What a PATCH starts from: the output as the API names its parts."""
    data = OutputOut.from_orm(obj).model_dump(mode="json")
    data["date"] = obj.date.isoformat()
    for name in ("public_id",):
        data.pop(name)
    return data


def _form(fields: dict[str, Any], instance: Output) -> OutputForm:
    """The staff page's form, bound to the body with names turned into the form's choices."""
    data = dict(fields)
    known = {field.name for field in outcomes.all_detail_fields()}
    details = data.pop("details") or {}
    for name, value in details.items():
        if name not in known:
            raise problem("details", f"There is no output field '{name}'.")
        data[DETAIL_PREFIX + name] = value
    subtype = data.pop("subtype") or ""
    data["subtype_choice"] = f"{data['kind']}:{subtype}" if subtype else ""
    if subtype and subtype not in outcomes.subtypes(data["kind"]):
        raise problem("subtype", f"'{subtype}' is not a sub-type of '{data['kind']}'.")
    data["authors"] = "\n".join(data["authors"] or [])
    data["studies"] = pks_of(Study.objects, "slug", data["studies"] or [], "studies", "study")
    data["records"] = pks_of(
        ImplementationRecord.objects, "public_id", data["records"] or [], "records",
        "implementation record",
    )  # fmt: skip
    data["people"] = pks_of(Person.objects, "public_id", data["people"] or [], "people", "person")
    data["organisations"] = pks_of(
        Organisation.objects, "slug", data["organisations"] or [], "organisations", "organisation"
    )
    data["compromises"] = pks_of(
        Compromise.objects, "public_id", data["compromises"] or [], "compromises", "compromise"
    )
    return OutputForm(form_data(data), instance=instance)


def _kind() -> Any:
    return kind_named("output", "implementation")


def _save(form: OutputForm, user: Any, before: dict[str, Any] | None = None) -> Output:
    """The outputs kind's checks (every chosen study one the owner works on), then the one
    audited save: adding an output announces `output.added`."""
    valid = form.is_valid()
    check = _kind().validate
    if valid and check is not None:
        check(form, user)
    if not valid or form.errors:
        raise Unprocessable(form_problems(form))
    obj, _ = editing.save_with_audit(form, user, before, via="api")
    return _output(obj.public_id)


@router.post(
    "/outputs",
    response={201: OutputOut, **WRITE_ERRORS},
    auth=TOKEN,
    summary="Add an output (read-write token; the research team of each of its studies)",
    description="Through the staff page's output form: the same checks (identifiers for "
    "form and not already recorded, records and compromises of the chosen studies). "
    "Subscribers to `output.added` are told.",
)
def create_output(
    request: HttpRequest,
    body: OutputIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key", description=KEY_HELP),
) -> Any:
    reject_unknown_params(request)
    user = owner(request)
    allowed(require_staff, user)
    # As the page, which adds an output under a study its team may change: 403, not a 422.
    for study in Study.objects.filter(slug__in=body.studies):
        if not can_edit_study(user, study):
            raise HttpError(
                403, f"You can only add outputs to studies you work on, not {study.title}."
            )
    data = body.model_dump(mode="json")

    def create() -> tuple[int, Any]:
        return 201, _save(_form(data, Output()), user)

    return idempotent(
        request, "create_output", data, create, lambda obj: OutputOut.from_orm(obj).model_dump()
    )


@router.patch(
    "/outputs/{public_id}",
    response={200: OutputOut, **WRITE_ERRORS, 412: Error, 428: Error},
    auth=TOKEN,
    summary="Change an output (read-write token, If-Match; a research team of its studies)",
)
def update_output(
    request: HttpRequest,
    response: HttpResponse,
    public_id: uuid.UUID,
    body: OutputPatch,
    if_match: str | None = Header(None, alias="If-Match", description=IF_MATCH_HELP),
) -> Any:
    reject_unknown_params(request)
    user = owner(request)
    obj = _output(public_id)
    kind = _kind()
    allowed(kind.policy.get, kind, user, public_id, write=True, scope={})
    require_match(request, obj)
    before = snapshot(obj)
    data = _current(obj)
    data.update(body.model_dump(mode="json", exclude_unset=True))
    saved = _save(_form(data, obj), user, before)
    with_etag(response, saved)
    return saved
