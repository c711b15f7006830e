"""Public event pages: upcoming and past events, an event with its booking form, a booking
reached by its signed link, and iCalendar files.

GET never changes anything: the booking link opens a page with a button, and only the
button's POST cancels (mail scanners follow every link in an email). The booking form answers
a repeat booking from a known address by sending that booking's link to the address again,
never by showing the booking.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from coproduce.events import ical, links, services
from coproduce.events.forms import BookingForm, KindForm
from coproduce.events.models import Booking, Event
from coproduce.lib.spam import issue_form_token
from coproduce.security import formlimits

PAGE_SIZE = 20
FEED_PAST_DAYS = 365


def _with_counts(queryset: QuerySet[Event]) -> QuerySet[Event]:
    return queryset.select_related("cop").annotate(
        confirmed=Count("bookings", filter=Q(bookings__status=Booking.Status.CONFIRMED))
    )


def _listing(request: HttpRequest, queryset: QuerySet[Event], template: str) -> HttpResponse:
    form = KindForm(request.GET or None)
    kind = form.chosen() if request.GET else ""
    if kind:
        queryset = queryset.filter(kind=kind)
    page = Paginator(_with_counts(queryset), PAGE_SIZE).get_page(request.GET.get("page"))
    for event in page.object_list:
        event.free = event.places_left(event.confirmed)
    return render(
        request,
        f"events/{template}.html",
        {
            "page": page,
            "form": form,
            "kind": kind,
            "kind_label": Event.Kind(kind).label if kind else "",
        },
    )


@require_safe
def event_list(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    upcoming = Event.objects.filter(status=Event.Status.PUBLISHED, ends__gte=now).order_by(
        "starts", "title"
    )
    return _listing(request, upcoming, "list")


@require_safe
def past_list(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    past = Event.objects.filter(status=Event.Status.PUBLISHED, ends__lt=now).order_by(
        "-starts", "title"
    )
    return _listing(request, past, "past")


def _public_event(slug: str) -> Event:
    return get_object_or_404(
        Event.objects.select_related("cop").exclude(status=Event.Status.DRAFT), slug=slug
    )


def _detail(
    request: HttpRequest, event: Event, form: BookingForm, status: int = 200
) -> HttpResponse:
    confirmed = services.confirmed_count(event)
    return render(
        request,
        "events/detail.html",
        {
            "event": event,
            "form": form,
            "free": event.places_left(confirmed),
            "bookable": event.is_bookable(),
            "ended": event.has_ended(),
        },
        status=status,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def event_detail(request: HttpRequest, slug: str) -> HttpResponse:
    event = _public_event(slug)
    if request.method == "POST":
        form = BookingForm(request.POST)
        if not event.is_bookable():
            return _detail(request, event, BookingForm(), status=409)
        status = 200
        if form.is_valid():
            data = form.cleaned_data
            refusal = formlimits.admit(
                request, "booking", token=data["form_token"], addresses=[data["email"]]
            )
            if refusal is not None:
                form.add_error(None, refusal.message)
                status = refusal.status
        if form.is_valid():
            try:
                result = services.book(
                    event,
                    full_name=data["full_name"],
                    email=data["email"],
                    access_needs=data["access_needs"],
                )
            except services.NotBookable:
                return _detail(request, event, BookingForm(), status=409)
            if result.created:
                return redirect("events:booking", token=links.make_token(result.booking))
            return redirect("events:check_email", slug=event.slug)
        resubmit = request.POST.copy()
        resubmit["form_token"] = issue_form_token()
        form.data = resubmit
        return _detail(request, event, form, status=status)
    form = BookingForm(initial={"form_token": issue_form_token()})
    return _detail(request, event, form)


@require_safe
def check_email(request: HttpRequest, slug: str) -> HttpResponse:
    event = _public_event(slug)
    return render(request, "events/check_email.html", {"event": event})


def _booking_or_problem(request: HttpRequest, token: str) -> tuple[Booking | None, HttpResponse]:
    try:
        return links.read_token(token), HttpResponse()
    except links.BadLink as error:
        return None, render(
            request,
            "events/link_problem.html",
            {"expired": isinstance(error, links.ExpiredLink), "link_days": links.MAX_AGE.days},
            status=404,
        )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def booking(request: HttpRequest, token: str) -> HttpResponse:
    found, problem = _booking_or_problem(request, token)
    if found is None:
        return problem
    event = found.event
    if event.status == Event.Status.DRAFT:
        raise Http404("No such event.")
    can_cancel = (
        found.is_live and event.status == Event.Status.PUBLISHED and not event.has_started()
    )
    if request.method == "POST":
        if can_cancel:
            refusal = formlimits.admit(request, "cancel", addresses=[found.email])
            if refusal is not None:
                return render(
                    request,
                    "events/booking.html",
                    {
                        "booking": found,
                        "event": event,
                        "can_cancel": can_cancel,
                        "refusal": refusal,
                    },
                    status=refusal.status,
                )
            was = found.status
            services.cancel_booking(found)
            if was == Booking.Status.CONFIRMED:
                messages.success(
                    request, "Your booking is cancelled. Thank you for letting us know."
                )
            else:
                messages.success(request, "You have left the waiting list.")
        return redirect("events:booking", token=token)
    context: dict[str, Any] = {"booking": found, "event": event, "can_cancel": can_cancel}
    return render(request, "events/booking.html", context)


def _ical_response(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=ical.CONTENT_TYPE)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@require_safe
def event_ical(request: HttpRequest, slug: str) -> HttpResponse:
    event = _public_event(slug)
    return _ical_response(ical.to_ical([event], event.title), f"{event.slug}.ics")


@require_safe
def feed(request: HttpRequest) -> HttpResponse:
    since = timezone.now() - dt.timedelta(days=FEED_PAST_DAYS)
    events = (
        Event.objects.exclude(status=Event.Status.DRAFT)
        .filter(ends__gte=since)
        .order_by("starts", "pk")
    )
    return _ical_response(
        ical.to_ical(events, f"{settings.COLLABORATION_SHORT_NAME} events"), "events.ics"
    )
