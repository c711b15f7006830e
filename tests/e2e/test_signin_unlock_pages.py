"""A manager locked out by someone else's failed attempts signs in with the emailed link, in a
real browser; axe finds nothing on the refusal, the link's page or the sign-in page after it."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlparse

import pytest

from tests.e2e.helpers import DEMO_PASSWORD, assert_page_loaded, axe_violations, describe_violations

pytestmark = pytest.mark.browser


def _accessible(page: Any) -> None:
    assert_page_loaded(page)
    violations = axe_violations(page)
    assert not violations, describe_violations(page.url, violations)


def _try_to_sign_in(page: Any) -> None:
    page.goto("/staff/sign-in/")
    page.get_by_label("Username").fill("manager")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def test_a_locked_out_manager_signs_in_with_the_emailed_link(page: Any) -> None:
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from coproduce.comms.models import OutboxMessage
    from coproduce.security.models import SignInFailure

    get_user_model().objects.filter(username="manager").update(email="manager@example.org")
    for _ in range(5):  # someone else, at the same address as this browser
        SignInFailure.objects.create(username="manager", ip="127.0.0.1", at=timezone.now())

    _try_to_sign_in(page)
    assert "/staff/sign-in/" in page.url
    assert page.locator(".nhsuk-error-summary").is_visible()
    assert "emailed its address a link" in page.locator(".nhsuk-error-summary").inner_text()
    _accessible(page)

    body = OutboxMessage.objects.get(to_email="manager@example.org").body_text
    found = re.search(r"https?://\S+/staff/sign-in/unlock/\S+/", body)
    assert found is not None, body
    page.goto(urlparse(found.group(0)).path)
    assert page.get_by_role("heading", name="Sign in to your account").is_visible()
    _accessible(page)
    page.get_by_role("button", name="Continue to sign in").click()
    page.wait_for_load_state()
    assert page.url.endswith("/staff/sign-in/")
    assert page.get_by_text("You can now sign in to your account in this browser.").is_visible()
    _accessible(page)

    _try_to_sign_in(page)
    assert "/staff/sign-in/" not in page.url
