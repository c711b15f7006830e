"""The booking's signed link: opens the booking, GET changes nothing, POST cancels, and a
tampered, foreign or expired link opens nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any
from unittest import mock

from django.core import signing
from django.test import Client
from django.utils import timezone

from coproduce.comms.models import OutboxMessage
from coproduce.events import links
from coproduce.events.models import Booking, Event
from tests.events.conftest import book, make_event

Status = Booking.Status


def test_the_link_opens_the_booking_and_get_changes_nothing(client: Client, event: Event) -> None:
    booking = book(event, "Ann One", access_needs="A hearing loop")
    url = links.booking_path(booking)
    before = OutboxMessage.objects.count()
    for _ in range(3):  # a mail scanner, a link preview, the person
        response = client.get(url)
        assert response.status_code == 200
    html = response.content.decode()
    assert "Your place is confirmed" in html
    assert "Ann One" in html
    assert "A hearing loop" in html
    assert "Cancel my place" in html
    assert 'name="robots" content="noindex' in html
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    booking.refresh_from_db()
    assert booking.status == Status.CONFIRMED
    assert OutboxMessage.objects.count() == before
    assert client.head(url).status_code == 200
    booking.refresh_from_db()
    assert booking.status == Status.CONFIRMED


def test_post_cancels_and_promotes_the_next_person(client: Client, event: Event) -> None:
    first = book(event, "Ann One")
    book(event, "Ben Two")
    waiting = book(event, "Cat Three")
    url = links.booking_path(first)
    response = client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == url
    html = response.content.decode()
    assert "Your booking is cancelled" in html
    assert "This booking is cancelled" in html
    assert "Cancel my place" not in html
    first.refresh_from_db()
    waiting.refresh_from_db()
    assert first.status == Status.CANCELLED
    assert waiting.status == Status.CONFIRMED
    assert OutboxMessage.objects.filter(key=f"event-promoted:{waiting.pk}").count() == 1
    # Posting again (a double click) changes nothing more.
    client.post(url)
    assert Booking.objects.filter(event=event, status=Status.CONFIRMED).count() == 2


def test_someone_waiting_can_leave_the_list(client: Client, event: Event) -> None:
    book(event, "Ann One")
    book(event, "Ben Two")
    waiting = book(event, "Cat Three")
    url = links.booking_path(waiting)
    assert "Leave the waiting list" in client.get(url).content.decode()
    response = client.post(url, follow=True)
    assert "You have left the waiting list" in response.content.decode()
    waiting.refresh_from_db()
    assert waiting.status == Status.CANCELLED


def test_a_tampered_link_opens_nothing(client: Client, event: Event) -> None:
    booking = book(event, "Ann One")
    token = links.make_token(booking)
    other = book(event, "Ben Two")
    # The other booking's id under this booking's signature.
    forged = other.public_id.hex + token[len(booking.public_id.hex) :]
    for bad in [token[:-1] + ("A" if token[-1] != "A" else "B"), forged, "x" * 500, "nonsense"]:
        response = client.get(f"/events/booking/{bad}/")
        assert response.status_code == 404
        assert "This link does not work" in response.content.decode()
        assert client.post(f"/events/booking/{bad}/").status_code == 404
    booking.refresh_from_db()
    other.refresh_from_db()
    assert booking.status == other.status == Status.CONFIRMED


def test_a_link_signed_with_another_salt_opens_nothing(client: Client, event: Event) -> None:
    booking = book(event, "Ann One")
    token = signing.TimestampSigner(salt="coproduce.community.manage-link").sign(
        booking.public_id.hex
    )
    assert client.get(f"/events/booking/{token}/").status_code == 404


def test_an_expired_link_says_so_and_cancels_nothing(client: Client, event: Event) -> None:
    booking = book(event, "Ann One")
    made = timezone.now() - links.MAX_AGE - dt.timedelta(minutes=1)
    with mock.patch("django.core.signing.time.time", return_value=made.timestamp()):
        token = links.make_token(booking)
    response = client.get(f"/events/booking/{token}/")
    assert response.status_code == 404
    assert "This link has expired" in response.content.decode()
    assert client.post(f"/events/booking/{token}/").status_code == 404
    booking.refresh_from_db()
    assert booking.status == Status.CONFIRMED
    # Just inside the limit it still works.
    made = timezone.now() - links.MAX_AGE + dt.timedelta(minutes=5)
    with mock.patch("django.core.signing.time.time", return_value=made.timestamp()):
        token = links.make_token(booking)
    assert client.get(f"/events/booking/{token}/").status_code == 200


def test_no_cancelling_once_the_event_has_started_or_was_cancelled(client: Client, db: Any) -> None:
    event = make_event()
    booking = book(event, "Ann One")
    Event.objects.filter(pk=event.pk).update(
        starts=timezone.now() - dt.timedelta(hours=1), ends=timezone.now() + dt.timedelta(hours=1)
    )
    url = links.booking_path(booking)
    assert "Cancel my place" not in client.get(url).content.decode()
    client.post(url)
    booking.refresh_from_db()
    assert booking.status == Status.CONFIRMED

    cancelled = make_event(slug="called-off")
    other = book(cancelled, "Ann One")
    Event.objects.filter(pk=cancelled.pk).update(status=Event.Status.CANCELLED)
    html = client.get(links.booking_path(other)).content.decode()
    assert "This event has been cancelled" in html
    assert "Cancel my place" not in html
