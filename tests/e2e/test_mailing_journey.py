"""A manager writes a newsletter, previews it, tests it, sends it, and finds it in the archive.

The email really goes out: the test runs the outbox dispatcher in this process (the live server
shares the test database) against a local SMTP server. axe checks each page on the way.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.e2e.helpers import axe_violations, describe_violations, expect, sign_in

pytestmark = pytest.mark.browser

SUBJECT = "Engage: summer 2026 from the journey test"
MANAGER_EMAIL = "eleanor.hartington@trentside.example.org"  # the demo manager's address
READER_EMAIL = "journey.reader@example.org"


def _assert_no_violations(page: Any) -> None:
    violations = axe_violations(page)
    assert not violations, describe_violations(page.url, violations)


def _path(page: Any) -> str:
    return urlsplit(page.url).path


def _dispatch() -> None:
    from coproduce.comms.outbox import dispatch_due

    dispatch_due(max_seconds=20)


def _received_by(inbox: Any, address: str) -> list[Any]:
    return [m["message"] for m in inbox.messages if address in m["rcpt_tos"]]


def test_a_manager_composes_previews_sends_and_publishes_a_newsletter(
    page: Any, smtp_server: Any
) -> None:
    from coproduce.comms.models import Mailing
    from tests.community import helpers

    # A small community of its own, so the newsletter goes to one person, not the demo crowd.
    cop = helpers.community("mailing-journey", "Mailing journey study")
    helpers.associate(
        full_name="Jo Reader", email=READER_EMAIL, consents={"engage": True}, cops=[cop]
    )
    helpers.associate(full_name="No Consent", consents={"engage": False}, cops=[cop])

    sign_in(page, "manager")
    page.goto("/staff/mailings/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mailings")
    _assert_no_violations(page)

    # Compose: the empty form first shows its errors.
    page.get_by_role("button", name="Write a new mailing").click()
    page.wait_for_load_state()
    assert _path(page) == "/staff/mailings/new/", page.url
    _assert_no_violations(page)
    page.get_by_role("button", name="Save as draft").click()
    page.wait_for_load_state()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Enter a subject")
    _assert_no_violations(page)

    page.get_by_label("Engage newsletter", exact=True).check()
    page.get_by_label("Subject", exact=True).fill(SUBJECT)
    page.get_by_label("Summary (optional)").fill("What our communities did this summer.")
    page.get_by_label("Message", exact=True).fill(
        "## Highlights\n\nThe *return to work* study has reported.\n\n* One\n* Two"
    )
    page.get_by_label(cop.name, exact=True).check()

    # The live preview (htmx) follows the typing.
    frame = page.frame_locator("iframe.cp-email-preview")
    expect(frame.get_by_role("heading", name="Highlights")).to_be_visible()
    expect(frame.locator("body")).to_contain_text("Dear Alex,")
    expect(page.locator("pre.cp-email-text")).to_contain_text("## Highlights")
    _assert_no_violations(page)

    # The Preview button (what works without JavaScript) keeps what was typed.
    page.get_by_role("button", name="Preview", exact=True).click()
    page.wait_for_load_state()
    expect(page.get_by_label("Subject", exact=True)).to_have_value(SUBJECT)
    expect(page.get_by_label(cop.name, exact=True)).to_be_checked()
    expect(frame.get_by_role("heading", name=SUBJECT)).to_be_visible()
    assert not Mailing.objects.filter(subject=SUBJECT).exists(), "previewing saved the mailing"

    page.get_by_role("button", name="Save as draft").click()
    page.wait_for_load_state()
    mailing = Mailing.objects.get(subject=SUBJECT)
    assert _path(page) == f"/staff/mailings/{mailing.public_id}/", page.url
    expect(page.get_by_role("heading", level=1)).to_have_text(SUBJECT)
    _assert_no_violations(page)

    # A test to the manager's own address.
    page.get_by_role("button", name="Send a test to yourself").click()
    page.wait_for_load_state()
    expect(page.get_by_role("main")).to_contain_text(
        f"A test email is on its way to {MANAGER_EMAIL}"
    )
    _dispatch()
    tests = _received_by(smtp_server, MANAGER_EMAIL)
    assert len(tests) == 1, f"got {len(smtp_server.messages)} message(s) in all"
    assert tests[0]["Subject"] == f"[Test] {SUBJECT}"

    # Confirm: the count respects consent and the chosen community.
    page.get_by_role("button", name="Send now").click()
    page.wait_for_load_state()
    expect(page.locator("#recipient-count")).to_have_text(
        "This will send to 1 person who agreed to receive the Engage newsletter."
    )
    _assert_no_violations(page)
    page.get_by_role("button", name="Send to 1 person").click()
    page.wait_for_load_state()
    expect(page.get_by_role("main")).to_contain_text(f"Sending “{SUBJECT}” to 1 person.")
    expect(page.locator("#mailing-progress")).to_be_visible()

    # The dispatcher sends it; the polled progress table shows it finished.
    _dispatch()
    received = _received_by(smtp_server, READER_EMAIL)
    assert len(received) == 1, f"got {len(smtp_server.messages)} message(s) in all"
    message = received[0]
    assert message["Subject"] == SUBJECT
    text = str(message.get_body(preferencelist=("plain",)).get_content())
    assert "Dear Jo," in text
    assert message["List-Unsubscribe"], "a newsletter carries its unsubscribe link"
    expect(page.locator("#mailing-progress caption")).to_contain_text("100% done, finished")
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.SENT
    page.reload()
    _assert_no_violations(page)

    # Published in the archive.
    page.goto("/news/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Newsletters and briefings")
    link = page.get_by_role("link", name=SUBJECT)
    expect(link).to_be_visible()
    _assert_no_violations(page)
    link.click()
    page.wait_for_load_state()
    assert re.fullmatch(r"/news/[a-z0-9-]+/", _path(page)), page.url
    expect(page.get_by_role("heading", level=1)).to_contain_text(SUBJECT)
    expect(page.get_by_role("heading", name="Highlights")).to_be_visible()
    _assert_no_violations(page)


def test_scheduling_with_errors_then_cancelling(page: Any) -> None:
    from coproduce.comms.models import Mailing

    mailing = Mailing.objects.create(
        kind=Mailing.Kind.BRIEFING,
        channel="briefing",
        subject="Briefing to schedule",
        body="Some *news*.",
        slug="briefing-to-schedule-abc123",
    )
    sign_in(page, "manager")
    page.goto(f"/staff/mailings/{mailing.public_id}/")
    page.get_by_role("button", name="Schedule for later").click()
    page.wait_for_load_state()
    expect(page.locator("#recipient-count")).to_contain_text("agreed to receive the monthly")
    _assert_no_violations(page)

    page.get_by_role("button", name="Schedule", exact=True).click()
    page.wait_for_load_state()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Enter the date to send it")
    _assert_no_violations(page)

    page.get_by_label("Date").fill("2031-07-01")
    page.get_by_label("Time (UK time)").fill("09:30")
    page.get_by_role("button", name="Schedule", exact=True).click()
    page.wait_for_load_state()
    expect(page.get_by_role("main")).to_contain_text("Sends on 1 July 2031 at 09:30")
    _assert_no_violations(page)

    page.get_by_role("button", name="Cancel the schedule").click()
    page.wait_for_load_state()
    expect(page.get_by_role("main")).to_contain_text("The mailing is a draft again.")
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.DRAFT
