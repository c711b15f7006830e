"""A diffusion fellow logs their work on a phone; a researcher records a compromise.

axe checks every page on the way: the quick entry form (empty, with errors, after saving),
the compromise form, the saved compromise, the ledger and the analysis charts.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.e2e.helpers import axe_violations, describe_violations, expect, sign_in

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
STUDY = "return-to-work-after-stroke"


def _assert_no_violations(page: Any) -> None:
    violations = axe_violations(page)
    assert not violations, describe_violations(page.url, violations)


def test_a_fellow_logs_work_on_a_phone_and_a_researcher_records_a_compromise(page: Any) -> None:
    from coproduce.coproduction.models import BrokerActivity, Compromise

    before = BrokerActivity.objects.count()
    page.set_viewport_size(PHONE)
    sign_in(page, "fellow")
    page.goto("/staff/coproduction/activities/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Log knowledge-broker work")
    _assert_no_violations(page)

    # Sent without a kind of work: the error summary says what to fix.
    page.get_by_role("button", name="Log this work").click()
    page.wait_for_load_state()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Choose what kind of work it was")
    _assert_no_violations(page)

    button = page.get_by_role("button", name="Log this work")
    box = button.bounding_box()
    assert box is not None
    assert box["height"] >= 44, f"touch target too small: {box}"
    # The demo's secondments ended with the collaboration in 2013 (the history as dated by the
    # sources), so the fellow logs work done during their post.
    from coproduce.registry.models import Secondment

    post = Secondment.objects.filter(person__email="angela.wragg@greenwoodvale.nhs.example").first()
    assert post is not None
    when = post.start + dt.timedelta(days=30)
    page.get_by_label("Date", exact=True).fill(when.isoformat())
    page.get_by_label("Hours").fill("2.5")
    page.get_by_label("Outward (into practice)").check()
    page.get_by_label("What kind of work?").select_option("recruitment")
    page.get_by_label("Vertical (through management or research bodies)").check()
    page.get_by_label("Audience or organisation").fill("Stroke unit ward managers")
    button.click()
    page.wait_for_load_state()
    expect(page.get_by_role("main")).to_contain_text("Logged 2.5 hours of promoting recruitment")
    expect(page.get_by_role("main")).to_contain_text("Stroke unit ward managers")
    _assert_no_violations(page)
    assert BrokerActivity.objects.count() == before + 1
    logged = BrokerActivity.objects.order_by("-created_at").first()
    assert logged is not None
    assert logged.study is not None
    assert logged.study.slug == STUDY

    # The study's chief investigator records a compromise.
    page.context.clear_cookies()
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, "researcher")
    page.goto(f"/staff/coproduction/studies/{STUDY}/compromises/")
    _assert_no_violations(page)
    page.get_by_role("link", name="Record a compromise").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a compromise")
    _assert_no_violations(page)
    page.get_by_label("Short title").fill("Offer sessions by telephone")
    page.get_by_label("Date agreed").fill("2012-05-01")
    page.get_by_label("Delivery", exact=True).check()
    page.get_by_label("Options considered").fill("Face to face only; telephone as well")
    page.get_by_label("What was agreed").fill("Telephone sessions count as delivered")
    page.get_by_label("Toward practice").check()
    page.get_by_label("Rationale").fill("People back at work cannot attend in the day")
    # A real link to one of the study's governance protocol versions (the first offered).
    page.get_by_label("Protocol version it changed (optional)").select_option(index=1)
    page.get_by_label("Party").first.select_option("academic")
    page.get_by_label("Their position").first.fill("Face to face keeps delivery the same")
    page.get_by_label("Party").nth(1).select_option("service_user")
    page.get_by_label("Their position").nth(1).fill("Telephone fits around work")
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("Offer sessions by telephone")
    expect(page.get_by_role("main")).to_contain_text("Telephone fits around work")
    _assert_no_violations(page)
    saved = Compromise.objects.get(summary="Offer sessions by telephone")
    assert saved.protocol is not None
    assert saved.protocol.study.slug == STUDY
    assert saved.positions.count() == 2

    page.goto(f"/staff/coproduction/compromises/?study={STUDY}")
    expect(page.locator("[data-vega-spec] svg").first).to_be_visible()
    _assert_no_violations(page)


def test_records_are_changed_and_deleted_after_a_confirmation(page: Any) -> None:
    from coproduce.coproduction.models import (
        BrokerActivity,
        InvolvementActivity,
        ReflexiveDialogue,
        Source,
    )

    # The fellow corrects an activity on a phone, and opens (then cancels) its deletion.
    page.set_viewport_size(PHONE)
    sign_in(page, "fellow")
    page.goto("/staff/coproduction/activities/")
    page.get_by_role("link", name="Change the activity of").first.click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change knowledge-broker work")
    _assert_no_violations(page)
    page.get_by_label("Hours").fill("")
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_load_state()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Enter the hours")
    _assert_no_violations(page)
    page.get_by_label("Hours").fill("3")
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_load_state()
    expect(page.get_by_role("main")).to_contain_text("saved")
    page.get_by_role("link", name="Delete the activity of").first.click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete this activity?")
    _assert_no_violations(page)

    # The chief investigator edits a meeting record, a dialogue and an involvement entry.
    page.context.clear_cookies()
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, "researcher")
    base = f"/staff/coproduction/studies/{STUDY}"
    meeting = Source.objects.filter(study__slug=STUDY, kind="meeting").first()
    assert meeting is not None
    page.goto(f"{base}/sources/{meeting.public_id}/edit/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit a meeting record")
    _assert_no_violations(page)
    page.goto(f"{base}/sources/{meeting.public_id}/delete/")
    _assert_no_violations(page)
    dialogue = ReflexiveDialogue.objects.filter(study__slug=STUDY).first()
    involvement = InvolvementActivity.objects.filter(study__slug=STUDY).first()
    assert dialogue is not None
    assert involvement is not None
    for path in (
        f"{base}/dialogues/",
        f"{base}/dialogues/{dialogue.public_id}/edit/",
        f"{base}/dialogues/{dialogue.public_id}/delete/",
        f"{base}/involvement/",
        f"{base}/involvement/{involvement.public_id}/delete/",
    ):
        page.goto(path)
        _assert_no_violations(page)
    page.goto(f"{base}/involvement/{involvement.public_id}/edit/")
    page.get_by_label("What they did").fill("")
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Enter what they did")
    _assert_no_violations(page)

    # A manager sees every logged activity and can correct it.
    page.context.clear_cookies()
    sign_in(page, "manager")
    page.goto("/staff/coproduction/activities/all/")
    expect(page.get_by_role("main")).to_contain_text("Angela Wragg")
    _assert_no_violations(page)
    assert BrokerActivity.objects.filter(hours=3).exists()
