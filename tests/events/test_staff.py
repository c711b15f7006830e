"""Staff event pages: who may see and change them, creating and editing with UK-time dates,
cancelling an event, and recording attendance in one POST."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from coproduce.audit.models import AuditEntry
from coproduce.comms.models import OutboxMessage
from coproduce.events.models import Booking, Event
from tests.events.conftest import book, make_event

LIST_URL = "/staff/events/"
LONDON = ZoneInfo("Europe/London")


def staff_url(event: Event, rest: str = "") -> str:
    return f"/staff/events/{event.slug}/{rest}"


def event_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "title": "Roadshow: Derbyshire",
        "slug": "roadshow-derbyshire-2099",
        "kind": Event.Kind.ROADSHOW,
        "status": Event.Status.PUBLISHED,
        "summary": "Our research in Derbyshire.",
        "description": "",
        "date": "2099-07-07",
        "start_time": "13:00",
        "end_time": "16:30",
        "end_date": "",
        "venue": "Peakside Library",
        "address": "",
        "online_url": "",
        "capacity": "40",
        "cop": "",
        "reminder_hours_before": "48",
    }
    data.update(overrides)
    return data


# --- access ------------------------------------------------------------------------------------


def test_anonymous_people_are_sent_to_sign_in(client: Client, event: Event) -> None:
    for url in [
        LIST_URL,
        f"{LIST_URL}new/",
        staff_url(event),
        staff_url(event, "edit/"),
        staff_url(event, "cancel/"),
    ]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/staff/sign-in/" in response["Location"]
    assert client.post(staff_url(event, "attendance/"), {}).status_code == 302


def test_readers_see_but_cannot_change(reader_client: Client, event: Event) -> None:
    book(event, "Ann One")
    assert reader_client.get(LIST_URL).status_code == 200
    html = reader_client.get(staff_url(event)).content.decode()
    assert "Ann One" in html
    assert "Edit the event" not in html
    assert "Cancel the event" not in html
    for url in [f"{LIST_URL}new/", staff_url(event, "edit/"), staff_url(event, "cancel/")]:
        assert reader_client.get(url).status_code == 403, url
    assert reader_client.post(f"{LIST_URL}new/", event_data()).status_code == 403
    assert reader_client.post(staff_url(event, "cancel/")).status_code == 403
    assert reader_client.post(staff_url(event, "attendance/"), {}).status_code == 403
    event.refresh_from_db()
    assert event.status == Event.Status.PUBLISHED


def test_researchers_read_only_too(member_client: Client, event: Event) -> None:
    assert member_client.get(staff_url(event)).status_code == 200
    assert member_client.get(staff_url(event, "edit/")).status_code == 403


def test_people_without_a_staff_role_are_refused(client: Client, event: Event) -> None:
    from tests import factories

    client.force_login(factories.UserFactory(username="nobody"))
    assert client.get(LIST_URL).status_code == 403
    assert client.get(staff_url(event)).status_code == 403


def test_the_staff_menu_lists_events(manager_client: Client, db: Any) -> None:
    html = manager_client.get("/staff/").content.decode()
    assert 'href="/staff/events/"' in html


# --- list --------------------------------------------------------------------------------------


def test_the_list_counts_bookings_and_its_queries_do_not_grow(
    manager_client: Client, db: Any
) -> None:
    def add(n: int) -> None:
        for _ in range(n):
            event = make_event(capacity=1)
            book(event, "Ann One")
            book(event, "Ben Two")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert manager_client.get(LIST_URL).status_code == 200
        return len(queries)

    add(2)
    few = count()
    add(10)
    assert count() == few
    html = manager_client.get(LIST_URL).content.decode()
    assert "12 events." in html
    past = make_event(starts=timezone.now() - dt.timedelta(days=3), title="Long gone")
    assert "Long gone" not in manager_client.get(LIST_URL).content.decode()
    assert "Long gone" in manager_client.get(LIST_URL, {"when": "past"}).content.decode()
    assert past.title in manager_client.get(LIST_URL, {"when": "all"}).content.decode()


# --- create and edit ---------------------------------------------------------------------------


def test_a_manager_creates_an_event_in_uk_time(manager_client: Client, db: Any) -> None:
    response = manager_client.post(f"{LIST_URL}new/", event_data())
    assert response.status_code == 302, response.content.decode()[:3000]
    event = Event.objects.get(slug="roadshow-derbyshire-2099")
    assert response["Location"] == staff_url(event)
    assert event.starts == dt.datetime(2099, 7, 7, 13, tzinfo=LONDON)
    assert event.starts.astimezone(dt.UTC).hour == 12  # British Summer Time
    assert event.ends == dt.datetime(2099, 7, 7, 16, 30, tzinfo=LONDON)
    assert event.capacity == 40
    entry = AuditEntry.objects.get(action="events.event.created")
    assert entry.changes["title"] == [None, "Roadshow: Derbyshire"]
    page = manager_client.get(response["Location"]).content.decode()
    assert "Tuesday 7 July 2099, 1pm</time> to <time" in page


def test_an_event_over_two_days(manager_client: Client, db: Any) -> None:
    manager_client.post(f"{LIST_URL}new/", event_data(end_date="2099-07-08", end_time="12:00"))
    event = Event.objects.get()
    assert event.ends == dt.datetime(2099, 7, 8, 12, tzinfo=LONDON)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"end_time": "12:00"}, "The event must end after it starts"),
        ({"end_time": "13:00"}, "The event must end after it starts"),
        ({"end_date": "2099-07-06"}, "The event must end after it starts"),
        ({"capacity": "-1"}, "Places must be 0 or more"),
        ({"date": ""}, "Enter the date"),
        ({"start_time": "25:00"}, "Enter a real time"),
        ({"venue": ""}, "Enter a venue or address, or an online joining link"),
        ({"slug": "past"}, "taken by the events pages"),
        ({"reminder_hours_before": "1000"}, "from 0 to 336"),
        ({"title": "Roadshow\nBEGIN:VEVENT"}, "Title must be on one line"),
        ({"title": "Roadshow\r\nDerbyshire"}, "Title must be on one line"),
        ({"title": "Roadshow\x07 Derbyshire"}, "Title must be on one line"),
        ({"title": "Roadshow\u2028Derbyshire"}, "Title must be on one line"),
        ({"summary": "Our research\x1bin Derbyshire"}, "Summary must be on one line"),
        ({"venue": "Peakside\nLibrary"}, "Venue must be on one line"),
    ],
)
def test_the_form_refuses_what_makes_no_sense(
    manager_client: Client, db: Any, overrides: dict[str, str], message: str
) -> None:
    response = manager_client.post(f"{LIST_URL}new/", event_data(**overrides))
    assert response.status_code == 200
    html = response.content.decode()
    assert "nhsuk-error-summary" in html
    assert message in html
    assert not Event.objects.exists()


def test_capacity_zero_is_allowed(manager_client: Client, db: Any) -> None:
    assert manager_client.post(f"{LIST_URL}new/", event_data(capacity="0")).status_code == 302
    assert Event.objects.get().capacity == 0


def test_editing_shows_uk_times_and_saves_changes_with_audit(
    manager_client: Client, db: Any
) -> None:
    event = make_event(
        starts=dt.datetime(2099, 7, 7, 13, tzinfo=LONDON),
        ends=dt.datetime(2099, 7, 7, 16, tzinfo=LONDON),
        capacity=1,
    )
    book(event, "Ann One")
    waiting = book(event, "Ben Two")
    form = manager_client.get(staff_url(event, "edit/")).content.decode()
    assert 'value="2099-07-07"' in form
    assert 'value="13:00"' in form
    assert 'value="16:00"' in form
    data = event_data(
        title=event.title,
        slug=event.slug,
        kind=event.kind,
        venue=event.venue,
        start_time="13:00",
        end_time="16:00",
        capacity="2",
    )
    response = manager_client.post(staff_url(event, "edit/"), data)
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.capacity == 2
    assert event.sequence == 1
    entry = AuditEntry.objects.get(action="events.event.updated")
    assert entry.changes["capacity"] == [1, 2]
    # The extra place went to the person waiting.
    waiting.refresh_from_db()
    assert waiting.status == Booking.Status.CONFIRMED
    assert OutboxMessage.objects.filter(key=f"event-promoted:{waiting.pk}").exists()
    # Saving the same again changes nothing.
    manager_client.post(staff_url(event, "edit/"), data)
    assert AuditEntry.objects.filter(action="events.event.updated").count() == 1


def test_the_community_is_typed_by_name_and_shown_by_name(manager_client: Client, db: Any) -> None:
    from tests.community import helpers

    helpers.community("home-visits", "Home visits")
    hosting = helpers.community("return-to-work", "Return to work")
    form = manager_client.get(f"{LIST_URL}new/").content.decode()
    assert '<select name="cop"' not in form
    assert "Home visits community of practice" not in form
    assert manager_client.post(f"{LIST_URL}new/", event_data(cop="return to")).status_code == 302
    event = Event.objects.get()
    assert event.cop == hosting
    # The edit form shows the community's name; sending it unchanged keeps it, unaudited.
    form = manager_client.get(staff_url(event, "edit/")).content.decode()
    assert 'value="Return to work community of practice"' in form
    data = event_data(
        title=event.title, slug=event.slug, cop="Return to work community of practice"
    )
    assert manager_client.post(staff_url(event, "edit/"), data).status_code == 302
    assert not AuditEntry.objects.filter(action="events.event.updated").exists()
    response = manager_client.post(staff_url(event, "edit/"), {**data, "cop": "community"})
    assert "2 communities match ‘community’. Choose one of these." in response.content.decode()
    event.refresh_from_db()
    assert event.cop == hosting


# --- cancelling --------------------------------------------------------------------------------


def test_cancelling_an_event_emails_everyone_booked_or_waiting(
    manager_client: Client, db: Any
) -> None:
    event = make_event(capacity=1)
    placed = book(event, "Ann One")
    waiting = book(event, "Ben Two")
    gone = book(event, "Cat Three")
    from coproduce.events import services

    services.cancel_booking(gone)
    page = manager_client.get(staff_url(event, "cancel/")).content.decode()
    assert "Are you sure you want to cancel" in page
    event.refresh_from_db()
    assert event.status == Event.Status.PUBLISHED  # GET changes nothing

    response = manager_client.post(staff_url(event, "cancel/"), follow=True)
    assert "We are emailing 2 people" in response.content.decode()
    event.refresh_from_db()
    assert event.status == Event.Status.CANCELLED
    keys = set(
        OutboxMessage.objects.filter(key__startswith="event-cancelled:").values_list(
            "key", flat=True
        )
    )
    assert keys == {f"event-cancelled:{placed.pk}", f"event-cancelled:{waiting.pk}"}
    assert AuditEntry.objects.filter(action="events.event.cancelled").count() == 1
    # Again: nothing more is sent.
    manager_client.post(staff_url(event, "cancel/"))
    assert OutboxMessage.objects.filter(key__startswith="event-cancelled:").count() == 2


# --- attendance --------------------------------------------------------------------------------


def test_attendance_is_recorded_for_confirmed_bookings_in_one_post(
    manager_client: Client, db: Any
) -> None:
    event = make_event(capacity=2)
    came = book(event, "Ann One")
    missed = book(event, "Ben Two")
    waiting = book(event, "Cat Three")
    before = manager_client.get(staff_url(event)).content.decode()
    assert "You can record attendance once the event has started" in before
    Event.objects.filter(pk=event.pk).update(
        starts=timezone.now() - dt.timedelta(hours=3), ends=timezone.now() - dt.timedelta(hours=1)
    )
    page = manager_client.get(staff_url(event)).content.decode()
    assert "Did Ann One attend?" in page
    assert "Did Ben Two attend?" in page
    assert "Did Cat Three attend?" not in page

    response = manager_client.post(
        staff_url(event, "attendance/"),
        {
            f"attended-{came.public_id}": "yes",
            f"attended-{missed.public_id}": "no",
            f"attended-{waiting.public_id}": "yes",  # not confirmed: ignored
        },
    )
    assert response.status_code == 302
    for booking in (came, missed, waiting):
        booking.refresh_from_db()
    assert (came.attended, missed.attended, waiting.attended) == (True, False, None)
    assert AuditEntry.objects.filter(action="events.booking.attendance").count() == 2
    page = manager_client.get(staff_url(event)).content.decode()
    assert "1 of 2 recorded as attending" in page
    assert (
        f'id="attended-{came.public_id}-yes" name="attended-{came.public_id}" type="radio" value="yes" checked'
        in page
    )

    # Correcting one answer changes only that one.
    manager_client.post(
        staff_url(event, "attendance/"),
        {f"attended-{came.public_id}": "yes", f"attended-{missed.public_id}": "yes"},
    )
    missed.refresh_from_db()
    assert missed.attended is True
    assert AuditEntry.objects.filter(action="events.booking.attendance").count() == 3


def test_attendance_only_by_post(manager_client: Client, event: Event) -> None:
    assert manager_client.get(staff_url(event, "attendance/")).status_code == 405
