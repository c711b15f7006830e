"""A person joins as an associate on a phone, confirms by email, and changes their choices.

The email really goes out: the test runs the task worker (the live server shares the test
database, where tasks are queued) against a local SMTP server, and follows the links in the
messages it receives. axe checks each page on the way.
"""

from __future__ import annotations

import re
import time
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.e2e.helpers import axe_violations, describe_violations, expect

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
EMAIL = "sam.associate@example.org"
KEEP_SLUG = "return-to-work-after-stroke"
LEAVE_SLUG = "supported-employment"


def _assert_no_violations(page: Any) -> None:
    violations = axe_violations(page)
    assert not violations, describe_violations(page.url, violations)


def _path(page: Any) -> str:
    return urlsplit(page.url).path


def _run_worker() -> None:
    from django.core.management import call_command

    call_command("worker", "--batch", verbosity=0)


def _text_body(delivered: dict[str, Any]) -> str:
    body = delivered["message"].get_body(preferencelist=("plain",))
    assert body is not None, "the email has no plain-text part"
    return str(body.get_content())


def _link_path(inbox: Any, to: str, pattern: str) -> str:
    """The path of the one link matching `pattern` in the latest message sent to `to`."""
    sent_to = [m for m in inbox.messages if to in m["rcpt_tos"]]
    assert sent_to, f"no email reached {to}; got {len(inbox.messages)} message(s) in all"
    text = _text_body(sent_to[-1])
    found = re.findall(r"https?://\S+", text)
    matching = [url for url in found if re.search(pattern, urlsplit(url).path)]
    assert matching, f"no link matching {pattern} in the email:\n{text}"
    return urlsplit(matching[0]).path


def _fresh_form_token(page: Any) -> None:
    """A form token old enough for the spam check, so the test need not wait 3 seconds."""
    from coproduce.lib.spam import issue_form_token

    token = issue_form_token(time.time() - 10)
    page.evaluate(
        "token => { document.querySelector('input[name=form_token]').value = token; }", token
    )


def test_a_person_joins_on_a_phone_confirms_by_email_and_leaves_one_community(
    page: Any, smtp_server: Any
) -> None:
    from coproduce.community.forms_associates import current_wordings
    from coproduce.community.models import (
        Associate,
        Channel,
        CommunityOfPractice,
        ConsentRecord,
        Membership,
    )

    keep = CommunityOfPractice.objects.get(slug=KEEP_SLUG)
    leave = CommunityOfPractice.objects.get(slug=LEAVE_SLUG)
    engage_words = current_wordings()[Channel.ENGAGE].text
    page.set_viewport_size(PHONE)

    # The join form, then the same form with errors after an empty submit.
    page.goto("/associates/join/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Join as an associate")
    _assert_no_violations(page)
    page.get_by_role("button", name="Join", exact=True).click()
    page.wait_for_load_state()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Enter your full name")
    _assert_no_violations(page)

    # Filled in properly this time.
    page.get_by_label("Full name").fill("Sam Associate")
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Clinician", exact=True).check()
    page.get_by_label(keep.name, exact=True).check()
    page.get_by_label(leave.name, exact=True).check()
    page.get_by_label(engage_words, exact=True).check()
    _fresh_form_token(page)
    page.get_by_role("button", name="Join", exact=True).click()
    page.wait_for_load_state()
    assert _path(page) == "/associates/join/check-your-email/", page.url
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    _assert_no_violations(page)

    # The confirmation email, sent by the worker.
    _run_worker()
    confirm_path = _link_path(smtp_server, EMAIL, r"^/associates/confirm/[^/]+/$")
    page.goto(confirm_path)
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your details")
    main = page.get_by_role("main")
    expect(main).to_contain_text("Sam Associate")
    expect(main).to_contain_text(keep.name)
    expect(main).to_contain_text(leave.name)
    _assert_no_violations(page)
    page.get_by_role("button", name="Confirm", exact=True).click()
    page.wait_for_load_state()
    assert _path(page) == "/associates/confirmed/", page.url
    expect(page.get_by_role("heading", level=1)).to_have_text("Your details are confirmed")
    _assert_no_violations(page)

    associate = Associate.objects.get(email=EMAIL)
    assert associate.status == Associate.Status.ACTIVE

    # The welcome email carries the link to manage their choices.
    _run_worker()
    manage_path = _link_path(smtp_server, EMAIL, r"^/associates/manage/[^/]+/$")
    page.goto(manage_path)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your choices")
    expect(page.get_by_label(keep.name, exact=True)).to_be_checked()
    expect(page.get_by_label(leave.name, exact=True)).to_be_checked()
    _assert_no_violations(page)

    page.get_by_label(leave.name, exact=True).uncheck()
    page.get_by_role("button", name="Save my choices").click()
    page.wait_for_load_state()
    assert _path(page) == manage_path, page.url
    expect(page.get_by_role("main")).to_contain_text("Your choices have been saved.")
    expect(page.get_by_label(keep.name, exact=True)).to_be_checked()
    expect(page.get_by_label(leave.name, exact=True)).not_to_be_checked()
    _assert_no_violations(page)

    left = Membership.objects.get(associate=associate, cop=leave)
    assert left.left is not None, "leaving a community should set `left`"
    kept = Membership.objects.get(associate=associate, cop=keep)
    assert kept.left is None, "the other community should remain"
    assert ConsentRecord.objects.filter(
        associate=associate, channel=Channel.ENGAGE, granted=True
    ).exists(), "no record of the consent to Engage"

    # The warning before erasure (not acted on).
    page.get_by_role("link", name="Remove my details").click()
    page.wait_for_load_state()
    assert _path(page) == f"{manage_path}erase/", page.url
    expect(page.get_by_role("heading", level=1)).to_have_text("Remove your details")
    _assert_no_violations(page)
    associate.refresh_from_db()
    assert associate.status == Associate.Status.ACTIVE
