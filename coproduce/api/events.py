"""Events (any staff role reads, as on the staff events pages) and bookings (personal data: a
token whose owner holds the personal data export grant). Booking a place for someone goes
through the same form and booking service as the public booking page."""

# No `from __future__ import annotations`: ninja reads the view signatures at runtime.
import datetime as dt
import uuid
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Header, Path, Query, Router, Schema
from ninja.errors import HttpError

from coproduce.api.auth import StaffToken
from coproduce.api.cursor import CURSOR_PARAMS, CursorParams, Moment, page_of, paginate
from coproduce.api.registry import SLUG_PATTERN, choice
from coproduce.api.schemas import ERRORS, Error, one_or_404, reject_unknown_params
from coproduce.api.writes import (
    IF_MATCH_HELP,
    KEY_HELP,
    Unprocessable,
    allowed,
    form_data,
    form_problems,
    idempotent,
    problem,
    require_match,
    with_etag,
)
from coproduce.api.writes import owner as owner_of
from coproduce.audit.log import snapshot
from coproduce.community.models import CommunityOfPractice
from coproduce.events import dates, services
from coproduce.events.forms import BookingForm, EventForm
from coproduce.events.models import Booking, Event
from coproduce.lib.slugs import make_slug
from coproduce.registry.access import require_manager
from coproduce.staff import editing

router = Router(tags=["events"])


class ApiBookingForm(BookingForm):
    """The public booking form's fields and checks, without its anti-spam check (a hidden
    honeypot and a form token issued with the page): the API caller is a staff member's token."""

    def clean(self) -> dict[str, Any]:
        return self.cleaned_data


READ = StaffToken(area="events")
PERSONAL = StaffToken(area="events", personal_data=True)


class EventOut(Schema):
    public_id: uuid.UUID
    slug: str
    kind: str = choice(Event.Kind)
    status: str = choice(Event.Status)
    title: str
    summary: str
    starts: dt.datetime
    ends: dt.datetime
    venue: str
    online_url: str
    capacity: int | None = Field(..., description="Places; empty for no limit.")
    community: str | None = Field(..., description="The community of practice's slug, if any.")
    updated: dt.datetime

    @staticmethod
    def resolve_community(obj: Any) -> str | None:
        return obj.cop.slug if obj.cop_id else None


class EventFilters(Schema):
    kind: str | None = Field(
        None,
        description="Only events of this kind.",
        json_schema_extra={"enum": list(Event.Kind.values)},
    )
    status: str | None = Field(
        None,
        description="Only events with this status.",
        json_schema_extra={"enum": list(Event.Status.values)},
    )
    starts_after: Moment | None = Field(
        None, description="Only events starting at or after this moment."
    )
    updated_since: Moment | None = Field(
        None, description="Only events changed at or after this moment."
    )


def _event(slug: str) -> Event:
    return one_or_404(Event.objects.select_related("cop"), slug, "event", by="slug")


@router.get(
    "/events", response={200: page_of(EventOut), **ERRORS}, auth=READ, summary="List events"
)
def list_events(
    request: HttpRequest, filters: Query[EventFilters], page: Query[CursorParams]
) -> dict[str, Any]:
    reject_unknown_params(request, set(EventFilters.model_fields) | CURSOR_PARAMS)
    events = Event.objects.select_related("cop")
    if filters.kind:
        if filters.kind not in Event.Kind.values:
            raise HttpError(400, f"There is no kind of event '{filters.kind}'.")
        events = events.filter(kind=filters.kind)
    if filters.status:
        if filters.status not in Event.Status.values:
            raise HttpError(400, f"There is no event status '{filters.status}'.")
        events = events.filter(status=filters.status)
    if filters.starts_after:
        events = events.filter(starts__gte=filters.starts_after)
    if filters.updated_since:
        events = events.filter(updated__gte=filters.updated_since)
    return paginate(events, page, stamp="updated")


@router.get(
    "/events/{slug}",
    response={200: EventOut, **ERRORS},
    auth=READ,
    summary="One event (with its ETag)",
)
def get_event(
    request: HttpRequest, response: HttpResponse, slug: str = Path(..., pattern=SLUG_PATTERN)
) -> Event:
    reject_unknown_params(request)
    event = _event(slug)
    with_etag(response, event)
    return event


