"""A full review round in the browser: the study team submits a protocol to the scientific
committee, the chair assigns a reviewer, the reviewer declares no conflict and assesses, the
chair records a recommendation with a condition and releases it, the team responds, and the
chair marks the condition met. axe checks every page on the way.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.helpers import axe_violations, describe_violations, expect, sign_in
from tests.governance.conftest import PDF  # a real one-page PDF: uploads are parsed

pytestmark = pytest.mark.browser

STUDY = "return-to-work-after-stroke"


@pytest.fixture(autouse=True)
def _data_dir(settings: Any, tmp_path: Any) -> None:
    settings.DATA_DIR = tmp_path


def _axe(page: Any) -> None:
    violations = axe_violations(page)
    assert not violations, describe_violations(page.url, violations)


def _as(page: Any, username: str) -> None:
    if page.get_by_role("button", name="Sign out").count():
        page.get_by_role("button", name="Sign out").click()
        page.wait_for_load_state()
    sign_in(page, username)


def _click(page: Any, role: str, name: str) -> None:
    page.get_by_role(role, name=name, exact=True).click()
    page.wait_for_load_state()


def test_a_protocol_goes_through_a_full_review_round(page: Any) -> None:
    from coproduce.governance.models import Condition, ReviewRound

    # The study team uploads version 2.0 and submits it to the scientific committee.
    _as(page, "researcher")
    page.goto("/staff/governance/")
    _axe(page)
    page.goto(f"/staff/governance/studies/{STUDY}/")
    _axe(page)
    _click(page, "button", "Upload a protocol version")
    _axe(page)
    _click(page, "button", "Upload")  # nothing filled in: NHS.UK errors
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    _axe(page)
    page.get_by_label("Version label").fill("2.0")
    page.get_by_label("Summary of changes (optional)").fill("Outcome measures agreed with the CoP.")
    page.get_by_label("Protocol document").set_input_files(
        {"name": "protocol.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    _click(page, "button", "Upload")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Submit protocol version 2.0")
    _axe(page)
    page.get_by_label("Scientific committee").check()
    _click(page, "button", "Submit for review")
    _axe(page)
    round_url = page.url
    review_round = ReviewRound.objects.get(study__slug=STUDY, protocol_version__label="2.0")
    assert round_url.endswith(review_round.get_absolute_url())
    expect(page.get_by_role("main")).to_contain_text("will appear here when the chair releases")

    # The chair assigns a reviewer.
    _as(page, "panelchair")
    page.goto(round_url)
    _axe(page)
    page.get_by_label("Reviewer").select_option(label="Imogen Castellane")
    _click(page, "button", "Assign reviewer")
    expect(page.get_by_role("main")).to_contain_text("has not declared interests yet")
    _axe(page)

    # The reviewer declares no conflict, then assesses.
    _as(page, "reviewer")
    page.goto(round_url)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Declare your interests")
    _axe(page)
    page.get_by_label("No, I have no conflict of interest").check()
    _click(page, "button", "Make my declaration")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Your assessment")
    _axe(page)
    page.locator("#id_rating_methodology_0").check()
    page.locator("#id_rating_implementation_1").check()
    page.get_by_label("Comments on implementation actively prioritised (optional)").fill(
        "Name who will lead the change in each trust."
    )
    page.get_by_label("Overall comments (optional)").fill("A strong, practical protocol.")
    _click(page, "button", "Save assessment")
    _axe(page)

    # The chair records the recommendation with a condition, then releases it.
    _as(page, "panelchair")
    page.goto(round_url)
    _click(page, "button", "Record the recommendation")
    _axe(page)
    page.get_by_label("Approve with conditions").check()
    page.get_by_label("Reasons").fill("Sound design; implementation leads to be named.")
    page.get_by_label("Conditions (optional)").fill("Name an implementation lead in each trust.")
    _click(page, "button", "Save recommendation")
    _axe(page)
    _click(page, "button", "Release the review to the study team")
    expect(page.get_by_role("main")).to_contain_text("Released to the study team")
    _axe(page)

    # The study team reads it and responds.
    _as(page, "researcher")
    page.goto(round_url)
    expect(page.get_by_role("main")).to_contain_text("Sound design; implementation leads")
    _axe(page)
    _click(page, "button", "Respond to the review")
    _axe(page)
    page.get_by_label("The study team's response").fill("Leads named in section 7.")
    _click(page, "button", "Save response")
    _axe(page)

    # The chair marks the condition met.
    _as(page, "panelchair")
    page.goto(round_url)
    page.get_by_label("How was condition 1 met? (optional)").fill("Section 7 of version 2.0.")
    _click(page, "button", "Mark condition 1 as met")
    expect(page.locator("#conditions ~ ol")).to_contain_text("Met")
    _axe(page)
    condition = Condition.objects.get(round=review_round)
    assert condition.met_at is not None

    page.goto(f"/staff/governance/studies/{STUDY}/timeline/")
    expect(page.get_by_role("main")).to_contain_text("Condition of the Scientific committee met")
    _axe(page)
    for path in (
        "/staff/governance/panels/",
        "/staff/governance/panels/scientific-committee/",
        "/staff/governance/annual-reviews/",
    ):
        page.goto(path)
        _axe(page)


def test_a_manager_changes_a_membership_and_ends_a_term(page: Any) -> None:
    import datetime as dt

    from django.utils import timezone

    from coproduce.governance.models import PanelMembership

    membership = PanelMembership.objects.get(
        panel__slug="scientific-committee", person__full_name="Samuel Brightwater"
    )
    _as(page, "manager")
    page.goto("/staff/governance/panels/scientific-committee/")
    _click(
        page, "link", f"Change Samuel Brightwater's membership from {membership.start:%-d %b %Y}"
    )
    expect(page.get_by_role("heading", level=1)).to_contain_text("Samuel Brightwater")
    _axe(page)
    page.get_by_label("Term ends (optional)").fill("2008-12-31")
    _click(page, "button", "Save changes")
    expect(page.locator(".nhsuk-error-summary")).to_contain_text(
        "The date the term ends must be the same as or after the date it starts"
    )
    _axe(page)
    page.get_by_label("Member", exact=True).check()
    page.get_by_label("Term ends (optional)").fill("")
    _click(page, "button", "Save changes")
    expect(page.get_by_role("main")).to_contain_text("membership is updated")
    _axe(page)

    _click(page, "link", f"End term of Samuel Brightwater from {membership.start:%-d %b %Y}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("End Samuel Brightwater")
    _axe(page)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    page.get_by_label("Date the term ends").fill(yesterday.isoformat())
    _click(page, "button", "End term")
    expect(page.get_by_role("table", name="Past members, latest ended first")).to_contain_text(
        "Samuel Brightwater"
    )
    _axe(page)
    membership.refresh_from_db()
    assert (membership.role, membership.end) == ("member", yesterday)
