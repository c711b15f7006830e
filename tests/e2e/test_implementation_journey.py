"""An implementation researcher records a barrier, makes a recommendation and follows it
through to its outcome, then reads the barriers and facilitators matrix and a run chart.
axe checks every page on the way.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.e2e.helpers import axe_violations, describe_violations, expect, sign_in

pytestmark = pytest.mark.browser

STUDY_SLUG = "return-to-work-after-stroke"
STUDY_TITLE = "Return to work after stroke"
BARRIER = "Employers do not know the service exists."
RECOMMENDATION = "Send the service leaflet to the ten largest local employers."


def _assert_no_violations(page: Any) -> None:
    violations = axe_violations(page)
    assert not violations, describe_violations(page.url, violations)


def _path(page: Any) -> str:
    return urlsplit(page.url).path


def _submit(page: Any, name: str = "Save") -> None:
    page.get_by_role("button", name=name, exact=True).click()
    page.wait_for_load_state()


def test_barrier_and_recommendation_to_outcome_matrix_and_run_chart(page: Any) -> None:
    from coproduce.implementation.models import Determinant, Recommendation

    sign_in(page, "researcher")

    # The overview, then the study.
    page.goto("/staff/implementation/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Implementation and evaluation")
    _assert_no_violations(page)
    page.get_by_role("link", name=STUDY_TITLE, exact=True).click()
    page.wait_for_load_state()
    assert _path(page) == f"/staff/implementation/studies/{STUDY_SLUG}/", page.url
    _assert_no_violations(page)

    # Record a barrier: first with nothing filled in, then properly.
    page.get_by_role("link", name="Record a barrier or facilitator").click()
    page.wait_for_load_state()
    page.get_by_label("Date", exact=True).fill("")
    _submit(page)
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Choose the barrier or facilitator")
    _assert_no_violations(page)
    page.get_by_label("Barrier", exact=True).check()
    page.get_by_label("System or institution", exact=True).check()
    page.get_by_label("Structural", exact=True).check()
    page.get_by_label("Description", exact=True).fill(BARRIER)
    page.get_by_label("Source", exact=True).fill("Diffusion fellow's notes")
    page.get_by_label("Date", exact=True).fill("2012-03-05")
    _submit(page)
    assert _path(page) == f"/staff/implementation/studies/{STUDY_SLUG}/", page.url
    expect(page.get_by_role("main")).to_contain_text(BARRIER)
    barrier = Determinant.objects.get(description=BARRIER)
    assert (barrier.kind, barrier.level, barrier.category) == ("barrier", "system", "structural")

    # Make a recommendation to the study team.
    page.get_by_role("link", name="Make a recommendation").click()
    page.wait_for_load_state()
    _assert_no_violations(page)
    page.get_by_label("Recommendation", exact=True).fill(RECOMMENDATION)
    page.get_by_label("The study team", exact=True).check()
    page.get_by_label("Date made", exact=True).fill("2012-03-06")
    page.get_by_label("Due date", exact=True).fill("2012-05-01")
    _submit(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Recommendation")
    expect(page.locator("#rec-status")).to_contain_text("Open")
    _assert_no_violations(page)

    # Accepted, then actioned, then its outcome.
    steps = [
        ("Accepted", ""),
        ("Actioned", ""),
        ("Outcome recorded", "Four employers referred staff."),
    ]
    for label, outcome in steps:
        page.get_by_role("link", name="Update the status").click()
        page.wait_for_load_state()
        _assert_no_violations(page)
        page.get_by_label(label, exact=True).check()
        if outcome:
            page.get_by_label("Outcome (optional)", exact=True).fill(outcome)
        _submit(page)
        expect(page.locator("#rec-status")).to_contain_text(label)
    expect(page.get_by_role("main")).to_contain_text("Four employers referred staff.")
    _assert_no_violations(page)
    recommendation = Recommendation.objects.get(text=RECOMMENDATION)
    assert recommendation.status == Recommendation.Status.OUTCOME
    assert recommendation.steps.count() == 3

    # The matrix for the study: the new barrier counts in its cell, which links to it.
    page.goto(f"/staff/implementation/studies/{STUDY_SLUG}/")
    page.get_by_role("link", name="Barriers and facilitators matrix for this study").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("Barriers and facilitators matrix")
    expect(page.locator("[data-vega-spec] svg").first).to_be_visible()
    _assert_no_violations(page)
    cell = page.locator("#matrix a[href*='level=system&category=structural&kind=barrier']")
    expect(cell).to_have_text("1 barrier: System or institution, Structural")
    cell.click()
    page.wait_for_load_state()
    expect(page.get_by_role("main")).to_contain_text(BARRIER)
    _assert_no_violations(page)

    # A run chart with its median and flagged points.
    page.goto(f"/staff/implementation/studies/{STUDY_SLUG}/")
    page.get_by_role(
        "link", name="Survivors offered a vocational assessment within 6 weeks"
    ).click()
    page.wait_for_load_state()
    expect(page.locator("#signals")).to_contain_text("Median")
    expect(page.locator("[data-vega-spec] svg").first).to_be_visible()
    expect(page.get_by_role("table").first).to_contain_text("Shift")
    _assert_no_violations(page)
