"""Public email endpoints: unsubscribe (RFC 8058 one-click) and bounces posted by the relay.

Unsubscribe: every mailing carries `List-Unsubscribe: <.../email/unsubscribe/<token>/>` and
`List-Unsubscribe-Post: List-Unsubscribe=One-Click`. Mail providers POST to that address with no
cookies and no CSRF token, so the view is CSRF-exempt: the signed token in the address is the
proof. GET only shows a page with a button (mail scanners follow links), and never changes
anything. A POST withdraws the token's channel, or every channel with `scope=all`; withdrawing
cancels that channel's unsent outbox rows (comms/signals.py).

Bounces: the relay POSTs each DSN as the raw message body, with a staff API token.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import BadRequest, SuspiciousOperation
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from coproduce.apitokens.bearer import UNAUTHORISED, staff_token
from coproduce.comms import bounces as bounce_handling
from coproduce.comms import tokens
from coproduce.community import links, services
from coproduce.community.models import Associate, Channel, ConsentRecord
from coproduce.registry.access import is_manager

_TEMPLATES = "comms/public"
MAX_BOUNCE_BYTES = 1024 * 1024


def _page(
    request: HttpRequest, name: str, context: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    response = render(request, f"{_TEMPLATES}/{name}.html", context or {}, status=status)
    # The address holds a personal token: keep it out of caches, Referer headers and indexes.
    add_never_cache_headers(response)
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _scope(request: HttpRequest) -> str:
    """ "all" when the "stop all email" form was used; anything else means the one channel.

    A one-click POST's body is fixed (`List-Unsubscribe=One-Click`) and need not be read at all,
    so a body Django cannot parse still unsubscribes from the channel.
    """
    try:
        return str(request.POST.get("scope", ""))
    except (MultiPartParserError, SuspiciousOperation, BadRequest, UnreadablePostError):
        return ""


def _withdraw(associate: Associate, channels: list[str]) -> None:
    with transaction.atomic():
        # Lock the row so two clicks at once append one record, not two.
        locked = Associate.objects.select_for_update().get(pk=associate.pk)
        for channel in channels:
            services.record_consent(locked, channel, False, ConsentRecord.Method.UNSUBSCRIBE)


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        found = tokens.read_token(token)
    except tokens.BadToken:
        return _page(request, "unsubscribe_problem", status=404)
    associate, channel = found.associate, found.channel
    context: dict[str, Any] = {
        "channel": Channel(channel).label,
        "token": token,
        "manage_path": links.manage_path(associate),
    }
    if request.method == "POST":
        everything = _scope(request) == "all"
        _withdraw(associate, list(Channel.values) if everything else [channel])
        return _page(request, "unsubscribed", {**context, "everything": everything})
    others = [
        Channel(other).label
        for other, granted in associate.consents().items()
        if granted and other != channel
    ]
    return _page(
        request,
        "unsubscribe",
        {**context, "subscribed": getattr(associate, f"consent_{channel}"), "others": others},
    )


@csrf_exempt
@require_POST
def bounces(request: HttpRequest) -> HttpResponse:
    """One DSN as the raw request body, from the relay; answers a JSON summary."""
    api_token = staff_token(request)
    if api_token is None:
        response = JsonResponse({"error": UNAUTHORISED}, status=401)
        response["WWW-Authenticate"] = "Bearer"
        return response
    if not is_manager(api_token.owner):
        # A bounce suppresses an address: a change, which a staff reader or researcher's
        # token must not be able to make (the relay's token is a manager's).
        return JsonResponse({"error": "Bounces need a manager's API token."}, status=403)
    declared = request.META.get("CONTENT_LENGTH") or "0"
    if not declared.isdigit():
        return JsonResponse({"error": "The Content-Length header is not a number."}, status=400)
    too_large = {"error": f"A bounce may be at most {MAX_BOUNCE_BYTES} bytes."}
    if int(declared) > MAX_BOUNCE_BYTES:
        return JsonResponse(too_large, status=413)
    raw = request.read(MAX_BOUNCE_BYTES + 1)
    if len(raw) > MAX_BOUNCE_BYTES:
        return JsonResponse(too_large, status=413)
    try:
        report = bounce_handling.parse(raw)
    except bounce_handling.NotABounce as exc:
        return JsonResponse({"error": f"Not a readable bounce: {exc.reason}."}, status=400)
    summary = bounce_handling.record(report, "relay")
    summary.messages = 1
    return JsonResponse(summary.counts())
