"""Coding a passage of a transcript with the keyboard alone, in the browser.

The researcher opens the demo's coded transcript, moves to a line of the text with Tab, ticks
it with Space, chooses a code with the arrow keys, types a memo and sends the form with Enter:
the coding is saved as theirs, the page says so, and axe-core finds no WCAG 2.2 A/AA violation
on the page before and after (nor with the error summary of a form sent without a code).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.helpers import axe_violations, describe_violations, expect, sign_in

pytestmark = pytest.mark.browser

STUDY = "return-to-work-after-stroke"
SOURCE = "Steering group transcript, March 2011"


def _axe(page: Any) -> None:
    violations = axe_violations(page)
    assert not violations, describe_violations(page.url, violations)


def _tab_to(page: Any, locator: Any, limit: int = 200) -> None:
    """Press Tab until `locator` has the focus, as a keyboard user gets there."""
    for _ in range(limit):
        if locator.evaluate("el => el === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {locator}")


def test_a_researcher_codes_a_passage_by_keyboard(page: Any) -> None:
    from coproduce.qualitative.models import Coding

    sign_in(page, "researcher")
    page.goto(f"/staff/qualitative/{STUDY}/")
    _axe(page)
    page.get_by_role("link", name=SOURCE).first.click()
    page.wait_for_load_state()
    _axe(page)
    before = Coding.objects.filter(coder__username="researcher").count()

    # Sent without a code: the NHS.UK error summary, and nothing saved.
    first_line = page.locator("input[name=segments]").first
    _tab_to(page, first_line)
    page.keyboard.press("Space")
    expect(first_line).to_be_checked()
    _tab_to(page, page.get_by_role("button", name="Apply code"))
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Choose a code")
    _axe(page)
    assert Coding.objects.filter(coder__username="researcher").count() == before

    # Now properly: tick the line, choose a code with the arrow keys, write a memo, Enter.
    first_line = page.locator("input[name=segments]").first
    if not first_line.is_checked():
        _tab_to(page, first_line)
        page.keyboard.press("Space")
    code = page.get_by_label("Code", exact=True)
    _tab_to(page, code)
    page.keyboard.press("ArrowDown")
    chosen = code.evaluate("el => el.value")
    assert chosen, "the arrow key chose no code"
    memo = page.get_by_label("Memo")
    _tab_to(page, memo)
    page.keyboard.type("Coded by keyboard alone.")
    _tab_to(page, page.get_by_role("button", name="Apply code"))
    page.keyboard.press("Enter")
    # The page after saving lists the coding with its memo (waits for the response).
    expect(page.locator("main")).to_contain_text("Coded by keyboard alone.")
    summary = page.locator(".nhsuk-error-summary")
    assert not summary.count(), summary.inner_text()
    made = Coding.objects.filter(coder__username="researcher").order_by("-pk").first()
    assert Coding.objects.filter(coder__username="researcher").count() == before + 1
    assert made is not None
    assert made.memo == "Coded by keyboard alone."
    assert made.start == 0
    _axe(page)
