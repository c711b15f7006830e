"""Each role's first hour, in the browser, at a desktop and at a phone width.

One journey per role the collaboration has (a visitor, an associate with their link, a carer on
the service user and carer panel, a committee reviewer, a researcher, a diffusion fellow, a
researcher in residence, the collaboration manager). Each journey starts where that person
starts (the home page, their emailed link, the staff home after signing in) and goes on to the
pages they use, following links on the page where the page offers them. At every step:

- axe-core finds no WCAG 2.2 A/AA violation, at 1280x800 and at 390x844;
- the page is no wider than the screen at either width, in the NHS.UK font;
- no stylesheet, script or image failed to load, and no script error (the `page` fixture).

Screenshots: when COPRODUCE_SCREENSHOTS names a folder (`make test-browser` sets it to
var/screenshots), each step is saved there as <role>/<nn>-<step>-<width>.png, full page, for a
person to review. Without it, nothing is written.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.helpers import (
    VIEWPORTS,
    PlaywrightTimeout,
    axe_violations,
    describe_violations,
    layout_problems,
    sign_in,
)

pytestmark = pytest.mark.browser

STUDY = "return-to-work-after-stroke"
STUDY_TITLE = "Return to work after stroke"
# The demo's pathway from the 2008 scoping review to a change in service (demo/data/pathways.toml)
MOOD = "cbt-chronic-mood-disorder"
MOOD_TITLE = "Trial of cognitive behavioural therapy for people with chronic mood disorder"
MOOD_PRIORITY = "How can primary care keep people's mood improving after a group course ends?"
MOOD_COMPROMISE = "Keep follow-on groups outside the trial's outcome measures"
MOOD_RECORD = "Service-user-run follow-on groups (Trentside Healthcare NHS Trust)"
MOOD_IMPACT = "Follow-on groups run by service users"


@dataclass(frozen=True)
class Step:
    """Where the person goes next: an address, or a link they click on the current page."""

    name: str
    url: str | Callable[[], str] = ""
    click: str = ""  # the link's accessible name (exact), on the current page
    expect_text: str = ""  # something the page must say, so a wrong page cannot pass

    def where(self) -> str:
        return self.url() if callable(self.url) else self.url


def _manage_path() -> str:
    """The demo associate's own link, as the email sends it (signed, without the site part)."""
    from coproduce.community.links import manage_path
    from coproduce.community.models import Associate

    associate = Associate.objects.filter(status=Associate.Status.ACTIVE).order_by("pk").first()
    assert associate is not None, "the demo has no active associate"
    return manage_path(associate)


def _round_of(email: str) -> Callable[[], str]:
    """The review round the demo assigns this reviewer to, as their staff home links it."""

    def path() -> str:
        from coproduce.governance.models import ReviewerAssignment

        assignment = (
            ReviewerAssignment.objects.filter(person__email=email)
            .select_related("round")
            .order_by("round__pk")
            .first()
        )
        assert assignment is not None, f"the demo assigns {email} no review"
        return f"/staff/governance/rounds/{assignment.round.public_id}/"

    return path


def _theme_path() -> str:
    from coproduce.registry.models import Theme

    theme = Theme.objects.order_by("name").first()
    assert theme is not None
    return f"/themes/{theme.slug}/"


