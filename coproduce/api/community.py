"""Community endpoints: communities of practice (public), associates (staff token only)."""

# No `from __future__ import annotations` here: ninja reads the view signatures at runtime, and
# through @paginate's wrapper a string annotation would be resolved in ninja's module, not this.
import datetime as dt
import uuid
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from coproduce.api.auth import personal_data_token
from coproduce.api.registry import SLUG_PATTERN, choice
from coproduce.api.schemas import (
    Error,
    LimitOffset,
    ValidationErrors,
    one_or_404,
    reject_unknown_params,
)
from coproduce.community.models import (
    Associate,
    Channel,
    CommunityOfPractice,
    LeadershipPeriod,
    Membership,
)

router = Router(tags=["community"])


# Schemas


class CopOut(Schema):
    slug: str
    name: str
    study: str | None = Field(
        ..., description="The study's slug; empty for a theme-wide community."
    )
    theme: str | None = Field(
        ...,
        description="The theme's slug for a theme-wide community; empty for a study's community "
        "(its study belongs to a theme).",
    )
    members: int = Field(
        ..., description="Current members: confirmed associates who belong to it today."
    )
    leadership: str = choice(CommunityOfPractice.Leadership)

    @staticmethod
    def resolve_study(obj: Any) -> str | None:
        return obj.study.slug if obj.study_id else None

    @staticmethod
    def resolve_theme(obj: Any) -> str | None:
        return obj.theme.slug if obj.theme_id else None

    @staticmethod
    def resolve_members(obj: Any) -> int:
        return int(obj.member_count)


class LeadershipPeriodOut(Schema):
    model: str = choice(CommunityOfPractice.Leadership)
    start: dt.date
    end: dt.date | None = Field(..., description="Empty while it continues.")
    leads: str = Field(..., description="Who leads, as the public page shows it.")


class CopDetailOut(CopOut):
    purpose: str
    ground_rules: str
    founded: dt.date | None
    leadership_history: list[LeadershipPeriodOut] = Field(
        ..., description="How the community has been led, oldest first."
    )

    @staticmethod
    def resolve_leadership_history(obj: Any) -> list[LeadershipPeriod]:
        return list(obj.leadership_periods.order_by("start", "pk"))


class ConsentOut(Schema):
    engage: bool = Field(..., description=Channel.ENGAGE.label)
    briefing: bool = Field(..., description=Channel.BRIEFING.label)
    events: bool = Field(..., description=Channel.EVENTS.label)


class AssociateOut(Schema):
    public_id: uuid.UUID
    full_name: str = Field(..., description="Empty once the associate is erased.")
    email: str | None = Field(..., description="Empty once the associate is erased.")
    organisation: str
    role: str = choice(Associate.Role)
    status: str = choice(Associate.Status)
    consent: ConsentOut = Field(
        ..., description="Current consent on each channel (the latest consent record)."
    )
    cops: list[str] = Field(
        ..., description="Slugs of the communities of practice the associate belongs to today."
    )

    @staticmethod
    def resolve_consent(obj: Any) -> dict[str, bool]:
        return dict(obj.consents())

    @staticmethod
    def resolve_cops(obj: Any) -> list[str]:
        return sorted(m.cop.slug for m in obj.current_memberships)


class MembershipOut(Schema):
    cop: str = Field(..., description="The community's slug.")
    joined: dt.datetime
    left: dt.datetime | None = Field(..., description="Empty while the associate belongs.")

    @staticmethod
    def resolve_cop(obj: Any) -> str:
        return str(obj.cop.slug)


class AssociateDetailOut(AssociateOut):
    joined: dt.datetime = Field(..., description="When the associate registered.")
    confirmed: dt.datetime | None = Field(
        ..., description="When the registration was confirmed; empty while pending."
    )
    interests: list[str] = Field(..., description="Slugs of the themes of interest.")
    memberships: list[MembershipOut] = Field(
        ..., description="Every membership, past ones (with `left`) included, oldest first."
    )

    @staticmethod
    def resolve_interests(obj: Any) -> list[str]:
        return sorted(theme.slug for theme in obj.interests.all())

    @staticmethod
    def resolve_memberships(obj: Any) -> list[Membership]:
        return sorted(obj.memberships.all(), key=lambda m: (m.joined, m.pk))


