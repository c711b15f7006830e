"""A manager's first sign-in in a real browser: the set-up page, a wrong code, a right one
(from pyotp, as an authenticator app would make it), the backup codes; axe finds nothing on
any of those pages, and everything is reached by label and role (keyboard and screen reader)."""

from __future__ import annotations

from typing import Any

import pyotp
import pytest

from tests.e2e.helpers import assert_page_loaded, axe_violations, describe_violations, sign_in

pytestmark = pytest.mark.browser

CODE_LABEL = "Enter the 6-digit code your app shows"


def _accessible(page: Any) -> None:
    assert_page_loaded(page)
    violations = axe_violations(page)
    assert not violations, describe_violations(page.url, violations)


def test_a_manager_sets_up_two_factor_at_first_sign_in(page: Any, settings: Any) -> None:
    settings.COPRODUCE_REQUIRE_MANAGER_2FA = True
    sign_in(page, "manager")
    assert "/staff/two-factor/set-up/" in page.url
    assert page.get_by_role("img", name="QR code").is_visible()
    _accessible(page)

    page.get_by_label(CODE_LABEL).fill("000000")
    page.get_by_role("button", name="Turn on two-factor authentication").click()
    page.wait_for_load_state()
    assert page.locator(".nhsuk-error-summary").is_visible()
    assert page.title().startswith("Error: ")
    _accessible(page)

    secret = page.locator("#secret-key").inner_text().replace(" ", "")
    page.get_by_label(CODE_LABEL).fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on two-factor authentication").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Your backup codes").is_visible()
    assert page.locator(".cp-backup-codes li").count() == 8
    _accessible(page)

    page.get_by_role("button", name="I have saved my codes").click()
    page.wait_for_load_state()
    assert page.url.endswith("/staff/")
