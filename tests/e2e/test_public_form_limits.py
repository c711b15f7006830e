"""Over a public form's limit, a person in a browser is told why and keeps what they typed."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.e2e.helpers import axe_violations, describe_violations

pytestmark = pytest.mark.browser


def test_the_contact_form_over_the_limit_explains_keeps_the_message_and_passes_axe(
    page: Any, settings: Any
) -> None:
    from django.test import RequestFactory

    from coproduce.lib.spam import issue_form_token
    from coproduce.pages.models import Enquiry
    from coproduce.security import formlimits

    settings.COPRODUCE_FORM_LIMIT_PER_ADDRESS = 1
    # Someone already used this mailbox's allowance (another spelling of it, another client).
    assert (
        formlimits.admit(
            RequestFactory().post("/", REMOTE_ADDR="192.0.2.9"),
            "join",
            addresses=["sam@example.org"],
        )
        is None
    )

    response = page.goto("/contact/")
    assert response is not None
    assert response.ok
    page.get_by_label("Your name").fill("Sam Carer")
    page.get_by_label("Email address").fill("Sam+enquiry@Example.org")
    page.get_by_label("Your message").fill("How do I join the stroke community?")
    page.evaluate(
        "token => { document.querySelector('input[name=form_token]').value = token; }",
        issue_form_token(time.time() - 10),
    )
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.get_by_role("button", name="Send message").click()
    assert posted.value.status == 429
    page.wait_for_load_state()
    summary = page.locator(".nhsuk-error-summary")
    assert summary.is_visible()
    assert "sent too many times in a short while" in summary.inner_text()
    assert page.get_by_label("Your message").input_value() == "How do I join the stroke community?"
    assert page.get_by_label("Email address").input_value() == "Sam+enquiry@Example.org"
    assert not Enquiry.objects.exists()
    violations = axe_violations(page)
    assert not violations, describe_violations(page.url, violations)
