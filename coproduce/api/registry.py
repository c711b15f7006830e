"""Registry endpoints: themes, studies and organisations (public), people (staff token only)."""

# No `from __future__ import annotations` here: ninja reads the view signatures at runtime, and
# through @paginate's wrapper a string annotation would be resolved in ninja's module, not this.
import datetime as dt
import uuid
from typing import Any

from django.db import models
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Field, Header, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from coproduce.api.auth import personal_data_token, staff_token
from coproduce.api.cursor import Moment
from coproduce.api.schemas import (
    WRITE_ERRORS,
    Error,
    LimitOffset,
    ValidationErrors,
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
from coproduce.audit.models import AuditEntry
from coproduce.registry.models import Organisation, Person, Study, Theme
from coproduce.staff import editing
from coproduce.staff.records import kind_named

router = Router(tags=["registry"])

SLUG_PATTERN = r"^[-a-zA-Z0-9_]+$"


# Schemas


def choice(choices: type[models.TextChoices]) -> Any:
    """A str field documented with its allowed values.

    Not the TextChoices enum itself: pydantic names an enum's schema after the class, and
    Theme.Kind and Organisation.Kind would then overwrite each other as "Kind".
    """
    meanings = "; ".join(f"{value}: {label}" for value, label in choices.choices)
    return Field(..., description=meanings, json_schema_extra={"enum": list(choices.values)})


class ThemeOut(Schema):
    slug: str
    name: str
    kind: str = choice(Theme.Kind)
    study_count: int = Field(..., description="Studies in the theme, at any stage.")


class StudyOut(Schema):
    slug: str
    title: str
    acronym: str
    theme: str = Field(..., description="The theme's slug.")
    design: str = choice(Study.Design)
    stage: str = choice(Study.Stage)
    df_posts_filled: int = Field(
        ..., description="Diffusion fellow posts filled today by a running secondment."
    )
    df_posts_vacant: int = Field(..., description="Funded diffusion fellow posts not filled today.")
    dfs_all_time: int = Field(
        ..., description="Different people ever seconded to the study, ended secondments included."
    )

    @staticmethod
    def resolve_theme(obj: Any) -> str:
        return str(obj.theme.slug)


class StudyDetailOut(StudyOut):
    summary: str
    partners: list[str] = Field(..., description="Slugs of the partner organisations.")
    diffusion_fellows: list[str] = Field(
        ..., description="Names of the diffusion fellows seconded to the study today."
    )

    @staticmethod
    def resolve_partners(obj: Any) -> list[str]:
        return list(obj.partners.order_by("slug").values_list("slug", flat=True))

    @staticmethod
    def resolve_diffusion_fellows(obj: Any) -> list[str]:
        names = obj.current_secondments().values_list("person__full_name", flat=True)
        return sorted(set(names))


class OrganisationOut(Schema):
    slug: str
    name: str
    kind: str = choice(Organisation.Kind)
    area: str | None = Field(..., description="The county or area's name.")
    partner_since: dt.date | None = Field(..., description="Empty if not a partner.")

    @staticmethod
    def resolve_area(obj: Any) -> str | None:
        return obj.area.name if obj.area_id else None


class PersonOut(Schema):
    public_id: uuid.UUID
    full_name: str
    email: str
    organisation: str | None = Field(..., description="The organisation's slug.")
    orcid: str

    @staticmethod
    def resolve_organisation(obj: Any) -> str | None:
        return obj.organisation.slug if obj.organisation_id else None


class PersonDetailOut(PersonOut):
    job_title: str


# Themes


@router.get(
    "/themes",
    response={200: list[ThemeOut], 400: Error, 422: ValidationErrors},
    summary="List themes",
)
@paginate(LimitOffset)
def list_themes(request: HttpRequest) -> QuerySet[Theme]:
    reject_unknown_params(request, paginated=True)
    return Theme.objects.annotate(study_count=Count("studies")).order_by("position", "name")


# Studies


def _studies() -> QuerySet[Study]:
    return (
        Study.objects.with_df_counts()
        .select_related("theme")
        .order_by("theme__position", "theme__name", "title", "slug")
    )


class StudyFilters(Schema):
    theme: str | None = Field(None, pattern=SLUG_PATTERN, description="A theme's slug.")
    updated_since: Moment | None = Field(
        None,
        description="Only studies added or changed at or after this moment (changes made "
        "through the staff area or the API, which the audit trail records).",
    )


@router.get(
    "/studies",
    response={200: list[StudyOut], 400: Error, 422: ValidationErrors},
    summary="List studies",
)
@paginate(LimitOffset)
def list_studies(request: HttpRequest, filters: Query[StudyFilters]) -> QuerySet[Study]:
    reject_unknown_params(request, StudyFilters.model_fields, paginated=True)
    studies = _studies()
    if filters.theme is not None:
        if not Theme.objects.filter(slug=filters.theme).exists():
            raise HttpError(400, f"There is no theme with the slug '{filters.theme}'.")
        studies = studies.filter(theme__slug=filters.theme)
    if filters.updated_since is not None:
        changed = (
            AuditEntry.objects.changes()
            .filter(object_type="registry.study", at__gte=filters.updated_since)
            .values_list("object_id", flat=True)
        )
        studies = studies.filter(pk__in=[int(pk) for pk in changed if pk.isdigit()])
    return studies


@router.get(
    "/studies/{slug}",
    response={200: StudyDetailOut, 400: Error, 404: Error, 422: ValidationErrors},
    summary="One study, with its partners and current diffusion fellows (and its ETag)",
)
def get_study(request: HttpRequest, response: HttpResponse, slug: str) -> Study:
    reject_unknown_params(request)
    study = one_or_404(_studies(), slug, "study", by="slug")
    with_etag(response, study)
    return study


# Changing studies: the staff area's study form and its policy (managers add studies; the
# study's research team and managers change one), audited as the token's owner.


class StudyIn(Schema):
    title: str
    acronym: str = ""
    slug: str = Field("", description="Leave empty to make one from the title.")
    theme: str = Field(..., description="The theme's slug.")
    design: str = Field(
        ..., description="; ".join(f"{v}: {label}" for v, label in Study.Design.choices)
    )
    stage: str = Field(
        ..., description="; ".join(f"{v}: {label}" for v, label in Study.Stage.choices)
    )
    summary: str = ""
    partners: list[str] = Field([], description="Slugs of the partner organisations.")
    df_posts: int = Field(0, description="Funded diffusion fellow posts.")
    start: dt.date | None = None
    end: dt.date | None = None


class StudyPatch(Schema):
    title: str | None = None
    acronym: str | None = None
    slug: str | None = None
    theme: str | None = Field(None, description="The theme's slug.")
    design: str | None = None
    stage: str | None = None
    summary: str | None = None
    partners: list[str] | None = Field(None, description="Slugs of the partner organisations.")
    df_posts: int | None = None
    start: dt.date | None = None
    end: dt.date | None = None


def _study_form_data(fields: dict[str, Any]) -> Any:
    """Slugs to the form's choices: the theme and partners are chosen by their slug here."""
    fields = dict(fields)
    theme = (
        Theme.objects.filter(slug=fields.get("theme") or "").values_list("pk", flat=True).first()
    )
    if fields.get("theme") and theme is None:
        raise Unprocessable(
            [
                {
                    "type": "invalid",
                    "loc": ["body", "theme"],
                    "msg": f"There is no theme with the slug '{fields['theme']}'.",
                }
            ]
        )
    fields["theme"] = theme
    slugs = fields.get("partners") or []
    found = dict(Organisation.objects.filter(slug__in=slugs).values_list("slug", "pk"))
    missing = [slug for slug in slugs if slug not in found]
    if missing:
        raise Unprocessable(
            [
                {
                    "type": "invalid",
                    "loc": ["body", "partners"],
                    "msg": f"There is no organisation with the slug '{missing[0]}'.",
                }
            ]
        )
    fields["partners"] = [found[slug] for slug in slugs]
    for name in ("start", "end"):
        if isinstance(fields.get(name), dt.date):
            fields[name] = fields[name].isoformat()
    return form_data(fields)


def _saved_study(form: Any, user: Any, before: Any = None) -> Study:
    if not form.is_valid():
        raise Unprocessable(form_problems(form))
    obj, _ = editing.save_with_audit(form, user, before, via="api")
    return _studies().get(pk=obj.pk)


@router.post(
    "/studies",
    response={201: StudyDetailOut, **WRITE_ERRORS},
    auth=staff_token("registry"),
    summary="Add a study (read-write token; managers)",
)
def create_study(
    request: HttpRequest,
    body: StudyIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key", description=KEY_HELP),
) -> Any:
    reject_unknown_params(request)
    user = owner(request)
    kind = kind_named("study")
    allowed(kind.policy.require_create, user)
    data = body.model_dump(mode="json")

    def create() -> tuple[int, Study]:
        form = kind.form_class(_study_form_data(data), instance=Study())
        return 201, _saved_study(form, user)

    return idempotent(
        request, "create_study", data, create, lambda obj: StudyDetailOut.from_orm(obj).model_dump()
    )


@router.patch(
    "/studies/{slug}",
    response={200: StudyDetailOut, **WRITE_ERRORS, 412: Error, 428: Error},
    auth=staff_token("registry"),
    summary="Change a study (read-write token, If-Match; the study's research team or managers)",
)
def update_study(
    request: HttpRequest,
    response: HttpResponse,
    slug: str,
    body: StudyPatch,
    if_match: str | None = Header(None, alias="If-Match", description=IF_MATCH_HELP),
) -> Any:
    reject_unknown_params(request)
    user = owner(request)
    kind = kind_named("study")
    study = allowed(kind.policy.get, kind, user, slug, write=True, scope={})
    require_match(request, study)
    before = snapshot(study)
    current = {
        "title": study.title,
        "acronym": study.acronym,
        "slug": study.slug,
        "theme": study.theme.slug,
        "design": study.design,
        "stage": study.stage,
        "summary": study.summary,
        "partners": list(study.partners.values_list("slug", flat=True)),
        "df_posts": study.df_posts,
        "start": study.start,
        "end": study.end,
    }
    current.update(body.model_dump(exclude_unset=True))
    form = kind.form_class(_study_form_data(current), instance=study)
    saved = _saved_study(form, user, before)
    with_etag(response, saved)
    return saved


# Organisations


@router.get(
    "/organisations",
    response={200: list[OrganisationOut], 400: Error, 422: ValidationErrors},
    summary="List organisations",
)
@paginate(LimitOffset)
def list_organisations(request: HttpRequest) -> QuerySet[Organisation]:
    reject_unknown_params(request, paginated=True)
    return Organisation.objects.select_related("area").order_by("name")


# People: personal data, so a staff token whose owner holds the personal data export role.


@router.get(
    "/people",
    response={200: list[PersonOut], 400: Error, 401: Error, 403: Error, 422: ValidationErrors},
    auth=personal_data_token("registry"),
    summary="List people (personal data export role)",
)
@paginate(LimitOffset)
def list_people(request: HttpRequest) -> QuerySet[Person]:
    reject_unknown_params(request, paginated=True)
    return Person.objects.select_related("organisation").order_by("full_name", "pk")


@router.get(
    "/people/{public_id}",
    response={
        200: PersonDetailOut,
        400: Error,
        401: Error,
        403: Error,
        404: Error,
        422: ValidationErrors,
    },
    auth=personal_data_token("registry"),
    summary="One person (personal data export role)",
)
def get_person(request: HttpRequest, public_id: uuid.UUID) -> Person:
    reject_unknown_params(request)
    return one_or_404(Person.objects.select_related("organisation"), public_id, "person")
