"""Public event pages: the list (upcoming, soonest first, filtered by type, paginated, with
query counts that do not grow), past events, an event's page and its booking form."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from coproduce.events import links
from coproduce.events.models import Booking, Event
from coproduce.events.views import PAGE_SIZE
from tests import factories
from tests.events.conftest import book, booking_form, make_event, post_booking

LIST_URL = "/events/"


def days(n: float) -> dt.datetime:
    return timezone.now() + dt.timedelta(days=n)


def test_the_list_shows_upcoming_published_events_soonest_first(client: Client, db: Any) -> None:
    later = make_event(title="Later seminar", starts=days(20))
    sooner = make_event(title="Sooner seminar", starts=days(2))
    make_event(title="Draft seminar", starts=days(3), status=Event.Status.DRAFT)
    make_event(title="Cancelled seminar", starts=days(4), status=Event.Status.CANCELLED)
    make_event(title="Past seminar", starts=days(-4))
    html = client.get(LIST_URL).content.decode()
    assert html.index(sooner.title) < html.index(later.title)
    for hidden in ["Draft seminar", "Cancelled seminar", "Past seminar"]:
        assert hidden not in html
    assert 'href="/events/past/"' in html
    assert 'href="/events/feed.ics"' in html
    assert "2 upcoming events." in html
    assert "<time datetime=" in html


def test_the_list_shows_places_left_or_the_waiting_list(client: Client, db: Any) -> None:
    roomy = make_event(title="Roomy", capacity=5)
    full = make_event(title="Full", capacity=1)
    book(roomy, "Ann One")
    book(full, "Ann One")
    html = client.get(LIST_URL).content.decode()
    assert "4 places left" in html
    assert "Fully booked: waiting list open" in html


def test_past_events_most_recent_first(client: Client, db: Any) -> None:
    make_event(title="Long ago", starts=days(-90))
    make_event(title="Last week", starts=days(-7))
    make_event(title="Coming up", starts=days(7))
    html = client.get("/events/past/").content.decode()
    assert html.index("Last week") < html.index("Long ago")
    assert "Coming up" not in html


def test_filter_by_kind(client: Client, db: Any) -> None:
    make_event(title="A roadshow in Derbyshire", kind=Event.Kind.ROADSHOW)
    make_event(title="A seminar on measures", kind=Event.Kind.SEMINAR)
    html = client.get(LIST_URL, {"kind": "roadshow"}).content.decode()
    assert "A roadshow in Derbyshire" in html
    assert "A seminar on measures" not in html
    assert 'href="/events/past/?kind=roadshow"' in html
    # An unknown kind is ignored, not an error.
    response = client.get(LIST_URL, {"kind": "party"})
    assert response.status_code == 200
    assert "A seminar on measures" in response.content.decode()


def test_the_list_is_paginated(client: Client, db: Any) -> None:
    for n in range(PAGE_SIZE + 1):
        make_event(title=f"Paged event {n:02d}", starts=days(1 + n))
    first = client.get(LIST_URL).content.decode()
    assert "Paged event 00" in first
    assert f"Paged event {PAGE_SIZE:02d}" not in first
    second = client.get(LIST_URL, {"page": 2}).content.decode()
    assert f"Paged event {PAGE_SIZE:02d}" in second


@pytest.mark.parametrize("url", [LIST_URL, "/events/past/"])
def test_list_queries_do_not_grow_with_rows(client: Client, db: Any, url: str) -> None:
    def add(n: int) -> None:
        for i in range(n):
            when = days(3 + i) if url == LIST_URL else days(-3 - i)
            event = make_event(starts=when, capacity=None)
            Booking.objects.create(
                event=event, full_name="A B", email=f"a{i}@example.org", status="confirmed"
            )

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    add(2)
    few = count()
    add(15)
    assert count() == few
    assert few <= 3


def test_an_event_page_says_when_where_and_how_many_places(client: Client, db: Any) -> None:
    from coproduce.community.models import CommunityOfPractice

    study = factories.StudyFactory(slug="return-to-work", title="Return to work after stroke")
    cop = CommunityOfPractice.objects.get(study=study)
    london = ZoneInfo("Europe/London")  # March: GMT, so +00:00
    event = make_event(
        title="Return to work: community meeting",
        kind=Event.Kind.COP_MEETING,
        starts=dt.datetime(2099, 3, 3, 10, tzinfo=london),
        ends=dt.datetime(2099, 3, 3, 16, tzinfo=london),
        venue="Riverside Therapy Centre",
        address="8 Wharf Road\nNottingham",
        capacity=3,
        cop=cop,
    )
    book(event, "Ann One")
    html = client.get(event.get_absolute_url()).content.decode()
    assert "Community of practice meeting" in html
    assert '<time datetime="2099-03-03T10:00:00+00:00">Tuesday 3 March 2099, 10am</time>' in html
    assert '<time datetime="2099-03-03T16:00:00+00:00">4pm</time>' in html
    assert "Riverside Therapy Centre" in html
    assert "8 Wharf Road<br>Nottingham" in html
    assert "2 places left, of 3" in html
    assert f'href="{cop.get_absolute_url()}"' in html
    assert f'href="/events/{event.slug}/event.ics"' in html
    assert "Book a place" in html
    for label in ["Full name", "Email address", "Access needs (optional)"]:
        assert label in html
    # The public page never shows who has booked.
    assert "Ann One" not in html
    assert "ann.one@example.org" not in html


def test_a_full_event_offers_the_waiting_list(client: Client, db: Any) -> None:
    event = make_event(capacity=1)
    book(event, "Ann One")
    html = client.get(event.get_absolute_url()).content.decode()
    assert "Fully booked: you can join the waiting list" in html
    assert "Join the waiting list" in html


def test_online_events_say_so_and_keep_the_link_for_people_with_a_place(
    client: Client, db: Any
) -> None:
    event = make_event(venue="", online_url="https://meet.example.org/secret-room")
    html = client.get(event.get_absolute_url()).content.decode()
    assert "Online" in html
    assert "secret-room" not in html
    booking = book(event, "Ann One")
    assert "secret-room" in client.get(links.booking_path(booking)).content.decode()


def test_drafts_are_not_found_and_cancelled_events_say_so(client: Client, db: Any) -> None:
    draft = make_event(status=Event.Status.DRAFT)
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(f"/events/{draft.slug}/event.ics").status_code == 404
    cancelled = make_event(status=Event.Status.CANCELLED)
    html = client.get(cancelled.get_absolute_url()).content.decode()
    assert "This event has been cancelled" in html
    assert "Book a place" not in html
    assert post_booking(client, cancelled).status_code == 409
    assert not Booking.objects.exists()


def test_booking_by_the_form_opens_the_booking(client: Client, event: Event) -> None:
    response = post_booking(
        client, event, email="Alex.Booker@Example.org", access_needs="Vegetarian lunch"
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/events/booking/")
    booking = Booking.objects.get()
    assert booking.email == "alex.booker@example.org"
    assert booking.access_needs == "Vegetarian lunch"
    assert booking.status == Booking.Status.CONFIRMED
    page = client.get(response["Location"]).content.decode()
    assert "Your place is confirmed" in page


def test_booking_again_sends_the_link_and_shows_nothing_of_the_booking(
    client: Client, event: Event
) -> None:
    post_booking(client, event, full_name="Alex Booker", access_needs="Private detail")
    response = post_booking(
        client, event, full_name="Mallory Snoop", email="ALEX.BOOKER@example.org"
    )
    assert response.status_code == 302
    assert response["Location"] == f"/events/{event.slug}/check-your-email/"
    page = client.get(response["Location"]).content.decode()
    assert "Check your email" in page
    assert "Private detail" not in page
    assert "Alex Booker" not in page
    assert Booking.objects.count() == 1
    assert Booking.objects.get().full_name == "Alex Booker"


def test_the_form_shows_errors_and_books_nothing(client: Client, event: Event) -> None:
    response = client.post(
        event.get_absolute_url(), booking_form(full_name="", email="not-an-address")
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "nhsuk-error-summary" in html
    assert "Enter your full name" in html
    assert "Enter an email address in the correct format" in html
    assert html.count("<title>Error: ") == 1
    assert not Booking.objects.exists()


def test_the_honeypot_and_a_too_fresh_form_book_nothing(client: Client, event: Event) -> None:
    from coproduce.lib.spam import issue_form_token

    assert post_booking(client, event, website="http://spam.example").status_code == 200
    assert post_booking(client, event, form_token=issue_form_token()).status_code == 200
    assert not Booking.objects.exists()


def test_no_booking_form_once_the_event_has_started(client: Client, db: Any) -> None:
    event = make_event(starts=timezone.now() - dt.timedelta(minutes=30))
    html = client.get(event.get_absolute_url()).content.decode()
    assert "booking is closed" in html
    assert post_booking(client, event).status_code == 409
