"""axe-core finds no WCAG 2.2 A/AA violation on any public page, nor on the main staff pages.

Every page walked here is also checked to fit a desktop (1280x800) and a phone (390x844)
without sideways scrolling, in the NHS.UK font (helpers.assert_fits_the_screen).

axe checks what a machine can (names, labels, contrast, landmarks, ARIA use); it does not
replace a person with a screen reader, but a violation here is always a real defect.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.e2e.helpers import (
    assert_fits_the_screen,
    axe_violations,
    describe_violations,
    open_study_edit,
    sign_in,
)

pytestmark = pytest.mark.browser

THEME_NAME = "Stroke Rehabilitation"
STUDY_TITLE = "Return to work after stroke"
STUDY_COP_SLUG = "return-to-work-after-stroke"  # a study's community has the study's slug


def _theme_slug() -> str:
    from coproduce.registry.models import Theme

    return Theme.objects.get(name__iexact=THEME_NAME).slug


def _study_slug() -> str:
    from coproduce.registry.models import Study

    return Study.objects.get(title=STUDY_TITLE).slug


# Each public page as a function of the demo data, so slugs come from the database.
PUBLIC_PAGES: dict[str, Callable[[], str]] = {
    "home": lambda: "/",
    "themes": lambda: "/themes/",
    "theme": lambda: f"/themes/{_theme_slug()}/",
    "studies": lambda: "/studies/",
    "studies-filtered-by-theme": lambda: f"/studies/?theme={_theme_slug()}",
    "study": lambda: f"/studies/{_study_slug()}/",
    "who-is-who": lambda: "/who-is-who/",
    "who-is-who-list": lambda: "/who-is-who/diffusion-fellows/former/",
    "contact": lambda: "/contact/",
    "contact-thanks": lambda: "/contact/thanks/",
    "report-studies-by-theme": lambda: "/reports/studies-by-theme/",
    "staff-sign-in": lambda: "/staff/sign-in/",
    "associates-join": lambda: "/associates/join/",
    "associates-manage-request": lambda: "/associates/manage/",
    "communities": lambda: "/communities/",
    "community": lambda: f"/communities/{STUDY_COP_SLUG}/",
    "news": lambda: "/news/",
}


def assert_no_violations(page: Any) -> None:
    violations = axe_violations(page)
    assert not violations, describe_violations(page.url, violations)
    assert_fits_the_screen(page)


def _goto_ok(page: Any, url: str) -> None:
    response = page.goto(url)
    assert response is not None
    assert response.ok, f"{url} answered {response.status}"


@pytest.mark.parametrize("name", list(PUBLIC_PAGES))
def test_public_page_has_no_axe_violations(page: Any, name: str) -> None:
    _goto_ok(page, PUBLIC_PAGES[name]())
    assert_no_violations(page)


# Error pages (coproduce/pages/errors.py): (who is signed in, URL, expected status).
ERROR_PAGES: dict[str, tuple[str, str, int]] = {
    "not-found": ("", "/no-such-page/", 404),
    "not-allowed": ("", "/staff/sign-out/", 405),
    "forbidden-needs-a-role": ("reader", "/staff/studies/new/", 403),
}


@pytest.mark.parametrize("name", list(ERROR_PAGES))
def test_error_page_has_no_axe_violations(page: Any, name: str) -> None:
    username, url, status = ERROR_PAGES[name]
    if username:
        sign_in(page, username)
    response = page.goto(url)
    assert response is not None
    assert response.status == status, f"{url} answered {response.status}"
    assert page.locator("header.nhsuk-header").count() == 1
    assert_no_violations(page)


def test_contact_form_with_errors_has_no_axe_violations(page: Any) -> None:
    _goto_ok(page, "/contact/")
    page.get_by_role("button", name="Send message").click()
    page.wait_for_load_state()
    assert page.locator(".nhsuk-error-summary").is_visible(), "expected validation errors"
    assert_no_violations(page)


def test_staff_sign_in_with_errors_has_no_axe_violations(page: Any) -> None:
    _goto_ok(page, "/staff/sign-in/")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert page.locator(".nhsuk-error-summary").is_visible(), "expected validation errors"
    assert_no_violations(page)


@pytest.mark.parametrize("url", ["/staff/", "/staff/studies/"])
def test_staff_page_has_no_axe_violations(page: Any, url: str) -> None:
    sign_in(page, "manager")
    _goto_ok(page, url)
    assert_no_violations(page)


def test_staff_study_edit_form_has_no_axe_violations(page: Any) -> None:
    sign_in(page, "manager")
    open_study_edit(page, STUDY_TITLE)
    assert_no_violations(page)


def test_staff_study_edit_form_with_errors_has_no_axe_violations(page: Any) -> None:
    import re

    sign_in(page, "manager")
    open_study_edit(page, STUDY_TITLE)
    page.get_by_label(re.compile("^title", re.I)).fill("")
    page.get_by_role("button", name=re.compile("^save", re.I)).click()
    page.wait_for_load_state()
    assert page.locator(".nhsuk-error-summary").is_visible(), "expected validation errors"
    assert_no_violations(page)


def _quiet_community_slug() -> str:
    """A community of practice with no activity at all: its health charts are empty."""
    from coproduce.community.models import CommunityOfPractice
    from coproduce.registry.models import Theme

    theme = Theme.objects.order_by("pk").first()
    assert theme is not None
    cop, _ = CommunityOfPractice.objects.get_or_create(
        slug="quiet-community",
        defaults={"name": "A quiet community", "theme": theme},
    )
    return cop.slug


@pytest.mark.parametrize(
    "path",
    [
        lambda: "/staff/communities/health/",
        lambda: f"/staff/communities/{STUDY_COP_SLUG}/health/",
        lambda: f"/staff/communities/{_quiet_community_slug()}/health/",
    ],
    ids=["all-communities", "a-community", "a-community-with-no-activity"],
)
def test_community_health_charts_have_no_axe_violations(page: Any, path: Callable[[], str]) -> None:
    """Charts are drawn (with JavaScript) before axe runs, empty ones included."""
    sign_in(page, "manager")
    _goto_ok(page, path())
    page.wait_for_selector("[data-vega-spec] svg", state="attached", timeout=15000)
    assert_no_violations(page)


LONG_WORD_TITLE = "Pneumonoultramicroscopicsilicovolcanoconiosisrehabilitationpathwayevaluation"


def _pages_that_overflowed() -> list[str]:
    """Staff pages that were wider than the screen (issue 15), with their data in place."""
    from django.contrib.auth import get_user_model

    from coproduce.audit.log import record
    from coproduce.implementation import network
    from coproduce.registry.models import Study

    network.refresh()  # the network page's graph and ranked table
    study = Study.objects.order_by("pk").first()
    assert study is not None
    manager = get_user_model().objects.get(username="manager")
    before = study.title
    study.title = LONG_WORD_TITLE  # one long word in a record title, shown on the staff home
    study.save(update_fields=["title"])
    record(manager, "study.update", study, {"title": [before, study.title]})
    return [
        "/staff/",
        "/staff/implementation/network/",
        "/staff/implementation/matrix/",
        "/staff/studies/",
        "/staff/secondments/",
        "/staff/people/",
        "/staff/placements/",
    ]


def test_staff_pages_with_wide_tables_and_long_words_fit_the_screen(page: Any) -> None:
    urls = _pages_that_overflowed()
    sign_in(page, "manager")
    for url in urls:
        _goto_ok(page, url)
        page.wait_for_load_state("load")
        assert_fits_the_screen(page)
    # The long title is on the staff home, and wraps rather than being cut.
    _goto_ok(page, "/staff/")
    assert LONG_WORD_TITLE in page.locator("main").inner_text()
