"""Public pages for associates: join, confirm by email, and manage choices by signed link.

GET never changes anything here: mail scanners and link previewers follow every link in an
email, so each link opens a page with a button, and only the button's POST acts.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from coproduce.audit.log import record_read
from coproduce.community import links, registration, services, tasks
from coproduce.community.forms_associates import (
    JoinForm,
    LinkRequestForm,
    ManageForm,
    current_wordings,
    sign_wordings,
)
from coproduce.community.models import (
    Associate,
    Channel,
    CommunityOfPractice,
    ConsentRecord,
    ConsentWording,
)
from coproduce.lib.spam import issue_form_token
from coproduce.registry.models import Theme
from coproduce.security import formlimits

_TEMPLATES = "community/associates"


def _page(
    request: HttpRequest, name: str, context: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    return render(request, f"{_TEMPLATES}/{name}.html", context or {}, status=status)


# --- Joining ---------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def join(request: HttpRequest) -> HttpResponse:
    wordings = current_wordings()
    status = 200
    if request.method == "POST":
        form = JoinForm(request.POST, wordings=wordings)
        refusal = None
        if form.is_valid():
            refusal = formlimits.admit(
                request,
                "join",
                token=form.cleaned_data["form_token"],
                addresses=[form.cleaned_data["email"]],
            )
            if refusal is not None:
                form.add_error(None, refusal.message)
                status = refusal.status
        if form.is_valid() and refusal is None:
            data = form.cleaned_data
            entry = registration.register(
                registration.Answers(
                    full_name=data["full_name"],
                    email=data["email"],
                    organisation=data["organisation"],
                    role=data["role"],
                    interests=list(data["interests"]),
                    communities=list(data["communities"]),
                    consents=form.consents(),
                    wordings=form.shown_wordings,
                )
            )
            if entry is not None:
                entry_id = entry.pk
                transaction.on_commit(lambda: tasks.send_confirmation.enqueue(entry_id))
            return redirect("associates:join_sent")
        # Fresh token and wordings: the page shown next is the one whose words will count.
        resubmit = request.POST.copy()
        resubmit["form_token"] = issue_form_token()
        resubmit["wordings"] = sign_wordings(wordings)
        form.data = resubmit
    else:
        form = JoinForm(initial={"form_token": issue_form_token()}, wordings=wordings)
    return _page(request, "join", {"form": form}, status=status)


@require_safe
def join_sent(request: HttpRequest) -> HttpResponse:
    # The same page whether or not we knew the address: it must reveal nothing.
    return _page(request, "join_sent", {"valid_days": registration.MAX_AGE.days})


def _link_problem(request: HttpRequest, error: registration.RegistrationLinkError) -> HttpResponse:
    if isinstance(error, registration.UsedLink):
        return _page(request, "confirm_problem", {"problem": "used"})
    if isinstance(error, registration.ExpiredLink):
        return _page(
            request,
            "confirm_problem",
            {"problem": "expired", "valid_days": registration.MAX_AGE.days},
            status=410,
        )
    return _page(request, "confirm_problem", {"problem": "unknown"}, status=404)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    try:
        entry = registration.find(token)
    except registration.RegistrationLinkError as error:
        return _link_problem(request, error)
    if request.method == "POST":
        try:
            associate = registration.confirm(token)
        except registration.RegistrationLinkError as error:  # used by a click a moment ago
            return _link_problem(request, error)
        transaction.on_commit(lambda: tasks.send_welcome.enqueue(associate.pk))
        return redirect("associates:confirmed")
    payload = entry.payload
    chosen = [channel for channel, granted in payload.get("consents", {}).items() if granted]
    return _page(
        request,
        "confirm",
        {
            "entry": entry,
            "full_name": payload.get("full_name", ""),
            "organisation": payload.get("organisation", ""),
            "role": Associate.Role(payload["role"]).label
            if payload.get("role") in Associate.Role.values
            else "",
            "themes": Theme.objects.filter(pk__in=payload.get("interests", [])),
            "communities": CommunityOfPractice.objects.filter(
                pk__in=payload.get("communities", [])
            ),
            "channels": [Channel(channel).label for channel in chosen if channel in Channel.values],
        },
    )


@require_safe
def confirmed(request: HttpRequest) -> HttpResponse:
    return _page(request, "confirmed")


# --- Self-service by signed link --------------------------------------------------------------


def _associate_or_problem(
    request: HttpRequest, token: str
) -> tuple[Associate | None, HttpResponse | None]:
    try:
        return links.read_token(token), None
    except links.BadLink as error:
        expired = isinstance(error, links.ExpiredLink)
        return None, _page(
            request,
            "link_problem",
            {"expired": expired, "link_days": links.MAX_AGE.days},
            status=404,
        )


def _manage_initial(associate: Associate, wordings: dict[str, ConsentWording]) -> dict[str, Any]:
    initial: dict[str, Any] = {
        "communities": list(
            associate.memberships.filter(left__isnull=True).values_list("cop__slug", flat=True)
        )
    }
    consents = associate.consents()
    for channel in wordings:
        initial[f"consent_{channel}"] = consents[channel]
    return initial


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def manage(request: HttpRequest, token: str) -> HttpResponse:
    associate, problem = _associate_or_problem(request, token)
    if associate is None:
        return problem or _page(request, "link_problem", status=404)
    wordings = current_wordings()
    if request.method == "POST":
        form = ManageForm(request.POST, wordings=wordings)
        if form.is_valid():
            with transaction.atomic():
                services.set_communities(associate, list(form.cleaned_data["communities"]))
                for channel, granted in form.consents().items():
                    # The words on the page they submitted, not whatever is newest now.
                    services.record_consent(
                        associate,
                        channel,
                        granted,
                        ConsentRecord.Method.PREFERENCES,
                        wording=form.shown_wordings.get(channel),
                    )
            messages.success(request, "Your choices have been saved.")
            return redirect("associates:manage", token=token)
        resubmit = request.POST.copy()
        resubmit["wordings"] = sign_wordings(wordings)
        form.data = resubmit
    else:
        form = ManageForm(initial=_manage_initial(associate, wordings), wordings=wordings)
    return _page(request, "manage", {"form": form, "associate": associate, "token": token})


@never_cache
@require_safe
def manage_data(request: HttpRequest, token: str) -> HttpResponse:
    associate, problem = _associate_or_problem(request, token)
    if associate is None:
        return problem or _page(request, "link_problem", status=404)
    body = json.dumps(services.export_data(associate), indent=2, ensure_ascii=False)
    # Audited like any export of personal data: whoever holds the link can download it.
    record_read(
        "the associate (own link)", "community.associate.downloaded", associate, via="self-service"
    )
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="my-associate-data.json"'
    return response


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def manage_erase(request: HttpRequest, token: str) -> HttpResponse:
    associate, problem = _associate_or_problem(request, token)
    if associate is None:
        return problem or _page(request, "link_problem", status=404)
    if request.method == "POST":
        email = associate.email
        with transaction.atomic():
            services.erase(associate, via="self-service")
            # Registrations hold the address and the answers: they go too.
            registration.forget(associate, email)
        return _page(request, "erased")
    return _page(request, "erase", {"associate": associate, "token": token})


@require_http_methods(["GET", "HEAD", "POST"])
def manage_request(request: HttpRequest) -> HttpResponse:
    status = 200
    if request.method == "POST":
        form = LinkRequestForm(request.POST)
        if form.is_valid():
            email = form.cleaned_data["email"]
            refusal = formlimits.admit(
                request, "manage-link", token=form.cleaned_data["form_token"], addresses=[email]
            )
            if refusal is None:
                associate = Associate.objects.active().filter(email=email).first()
                if associate is not None:
                    associate_id = associate.pk
                    transaction.on_commit(lambda: tasks.send_manage_link.enqueue(associate_id))
                return redirect("associates:manage_request_sent")
            form.add_error(None, refusal.message)
            status = refusal.status
        resubmit = request.POST.copy()
        resubmit["form_token"] = issue_form_token()
        form.data = resubmit
    else:
        form = LinkRequestForm(initial={"form_token": issue_form_token()})
    return _page(request, "manage_request", {"form": form}, status=status)


@require_safe
def manage_request_sent(request: HttpRequest) -> HttpResponse:
    return _page(request, "manage_request_sent", {"link_days": links.MAX_AGE.days})