class EventIn(Schema):
    title: str
    slug: str = Field("", description="Leave empty to make one from the title.")
    kind: str = Field(
        ..., description="; ".join(f"{v}: {label}" for v, label in Event.Kind.choices)
    )
    status: str = Field(
        "draft", description="; ".join(f"{v}: {label}" for v, label in Event.Status.choices)
    )
    summary: str = ""
    description: str = ""
    date: str = Field(..., description="The day it starts, YYYY-MM-DD.")
    start_time: str = Field(..., description="UK time, HH:MM.")
    end_time: str = Field(..., description="UK time, HH:MM.")
    end_date: str | None = Field(None, description="Only if it runs over more than one day.")
    venue: str = ""
    address: str = ""
    online_url: str = ""
    capacity: int | None = Field(None, description="Places; leave out for no limit.")
    community: str | None = Field(None, description="A community of practice's slug.")
    reminder_hours_before: int = 48


@router.post(
    "/events",
    response={201: EventOut, **ERRORS, 409: Error},
    auth=READ,
    summary="Add an event (read-write token; managers)",
    description="Through the staff area's event form: the same checks and the same audit entry.",
)
def create_event(
    request: HttpRequest,
    body: EventIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key", description=KEY_HELP),
) -> Any:
    reject_unknown_params(request)
    user = owner_of(request)
    allowed(require_manager, user)
    data = body.model_dump()

    def create() -> tuple[int, Any]:
        fields = {**data}
        # As documented (and as the studies' form does): an empty slug is made from the title.
        # The event form itself requires one, so a client leaving it out got a 422.
        if not fields["slug"]:
            fields["slug"] = make_slug(fields["title"], Event._meta.get_field("slug").max_length)
        community = fields.pop("community")
        if community:
            pk = (
                CommunityOfPractice.objects.filter(slug=community)
                .values_list("pk", flat=True)
                .first()
            )
            if pk is None:
                raise Unprocessable(
                    [
                        {
                            "type": "invalid",
                            "loc": ["body", "community"],
                            "msg": f"There is no community of practice with the slug '{community}'.",
                        }
                    ]
                )
            fields["cop"] = community  # the form's type-ahead field takes the slug
        form = EventForm(form_data(fields))
        if not form.is_valid():
            raise Unprocessable(form_problems(form))
        event, _ = editing.save_with_audit(form, user, via="api")
        return 201, _event(event.slug)

    return idempotent(
        request, "create_event", data, create, lambda event: EventOut.from_orm(event).model_dump()
    )


class BookingOut(Schema):
    public_id: uuid.UUID
    event: str = Field(..., description="The event's slug.")
    full_name: str
    email: str
    access_needs: str
    status: str = choice(Booking.Status)
    created: dt.datetime
    attended: bool | None

    @staticmethod
    def resolve_event(obj: Any) -> str:
        return str(obj.event.slug)


class BookingFilters(Schema):
    status: str | None = Field(
        None,
        description="Only bookings with this status.",
        json_schema_extra={"enum": list(Booking.Status.values)},
    )
    created_since: Moment | None = Field(
        None, description="Only bookings made at or after this moment."
    )


@router.get(
    "/events/{slug}/bookings",
    response={200: page_of(BookingOut), **ERRORS},
    auth=PERSONAL,
    summary="List an event's bookings (personal data export role)",
)
def list_bookings(
    request: HttpRequest,
    filters: Query[BookingFilters],
    page: Query[CursorParams],
    slug: str = Path(..., pattern=SLUG_PATTERN),
) -> dict[str, Any]:
    reject_unknown_params(request, set(BookingFilters.model_fields) | CURSOR_PARAMS)
    event = _event(slug)
    bookings = Booking.objects.filter(event=event).select_related("event")
    if filters.status:
        if filters.status not in Booking.Status.values:
            raise HttpError(400, f"There is no booking status '{filters.status}'.")
        bookings = bookings.filter(status=filters.status)
    if filters.created_since:
        bookings = bookings.filter(created__gte=filters.created_since)
    return paginate(bookings, page, stamp="created")


