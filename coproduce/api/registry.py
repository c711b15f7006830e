"""Registry endpoints: themes, studies and organisations (public), people (staff token only)."""

# No `from __future__ import annotations` here: ninja reads the view signatures at runtime, and
# through @paginate's wrapper a string annotation would be resolved in ninja's module, not this.
import datetime as dt
import uuid
from typing import Any

from django.db import models
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from coproduce.api.auth import personal_data_token
from coproduce.api.schemas import Error, LimitOffset, ValidationErrors, reject_unknown_params
from coproduce.registry.models import Organisation, Person, Study, Theme

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
    return studies


@router.get(
    "/studies/{slug}",
    response={200: StudyDetailOut, 400: Error, 404: Error, 422: ValidationErrors},
    summary="One study, with its partners and current diffusion fellows",
)
def get_study(request: HttpRequest, slug: str) -> Study:
    reject_unknown_params(request)
    study = _studies().filter(slug=slug).first()
    if study is None:
        raise HttpError(404, f"There is no study with the slug '{slug}'.")
    return study


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
    person = Person.objects.select_related("organisation").filter(public_id=public_id).first()
    if person is None:
        raise HttpError(404, f"There is no person with the id '{public_id}'.")
    return person
