"""Staff pages for events, mounted at /staff/events/: list, create, edit, bookings and
attendance, and cancelling an event.

Anyone with a staff role may look (`require_staff`); only managers change anything
(`require_manager`). Each change writes its audit entry in the same transaction
(`staff.editing`). Creating and editing stay views: an edit moves the event's calendar
sequence on and the waiting list up, and both share the form page laid out by section.
Pages that change something have a GET view that only shows the form and a `@require_POST`
view.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from coproduce.audit.log import snapshot
from coproduce.events import services
from coproduce.events.forms import EventForm
from coproduce.events.models import Booking, Event
from coproduce.registry.access import is_manager, require_manager, require_staff
from coproduce.staff import editing
from coproduce.staff.records import renderer

PAGE_SIZE = 25
View = Callable[..., HttpResponse]
WHEN_CHOICES = {"upcoming": "Upcoming", "past": "Past", "all": "All"}


_render = renderer("events", "events/staff/")


def _event(slug: str) -> Event:
    return get_object_or_404(Event.objects.select_related("cop"), slug=slug)


def _event_url(event: Event) -> str:
    return reverse("events_staff:detail", args=[event.slug])


_COUNTS = {
    "confirmed": Count("bookings", filter=Q(bookings__status=Booking.Status.CONFIRMED)),
    "waitlisted": Count("bookings", filter=Q(bookings__status=Booking.Status.WAITLISTED)),
    "attended": Count("bookings", filter=Q(bookings__attended=True)),
}


@login_required
@require_safe
def event_list(request: HttpRequest) -> HttpResponse:
    require_staff(request.user)
    when = request.GET.get("when", "upcoming")
    if when not in WHEN_CHOICES:
        when = "upcoming"
    now = timezone.now()
    queryset = Event.objects.select_related("cop").annotate(**_COUNTS)
    if when == "upcoming":
        queryset = queryset.filter(ends__gte=now).order_by("starts", "title")
    elif when == "past":
        queryset = queryset.filter(ends__lt=now).order_by("-starts", "title")
    else:
        queryset = queryset.order_by("-starts", "title")
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    return _render(
        request,
        "list.html",
        {
            "page": page,
            "when": when,
            "when_choices": WHEN_CHOICES,
            "can_change": is_manager(request.user),
        },
    )


@login_required
@require_safe
def event_detail(request: HttpRequest, slug: str) -> HttpResponse:
    require_staff(request.user)
    event = _event(slug)
    bookings = list(Booking.objects.filter(event=event).order_by("created", "id"))
    confirmed = [b for b in bookings if b.status == Booking.Status.CONFIRMED]
    counts = {
        "confirmed": len(confirmed),
        "waitlisted": sum(b.status == Booking.Status.WAITLISTED for b in bookings),
        "cancelled": sum(b.status == Booking.Status.CANCELLED for b in bookings),
        "attended": sum(b.attended is True for b in confirmed),
    }
    return _render(
        request,
        "detail.html",
        {
            "event": event,
            "bookings": bookings,
            "confirmed": confirmed,
            "counts": counts,
            "free": event.places_left(counts["confirmed"]),
            "can_change": is_manager(request.user),
            "attendance_open": event.has_started(),
        },
    )


# --- create and edit ---------------------------------------------------------------------------


def _form_page(
    request: HttpRequest, form: EventForm, event: Event | None = None, title: str = ""
) -> HttpResponse:
    cancel_url = _event_url(event) if event else reverse("events_staff:list")
    return _render(
        request,
        "form.html",
        {"form": form, "event": event, "title": title, "cancel_url": cancel_url},
    )


@login_required
@require_safe
def event_new(request: HttpRequest) -> HttpResponse:
    require_manager(request.user)
    return _form_page(request, EventForm())


@login_required
@require_POST
def event_create(request: HttpRequest) -> HttpResponse:
    require_manager(request.user)
    form = EventForm(request.POST)
    if not form.is_valid():
        return _form_page(request, form)
    event, _ = editing.save_with_audit(form, request.user)
    messages.success(request, f"Event “{event.title}” created.")
    return redirect(_event_url(event))


@login_required
@require_safe
def event_show(request: HttpRequest, slug: str) -> HttpResponse:
    require_manager(request.user)
    event = _event(slug)
    return _form_page(request, EventForm(instance=event), event, event.title)


@login_required
@require_POST
def event_update(request: HttpRequest, slug: str) -> HttpResponse:
    require_manager(request.user)
    event = _event(slug)
    # Taken before binding: validating a form writes its values onto the instance.
    before = snapshot(event)
    title = event.title
    form = EventForm(request.POST, instance=event)
    if not form.is_valid():
        return _form_page(request, form, event, title)
    changes = services.save_event(form, before, by=request.user)
    if changes:
        messages.success(request, f"Changes to “{event.title}” saved.")
    else:
        messages.info(request, "Nothing was changed.")
    return redirect(_event_url(event))


# --- cancel ------------------------------------------------------------------------------------


@login_required
@require_safe
def cancel_show(request: HttpRequest, slug: str) -> HttpResponse:
    require_manager(request.user)
    event = _event(slug)
    live = Booking.objects.filter(event=event).exclude(status=Booking.Status.CANCELLED).count()
    return _render(
        request, "cancel.html", {"event": event, "live": live, "cancel_url": _event_url(event)}
    )


@login_required
@require_POST
def cancel_event(request: HttpRequest, slug: str) -> HttpResponse:
    require_manager(request.user)
    event = _event(slug)
    if event.status == Event.Status.CANCELLED:
        messages.info(request, "This event was already cancelled.")
        return redirect(_event_url(event))
    told = services.cancel_event(event, by=request.user)
    people = "person" if told == 1 else "people"
    messages.success(request, f"“{event.title}” is cancelled. We are emailing {told} {people}.")
    return redirect(_event_url(event))


# --- attendance --------------------------------------------------------------------------------


@login_required
@require_POST
def attendance(request: HttpRequest, slug: str) -> HttpResponse:
    require_manager(request.user)
    event = _event(slug)
    confirmed = Booking.objects.filter(event=event, status=Booking.Status.CONFIRMED)
    answers: dict[int, bool] = {}
    for pk, public_id in confirmed.values_list("pk", "public_id"):
        value = request.POST.get(f"attended-{public_id}")
        if value in ("yes", "no"):
            answers[pk] = value == "yes"
    changed = services.record_attendance(event, answers, by=request.user)
    if changed:
        messages.success(request, f"Attendance saved ({changed} changed).")
    else:
        messages.info(request, "Nothing was changed.")
    return redirect(_event_url(event) + "#attendance")
