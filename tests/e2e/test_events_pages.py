"""The events pages in a real browser: axe-core finds no WCAG 2.2 A/AA violation on the list,
an event with its booking form (also after an empty submit shows the errors), a full event, the
booking page, and the staff pages; and a person books a place using only the keyboard."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.e2e.helpers import axe_violations, describe_violations, expect, sign_in

pytestmark = pytest.mark.browser

OPEN_EVENT = "roadshow-derbyshire"  # upcoming, with places left (coproduce/demo/data/events.toml)
FULL_EVENT = "roadshow-lincolnshire"  # upcoming, full, with a waiting list
PAST_EVENT = "roadshow-nottinghamshire"  # past, attendance recorded


def assert_no_violations(page: Any) -> None:
    violations = axe_violations(page)
    assert not violations, describe_violations(page.url, violations)


def _goto_ok(page: Any, url: str) -> None:
    response = page.goto(url)
    assert response is not None
    assert response.ok, f"{url} answered {response.status}"


def _fresh_form_token(page: Any) -> None:
    """A form token old enough for the spam check, so the test need not wait 3 seconds."""
    from coproduce.lib.spam import issue_form_token

    token = issue_form_token(time.time() - 10)
    page.evaluate(
        "token => { document.querySelector('input[name=form_token]').value = token; }", token
    )


@pytest.mark.parametrize(
    "url",
    [
        "/events/",
        "/events/?kind=roadshow",
        "/events/past/",
        f"/events/{OPEN_EVENT}/",
        f"/events/{FULL_EVENT}/",
        f"/events/{PAST_EVENT}/",
    ],
)
def test_public_events_page_has_no_axe_violations(page: Any, url: str) -> None:
    _goto_ok(page, url)
    assert_no_violations(page)


def test_a_person_books_a_place_by_keyboard(page: Any) -> None:
    from coproduce.events.models import Booking

    _goto_ok(page, "/events/")
    page.get_by_role("link", name="Roadshow: Derbyshire").click()
    page.wait_for_load_state()
    assert urlsplit(page.url).path == f"/events/{OPEN_EVENT}/"
    expect(page.get_by_role("heading", level=1)).to_contain_text("Roadshow: Derbyshire")
    assert page.locator("main time[datetime]").count() >= 2, "dates should be <time> elements"
    assert_no_violations(page)

    # An empty form, sent with the keyboard: errors in the summary, which takes the focus.
    page.get_by_role("button", name="Book a place").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Enter your full name")
    expect(summary).to_contain_text("Enter your email address")
    assert page.title().startswith("Error: ")
    assert_no_violations(page)

    # From the error link to the field, then filled in and sent with the keyboard alone.
    summary.get_by_role("link", name="Enter your full name").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Full name")).to_be_focused()
    page.keyboard.type("Robin Keyboard")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Email address")).to_be_focused()
    page.keyboard.type("robin.keyboard@example.org")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Access needs (optional)")).to_be_focused()
    page.keyboard.type("A seat near the front, please.")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Book a place")).to_be_focused()
    _fresh_form_token(page)
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert urlsplit(page.url).path.startswith("/events/booking/"), page.url
    expect(page.get_by_role("heading", name="Your place is confirmed")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("A seat near the front, please.")
    assert_no_violations(page)
    booking = Booking.objects.get(email="robin.keyboard@example.org")
    assert booking.status == Booking.Status.CONFIRMED
    assert booking.event.slug == OPEN_EVENT

    # Cancelling, by keyboard too.
    page.get_by_role("button", name="Cancel my place").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("main")).to_contain_text("This booking is cancelled.")
    assert_no_violations(page)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED


def test_joining_the_waiting_list_of_a_full_event(page: Any) -> None:
    _goto_ok(page, f"/events/{FULL_EVENT}/")
    expect(page.get_by_role("main")).to_contain_text("Fully booked")
    page.get_by_label("Full name").fill("Wren Waiting")
    page.get_by_label("Email address").fill("wren.waiting@example.org")
    _fresh_form_token(page)
    page.get_by_role("button", name="Join the waiting list").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="You are on the waiting list")).to_be_visible()
    assert_no_violations(page)


@pytest.mark.parametrize("rest", ["", f"{OPEN_EVENT}/", f"{PAST_EVENT}/", f"{OPEN_EVENT}/edit/"])
def test_staff_events_page_has_no_axe_violations(page: Any, rest: str) -> None:
    sign_in(page, "manager")
    _goto_ok(page, f"/staff/events/{rest}")
    assert_no_violations(page)


def test_staff_event_form_with_errors_has_no_axe_violations(page: Any) -> None:
    sign_in(page, "manager")
    _goto_ok(page, "/staff/events/new/")
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    assert_no_violations(page)