class BookingIn(Schema):
    full_name: str = Field(..., description="The name of the person the place is for.")
    email: str = Field(..., description="Their email address: the confirmation goes there.")
    access_needs: str = Field("", description="Anything they need to take part.")


@router.post(
    "/events/{slug}/bookings",
    response={200: BookingOut, 201: BookingOut, **ERRORS, 409: Error},
    auth=PERSONAL,
    summary="Book a place on an event for someone (read-write token, personal data export role)",
    description=(
        "The same checks as the public booking page: a place if one is free, else the waiting "
        "list (see `status`); one live booking per email address, so booking an address again "
        "answers 200 with its existing booking (and sends its link again) instead of 201. "
        "The person gets the usual confirmation email."
    ),
)
def create_booking(
    request: HttpRequest,
    response: HttpResponse,
    body: BookingIn,
    slug: str = Path(..., pattern=SLUG_PATTERN),
    idempotency_key: str | None = Header(None, alias="Idempotency-Key", description=KEY_HELP),
) -> Any:
    reject_unknown_params(request)
    event = _event(slug)
    data = body.model_dump()

    def create() -> tuple[int, Any]:
        form = ApiBookingForm(form_data(data))
        if not form.is_valid():
            raise Unprocessable(form_problems(form))
        try:
            result = services.book(
                event,
                full_name=form.cleaned_data["full_name"],
                email=form.cleaned_data["email"],
                access_needs=form.cleaned_data.get("access_needs", ""),
                actor=owner_of(request),
                via="api",
            )
        except services.NotBookable:
            raise HttpError(
                409,
                f"The event '{event.slug}' is not open for booking: it is a draft, cancelled, "
                "or has already started.",
            ) from None
        return (201 if result.created else 200), result.booking

    return idempotent(
        request,
        f"create_booking:{event.slug}",
        data,
        create,
        lambda booking: BookingOut.from_orm(booking).model_dump(),
    )


# --- changing an event, and a booking ---------------------------------------------------------


class EventPatch(Schema):
    title: str | None = None
    slug: str | None = None
    kind: str | None = None
    status: str | None = Field(
        None, description="; ".join(f"{v}: {label}" for v, label in Event.Status.choices)
    )
    summary: str | None = None
    description: str | None = None
    date: str | None = Field(None, description="The day it starts, YYYY-MM-DD.")
    start_time: str | None = Field(None, description="UK time, HH:MM.")
    end_time: str | None = Field(None, description="UK time, HH:MM.")
    end_date: str | None = Field(None, description="Only if it runs over more than one day.")
    venue: str | None = None
    address: str | None = None
    online_url: str | None = None
    capacity: int | None = Field(None, description="Places; null for no limit.")
    community: str | None = Field(None, description="A community of practice's slug, or null.")
    reminder_hours_before: int | None = None


def _event_fields(event: Event) -> dict[str, Any]:
    """The event as the staff form's fields (its times in UK time, as the form shows them)."""
    starts, ends = dates.local(event.starts), dates.local(event.ends)
    return {
        "title": event.title,
        "slug": event.slug,
        "kind": event.kind,
        "status": event.status,
        "summary": event.summary,
        "description": event.description,
        "date": starts.date().isoformat(),
        "start_time": starts.strftime("%H:%M"),
        "end_time": ends.strftime("%H:%M"),
        "end_date": ends.date().isoformat() if ends.date() != starts.date() else None,
        "venue": event.venue,
        "address": event.address,
        "online_url": event.online_url,
        "capacity": event.capacity,
        "community": event.cop.slug if event.cop is not None else None,
        "reminder_hours_before": event.reminder_hours_before,
    }


