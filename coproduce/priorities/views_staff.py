"""Staff pages for priority setting, mounted at /staff/priorities/.

Anyone with a staff role may look (`require_staff`); only managers change anything
(`require_manager`). Each change writes its audit entry in the same transaction. GET shows;
changes are `@require_POST`.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Exists, Max, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from coproduce.audit.log import action_name, diff, record, snapshot
from coproduce.priorities import analysis, exports, invitations, links, services, similarity
from coproduce.priorities.forms import (
    IndicativeQuestionForm,
    InterimSurveyForm,
    InviteesForm,
    MergeForm,
    OutOfScopeForm,
    PriorityOutcomeForm,
    RoundForm,
    TopTenForm,
    WorkshopForm,
)
from coproduce.priorities.models import (
    Consultation,
    IndicativeQuestion,
    InterimSurvey,
    Invitation,
    Merge,
    Priority,
    StakeholderGroup,
    Submission,
    Workshop,
    WorkshopGroup,
    WorkshopRank,
)
from coproduce.registry.access import is_manager, require_manager, require_staff
from coproduce.staff.records import renderer

PAGE_SIZE = 25
SUGGESTIONS = 8
SUBMISSION_FILTERS = {
    "to-sort": "To sort",
    "merged": "Merged",
    "out-of-scope": "Out of scope",
    "all": "All",
}


_render = renderer(
    "priorities", "priorities/staff/", lambda request: {"can_change": is_manager(request.user)}
)


def _consultation(slug: str) -> Consultation:
    return get_object_or_404(Consultation, slug=slug)


def _detail_url(consultation: Consultation) -> str:
    return reverse("priorities_staff:detail", args=[consultation.slug])


# -- consultations -----------------------------------------------------------------------------


def _count(queryset: Any) -> Any:
    return Coalesce(
        Subquery(
            queryset.order_by().values("consultation").annotate(n=Count("pk")).values("n")[:1]
        ),
        0,
    )


@login_required
@require_safe
def consultation_list(request: HttpRequest) -> HttpResponse:
    require_staff(request.user)
    # One correlated count each: joining invitations and submissions in one GROUP BY would
    # multiply them (2,500 invitees x 10,000 submissions).
    queryset = Consultation.objects.annotate(
        invited=_count(Invitation.objects.filter(consultation=OuterRef("pk"))),
        responded=_count(
            Invitation.objects.filter(
                consultation=OuterRef("pk"), response__submitted_at__isnull=False
            )
        ),
        submission_count=_count(Submission.objects.filter(consultation=OuterRef("pk"))),
    ).order_by("-opens", "title")
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    for consultation in page.object_list:
        rate = services.Rate("", invited=consultation.invited, responded=consultation.responded)
        consultation.percent = rate.percent
    return _render(request, "list.html", {"page": page})


@login_required
@require_safe
def consultation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    require_staff(request.user)
    consultation = _consultation(slug)
    rates = services.response_rates(consultation)
    questions = list(
        consultation.questions.select_related("show_if_question").order_by("position", "pk")
    )
    counts = consultation.submissions.aggregate(
        total=Count("pk"),
        out=Count("pk", filter=Q(out_of_scope=True)),
        merged=Count("pk", filter=Q(merges__isnull=False), distinct=True),
    )
    open_url = ""
    if consultation.open_link_enabled:
        open_url = request.build_absolute_uri(
            reverse("consultations:open", args=[consultation.slug, consultation.open_token])
        )
    return _render(
        request,
        "detail.html",
        {
            "consultation": consultation,
            "rates": rates,
            "charts": [analysis.rate_chart(consultation, rates)] if rates.overall.invited else [],
            "questions": questions,
            "counts": counts,
            "indicative_count": consultation.indicative_questions.count(),
            "surveys": list(consultation.interim_surveys.annotate(n=Count("ballots"))),
            "workshops": list(consultation.workshops.all()),
            "open_url": open_url,
            "not_invited": consultation.invitations.filter(invited_at__isnull=True).count(),
        },
    )


# -- invitees ------------------------------------------------------------------------------------


@login_required
def invitees(request: HttpRequest, slug: str) -> HttpResponse:
    require_staff(request.user)
    consultation = _consultation(slug)
    form = InviteesForm(request.POST or None, consultation=consultation)
    if request.method == "POST":
        require_manager(request.user)
        if form.is_valid():
            with transaction.atomic():
                created = Invitation.objects.bulk_create(
                    Invitation(consultation=consultation, full_name=n, email=e, group=g)
                    for n, e, g in form.cleaned_data["lines"]
                )
                record(
                    request.user,
                    "priorities.consultation.invitees_added",
                    consultation,
                    {"invitees": [None, len(created)]},
                )
            messages.success(request, f"{len(created)} invitees added.")
            return redirect("priorities_staff:invitees", slug=slug)
    queryset = consultation.invitations.select_related("response").order_by(
        "group", "full_name", "pk"
    )
    group = request.GET.get("group", "")
    if group in StakeholderGroup.values:
        queryset = queryset.filter(group=group)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    return _render(
        request,
        "invitees.html",
        {
            "consultation": consultation,
            "page": page,
            "form": form,
            "groups": StakeholderGroup.choices,
            "group": group,
        },
    )


@login_required
@require_POST
def send_invitations(request: HttpRequest, slug: str) -> HttpResponse:
    require_manager(request.user)
    consultation = _consultation(slug)
    if consultation.status != Consultation.Status.OPEN:
        messages.error(request, "Open the consultation before sending invitations.")
        return redirect(_detail_url(consultation))
    with transaction.atomic():
        queued = invitations.send_invitations(consultation)
        record(
            request.user,
            "priorities.consultation.invitations_sent",
            consultation,
            {"queued": [None, queued]},
        )
    messages.success(request, f"{queued} invitations queued to send.")
    return redirect(_detail_url(consultation))


@login_required
@require_POST
def new_link(request: HttpRequest, slug: str, public_id: Any) -> HttpResponse:
    require_manager(request.user)
    invitation = get_object_or_404(Invitation, consultation__slug=slug, public_id=public_id)
    with transaction.atomic():
        invitations.new_link(invitation)
        record(request.user, "priorities.invitation.new_link", invitation, {})
    messages.success(
        request,
        f"Earlier links for {invitation.full_name} no longer work. Send invitations to "
        "email the new one.",
    )
    return redirect("priorities_staff:invitees", slug=slug)


@login_required
@require_safe
def export(request: HttpRequest, slug: str, fmt: str) -> Any:
    require_staff(request.user)
    if fmt not in ("csv", "xlsx"):
        raise Http404("No such format.")
    consultation = _consultation(slug)
    record(request.user, "priorities.consultation.exported", consultation, {"format": [None, fmt]})
    if fmt == "xlsx":
        return exports.xlsx_response(consultation)
    return exports.csv_response(consultation)


# -- submissions ---------------------------------------------------------------------------------


def _submissions(consultation: Consultation) -> Any:
    return consultation.submissions.prefetch_related(
        Prefetch(
            "indicative_questions",
            queryset=IndicativeQuestion.objects.only("public_id", "text"),
        )
    )


@login_required
@require_safe
def submission_list(request: HttpRequest, slug: str) -> HttpResponse:
    require_staff(request.user)
    consultation = _consultation(slug)
    show = request.GET.get("show", "to-sort")
    if show not in SUBMISSION_FILTERS:
        show = "to-sort"
    queryset = _submissions(consultation)
    merged = Exists(Merge.objects.filter(submission=OuterRef("pk")))
    if show == "to-sort":
        queryset = queryset.filter(~merged, out_of_scope=False)
    elif show == "merged":
        queryset = queryset.filter(merged)
    elif show == "out-of-scope":
        queryset = queryset.filter(out_of_scope=True)
    search = request.GET.get("q", "").strip()
    if search:
        queryset = queryset.filter(text__icontains=search)
    page = Paginator(queryset.order_by("pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return _render(
        request,
        "submissions.html",
        {
            "consultation": consultation,
            "page": page,
            "show": show,
            "filters": SUBMISSION_FILTERS,
            "search": search,
            "merge_form": MergeForm(consultation=consultation),
            "scope_form": OutOfScopeForm(),
        },
    )


def _chosen(request: HttpRequest, consultation: Consultation) -> list[Submission]:
    ids = request.POST.getlist("submission")
    return list(consultation.submissions.filter(public_id__in=_uuids(ids)))


def _uuids(values: list[str]) -> list[str]:
    import uuid

    good = []
    for value in values:
        try:
            good.append(str(uuid.UUID(value)))
        except ValueError:
            continue
    return good


def _back(request: HttpRequest, default: str) -> HttpResponse:
    target = request.POST.get("next", "")
    if target.startswith("/staff/priorities/") and "//" not in target:
        return redirect(target)
    return redirect(default)


@login_required
@require_POST
def merge(request: HttpRequest, slug: str) -> HttpResponse:
    require_manager(request.user)
    consultation = _consultation(slug)
    chosen = _chosen(request, consultation)
    form = MergeForm(request.POST, consultation=consultation)
    back = reverse("priorities_staff:submissions", args=[slug])
    if not chosen:
        messages.error(request, "Select at least one submission to merge.")
        return _back(request, back)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return _back(request, back)
    question = services.merge(
        chosen,
        into=form.cleaned_data["into"],
        new_text=form.cleaned_data["new_text"],
        consultation=consultation,
        by=request.user,
    )
    messages.success(
        request,
        f"{len(chosen)} submission{'s' if len(chosen) != 1 else ''} merged into: {question.text}",
    )
    return _back(request, back)


@login_required
@require_POST
def out_of_scope(request: HttpRequest, slug: str) -> HttpResponse:
    require_manager(request.user)
    consultation = _consultation(slug)
    chosen = _chosen(request, consultation)
    form = OutOfScopeForm(request.POST)
    back = reverse("priorities_staff:submissions", args=[slug])
    if not chosen:
        messages.error(request, "Select at least one submission.")
    elif not form.is_valid():
        messages.error(request, "Enter the reason the submissions are out of scope.")
    else:
        n = services.mark_out_of_scope(chosen, form.cleaned_data["reason"], by=request.user)
        messages.success(request, f"{n} marked out of scope.")
    return _back(request, back)


@login_required
@require_POST
def into_scope(request: HttpRequest, slug: str, public_id: Any) -> HttpResponse:
    require_manager(request.user)
    submission = get_object_or_404(Submission, consultation__slug=slug, public_id=public_id)
    services.bring_back_into_scope(submission, by=request.user)
    messages.success(request, "Submission brought back into scope.")
    return redirect("priorities_staff:submission", slug=slug, public_id=public_id)


@login_required
@require_POST
def unmerge(request: HttpRequest, slug: str, public_id: Any, iq: Any) -> HttpResponse:
    require_manager(request.user)
    submission = get_object_or_404(Submission, consultation__slug=slug, public_id=public_id)
    question = get_object_or_404(IndicativeQuestion, consultation__slug=slug, public_id=iq)
    services.unmerge(submission, question, by=request.user)
    messages.success(request, "Submission taken out of the indicative question.")
    return _back(request, reverse("priorities_staff:submission", args=[slug, public_id]))


def _suggest_submissions(
    consultation: Consultation, text: str, exclude_pk: int | None = None
) -> list[tuple[Submission, float]]:
    """The unsorted in-scope submissions most like `text`, best first: scored by the
    consultation's cached index (similarity.submission_index), among the pks that are unsorted
    now, then the few suggested rows loaded."""
    pool = list(
        consultation.submissions.filter(merges__isnull=True, out_of_scope=False)
        .exclude(pk=exclude_pk or 0)
        .order_by()
        .values_list("pk", flat=True)
    )
    if not pool:
        return []
    best = similarity.submission_index(consultation).nearest(text, SUGGESTIONS, among=pool)
    if not best:
        return []
    # consultation_id too: the related manager sets each row's consultation, and a deferred
    # consultation_id would cost one query per submission.
    rows = consultation.submissions.filter(pk__in=[pk for pk, _ in best]).only(
        "pk", "public_id", "text", "group", "consultation_id"
    )
    by_pk = {row.pk: row for row in rows}
    return [(by_pk[pk], score) for pk, score in best if pk in by_pk]


@login_required
@require_safe
def submission_detail(request: HttpRequest, slug: str, public_id: Any) -> HttpResponse:
    require_staff(request.user)
    consultation = _consultation(slug)
    submission = get_object_or_404(
        Submission.objects.select_related("response", "question"),
        consultation=consultation,
        public_id=public_id,
    )
    went_to = list(
        submission.merges.select_related("indicative_question", "merged_by").order_by("merged_at")
    )
    questions = list(
        consultation.indicative_questions.only("pk", "public_id", "text", "consultation_id")
    )
    similar_questions: list[tuple[IndicativeQuestion, float]] = []
    if questions:
        index = similarity.question_index(consultation, [q.text for q in questions])
        similar_questions = [(questions[i], s) for i, s in index.nearest(submission.text, 5)]
    return _render(
        request,
        "submission.html",
        {
            "consultation": consultation,
            "submission": submission,
            "went_to": went_to,
            "similar": _suggest_submissions(consultation, submission.text, submission.pk),
            "similar_questions": similar_questions,
            "backend": similarity.backend_name(),
            "merge_form": MergeForm(consultation=consultation),
            "scope_form": OutOfScopeForm(),
        },
    )


# -- indicative questions ------------------------------------------------------------------------


@login_required
@require_safe
def indicative_list(request: HttpRequest, slug: str) -> HttpResponse:
    require_staff(request.user)
    consultation = _consultation(slug)
    queryset = consultation.indicative_questions.annotate(
        source_count=Count("merges", distinct=True)
    ).order_by("text")
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    return _render(request, "indicative_list.html", {"consultation": consultation, "page": page})


@login_required
def indicative_detail(request: HttpRequest, slug: str, public_id: Any) -> HttpResponse:
    require_staff(request.user)
    consultation = _consultation(slug)
    question = get_object_or_404(IndicativeQuestion, consultation=consultation, public_id=public_id)
    before = snapshot(question)
    form = IndicativeQuestionForm(request.POST or None, instance=question)
    if request.method == "POST":
        require_manager(request.user)
        if form.is_valid():
            with transaction.atomic():
                saved = form.save()
                record(
                    request.user, action_name(saved, "updated"), saved,
                    diff(before, snapshot(saved)),
                )  # fmt: skip
            messages.success(request, "Indicative question saved.")
            return redirect("priorities_staff:indicative", slug=slug, public_id=public_id)
    sources = list(
        question.merges.select_related("submission", "merged_by").order_by("submission_id")
    )
    return _render(
        request,
        "indicative.html",
        {
            "consultation": consultation,
            "question": IndicativeQuestion.objects.get(pk=question.pk),
            "form": form,
            "sources": sources,
            "similar": _suggest_submissions(consultation, question.text),
            "backend": similarity.backend_name(),
            "priorities": list(question.priorities.select_related("workshop", "study")),
        },
    )


# -- interim survey ------------------------------------------------------------------------------


@login_required
def survey_create(request: HttpRequest, slug: str) -> HttpResponse:
    require_manager(request.user)
    consultation = _consultation(slug)
    initial = {
        "title": f"Interim priority setting survey: {consultation.title}",
        "questions": list(
            consultation.indicative_questions.exclude(
                evidence_status=IndicativeQuestion.Evidence.ANSWERED
            ).values_list("pk", flat=True)
        ),
    }
    form = InterimSurveyForm(request.POST or None, initial=initial, consultation=consultation)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            survey = form.save(commit=False)
            survey.consultation = consultation
            survey.save()
            form.save_m2m()
            record(request.user, action_name(survey, "created"), survey, diff({}, snapshot(survey)))
        return redirect("priorities_staff:survey", slug=slug, public_id=survey.public_id)
    return _render(request, "survey_form.html", {"form": form, "consultation": consultation})


@login_required
@require_safe
def survey_detail(request: HttpRequest, slug: str, public_id: Any) -> HttpResponse:
    require_staff(request.user)
    consultation = _consultation(slug)
    survey = get_object_or_404(InterimSurvey, consultation=consultation, public_id=public_id)
    result = analysis.interim_result(survey)
    labels = dict(StakeholderGroup.choices)
    shortlist = result.shortlist(survey.shortlist_size)
    return _render(
        request,
        "survey.html",
        {
            "consultation": consultation,
            "survey": survey,
            "result": result,
            "shortlist_ids": {row.question.pk for row in shortlist},
            "groups": [(g, labels[g]) for g in StakeholderGroup.values],
            "counted": [labels[g] for g in result.groups_counted],
            "not_counted": [labels[g] for g in result.groups_without_ballots],
            "ballot_url": request.build_absolute_uri(
                reverse("consultations:ballot", args=[survey.open_token])
            ),
        },
    )


@login_required
@require_POST
def survey_shortlist(request: HttpRequest, slug: str, public_id: Any) -> HttpResponse:
    """Record the current top `shortlist_size` (ties at the boundary included)."""
    require_manager(request.user)
    consultation = _consultation(slug)
    survey = get_object_or_404(InterimSurvey, consultation=consultation, public_id=public_id)
    chosen = {row.question.pk for row in analysis.interim_result(survey).shortlist(
        survey.shortlist_size)}  # fmt: skip
    with transaction.atomic():
        consultation.indicative_questions.exclude(pk__in=chosen).update(shortlisted=False)
        consultation.indicative_questions.filter(pk__in=chosen).update(shortlisted=True)
        record(
            request.user, "priorities.interimsurvey.shortlisted", survey,
            {"shortlist": [None, len(chosen)]},
        )  # fmt: skip
    messages.success(request, f"{len(chosen)} questions shortlisted for the workshop.")
    return redirect("priorities_staff:survey", slug=slug, public_id=public_id)


# -- final workshop ------------------------------------------------------------------------------


def _workshop(consultation: Consultation, public_id: Any) -> Workshop:
    return get_object_or_404(
        Workshop.objects.select_related("consultation"),
        consultation=consultation,
        public_id=public_id,
    )


def _workshop_url(workshop: Workshop) -> str:
    return reverse(
        "priorities_staff:workshop", args=[workshop.consultation.slug, workshop.public_id]
    )


@login_required
def workshop_create(request: HttpRequest, slug: str) -> HttpResponse:
    require_manager(request.user)
    consultation = _consultation(slug)
    form = WorkshopForm(
        request.POST or None,
        instance=Workshop(consultation=consultation),
        initial={"title": f"Priority setting workshop: {consultation.title}"},
    )
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            workshop = form.save()
            WorkshopGroup.objects.bulk_create(
                WorkshopGroup(workshop=workshop, name=n) for n in form.cleaned_data["groups_text"]
            )
            record(
                request.user, action_name(workshop, "created"), workshop,
                {**diff({}, snapshot(workshop)),
                 "groups": [None, form.cleaned_data["groups_text"]]},
            )  # fmt: skip
        messages.success(request, f"Workshop {workshop.title} set up.")
        return redirect(_workshop_url(workshop))
    return _render(
        request, "workshop_form.html", {"form": form, "consultation": consultation,
                                        "workshop": None}
    )  # fmt: skip


@login_required
def workshop_edit(request: HttpRequest, slug: str, public_id: Any) -> HttpResponse:
    require_manager(request.user)
    consultation = _consultation(slug)
    workshop = _workshop(consultation, public_id)
    before = snapshot(workshop)
    form = WorkshopForm(request.POST or None, instance=workshop)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            workshop = form.save()
            added = form.cleaned_data["groups_text"]
            WorkshopGroup.objects.bulk_create(
                WorkshopGroup(workshop=workshop, name=n) for n in added
            )
            changes = diff(before, snapshot(workshop))
            if added:
                changes["groups added"] = [None, added]
            record(request.user, action_name(workshop, "updated"), workshop, changes)
        messages.success(request, "Workshop saved.")
        return redirect(_workshop_url(workshop))
    return _render(
        request,
        "workshop_form.html",
        {"form": form, "consultation": consultation,
         "workshop": Workshop.objects.get(pk=workshop.pk)},
    )  # fmt: skip


@login_required
@require_safe
def workshop_detail(request: HttpRequest, slug: str, public_id: Any) -> HttpResponse:
    require_staff(request.user)
    consultation = _consultation(slug)
    workshop = _workshop(consultation, public_id)
    questions = analysis.workshop_questions(workshop)
    rounds = analysis.workshop_results(workshop, questions)
    priorities = list(workshop.priorities.select_related("question", "study"))
    return _render(
        request,
        "workshop.html",
        {
            "consultation": consultation,
            "workshop": workshop,
            "groups": list(workshop.groups.all()),
            "questions": questions,
            "rounds": [(r, analysis.round_chart(workshop, r)) for r in reversed(rounds)],
            "next_round": (rounds[-1].number + 1) if rounds else 1,
            "priorities": priorities,
        },
    )


@login_required
def workshop_round(request: HttpRequest, slug: str, public_id: Any, number: int) -> HttpResponse:
    """Enter (or correct) one round's ranks for every small group; saved all or nothing."""
    require_manager(request.user)
    consultation = _consultation(slug)
    workshop = _workshop(consultation, public_id)
    ranks = WorkshopRank.objects.filter(group__workshop=workshop)
    last = ranks.aggregate(last=Max("round"))["last"] or 0
    if not 1 <= number <= last + 1:
        raise Http404("No such round.")
    groups = list(workshop.groups.all())
    questions = analysis.workshop_questions(workshop)
    initial = {
        RoundForm.key(r.group, r.question): str(r.rank)
        for r in ranks.filter(round=number).select_related("group", "question")
    }
    data = request.POST if request.method == "POST" else None
    form = RoundForm(data, initial=initial, groups=groups, questions=questions)
    if request.method == "POST" and form.is_valid():
        stored = services.save_round(workshop, number, form.ranks, by=request.user)
        messages.success(
            request,
            f"Round {number} saved: {stored} ranks from {len(form.ranks)} "
            f"group{'s' if len(form.ranks) != 1 else ''}.",
        )
        return redirect(_workshop_url(workshop) + f"#chart-round-{number}")
    return _render(
        request,
        "workshop_round.html",
        {
            "consultation": consultation,
            "workshop": workshop,
            "number": number,
            "form": form,
            "sections": [(g, form.fields_of(g)) for g in groups],
        },
    )


