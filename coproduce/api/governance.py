"""Governance: panels and review rounds, by the same rules as the governance pages
(`governance/access.py`): any staff role sees the panels and their members; a review round is
seen by the panel's members, the study team and managers, never by anyone who declared a
conflict in it; its recommendation and conditions only by those `can_see_reviews` allows (the
study team after release). Opening a round's confidential content is audited as a read, as on
its page."""

# No `from __future__ import annotations`: ninja reads the view signatures at runtime.
import datetime as dt
import uuid
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema
from ninja.errors import HttpError

from coproduce.api.auth import StaffToken
from coproduce.api.cursor import CURSOR_PARAMS, CursorParams, Moment, page_of, paginate
from coproduce.api.registry import SLUG_PATTERN, choice
from coproduce.api.schemas import ERRORS, one_or_404, reject_unknown_params
from coproduce.api.writes import owner
from coproduce.audit.log import record_read
from coproduce.governance import access
from coproduce.governance.models import Panel, PanelMembership, Recommendation, ReviewRound
from coproduce.registry.models import Study

router = Router(tags=["governance"])
TOKEN = StaffToken(area="governance")


class MemberOut(Schema):
    public_id: uuid.UUID
    full_name: str
    role: str = choice(PanelMembership.Role)
    represents: str
    start: dt.date
    end: dt.date | None

    @staticmethod
    def resolve_full_name(obj: Any) -> str:
        return str(obj.person.full_name)


class PanelOut(Schema):
    slug: str
    name: str
    kind: str = choice(Panel.Kind)
    study: str | None = Field(..., description="The study's slug (a study steering committee).")
    remit: str

    @staticmethod
    def resolve_study(obj: Any) -> str | None:
        return obj.study.slug if obj.study_id else None


class PanelDetailOut(PanelOut):
    members: list[MemberOut] = Field(..., description="Current members, as on the panel's page.")

    @staticmethod
    def resolve_members(obj: Any) -> list[Any]:
        return list(
            PanelMembership.objects.active_on()
            .filter(panel=obj)
            .select_related("person")
            .order_by("person__full_name", "pk")
        )


@router.get("/panels", response={200: list[PanelOut], **ERRORS}, auth=TOKEN, summary="List panels")
def list_panels(request: HttpRequest) -> QuerySet[Panel]:
    reject_unknown_params(request)
    return Panel.objects.select_related("study").order_by("kind", "name")


@router.get(
    "/panels/{slug}",
    response={200: PanelDetailOut, **ERRORS},
    auth=TOKEN,
    summary="One panel with its current members",
)
def get_panel(request: HttpRequest, slug: str = Path(..., pattern=SLUG_PATTERN)) -> Panel:
    reject_unknown_params(request)
    panel = one_or_404(Panel.objects.select_related("study"), slug, "panel", by="slug")
    if not access.can_view_panel(owner(request), panel):
        raise HttpError(403, "The token's owner can see only the panels they sit on.")
    return panel


class RoundOut(Schema):
    public_id: uuid.UUID
    study: str = Field(..., description="The study's slug.")
    panel: str = Field(..., description="The panel's slug.")
    protocol_version: str = Field(..., description="The protocol version's label.")
    status: str = choice(ReviewRound.Status)
    submitted_at: dt.datetime
    released_at: dt.datetime | None
    responded_at: dt.datetime | None

    @staticmethod
    def resolve_study(obj: Any) -> str:
        return str(obj.study.slug)

    @staticmethod
    def resolve_panel(obj: Any) -> str:
        return str(obj.panel.slug)

    @staticmethod
    def resolve_protocol_version(obj: Any) -> str:
        return str(obj.protocol_version.label)


class RecommendationOut(Schema):
    decision: str = Field(
        ..., description="; ".join(f"{v}: {label}" for v, label in Recommendation.Decision.choices)
    )
    rationale: str
    recorded_at: dt.datetime | None


class ConditionOut(Schema):
    public_id: uuid.UUID
    text: str
    met_at: dt.datetime | None