# Communities of practice


def _cops() -> QuerySet[CommunityOfPractice]:
    return CommunityOfPractice.objects.select_related("study", "theme").order_by("name", "slug")


@router.get(
    "/cops",
    response={200: list[CopOut], 400: Error, 422: ValidationErrors},
    summary="List communities of practice",
)
@paginate(LimitOffset)
def list_cops(request: HttpRequest) -> QuerySet[CommunityOfPractice]:
    reject_unknown_params(request, paginated=True)
    return _cops()


@router.get(
    "/cops/{slug}",
    response={200: CopDetailOut, 400: Error, 404: Error, 422: ValidationErrors},
    summary="One community of practice, with its purpose and leadership history",
)
def get_cop(request: HttpRequest, slug: str) -> CommunityOfPractice:
    reject_unknown_params(request)
    return one_or_404(_cops(), slug, "community of practice", by="slug")


# Associates: personal data, so a staff token is required.


class AssociateFilters(Schema):
    cop: str | None = Field(
        None,
        pattern=SLUG_PATTERN,
        description="A community's slug: only its current members.",
    )
    role: str | None = Field(
        None,
        description="Only associates with this role.",
        json_schema_extra={"enum": list(Associate.Role.values)},
    )
    status: str | None = Field(
        None,
        description="Only associates with this status.",
        json_schema_extra={"enum": list(Associate.Status.values)},
    )


def _check_choice(name: str, value: str, allowed: list[str]) -> None:
    if value not in allowed:
        raise HttpError(
            400, f"There is no associate {name} '{value}'. Use one of: {', '.join(allowed)}."
        )


@router.get(
    "/associates",
    response={200: list[AssociateOut], 400: Error, 401: Error, 403: Error, 422: ValidationErrors},
    auth=personal_data_token("community"),
    summary="List associates (personal data export role)",
)
@paginate(LimitOffset)
def list_associates(request: HttpRequest, filters: Query[AssociateFilters]) -> QuerySet[Associate]:
    reject_unknown_params(request, AssociateFilters.model_fields, paginated=True)
    current = Prefetch(
        "memberships",
        queryset=Membership.objects.filter(left__isnull=True).select_related("cop"),
        to_attr="current_memberships",
    )
    associates = Associate.objects.all().prefetch_related(current).order_by("full_name", "pk")
    if filters.role is not None:
        _check_choice("role", filters.role, Associate.Role.values)
        associates = associates.filter(role=filters.role)
    if filters.status is not None:
        _check_choice("status", filters.status, Associate.Status.values)
        associates = associates.filter(status=filters.status)
    if filters.cop is not None:
        cop = CommunityOfPractice.objects.filter(slug=filters.cop).first()
        if cop is None:
            raise HttpError(
                400, f"There is no community of practice with the slug '{filters.cop}'."
            )
        associates = associates.filter(memberships__cop=cop, memberships__left__isnull=True)
    return associates


@router.get(
    "/associates/{public_id}",
    response={
        200: AssociateDetailOut,
        400: Error,
        401: Error,
        403: Error,
        404: Error,
        422: ValidationErrors,
    },
    auth=personal_data_token("community"),
    summary="One associate, with interests and membership history (personal data export role)",
)
def get_associate(request: HttpRequest, public_id: uuid.UUID) -> Associate:
    reject_unknown_params(request)
    memberships = Prefetch("memberships", queryset=Membership.objects.select_related("cop"))
    associates = Associate.objects.all().prefetch_related(memberships, "interests")
    associate = one_or_404(associates, public_id, "associate")
    associate.current_memberships = [  # type: ignore[attr-defined]
        m for m in associate.memberships.all() if m.left is None
    ]
    return associate
