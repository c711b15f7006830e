"""The staff page for API tokens: create one (its secret is shown once), list, revoke.

Every staff member may hold tokens; managers also see and may revoke everyone's (a leaver's
tokens stop working anyway, because the API checks the owner's staff role on every call).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_POST, require_safe

from coproduce.api.forms import TokenForm
from coproduce.apitokens.models import ApiToken
from coproduce.audit.log import record
from coproduce.registry.access import is_manager, require_staff
from coproduce.staff.records import renderer

PAGE_SIZE = 25


def _visible_tokens(user: Any) -> Any:
    tokens = ApiToken.objects.select_related("owner")
    return tokens if is_manager(user) else tokens.filter(owner=user)


_render = renderer(
    "api_tokens",
    "",
    lambda request: {"section_url": reverse("api_tokens:list"), "section_label": "API tokens"},
)


def _list_page(request: HttpRequest, form: TokenForm) -> HttpResponse:
    page = Paginator(_visible_tokens(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return _render(
        request,
        "api/tokens.html",
        {"form": form, "page": page, "show_owner": is_manager(request.user)},
    )


@login_required
@require_safe
def token_list(request: HttpRequest) -> HttpResponse:
    require_staff(request.user)
    return _list_page(request, TokenForm())


@login_required
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    require_staff(request.user)
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _list_page(request, form)
    with transaction.atomic():
        data = form.cleaned_data
        token, secret = ApiToken.objects.issue(
            request.user,
            data["name"],
            access=data["access"],
            areas=data["areas"],
            expires=data["expires"],
        )
        record(
            request.user,
            "api.apitoken.created",
            token,
            {
                "name": [None, token.name],
                "access": [None, token.access],
                "areas": [None, token.areas],
                "expires": [None, token.expires.isoformat() if token.expires else None],
            },
        )
    # Rendered, not redirected: the secret is never stored, so this response is its only copy.
    response = _render(request, "api/token_created.html", {"token": token, "secret": secret})
    add_never_cache_headers(response)
    return response


@login_required
@require_POST
def token_revoke(request: HttpRequest, public_id: str) -> HttpResponse:
    require_staff(request.user)
    token = _visible_tokens(request.user).filter(public_id=public_id).first()
    if token is None:
        raise Http404("No such token.")
    with transaction.atomic():
        if token.revoke():
            record(
                request.user,
                "api.apitoken.revoked",
                token,
                {"revoked": [None, token.revoked.isoformat() if token.revoked else None]},
            )
    messages.success(request, f"Token ‘{token.name}’ ({token.prefix}…) is revoked.")
    return redirect("api_tokens:list")