class RoundDetailOut(RoundOut):
    must_declare: bool = Field(
        ...,
        description="The owner is a reviewer who has yet to declare their interests: "
        "until they do (on the round's page), nothing confidential is shown.",
    )
    reviews_visible: bool = Field(
        ..., description="Whether the owner may see the recommendation and conditions."
    )
    recommendation: RecommendationOut | None = Field(
        ..., description="Empty until recorded, or when the owner may not see it."
    )
    conditions: list[ConditionOut]

    @staticmethod
    def resolve_recommendation(obj: Any) -> Any:
        return obj.shown_recommendation

    @staticmethod
    def resolve_conditions(obj: Any) -> list[Any]:
        return list(obj.shown_conditions)


class RoundFilters(Schema):
    study: str | None = Field(None, pattern=SLUG_PATTERN, description="A study's slug.")
    panel: str | None = Field(None, pattern=SLUG_PATTERN, description="A panel's slug.")
    status: str | None = Field(
        None,
        description="Only rounds with this status.",
        json_schema_extra={"enum": list(ReviewRound.Status.values)},
    )
    submitted_since: Moment | None = Field(
        None, description="Only rounds submitted at or after this moment."
    )


def _rounds() -> QuerySet[ReviewRound]:
    return ReviewRound.objects.select_related("study", "panel", "protocol_version")


@router.get(
    "/review-rounds",
    response={200: page_of(RoundOut), **ERRORS},
    auth=TOKEN,
    summary="List the review rounds the token's owner may see",
)
def list_rounds(
    request: HttpRequest, filters: Query[RoundFilters], page: Query[CursorParams]
) -> dict[str, Any]:
    reject_unknown_params(request, set(RoundFilters.model_fields) | CURSOR_PARAMS)
    rows = _rounds()
    if filters.study is not None:
        if not Study.objects.filter(slug=filters.study).exists():
            raise HttpError(400, f"There is no study with the slug '{filters.study}'.")
        rows = rows.filter(study__slug=filters.study)
    if filters.panel is not None:
        if not Panel.objects.filter(slug=filters.panel).exists():
            raise HttpError(400, f"There is no panel with the slug '{filters.panel}'.")
        rows = rows.filter(panel__slug=filters.panel)
    if filters.status is not None:
        if filters.status not in ReviewRound.Status.values:
            raise HttpError(400, f"There is no round status '{filters.status}'.")
        rows = rows.filter(status=filters.status)
    if filters.submitted_since is not None:
        rows = rows.filter(submitted_at__gte=filters.submitted_since)
    user = owner(request)
    visible = [r.pk for r in rows if access.can_view_round(user, r)]
    return paginate(_rounds().filter(pk__in=visible), page, stamp="submitted_at")


@router.get(
    "/review-rounds/{public_id}",
    response={200: RoundDetailOut, **ERRORS},
    auth=TOKEN,
    summary="One review round, with its recommendation and conditions when the owner may see them",
)
def get_round(request: HttpRequest, public_id: uuid.UUID) -> ReviewRound:
    reject_unknown_params(request)
    review_round = one_or_404(_rounds(), public_id, "review round")
    user = owner(request)
    if not access.can_view_round(user, review_round):
        raise HttpError(
            403,
            "The token's owner may not see this round: it is for the panel's members, the "
            "study team and managers, and never for anyone who declared a conflict in it.",
        )
    must_declare = access.must_declare(user, review_round)
    visible = access.can_see_reviews(user, review_round)
    recommendation = None
    conditions: list[Any] = []
    if visible:
        found = Recommendation.objects.filter(round=review_round).first()
        if found is not None and found.decision:
            recommendation = found
        conditions = list(review_round.conditions.order_by("position", "pk"))
    if not must_declare:
        record_read(user, "governance.round.viewed", review_round, via="api")
    review_round.must_declare = must_declare  # type: ignore[attr-defined]
    review_round.reviews_visible = visible  # type: ignore[attr-defined]
    review_round.shown_recommendation = recommendation  # type: ignore[attr-defined]
    review_round.shown_conditions = conditions  # type: ignore[attr-defined]
    return review_round
