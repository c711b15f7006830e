"""Respondent pages, mounted at /consultations/: a personal invitation link, the open link,
the link an open-link respondent gets when they first save, and the interim survey.

GET shows and never changes anything (mail scanners follow links); the form's POST saves
("Save and come back later") or submits. A submitted response is shown, not changed again.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from coproduce.priorities import links, services
from coproduce.priorities.forms import BallotForm
from coproduce.priorities.models import (
    Consultation,
    InterimSurvey,
    Invitation,
    Question,
    Response,
)
from coproduce.priorities.questionnaire import QuestionnaireForm
from coproduce.security import formlimits


def _link_problem(request: HttpRequest, error: links.BadLink) -> HttpResponse:
    return render(
        request,
        "priorities/link_problem.html",
        {"expired": isinstance(error, links.ExpiredLink)},
        status=404,
    )


def _summary(questions: list[Question], answers: dict[int, Any]) -> list[tuple[Question, Any]]:
    rows = []
    for question in questions:
        value = answers.get(question.pk)
        if value is None:
            continue
        if isinstance(value, list):
            value = (
                [f"{n}. {v}" for n, v in enumerate(value, 1)]
                if question.kind == Question.Kind.RANKING
                else value
            )
        rows.append((question, value))
    return rows


def _respond(
    request: HttpRequest,
    consultation: Consultation,
    *,
    invitation: Invitation | None = None,
    response: Response | None = None,
    open_link: bool = False,
) -> HttpResponse:
    if consultation.status == Consultation.Status.DRAFT:
        raise Http404("No such consultation.")
    questions = list(consultation.questions.order_by("position", "pk"))
    if response is None and invitation is not None:
        response = Response.objects.filter(invitation=invitation).first()
    context: dict[str, Any] = {
        "consultation": consultation,
        "invitation": invitation,
        "response": response,
        "open_link": open_link,
    }
    if response is not None and response.is_submitted:
        context["summary"] = _summary(questions, services.answers_of(response))
        return render(request, "priorities/submitted.html", context)
    if not consultation.is_open:
        return render(request, "priorities/closed.html", context)
    ask_group = open_link and response is None
    status = 200
    if request.method == "POST":
        submitting = "submit" in request.POST
        form = QuestionnaireForm(
            questions, request.POST, submitting=submitting, ask_group=ask_group
        )
        # The open link's first save writes a new response: limited per client like any
        # public form (formlimits). Later saves go to the response's own unguessable link.
        if form.is_valid() and ask_group:
            refusal = formlimits.admit(request, "consultation")
            if refusal is not None:
                form.add_error(None, refusal.message)
                status = refusal.status
        if form.is_valid():
            try:
                response = services.save_response(
                    consultation,
                    form.answers,
                    response=response,
                    invitation=invitation,
                    group=form.cleaned_data.get("group", ""),
                    submit=submitting,
                )
            except services.AlreadySubmitted:
                pass  # submitted meanwhile (another tab): fall through to the page that says so
            else:
                if submitting:
                    messages.success(request, "Thank you. Your response has been submitted.")
                else:
                    messages.success(
                        request,
                        "Your answers are saved. "
                        + (
                            "Use the link in your invitation email to come back to them."
                            if invitation
                            else "Bookmark this page, or copy its address, to come back to them."
                        ),
                    )
            assert response is not None
            return redirect(links.response_path(response))
    else:
        form = QuestionnaireForm(
            questions, answers=services.answers_of(response), ask_group=ask_group
        )
    context["form"] = form
    return render(request, "priorities/respond.html", context, status=status)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    try:
        found = links.read_invitation_token(token)
    except links.BadLink as error:
        return _link_problem(request, error)
    return _respond(request, found.consultation, invitation=found)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def response(request: HttpRequest, token: str) -> HttpResponse:
    try:
        found = links.read_response_token(token)
    except links.BadLink as error:
        return _link_problem(request, error)
    if found.invitation is not None:  # invitees return by their invitation link
        return redirect(links.invitation_path(found.invitation))
    return _respond(request, found.consultation, response=found, open_link=True)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def open_link(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    consultation = get_object_or_404(
        Consultation, slug=slug, open_token=token, open_link_enabled=True
    )
    return _respond(request, consultation, open_link=True)


# -- interim survey ----------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def ballot(request: HttpRequest, token: str) -> HttpResponse:
    survey = get_object_or_404(
        InterimSurvey.objects.select_related("consultation").exclude(
            status=InterimSurvey.Status.DRAFT
        ),
        open_token=token,
    )
    questions = list(survey.questions.order_by("text"))
    context: dict[str, Any] = {"survey": survey}
    if survey.status != InterimSurvey.Status.OPEN:
        return render(request, "priorities/ballot_closed.html", context)
    status = 200
    if request.method == "POST":
        form = BallotForm(request.POST, questions=questions, max_picks=survey.max_picks)
        if form.is_valid():
            refusal = formlimits.admit(request, "ballot")
            if refusal is None:
                services.cast_ballot(survey, form.cleaned_data["group"], form.ranked)
                return redirect("consultations:ballot_thanks", token=token)
            form.add_error(None, refusal.message)
            status = refusal.status
    else:
        form = BallotForm(questions=questions, max_picks=survey.max_picks)
    context["form"] = form
    context["question_fields"] = [form[f"iq_{q.pk}"] for q in questions]
    return render(request, "priorities/ballot.html", context, status=status)


@require_safe
def ballot_thanks(request: HttpRequest, token: str) -> HttpResponse:
    survey = get_object_or_404(InterimSurvey, open_token=token)
    return render(request, "priorities/ballot_thanks.html", {"survey": survey})
