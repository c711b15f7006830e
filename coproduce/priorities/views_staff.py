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
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from coproduce.audit.log import action_name, diff, record, snapshot
from coproduce.priorities import analysis, exports, invitations, links, services, similarity
from coproduce.priorities.forms import (
    ConsultationForm,
    IndicativeQuestionForm,
    InterimSurveyForm,
    InviteesForm,
    MergeForm,
    OutOfScopeForm,
    QuestionForm,
)
from coproduce.priorities.models import (
    Consultation,
    IndicativeQuestion,
    InterimSurvey,
    Invitation,
    Question,
    StakeholderGroup,
    Submission,
)
from coproduce.registry.access import is_manager, require_manager, require_staff

PAGE_SIZE = 25
SUGGESTIONS = 8
SUBMISSION_FILTERS = {
    "to-sort": "To sort",
    "merged": "Merged",
    "out-of-scope": "Out of scope",
    "all": "All",
}


def _render(
    request: HttpRequest, template: str, context: dict[str, Any], *, status: int = 200
) -> HttpResponse:
    from coproduce.staff.navigation import staff_nav

    context = {
        **context,
        "staff_nav": staff_nav("priorities"),
        "can_change": is_manager(request.user),
    }
    return render(request, f"priorities/staff/{template}", context, status=status)


def _consultation(slug: str) -> Consultation:
    return get_object_or_404(Consultation, slug=slug)


def _detail_url(consultation: Consultation) -> str:
    return reverse("priorities_staff:detail", args=[consultation.slug])


# -- consultations -----------------------------------------------------------------------------


@login_required
@require_GET
def consultation_list(request: HttpRequest) -> HttpResponse:
    require_staff(request.user)
    queryset = Consultation.objects.annotate(
        invited=Count("invitations", distinct=True),
        responded=Count(
            "invitations",
            filter=Q(invitations__response__submitted_at__isnull=False),
            distinct=True,
        ),
        submission_count=Count("submissions", distinct=True),
    ).order_by("-opens", "title")
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    for consultation in page.object_list:
        rate = services.Rate("", invited=consultation.invited, responded=consultation.responded)
        consultation.percent = rate.percent
    return _render(request, "list.html", {"page": page})


@login_required
@require_GET
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


def _form_page(
    request: HttpRequest, form: ConsultationForm, consultation: Consultation | None
) -> HttpResponse:
    return _render(request, "form.html", {"form": form, "consultation": consultation})


@login_required
def consultation_create(request: HttpRequest) -> HttpResponse:
    require_manager(request.user)
    form = ConsultationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            consultation = form.save()
            record(
                request.user,
                action_name(consultation, "created"),
                consultation,
                diff({}, snapshot(consultation)),
            )
        messages.success(request, f"Consultation {consultation.title} created.")
        return redirect(_detail_url(consultation))
    return _form_page(request, form, None)


@login_required
def consultation_edit(request: HttpRequest, slug: str) -> HttpResponse:
    require_manager(request.user)
    consultation = _consultation(slug)
    before = snapshot(consultation)
    form = ConsultationForm(request.POST or None, instance=consultation)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            consultation = form.save()
            record(
                request.user,
                action_name(consultation, "updated"),
                consultation,
                diff(before, snapshot(consultation)),
            )
        messages.success(request, "Consultation saved.")
        return redirect(_detail_url(consultation))
    return _form_page(request, form, Consultation.objects.get(pk=consultation.pk))


# -- questions -----------------------------------------------------------------------------------


@login_required
def question_edit(request: HttpRequest, slug: str, public_id: Any = None) -> HttpResponse:
    require_manager(request.user)
    consultation = _consultation(slug)
    question = None
    if public_id is not None:
        question = get_object_or_404(Question, consultation=consultation, public_id=public_id)
    else:
        last = consultation.questions.order_by("-position").first()
        question = Question(consultation=consultation, position=(last.position + 1 if last else 1))
    before = snapshot(question) if question.pk else {}
    form = QuestionForm(request.POST or None, instance=question, consultation=consultation)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            verb = "updated" if question.pk else "created"
            saved = form.save()
            record(request.user, action_name(saved, verb), saved, diff(before, snapshot(saved)))
        messages.success(request, f"Question {saved.position} saved.")
        return redirect(_detail_url(consultation))
    return _render(
        request,
        "question_form.html",
        {"form": form, "consultation": consultation, "question": question},
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
@require_GET
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
    return consultation.submissions.annotate(merge_count=Count("merges")).prefetch_related(
        Prefetch(
            "indicative_questions",
            queryset=IndicativeQuestion.objects.only("public_id", "text"),
        )
    )


@login_required
@require_GET
def submission_list(request: HttpRequest, slug: str) -> HttpResponse:
    require_staff(request.user)
    consultation = _consultation(slug)
    show = request.GET.get("show", "to-sort")
    if show not in SUBMISSION_FILTERS:
        show = "to-sort"
    queryset = _submissions(consultation)
    if show == "to-sort":
        queryset = queryset.filter(merge_count=0, out_of_scope=False)
    elif show == "merged":
        queryset = queryset.filter(merge_count__gt=0)
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
    """The unsorted in-scope submissions most like `text`, best first."""
    pool = list(
        consultation.submissions.filter(merges__isnull=True, out_of_scope=False)
        .exclude(pk=exclude_pk or 0)
        .only("pk", "public_id", "text", "group")
        .order_by("pk")
    )
    if not pool:
        return []
    index = similarity.build_index([s.text for s in pool])
    return [(pool[i], score) for i, score in index.nearest(text, SUGGESTIONS)]


@login_required
@require_GET
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
    questions = list(consultation.indicative_questions.only("pk", "public_id", "text"))
    similar_questions: list[tuple[IndicativeQuestion, float]] = []
    if questions:
        index = similarity.build_index([q.text for q in questions])
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
@require_GET
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
@require_GET
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


__all__ = ["links"]