JOURNEYS: dict[str, tuple[str | None, list[Step]]] = {
    # username (None: not signed in), steps
    "visitor": (
        None,
        [
            Step("home", "/"),
            Step("themes", "/themes/"),
            Step("a-theme", _theme_path),
            Step("studies", "/studies/"),
            Step("a-study", click=STUDY_TITLE, expect_text=STUDY_TITLE),
            Step("events", "/events/"),
            Step("news", "/news/"),
            Step("priorities", "/priorities/"),
            Step("outputs", "/outputs/"),
            Step("join", "/associates/join/", expect_text="Join"),
            Step("contact", "/contact/"),
        ],
    ),
    "associate": (
        None,
        [
            Step("my-details", _manage_path),
            Step("communities", "/communities/"),
            Step("a-community", f"/communities/{STUDY}/"),
            Step("events", "/events/"),
        ],
    ),
    "carer": (
        "carer",
        [
            Step("staff-home", "/staff/"),
            Step("their-review", _round_of("ruth.okonjo@example.org")),
            Step("events", "/events/"),
            Step("news", "/news/"),
        ],
    ),
    "reviewer": (
        "reviewer",
        [
            Step("staff-home", "/staff/"),
            Step("their-review", _round_of("imogen.castellane@example.org")),
            Step("governance", "/staff/governance/"),
            Step("panels", "/staff/governance/panels/"),
            Step("studies", "/staff/studies/"),
        ],
    ),
    "researcher": (
        "researcher",
        [
            Step("staff-home", "/staff/"),
            Step("studies", "/staff/studies/"),
            Step("governance-of-the-study", f"/staff/governance/studies/{STUDY}/"),
            Step("implementation", "/staff/implementation/"),
            Step("barriers", "/staff/implementation/barriers-and-facilitators/"),
            Step("recommendations", "/staff/implementation/recommendations/"),
            Step("co-production", "/staff/coproduction/"),
            Step("compromises", "/staff/coproduction/compromises/"),
            Step("timeline-of-the-study", f"/staff/governance/studies/{STUDY}/timeline/"),
            Step("pathway", f"/staff/studies/{STUDY}/pathway/"),
            Step("qualitative-project", f"/staff/qualitative/{STUDY}/"),
            Step("codebook", f"/staff/qualitative/{STUDY}/codebook/"),
            Step("agreement", f"/staff/qualitative/{STUDY}/agreement/"),
            Step("framework-matrix", f"/staff/qualitative/{STUDY}/analysis/"),
            Step("outputs", "/staff/implementation/outputs/"),
        ],
    ),
    "fellow": (
        "fellow",
        [
            Step("staff-home", "/staff/"),
            Step("co-production", "/staff/coproduction/"),
            Step("broker-log", "/staff/coproduction/activities/"),
            Step("time-used", "/staff/coproduction/time-used/"),
            Step("compromises", "/staff/coproduction/compromises/"),
        ],
    ),
    "resident": (
        "resident",
        [
            Step("staff-home", "/staff/"),
            Step("co-production", "/staff/coproduction/"),
            Step("journal", "/staff/coproduction/journal/"),
            Step("new-journal-entry", "/staff/coproduction/journal/new/"),
        ],
    ),
    "manager": (
        "manager",
        [
            Step("staff-home", "/staff/"),
            Step("studies", "/staff/studies/"),
            Step("associates", "/staff/associates/"),
            Step("communities-health", "/staff/communities/health/"),
            Step("mailings", "/staff/mailings/"),
            Step("events", "/staff/events/"),
            Step("governance", "/staff/governance/"),
            Step("priorities", "/staff/priorities/"),
            Step("implementation", "/staff/implementation/"),
            Step("evaluation-engagement", "/staff/implementation/evaluation/engagement/"),
            Step("annual-report", "/staff/implementation/annual-report/"),
            Step("enquiries", "/staff/enquiries/"),
            Step("secondments", "/staff/secondments/"),
            Step("funding", "/staff/funding/"),
            Step("fellows", "/staff/funding/fellows/"),
            Step("capacity", "/staff/funding/capacity/"),
            Step("pathways", "/staff/pathways/"),
            Step("personal-data", "/staff/personal-data/"),
            Step("register-of-processing", "/staff/personal-data/register/"),
            Step("duplicates", "/staff/personal-data/duplicates/"),
            Step("api-tokens", "/staff/api-tokens/"),
            Step("webhooks", "/staff/webhooks/"),
        ],
    ),
    # The manager follows one study from the priority that started it to the change it made
    # (issue 18), by the links each page offers, ending where the public reads the outcome.
    "priority-to-impact": (
        "manager",
        [
            Step("pathways-reaching-change", "/staff/pathways/?reached=change"),
            Step("the-pathway", click=MOOD_TITLE, expect_text="From priority to impact"),
            Step("the-priority", click=MOOD_PRIORITY, expect_text=MOOD_TITLE),
            Step("the-study-in-public", click=MOOD_TITLE, expect_text="What changed"),
            Step("back-to-the-pathway", f"/staff/studies/{MOOD}/pathway/"),
            Step("the-compromise", click=MOOD_COMPROMISE, expect_text="Version 1.0"),
            Step("its-implementation", click=MOOD_RECORD, expect_text=MOOD_IMPACT),
            Step("the-impact", click=MOOD_IMPACT, expect_text=MOOD_TITLE),
            Step("public-outputs", f"/outputs/?study={MOOD}", expect_text=MOOD_IMPACT),
        ],
    ),
}


def _screenshot_dir() -> Path | None:
    folder = os.environ.get("COPRODUCE_SCREENSHOTS", "")
    return Path(folder) if folder else None


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _check_at(page: Any, role: str, index: int, step: Step, shots: Path | None) -> list[str]:
    """axe and the width check at each viewport; a screenshot at each when asked for."""
    problems: list[str] = []
    before = page.viewport_size
    try:
        for width, height in VIEWPORTS:
            page.set_viewport_size({"width": width, "height": height})
            # The NHS.UK header folds its menu from a resize handler: let it settle first.
            with contextlib.suppress(PlaywrightTimeout):
                page.wait_for_function(
                    "() => document.documentElement.scrollWidth <= window.innerWidth",
                    timeout=3000,
                )
            page.wait_for_timeout(200)
            violations = axe_violations(page)
            if violations:
                problems.append(f"at {width} px: " + describe_violations(page.url, violations))
            if shots is not None:
                folder = shots / role
                folder.mkdir(parents=True, exist_ok=True)
                page.screenshot(
                    path=str(folder / f"{index:02d}-{_slug(step.name)}-{width}.png"),
                    full_page=True,
                )
    finally:
        if before:
            page.set_viewport_size(before)
    problems += layout_problems(page)  # both widths and the font
    return problems


@pytest.mark.parametrize("role", list(JOURNEYS))
def test_each_role_walks_its_first_hour(page: Any, role: str) -> None:
    username, steps = JOURNEYS[role]
    if username:
        sign_in(page, username)
    shots = _screenshot_dir()
    failures: list[str] = []
    for index, step in enumerate(steps, start=1):
        if step.click:
            link = page.get_by_role("main").get_by_role("link", name=step.click, exact=True)
            assert link.count() >= 1, f"{role}: no link {step.click!r} on {page.url}"
            link.first.click()
            page.wait_for_load_state()
        else:
            response = page.goto(step.where())
            assert response is not None, f"{role}: no answer from {step.where()}"
            assert response.ok, f"{role}: {step.where()} answered {response.status}"
        assert "/staff/sign-in/" not in page.url, f"{role}: sent to sign in from {step.name}"
        if step.expect_text:
            assert step.expect_text in page.locator("main").inner_text(), (
                f"{role}: {page.url} does not say {step.expect_text!r}"
            )
        failures += [
            f"{role} step {index} ({step.name}) {problem}"
            for problem in _check_at(page, role, index, step, shots)
        ]
    assert not failures, "\n".join(failures)
