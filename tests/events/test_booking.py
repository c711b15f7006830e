"""Booking: capacity, the waiting list and its automatic promotion, one live booking per
address, links to associates, and no overbooking when bookings race."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from coproduce.audit.models import AuditEntry
from coproduce.comms.models import OutboxMessage
from coproduce.community.models import Associate
from coproduce.events import services
from coproduce.events.models import Booking, Event
from tests.events.conftest import book, make_event

Status = Booking.Status


def statuses(event: Event) -> list[str]:
    return list(Booking.objects.filter(event=event).order_by("id").values_list("status", flat=True))


def test_places_are_confirmed_until_full_then_people_wait(event: Event) -> None:
    book(event, "Ann One")
    book(event, "Ben Two")
    third = book(event, "Cat Three")
    assert statuses(event) == [Status.CONFIRMED, Status.CONFIRMED, Status.WAITLISTED]
    assert third.status == Status.WAITLISTED
    assert event.places_left(services.confirmed_count(event)) == 0


def test_no_limit_means_everyone_gets_a_place(db: Any) -> None:
    event = make_event(capacity=None)
    for name in ["Ann One", "Ben Two", "Cat Three", "Dan Four"]:
        book(event, name)
    assert set(statuses(event)) == {Status.CONFIRMED}


def test_capacity_zero_puts_everyone_on_the_waiting_list(db: Any) -> None:
    event = make_event(capacity=0)
    assert book(event, "Ann One").status == Status.WAITLISTED


def test_cancelling_a_place_promotes_the_earliest_waiting_booking(event: Event) -> None:
    first = book(event, "Ann One")
    book(event, "Ben Two")
    earliest = book(event, "Cat Three")
    later = book(event, "Dan Four")

    promoted = services.cancel_booking(first)

    assert [b.pk for b in promoted] == [earliest.pk]
    earliest.refresh_from_db()
    later.refresh_from_db()
    first.refresh_from_db()
    assert first.status == Status.CANCELLED
    assert first.cancelled_at is not None
    assert earliest.status == Status.CONFIRMED
    assert earliest.promoted_at is not None
    assert later.status == Status.WAITLISTED
    assert services.confirmed_count(event) == 2
    keys = set(OutboxMessage.objects.values_list("key", flat=True))
    assert f"event-promoted:{earliest.pk}" in keys
    assert f"event-booking-cancelled:{first.pk}" in keys
    assert f"event-promoted:{later.pk}" not in keys
    promoted_mail = OutboxMessage.objects.get(key=f"event-promoted:{earliest.pk}")
    assert promoted_mail.to_email == "cat.three@example.org"
    assert "/events/booking/" in promoted_mail.body_text
    assert AuditEntry.objects.filter(action="events.booking.promoted").count() == 1


def test_leaving_the_waiting_list_promotes_nobody(event: Event) -> None:
    book(event, "Ann One")
    book(event, "Ben Two")
    waiting = book(event, "Cat Three")
    later = book(event, "Dan Four")
    assert services.cancel_booking(waiting) == []
    later.refresh_from_db()
    assert later.status == Status.WAITLISTED


def test_cancelling_twice_changes_nothing_more(event: Event) -> None:
    first = book(event, "Ann One")
    book(event, "Ben Two")
    book(event, "Cat Three")
    book(event, "Dan Four")
    services.cancel_booking(first)
    assert services.cancel_booking(first) == []
    assert statuses(event).count(Status.CONFIRMED) == 2


def test_one_live_booking_per_address_whatever_its_case(event: Event) -> None:
    first = services.book(event, full_name="Ann One", email="Ann.One@Example.org")
    again = services.book(event, full_name="Someone Else", email="  ann.one@example.ORG ")
    assert first.created
    assert not again.created
    assert again.booking.pk == first.booking.pk
    assert Booking.objects.filter(event=event).count() == 1
    assert first.booking.email == "ann.one@example.org"
    # The repeat sends the booking's link again to that address, and changes nothing else.
    again_mail = OutboxMessage.objects.get(
        key__startswith=f"event-booking-again:{first.booking.pk}:"
    )
    assert again_mail.to_email == "ann.one@example.org"
    first.booking.refresh_from_db()
    assert first.booking.full_name == "Ann One"


def test_after_cancelling_the_same_address_can_book_again(event: Event) -> None:
    first = book(event, "Ann One")
    services.cancel_booking(first)
    second = book(event, "Ann One")
    assert second.pk != first.pk
    assert second.status == Status.CONFIRMED


def test_a_booking_links_to_the_active_associate_with_that_address(event: Event) -> None:
    active = Associate.objects.create(
        full_name="Ann One", email="ann.one@example.org", role="public", status="active"
    )
    Associate.objects.create(
        full_name="Pen Ding", email="pen.ding@example.org", role="public", status="pending"
    )
    assert book(event, "Ann One").associate == active
    assert book(event, "Pen Ding").associate is None
    assert (
        OutboxMessage.objects.get(key__startswith="event-booking:", to_email=active.email).associate
        == active
    )


def test_the_confirmation_is_queued_once_with_the_booking_link(event: Event) -> None:
    booking = book(event, "Ann One", access_needs="Step-free access")
    mail = OutboxMessage.objects.get(key=f"event-booking:{booking.pk}")
    assert mail.subject == f"Your place at {event.title}"
    assert mail.channel == ""
    assert "/events/booking/" in mail.body_text
    assert "event.ics" in mail.body_text
    assert "<html" in mail.body_html
    book(event, "Ben Two")
    waiting = book(event, "Cat Three")
    assert OutboxMessage.objects.get(key=f"event-booking:{waiting.pk}").subject.startswith(
        "You are on the waiting list"
    )


@pytest.mark.parametrize(
    "fields",
    [
        {"status": Event.Status.DRAFT},
        {"status": Event.Status.CANCELLED},
        {"starts": timezone.now() - dt.timedelta(minutes=5)},
    ],
)
def test_no_booking_for_drafts_cancelled_or_started_events(db: Any, fields: dict[str, Any]) -> None:
    event = make_event(**fields)
    with pytest.raises(services.NotBookable):
        book(event, "Ann One")


def test_the_capacity_is_read_from_the_locked_row_not_a_stale_object(event: Event) -> None:
    stale = Event.objects.get(pk=event.pk)
    Event.objects.filter(pk=event.pk).update(capacity=1)
    book(stale, "Ann One")
    assert book(stale, "Ben Two").status == Status.WAITLISTED


def test_more_places_move_the_waiting_list_up(event: Event) -> None:
    for name in ["Ann One", "Ben Two", "Cat Three", "Dan Four"]:
        book(event, name)
    event.capacity = 3
    event.save()
    with_lock = Event.objects.get(pk=event.pk)
    promoted = services.fill_free_places(with_lock)
    assert [b.full_name for b in promoted] == ["Cat Three"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_racing_bookings_never_overbook() -> None:
    """Twelve people book three places at the same moment, each on its own connection."""
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent writers: run with DATABASE_URL set to PostgreSQL")
    event = make_event(capacity=3)
    start = threading.Barrier(12)
    errors: list[BaseException] = []

    def attempt(number: int) -> None:
        from django.db import connections

        try:
            start.wait()
            book(event, f"Racer {number}", f"racer{number}@example.org")
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert Booking.objects.filter(event=event, status=Status.CONFIRMED).count() == 3
    assert Booking.objects.filter(event=event, status=Status.WAITLISTED).count() == 9


def test_booking_locks_the_event_row(event: Event) -> None:
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        book(event, "Ann One")
    if connection.features.has_select_for_update:
        assert any("FOR UPDATE" in q["sql"] for q in queries.captured_queries)
    else:  # SQLite: the transaction itself is IMMEDIATE, so writers queue for it
        from django.conf import settings

        assert (
            settings.DATABASES["default"].get("OPTIONS", {}).get("transaction_mode") == "IMMEDIATE"
        )