@router.patch(
    "/events/{slug}",
    response={200: EventOut, **ERRORS, 409: Error, 412: Error, 428: Error},
    auth=READ,
    summary="Change an event (read-write token, If-Match; managers)",
    description="Through the staff area's event form and its save: the calendar entry moves "
    "on, and more places (or a reopened event) move the waiting list up at once, with the "
    "usual emails.",
)
def update_event(
    request: HttpRequest,
    response: HttpResponse,
    body: EventPatch,
    slug: str = Path(..., pattern=SLUG_PATTERN),
    if_match: str | None = Header(None, alias="If-Match", description=IF_MATCH_HELP),
) -> Any:
    reject_unknown_params(request)
    user = owner_of(request)
    allowed(require_manager, user)
    event = _event(slug)
    require_match(request, event)
    before = snapshot(event)
    fields = _event_fields(event)
    fields.update(body.model_dump(exclude_unset=True))
    community = fields.pop("community")
    if community:
        pk = CommunityOfPractice.objects.filter(slug=community).values_list("pk", flat=True).first()
        if pk is None:
            raise problem(
                "community", f"There is no community of practice with the slug '{community}'."
            )
        fields["cop"] = community  # the form's type-ahead field takes the slug
    form = EventForm(form_data(fields), instance=event)
    if not form.is_valid():
        raise Unprocessable(form_problems(form))
    services.save_event(form, before, by=user, via="api")
    saved = _event(form.instance.slug)
    with_etag(response, saved)
    return saved


def _booking(event: Event, public_id: uuid.UUID) -> Booking:
    booking = Booking.objects.select_related("event").filter(event=event, public_id=public_id)
    found = booking.first()
    if found is None:
        raise HttpError(404, f"The event '{event.slug}' has no booking with the id '{public_id}'.")
    return found


@router.get(
    "/events/{slug}/bookings/{public_id}",
    response={200: BookingOut, **ERRORS},
    auth=PERSONAL,
    summary="One booking, with its ETag (personal data export role)",
)
def get_booking(
    request: HttpRequest,
    response: HttpResponse,
    public_id: uuid.UUID,
    slug: str = Path(..., pattern=SLUG_PATTERN),
) -> Any:
    reject_unknown_params(request)
    booking = _booking(_event(slug), public_id)
    with_etag(response, booking)
    return booking


class BookingPatch(Schema):
    status: str | None = Field(
        None,
        description="Only `cancelled`: cancel the booking (a confirmed place goes to the "
        "earliest on the waiting list, who is emailed).",
    )
    attended: bool | None = Field(
        None, description="Whether they came (confirmed bookings only), as on the attendance page."
    )


@router.patch(
    "/events/{slug}/bookings/{public_id}",
    response={200: BookingOut, **ERRORS, 409: Error, 412: Error, 428: Error},
    auth=PERSONAL,
    summary="Cancel a booking or record attendance (read-write token, If-Match; managers "
    "with the personal data export role)",
    description="Through the booking services the staff pages use: cancelling frees the place "
    "for the waiting list; attendance is recorded for confirmed bookings only.",
)
def update_booking(
    request: HttpRequest,
    response: HttpResponse,
    public_id: uuid.UUID,
    body: BookingPatch,
    slug: str = Path(..., pattern=SLUG_PATTERN),
    if_match: str | None = Header(None, alias="If-Match", description=IF_MATCH_HELP),
) -> Any:
    reject_unknown_params(request)
    user = owner_of(request)
    allowed(require_manager, user)
    event = _event(slug)
    booking = _booking(event, public_id)
    require_match(request, booking)
    change = body.model_dump(exclude_unset=True)
    if not change:
        raise problem("status", "Send `status` (cancelled) or `attended` (true or false).")
    status = change.get("status")
    if "status" in change and status != Booking.Status.CANCELLED:
        raise problem(
            "status",
            "A booking's status can only be changed to cancelled here; a place is given "
            "by booking (POST), and the waiting list moves up by itself.",
        )
    if change.get("attended") is not None and (
        booking.status != Booking.Status.CONFIRMED or status == Booking.Status.CANCELLED
    ):
        raise problem("attended", "Attendance is recorded only for a confirmed booking.")
    if "attended" in change and change["attended"] is None:
        raise problem("attended", "Send true or false.")
    if status == Booking.Status.CANCELLED:
        services.cancel_booking(booking, by=user, via="api")
    if "attended" in change:
        services.record_attendance(event, {booking.pk: change["attended"]}, by=user, via="api")
    saved = _booking(event, public_id)
    with_etag(response, saved)
    return saved
