"""A type-ahead field (coproduce/staff/lookup.py) in the staff associate directory: the
community filter, with and without JavaScript, at a desktop and a phone width, checked by axe.

Without JavaScript the person types part of a name and sends the form: several matches are
listed as radios to choose from, none is a field error with the text kept. With JavaScript the
box offers suggestions as they type (a <datalist> filled from /staff/lookup/communities/).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.helpers import (
    VIEWPORTS,
    assert_page_loaded,
    axe_violations,
    describe_violations,
    expect,
    sign_in,
)

pytestmark = pytest.mark.browser

DIRECTORY = "/staff/associates/"
BOX = "Community of practice (optional)"
# Three demo communities have "mental health" in their names; one has "supported employment".
SEVERAL = "mental health"
ONE = "supported employment"


def _assert_accessible(page: Any) -> None:
    violations = axe_violations(page)
    assert not violations, describe_violations(page.url, violations)


@pytest.fixture
def no_script_page(browser: Any, live_server: Any, demo: None) -> Iterator[Any]:
    """A page in a browser with JavaScript switched off."""
    context = browser.new_context(
        base_url=live_server.url, locale="en-GB", java_script_enabled=False
    )
    page = context.new_page()
    errors: list[str] = []
    page.on(
        "response",
        lambda response: (
            errors.append(f"{response.status} {response.url}")
            if response.status >= 400 and response.request.resource_type != "document"
            else None
        ),
    )
    page.cp_broken_resources = errors
    try:
        yield page
    finally:
        context.close()


@pytest.mark.parametrize(("width", "height"), VIEWPORTS)
def test_without_javascript_typed_text_is_resolved_by_the_server(
    no_script_page: Any, page: Any, width: int, height: int
) -> None:
    browser_page = no_script_page
    browser_page.set_viewport_size({"width": width, "height": height})
    sign_in(browser_page, "manager")
    browser_page.goto(DIRECTORY)
    box = browser_page.get_by_label(BOX)
    expect(box).to_have_attribute("type", "text")
    # No script ran: the box was never given its list of suggestions.
    assert box.get_attribute("list") is None
    # Several matches: the page says so and lists them to choose from; the text stays.
    box.fill(SEVERAL)
    browser_page.get_by_role("button", name="Search").click()
    error = browser_page.locator("#id_cop-error")
    expect(error).to_contain_text(f"communities match ‘{SEVERAL}’. Choose one of these.")
    expect(box).to_have_value(SEVERAL)
    choices = browser_page.get_by_role("group", name=f"Communities that match ‘{SEVERAL}’")
    expect(choices.get_by_role("radio")).to_have_count(3)
    several_url = browser_page.url
    choices.get_by_label("Mental Health theme community").check()
    browser_page.get_by_role("button", name="Search").click()
    expect(browser_page.locator("#id_cop-error")).to_have_count(0)
    expect(box).to_have_value("Mental Health theme community")
    assert "cop-pick=mental-health-community" in browser_page.url
    # One match: used at once.
    box.fill(ONE)
    browser_page.get_by_role("button", name="Search").click()
    expect(box).to_have_value(
        "Supported employment for people with severe mental health problems community of practice"
    )
    # None: an NHS.UK field error, the text kept.
    box.fill("no such community zzz")
    browser_page.get_by_role("button", name="Search").click()
    expect(browser_page.locator("#id_cop-error")).to_contain_text(
        "No community has a name containing ‘no such community zzz’"
    )
    expect(box).to_have_value("no such community zzz")
    assert_page_loaded(browser_page)
    # axe runs scripts: it checks the same server-drawn pages in a browser that runs them.
    page.set_viewport_size({"width": width, "height": height})
    sign_in(page, "manager")
    for url in (several_url, browser_page.url):
        page.goto(url)
        _assert_accessible(page)


@pytest.mark.parametrize(("width", "height"), VIEWPORTS)
def test_with_javascript_the_box_suggests_names(page: Any, width: int, height: int) -> None:
    page.set_viewport_size({"width": width, "height": height})
    sign_in(page, "manager")
    page.goto(DIRECTORY)
    box = page.get_by_label(BOX)
    box.press_sequentially("mental", delay=30)
    suggestions = page.locator("#id_cop-suggestions option")
    expect(suggestions).to_have_count(3)
    expect(box).to_have_attribute("list", "id_cop-suggestions")
    expect(page.locator("#id_cop-status")).to_have_text(
        "3 suggestions: press the down arrow to choose"
    )
    assert "Mental Health theme community" in suggestions.evaluate_all(
        "options => options.map(o => o.value)"
    )
    _assert_accessible(page)
    # Keyboard only: the whole name of a suggestion, then Enter sends the form.
    box.fill("")
    box.press_sequentially("supported emp", delay=30)
    expect(suggestions).to_have_count(1)
    expect(page.locator("#id_cop-status")).to_have_text(
        "1 suggestion: press the down arrow to choose"
    )
    box.press("Enter")
    page.wait_for_load_state()
    expect(box).to_have_value(
        "Supported employment for people with severe mental health problems community of practice"
    )
    assert "cop=supported" in page.url
    _assert_accessible(page)
