"""A visitor's walk through the public site, a researcher's edit, and the keyboard-only basics."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

from tests.e2e.helpers import expect, open_study_edit, sign_in

pytestmark = pytest.mark.browser

STUDY_TITLE = "Return to work after stroke"


def _path(page: Any) -> str:
    return urlsplit(page.url).path


def test_a_visitor_walks_from_home_to_a_diffusion_fellow_and_a_researcher_updates_the_study(
    page: Any,
) -> None:
    page.goto("/")
    page.get_by_role("main").get_by_role(
        "link", name=re.compile(r"^stroke rehabilitation$", re.I)
    ).click()
    assert re.fullmatch(r"/themes/[\w-]+/", _path(page)), page.url
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        re.compile("stroke rehabilitation", re.I)
    )

    page.get_by_role("main").get_by_role("link", name=STUDY_TITLE, exact=True).click()
    assert re.fullmatch(r"/studies/[\w-]+/", _path(page)), page.url
    study_path = _path(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text(STUDY_TITLE)

    # The study names its diffusion fellows (listed before its researchers in residence);
    # each links to the fellow's entry in who is who: the list, and the page of it, that has
    # them.
    fellow = page.get_by_role("main").locator("a[href*='/who-is-who/']").first
    expect(fellow).to_be_visible()
    fellow_name = fellow.inner_text().strip()
    assert fellow_name, "the diffusion fellow link has no text"
    fellow.click()
    assert _path(page).startswith("/who-is-who/diffusion-fellows/"), page.url
    fragment = unquote(urlsplit(page.url).fragment)
    assert fragment, f"the link should point at the person's entry, not the top: {page.url}"
    entry = page.locator(f"[id='{fragment}']")
    expect(entry).to_contain_text(fellow_name)
    expect(entry).to_be_in_viewport()
    fellows_table = page.get_by_role("table", name=re.compile("diffusion fellows", re.I))
    expect(fellows_table.locator(f"[id='{fragment}']")).to_have_count(1)

    # A researcher on the study (the demo's "researcher") edits its public summary.
    sign_in(page, "researcher")
    open_study_edit(page, STUDY_TITLE)
    new_summary = "Updated in the browser test: fellows now meet employers every month."
    page.get_by_label(re.compile("^summary", re.I)).fill(new_summary)
    page.get_by_role("button", name=re.compile("^save", re.I)).click()
    page.wait_for_load_state()
    expect(page.locator(".nhsuk-error-summary")).to_have_count(0)

    page.goto(study_path)
    expect(page.get_by_role("main")).to_contain_text(new_summary)


def test_a_link_to_who_is_who_made_before_its_lists_were_paged_still_finds_the_person(
    page: Any,
) -> None:
    from coproduce.registry.models import Secondment

    person = Secondment.objects.select_related("person").order_by("person__full_name").last()
    assert person is not None
    entry_id = f"person-{person.person.public_id}"

    page.goto(f"/who-is-who/#{entry_id}")

    page.wait_for_url(re.compile(r"/who-is-who/diffusion-fellows/"))
    entry = page.locator(f"[id='{entry_id}']")
    expect(entry).to_contain_text(person.person.full_name)
    expect(entry).to_be_in_viewport()


def test_the_skip_link_is_the_first_tab_stop_and_moves_focus_to_the_main_content(
    page: Any,
) -> None:
    page.goto("/")
    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Skip to main content")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_visible()  # it appears when focused

    page.keyboard.press("Enter")
    expect(page.get_by_role("main")).to_be_focused()
    # The next Tab continues from inside the main content, not from the header.
    page.keyboard.press("Tab")
    inside_main = page.evaluate(
        "() => document.getElementById('maincontent').contains(document.activeElement)"
    )
    assert inside_main, "Tab after the skip link should land inside the main content"


def test_saving_a_study_without_a_title_shows_an_error_summary_linked_to_the_field(
    page: Any,
) -> None:
    sign_in(page, "manager")
    open_study_edit(page, STUDY_TITLE)
    title = page.get_by_label(re.compile("^title", re.I))
    title.fill("")
    page.get_by_role("button", name=re.compile("^save", re.I)).click()
    page.wait_for_load_state()

    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_in_viewport()
    expect(summary).to_be_focused()  # NHS.UK's error summary takes focus, so it is read out
    expect(summary.get_by_role("alert")).to_contain_text("There is a problem")
    title = page.get_by_label(re.compile("^title", re.I))
    title_id = title.get_attribute("id")
    assert title_id, "the title field has no id for the summary to link to"
    link = summary.locator(f"a[href='#{title_id}']")
    expect(link).to_have_count(1)
    expect(title).to_have_attribute("aria-describedby", re.compile(r"\berror\b|-error"))
    link.click()
    expect(title).to_be_focused()
