"""The staff pages for webhooks: subscribe an address to event types (its signing secret is
shown once), see each subscription's deliveries and attempts, send one again, turn one off.

Managers only: a subscription sends the collaboration's events outside it. The addresses a
subscription may use are the installation's allow-list (coproduce/webhooks/addresses.py).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_POST, require_safe

from coproduce.api.forms import EndpointForm
from coproduce.audit.log import record
from coproduce.registry.access import require_manager
from coproduce.staff.records import renderer
from coproduce.webhooks import addresses, outbox
from coproduce.webhooks.events import EVENT_TYPES
from coproduce.webhooks.models import Delivery, Endpoint

PAGE_SIZE = 25

_render = renderer(
    "webhooks",
    "",
    lambda request: {"section_url": reverse("webhooks:list"), "section_label": "Webhooks"},
)


def _list_page(request: HttpRequest, form: EndpointForm) -> HttpResponse:
    endpoints = Endpoint.objects.select_related("owner")
    page = Paginator(endpoints, PAGE_SIZE).get_page(request.GET.get("page"))
    return _render(
        request,
        "api/webhooks.html",
        {
            "form": form,
            "page": page,
            "event_types": EVENT_TYPES,
            "allowed_hosts": addresses.allowed_hosts(),
        },
    )


@login_required
@require_safe
def endpoint_list(request: HttpRequest) -> HttpResponse:
    require_manager(request.user)
    return _list_page(request, EndpointForm())


@login_required
@require_POST
def endpoint_create(request: HttpRequest) -> HttpResponse:
    require_manager(request.user)
    form = EndpointForm(request.POST)
    if not form.is_valid():
        return _list_page(request, form)
    with transaction.atomic():
        endpoint = form.save(request.user)
        record(
            request.user,
            "webhooks.endpoint.created",
            endpoint,
            {"url": [None, endpoint.url], "event_types": [None, endpoint.event_types]},
        )
    response = _render(request, "api/webhook_created.html", {"endpoint": endpoint})
    add_never_cache_headers(response)  # the signing secret is on this page
    return response


@login_required
@require_safe
def endpoint_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    require_manager(request.user)
    endpoint = get_object_or_404(Endpoint.objects.select_related("owner"), public_id=public_id)
    deliveries = endpoint.deliveries.prefetch_related("tries")
    page = Paginator(deliveries, PAGE_SIZE).get_page(request.GET.get("page"))
    return _render(
        request,
        "api/webhook_detail.html",
        {
            "endpoint": endpoint,
            "page": page,
            "subscribed": [(kind, EVENT_TYPES.get(kind, kind)) for kind in endpoint.event_types],
        },
    )


@login_required
@require_POST
def endpoint_turn_off(request: HttpRequest, public_id: str) -> HttpResponse:
    require_manager(request.user)
    endpoint = get_object_or_404(Endpoint, public_id=public_id)
    with transaction.atomic():
        if Endpoint.objects.filter(pk=endpoint.pk, active=True).update(active=False):
            record(
                request.user, "webhooks.endpoint.turned_off", endpoint, {"active": [True, False]}
            )
    messages.success(request, f"Webhook to {endpoint.url} is turned off.")
    return redirect("webhooks:detail", public_id=endpoint.public_id)


@login_required
@require_POST
def delivery_redeliver(request: HttpRequest, public_id: str) -> HttpResponse:
    require_manager(request.user)
    delivery = get_object_or_404(Delivery.objects.select_related("endpoint"), public_id=public_id)
    with transaction.atomic():
        outbox.redeliver(delivery)
        record(
            request.user,
            "webhooks.delivery.resent",
            delivery,
            {"status": [delivery.status, "pending"]},
        )
    messages.success(request, f"The {delivery.event_type} event will be sent again now.")
    return redirect("webhooks:detail", public_id=delivery.endpoint.public_id)
