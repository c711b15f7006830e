"""Staff pages for governance, mounted at /staff/governance/.

Access is decided in governance/access.py only. Pages that change something have a GET view
that only shows (`by_method`) and a `@require_POST` view; every change is in services.py with
its audit entry.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.db.models import Count, Prefetch, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from coproduce import figures
from coproduce.audit.log import record_read
from coproduce.governance import access, annual, breaches, services, timeline, uploads
from coproduce.governance.criteria import RATING_LABELS, criteria_for
from coproduce.governance.forms import (
    AssessmentForm,
    AssignForm,
    ConditionMetForm,
    DeclareForm,
    EndTermForm,
    ProtocolForm,
    RecommendationForm,
    ResponseForm,
    SubmitForm,
    VersionedForm,
)
from coproduce.governance.models import (
    Assessment,
    Condition,
    Panel,
    PanelMembership,
    ProtocolVersion,
    Recommendation,
    ReviewerAssignment,
    ReviewRound,
)
from coproduce.registry.models import Study
from coproduce.staff.records import kind_named, renderer

View = Callable[..., HttpResponse]
PAGE_SIZE = 25
# Breaches of one rule shown on the dashboard, and a page of one rule's breaches.
BREACHES_SHOWN = breaches.SUMMARY_SHOWN


def _governance_context(request: HttpRequest) -> dict[str, Any]:
    staff_role = access.is_staff_member(request.user)
    return {
        "staff_role": staff_role,
        # A lay panel member's way back is their panels; the dashboard is for staff roles.
        "governance_home": reverse("governance:dashboard" if staff_role else "governance:panels"),
    }


_render = renderer("governance", "governance/", _governance_context)


def _study(request: HttpRequest, slug: str) -> Study:
    access.require_staff(request.user)
    return get_object_or_404(Study.objects.select_related("theme"), slug=slug)


def _round(request: HttpRequest, public_id: Any) -> ReviewRound:
    """The round, if the user may open it (404 if none, 403 if not theirs to see)."""
    if not access.is_staff_member(request.user) and not access.memberships(request.user):
        access.deny("You need a staff role or a panel membership to see this page.")
    review_round = get_object_or_404(
        ReviewRound.objects.select_related(
            "study", "study__theme", "panel", "protocol_version", "recommendation"
        ),
        public_id=public_id,
    )
    if not access.can_view_round(request.user, review_round):
        access.deny("You cannot see this review round.")
    return review_round


# -- dashboard, panels, annual reviews ----------------------------------------------------------


@login_required
@require_safe
def dashboard(request: HttpRequest) -> HttpResponse:
    access.require_staff(request.user)
    # Every rule over every study: a second and more at national scale, so stored figures
    # (coproduce/figures): as at the time they were checked if the worker has yet to redo it.
    today = timezone.localdate()
    key = request.GET.get("rule")
    if key is not None:
        # One rule's breaches, a page at a time (an out-of-range page gives the last page).
        checked = figures.read("governance.rules", today)
        rule = next((rule for rule in checked.value if rule.key == key), None)
        if rule is None:
            raise Http404("No such governance rule.")
        page = Paginator(rule.breaches, BREACHES_SHOWN).get_page(request.GET.get("page"))
        return _render(
            request,
            "dashboard_rule.html",
            {
                "rule": rule,
                "page": page,
                "page_caption": f"{rule.title}, page {page.number}",
                "checked": checked,
            },
        )
    # Per rule, its count and the first breaches (thousands at national scale).
    checked = figures.read("governance.summary", today)
    summaries: list[breaches.Summary] = checked.value
    return _render(
        request,
        "dashboard.html",
        {
            "rules": summaries,
            "shown": BREACHES_SHOWN,
            "total": sum(summary.count for summary in summaries),
            "checked": checked,
        },
    )


@login_required
@require_safe
def panel_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user  # signed in (login_required)
    if not access.may_enter(user):
        access.deny("You need a staff role or a panel membership to see this page.")
    today = timezone.localdate()
    current = Q(memberships__start__lte=today) & (
        Q(memberships__end__isnull=True) | Q(memberships__end__gte=today)
    )
    panels = Panel.objects.select_related("study").annotate(
        members=Count("memberships", filter=current, distinct=True),
        open_rounds=Count(
            "rounds",
            filter=Q(rounds__status=ReviewRound.Status.SUBMITTED),
            distinct=True,
        ),
    )
    if not access.is_staff_member(user):
        panels = panels.filter(pk__in=access.memberships(user))  # a lay member: their own
    collaboration = [p for p in panels if p.kind != Panel.Kind.STEERING]
    steering = Paginator(
        panels.filter(kind=Panel.Kind.STEERING).order_by("name"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    # Rounds waiting for this user's declaration or assessment.
    assigned = (
        ReviewRound.objects.filter(
            assignments__person__user=user,
            assignments__has_conflict=False,
            released_at__isnull=True,
        )
        .select_related("study", "panel", "protocol_version")
        .order_by("-submitted_at")
    )
    return _render(
        request,
        "panel_list.html",
        {"collaboration": collaboration, "steering": steering, "assigned": assigned},
    )


@login_required
@require_safe
def panel_detail(request: HttpRequest, slug: str) -> HttpResponse:
    if not access.may_enter(request.user):
        access.deny("You need a staff role or a panel membership to see this page.")
    panel = get_object_or_404(Panel.objects.select_related("study"), slug=slug)
    if not access.can_view_panel(request.user, panel):
        access.deny("You can see the panels you sit on.")
    today = timezone.localdate()
    memberships = list(
        PanelMembership.objects.filter(panel=panel)
        .select_related("person", "person__organisation")
        .order_by("-start", "person__full_name")
    )
    user = request.user
    for m in memberships:
        m.may_change = access.can_change_membership(user, m)
        m.may_end = m.may_change and (m.end is None or m.end >= today)
    current = [m for m in memberships if m.is_active(today)]
    future = [m for m in memberships if m.start > today]
    # Ended terms stay as the panel's history, latest ended first.
    past = sorted(
        (m for m in memberships if m.end is not None and m.end < today),
        key=lambda m: (m.end, m.start),
        reverse=True,
    )
    rounds = (
        ReviewRound.objects.filter(panel=panel)
        .select_related("study", "protocol_version", "recommendation")
        .order_by("-submitted_at")
    )
    page = Paginator(rounds, PAGE_SIZE).get_page(request.GET.get("page"))
    return _render(
        request,
        "panel_detail.html",
        {
            "panel": panel,
            "current": current,
            "future": future,
            "past": past,
            "page": page,
            "can_manage": access.can_manage_panels(user),
            "manages_members": access.can_manage_members(user, panel),
        },
    )


def _membership(request: HttpRequest, slug: str, public_id: Any) -> PanelMembership:
    """The membership on this panel, if the user may change it (404 if none, else 403)."""
    kind = kind_named("membership", "governance")
    membership: PanelMembership = kind.policy.get(
        kind, request.user, public_id, write=True, scope={"slug": slug}
    )
    return membership


def _end_page(request: HttpRequest, membership: PanelMembership, form: EndTermForm) -> HttpResponse:
    return _render(
        request,
        "end_term.html",
        {"panel": membership.panel, "membership": membership, "form": form},
    )


@login_required
@require_safe
def member_end_form(request: HttpRequest, slug: str, public_id: Any) -> HttpResponse:
    membership = _membership(request, slug, public_id)
    form = EndTermForm(
        membership=membership, initial={"end": membership.end or timezone.localdate()}
    )
    return _end_page(request, membership, form)


@login_required
@require_POST
def member_end(request: HttpRequest, slug: str, public_id: Any) -> HttpResponse:
    membership = _membership(request, slug, public_id)
    form = EndTermForm(request.POST, membership=membership)
    if not form.is_valid():
        return _end_page(request, membership, form)
    end = form.cleaned_data["end"]
    services.end_term(membership, end, by=request.user)
    messages.success(
        request,
        f"{membership.person}'s term on the {membership.panel} ends on {end.day} {end:%B %Y}. "
        "It stays on this page as history.",
    )
    return redirect(membership.panel.get_absolute_url() + "#members")


@login_required
@require_safe
def annual_reviews(request: HttpRequest) -> HttpResponse:
    access.require_staff(request.user)
    today = timezone.localdate()
    only_overdue = request.GET.get("show") == "overdue"
    rows = annual.overdue(today) if only_overdue else annual.schedules()
    page = Paginator(rows.order_by("next_due", "study__title"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return _render(
        request,
        "annual_reviews.html",
        {
            "page": page,
            "today": today,
            "only_overdue": only_overdue,
            "overdue_count": annual.overdue(today).count(),
        },
    )


# -- a study's protocols and rounds -------------------------------------------------------------


@login_required
@require_safe
def study_detail(request: HttpRequest, slug: str) -> HttpResponse:
    study = _study(request, slug)
    versions = list(
        ProtocolVersion.objects.filter(study=study).prefetch_related(
            Prefetch(
                "rounds",
                queryset=ReviewRound.objects.select_related("panel", "recommendation"),
            )
        )
    )
    user = request.user
    # The user's own reviewer assignments in all these rounds in one query, into the cache
    # access.assignment_for reads (else one query per round).
    rounds = [r for version in versions for r in version.rounds.all()]
    mine = {}
    if user.is_authenticated:
        mine = {
            a.round_id: a
            for a in ReviewerAssignment.objects.filter(round__in=rounds, person__user=user)
        }
    for review_round in rounds:
        review_round.__dict__.setdefault("_assignment_for", {})[user.pk] = mine.get(review_round.pk)
    for version in versions:
        version.study = study
        version.may_download = access.can_download(user, version)  # type: ignore[attr-defined]
        for review_round in version.rounds.all():
            review_round.study = study
            review_round.may_view = access.can_view_round(user, review_round)  # type: ignore[attr-defined]
            review_round.may_see = access.can_see_reviews(user, review_round)  # type: ignore[attr-defined]
    steering = Panel.objects.filter(kind=Panel.Kind.STEERING, study=study).first()
    schedule = getattr(study, "annual_review", None)
    return _render(
        request,
        "study.html",
        {
            "study": study,
            "versions": versions,
            "steering": steering,
            "schedule": schedule,
            "today": timezone.localdate(),
            "can_submit": access.can_submit(user, study),
            "can_manage": access.can_manage_panels(user),
        },
    )


@login_required
@require_POST
def steering_create(request: HttpRequest, slug: str) -> HttpResponse:
    if not access.can_manage_panels(request.user):
        access.deny("Only managers can set up steering committees.")
    study = _study(request, slug)
    panel = services.steering_committee(study, by=request.user)
    return redirect(panel.get_absolute_url())


@login_required
@require_safe
def study_timeline(request: HttpRequest, slug: str) -> HttpResponse:
    study = _study(request, slug)
    return _render(
        request,
        "timeline.html",
        {"study": study, "events": timeline.for_study(request.user, study)},
    )


def _protocol_page(request: HttpRequest, study: Study, form: ProtocolForm) -> HttpResponse:
    return _render(request, "protocol_form.html", {"study": study, "form": form})


@login_required
@require_safe
def protocol_new(request: HttpRequest, slug: str) -> HttpResponse:
    study = _study(request, slug)
    if not access.can_submit(request.user, study):
        access.deny("Only the study team can upload protocol versions.")
    return _protocol_page(request, study, ProtocolForm(study=study))


@login_required
@require_POST
def protocol_create(request: HttpRequest, slug: str) -> HttpResponse:
    study = _study(request, slug)
    if not access.can_submit(request.user, study):
        access.deny("Only the study team can upload protocol versions.")
    form = ProtocolForm(request.POST, request.FILES, study=study)
    if not form.is_valid():
        return _protocol_page(request, study, form)
    assert form.checked is not None
    try:
        version = services.upload_protocol(
            study,
            label=form.cleaned_data["label"],
            summary=form.cleaned_data["summary_of_changes"],
            uploaded=form.cleaned_data["document"],
            checked=form.checked,
            by=request.user,
        )
    except IntegrityError:
        form.add_error("label", "This study already has a protocol version with this label")
        return _protocol_page(request, study, form)
    messages.success(request, f"Protocol version {version.label} uploaded.")
    return redirect(reverse("governance:protocol_submit", args=[version.public_id]))


def _version(request: HttpRequest, public_id: Any) -> ProtocolVersion:
    access.require_staff(request.user)
    return get_object_or_404(
        ProtocolVersion.objects.select_related("study", "study__theme"), public_id=public_id
    )


@login_required
@require_safe
def protocol_download(request: HttpRequest, public_id: Any) -> HttpResponseBase:
    if not access.is_staff_member(request.user) and not access.memberships(request.user):
        access.deny()
    version = get_object_or_404(
        ProtocolVersion.objects.select_related("study"), public_id=public_id
    )
    if not access.can_download(request.user, version):
        access.deny("You cannot download this protocol.")
    try:
        handle = uploads.path_of(version.stored_name).open("rb")
    except (OSError, ValueError) as exc:
        raise Http404("The document is missing.") from exc
    content_type = (
        "application/pdf"
        if version.file_format == ProtocolVersion.Format.PDF
        else "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    record_read(request.user, "governance.protocol.downloaded", version)
    response = FileResponse(
        handle, as_attachment=True, filename=version.download_name, content_type=content_type
    )
    response["Cache-Control"] = "private, no-store"
    return response


def _submit_page(request: HttpRequest, version: ProtocolVersion, form: SubmitForm) -> HttpResponse:
    return _render(
        request,
        "submit_form.html",
        {"version": version, "study": version.study, "form": form},
    )


@login_required
@require_safe
def protocol_submit_form(request: HttpRequest, public_id: Any) -> HttpResponse:
    version = _version(request, public_id)
    if not access.can_submit(request.user, version.study):
        access.deny("Only the study team can submit protocols.")
    return _submit_page(request, version, SubmitForm(version=version))


@login_required
@require_POST
def protocol_submit(request: HttpRequest, public_id: Any) -> HttpResponse:
    version = _version(request, public_id)
    if not access.can_submit(request.user, version.study):
        access.deny("Only the study team can submit protocols.")
    form = SubmitForm(request.POST, version=version)
    if not form.is_valid():
        return _submit_page(request, version, form)
    try:
        review_round = services.submit(
            version,
            form.cleaned_data["panel"],
            note=form.cleaned_data["cover_note"],
            by=request.user,
        )
    except services.WorkflowError as exc:
        form.add_error("panel", str(exc))
        return _submit_page(request, version, form)
    messages.success(request, f"Version {version.label} submitted to the {review_round.panel}.")
    return redirect(review_round.get_absolute_url())


# -- a round ------------------------------------------------------------------------------------


def _round_page(
    request: HttpRequest,
    review_round: ReviewRound,
    *,
    assign_form: AssignForm | None = None,
    declare_form: DeclareForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    mine = access.assignment_for(user, review_round)
    if access.must_declare(user, review_round):
        return _render(
            request,
            "declare.html",
            {"round": review_round, "form": declare_form or DeclareForm()},
            status=status,
        )
    sees = access.can_see_reviews(user, review_round)
    chair = access.can_chair(user, review_round)
    assignments: list[ReviewerAssignment] = []
    if sees or chair:
        assignments = list(
            ReviewerAssignment.objects.filter(round=review_round)
            .select_related("person", "assessment")
            .order_by("person__full_name")
        )
    criteria = criteria_for(review_round.panel.kind)
    for assignment in assignments:
        assessment = getattr(assignment, "assessment", None)
        ratings = (assessment.ratings if assessment else {}) or {}
        assignment.rows = [  # type: ignore[attr-defined]
            {
                "label": c.label,
                "rating": RATING_LABELS.get(ratings.get(c.key, {}).get("rating", ""), "Not rated"),
                "comment": ratings.get(c.key, {}).get("comment", ""),
            }
            for c in criteria
        ]
    conditions = list(
        Condition.objects.filter(round=review_round).select_related("met_by") if sees else []
    )
    history = list(
        ReviewRound.objects.filter(study=review_round.study, panel=review_round.panel)
        .exclude(pk=review_round.pk)
        .select_related("protocol_version")
        .order_by("-submitted_at")
    )
    return _render(
        request,
        "round.html",
        {
            "round": review_round,
            "recommendation": review_round.recommendation,
            "sees_reviews": sees,
            "is_chair": chair,
            "mine": mine,
            "can_assess": access.can_assess(user, review_round),
            "can_respond": access.can_respond(user, review_round),
            "can_download": access.can_download(user, review_round.protocol_version),
            "assignments": assignments,
            "conditions": conditions,
            "history": history,
            "assign_form": assign_form
            or (
                AssignForm(review_round=review_round)
                if chair and not review_round.is_released
                else None
            ),
            "met_form": ConditionMetForm(),
            "criteria": criteria,
        },
        status=status,
    )


@login_required
@require_safe
def round_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    review_round = _round(request, public_id)
    response = _round_page(request, review_round)
    if not access.must_declare(request.user, review_round):
        # A confidential page (reviews, the recommendation): audited as a read.
        record_read(request.user, "governance.round.viewed", review_round)
    return response


@login_required
@require_POST
def round_assign(request: HttpRequest, public_id: Any) -> HttpResponse:
    review_round = _round(request, public_id)
    if not access.can_chair(request.user, review_round):
        access.deny("Only the panel's chair can assign reviewers.")
    form = AssignForm(request.POST, review_round=review_round)
    if not form.is_valid():
        return _round_page(request, review_round, assign_form=form, status=200)
    try:
        assignment = services.assign(review_round, form.cleaned_data["reviewer"], by=request.user)
    except services.WorkflowError as exc:
        form.add_error("reviewer", str(exc))
        return _round_page(request, review_round, assign_form=form)
    messages.success(request, f"{assignment.person} is now a reviewer in this round.")
    return redirect(review_round.get_absolute_url() + "#reviewers")


@login_required
@require_POST
def round_declare(request: HttpRequest, public_id: Any) -> HttpResponse:
    review_round = _round(request, public_id)
    assignment = access.assignment_for(request.user, review_round)
    if assignment is None or assignment.has_declared:
        access.deny("There is no declaration for you to make in this round.")
    form = DeclareForm(request.POST)
    if not form.is_valid():
        return _round_page(request, review_round, declare_form=form)
    has_conflict = form.cleaned_data["conflict"] == "yes"
    services.declare(
        assignment, has_conflict=has_conflict, details=form.cleaned_data["details"], by=request.user
    )
    if has_conflict:
        messages.info(
            request,
            "Thank you. You have declared a conflict of interest, so you will not review "
            "this protocol or see anything of this round.",
        )
        return redirect(
            "governance:dashboard" if access.is_staff_member(request.user) else "governance:panels"
        )
    messages.success(request, "Thank you. You declared no conflict of interest.")
    return redirect(reverse("governance:assessment", args=[review_round.public_id]))


def _assessment_for(request: HttpRequest, review_round: ReviewRound) -> Assessment:
    if not access.can_assess(request.user, review_round):
        access.deny("Only this round's reviewers can record an assessment, before release.")
    assignment = access.assignment_for(request.user, review_round)
    assessment, _ = Assessment.objects.get_or_create(assignment=assignment)
    return assessment


def _assessment_page(
    request: HttpRequest, review_round: ReviewRound, form: AssessmentForm
) -> HttpResponse:
    return _render(request, "assessment_form.html", {"round": review_round, "form": form})


@login_required
@require_safe
def assessment_form(request: HttpRequest, public_id: Any) -> HttpResponse:
    review_round = _round(request, public_id)
    assessment = _assessment_for(request, review_round)
    form = AssessmentForm(
        initial=AssessmentForm.initial_for(assessment), panel_kind=review_round.panel.kind
    )
    record_read(request.user, "governance.assessment.viewed", assessment)
    return _assessment_page(request, review_round, form)


@login_required
@require_POST
def assessment_save(request: HttpRequest, public_id: Any) -> HttpResponse:
    review_round = _round(request, public_id)
    assessment = _assessment_for(request, review_round)
    form = AssessmentForm(request.POST, panel_kind=review_round.panel.kind)
    if not form.is_valid():
        return _assessment_page(request, review_round, form)
    try:
        services.save_assessment(
            assessment,
            ratings=form.ratings(),
            comments=form.cleaned_data["comments"].strip(),
            expected_version=form.cleaned_data["version"],
            by=request.user,
        )
    except services.StaleEdit:
        form.add_error(None, VersionedForm.STALE)
        return _assessment_page(request, review_round, form)
    except services.WorkflowError as exc:
        form.add_error(None, str(exc))
        return _assessment_page(request, review_round, form)
    messages.success(request, "Your assessment is saved.")
    return redirect(review_round.get_absolute_url() + "#assessments")


def _recommendation_for(request: HttpRequest, review_round: ReviewRound) -> Recommendation:
    if not access.can_chair(request.user, review_round):
        access.deny("Only the panel's chair can record the recommendation.")
    if review_round.is_released:
        access.deny("This round has been released; the recommendation can no longer change.")
    return review_round.recommendation


def _recommendation_page(
    request: HttpRequest, review_round: ReviewRound, form: RecommendationForm
) -> HttpResponse:
    return _render(request, "recommendation_form.html", {"round": review_round, "form": form})


@login_required
@require_safe
def recommendation_form(request: HttpRequest, public_id: Any) -> HttpResponse:
    review_round = _round(request, public_id)
    recommendation = _recommendation_for(request, review_round)
    conditions = "\n".join(c.text for c in Condition.objects.filter(round=review_round))
    form = RecommendationForm(
        initial={
            "version": recommendation.version,
            "decision": recommendation.decision,
            "rationale": recommendation.rationale,
            "conditions": conditions,
        }
    )
    record_read(request.user, "governance.recommendation.viewed", recommendation)
    return _recommendation_page(request, review_round, form)


@login_required
@require_POST
def recommendation_save(request: HttpRequest, public_id: Any) -> HttpResponse:
    review_round = _round(request, public_id)
    recommendation = _recommendation_for(request, review_round)
    form = RecommendationForm(request.POST)
    if not form.is_valid():
        return _recommendation_page(request, review_round, form)
    try:
        services.save_recommendation(
            recommendation,
            decision=form.cleaned_data["decision"],
            rationale=form.cleaned_data["rationale"].strip(),
            conditions=form.cleaned_data["condition_list"],
            expected_version=form.cleaned_data["version"],
            by=request.user,
        )
    except services.StaleEdit:
        form.add_error(None, VersionedForm.STALE)
        return _recommendation_page(request, review_round, form)
    except services.WorkflowError as exc:
        form.add_error(None, str(exc))
        return _recommendation_page(request, review_round, form)
    messages.success(request, "The panel's recommendation is saved. Release it when it is final.")
    return redirect(review_round.get_absolute_url() + "#recommendation")


@login_required
@require_POST
def round_release(request: HttpRequest, public_id: Any) -> HttpResponse:
    review_round = _round(request, public_id)
    if not access.can_chair(request.user, review_round):
        access.deny("Only the panel's chair can release the review.")
    try:
        services.release(review_round, by=request.user)
    except services.WorkflowError as exc:
        messages.error(request, str(exc))
        return redirect(review_round.get_absolute_url())
    messages.success(request, "The review is released: the study team can now read it.")
    return redirect(review_round.get_absolute_url())


def _response_page(
    request: HttpRequest, review_round: ReviewRound, form: ResponseForm
) -> HttpResponse:
    return _render(request, "response_form.html", {"round": review_round, "form": form})


@login_required
@require_safe
def response_form(request: HttpRequest, public_id: Any) -> HttpResponse:
    review_round = _round(request, public_id)
    if not access.can_respond(request.user, review_round):
        access.deny("The study team can respond once the review is released.")
    return _response_page(
        request, review_round, ResponseForm(initial={"response": review_round.response})
    )


@login_required
@require_POST
def response_save(request: HttpRequest, public_id: Any) -> HttpResponse:
    review_round = _round(request, public_id)
    if not access.can_respond(request.user, review_round):
        access.deny("The study team can respond once the review is released.")
    form = ResponseForm(request.POST)
    if not form.is_valid():
        return _response_page(request, review_round, form)
    services.respond(review_round, text=form.cleaned_data["response"].strip(), by=request.user)
    messages.success(request, "Your response is saved.")
    return redirect(review_round.get_absolute_url() + "#response")


@login_required
@require_POST
def condition_met(request: HttpRequest, public_id: Any) -> HttpResponse:
    condition = get_object_or_404(Condition.objects.select_related("round"), public_id=public_id)
    review_round = _round(request, condition.round.public_id)
    if not access.can_chair(request.user, review_round):
        access.deny("Only the panel's chair can mark conditions met.")
    form = ConditionMetForm(request.POST)
    note = form.cleaned_data["note"].strip() if form.is_valid() else ""
    try:
        services.condition_met(condition, note=note, by=request.user)
    except services.WorkflowError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Condition marked as met.")
    return redirect(review_round.get_absolute_url() + "#conditions")