@login_required
def workshop_top_ten(request: HttpRequest, slug: str, public_id: Any) -> HttpResponse:
    """Record the agreed top 10, suggested from the last round's aggregated ranking."""
    require_manager(request.user)
    consultation = _consultation(slug)
    workshop = _workshop(consultation, public_id)
    questions = analysis.workshop_questions(workshop)
    current = list(workshop.priorities.order_by("position").values_list("question_id", flat=True))
    if not current:
        rounds = analysis.workshop_results(workshop, questions)
        current = [row.question.pk for row in rounds[-1].rows] if rounds else []
    initial = {f"position_{n}": str(pk) for n, pk in enumerate(current[: TopTenForm.SIZE], 1)}
    form = TopTenForm(
        request.POST if request.method == "POST" else None, initial=initial, questions=questions
    )
    if request.method == "POST" and form.is_valid():
        services.set_top_ten(workshop, form.chosen, by=request.user)
        messages.success(request, f"The agreed top {len(form.chosen)} is recorded.")
        return redirect(_workshop_url(workshop) + "#agreed")
    return _render(
        request,
        "workshop_top_ten.html",
        {"consultation": consultation, "workshop": workshop, "form": form},
    )


@login_required
@require_POST
def workshop_publish(request: HttpRequest, slug: str, public_id: Any) -> HttpResponse:
    require_manager(request.user)
    consultation = _consultation(slug)
    workshop = _workshop(consultation, public_id)
    publish = request.POST.get("published") == "yes"
    if publish and not workshop.priorities.exists():
        messages.error(request, "Record the agreed top 10 before publishing it.")
    else:
        services.set_published(workshop, publish, by=request.user)
        messages.success(
            request,
            "The agreed top 10 is shown on the public priorities page."
            if publish
            else "The agreed top 10 is no longer shown on the public priorities page.",
        )
    return redirect(_workshop_url(workshop) + "#agreed")


@login_required
def priority_outcome(
    request: HttpRequest, slug: str, public_id: Any, position: int
) -> HttpResponse:
    """Record or edit what became of one agreed priority."""
    require_manager(request.user)
    consultation = _consultation(slug)
    workshop = _workshop(consultation, public_id)
    priority = get_object_or_404(
        Priority.objects.select_related("question", "study"), workshop=workshop, position=position
    )
    before = snapshot(priority)
    form = PriorityOutcomeForm(
        request.POST if request.method == "POST" else None, instance=priority
    )
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            saved = form.save()
            record(
                request.user, "priorities.priority.outcome", saved,
                diff(before, snapshot(saved)),
            )  # fmt: skip
        messages.success(request, f"Outcome of priority {position} saved.")
        return redirect(_workshop_url(workshop) + "#agreed")
    return _render(
        request,
        "priority_outcome.html",
        {"consultation": consultation, "workshop": workshop, "priority": priority, "form": form},
    )


__all__ = ["links"]
