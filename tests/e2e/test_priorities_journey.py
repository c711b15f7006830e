"""A respondent answers a consultation on a phone from their emailed invitation link: a
conditional question appears, they save, come back, and submit. Then a manager merges two
submissions into an indicative question. axe checks every page on the way."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.e2e.helpers import axe_violations, describe_violations, expect, sign_in

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
EMAIL = "rae.respondent@example.org"


def _assert_no_violations(page: Any) -> None:
    violations = axe_violations(page)
    assert not violations, describe_violations(page.url, violations)


def _invitation_path(inbox: Any) -> str:
    sent = [m for m in inbox.messages if EMAIL in m["rcpt_tos"]]
    assert sent, f"no invitation reached {EMAIL}"
    body = sent[-1]["message"].get_body(preferencelist=("plain",)).get_content()
    found = [u for u in re.findall(r"https?://\S+", body) if "/consultations/invitation/" in u]
    assert found, body
    return urlsplit(found[0]).path


def _setup() -> Any:
    from coproduce.priorities import invitations
    from coproduce.priorities.models import Consultation, Invitation, Question

    c = Consultation.objects.create(
        slug="community-services-2026",
        title="Community services research priorities",
        scope="What research should we do about community services?",
        opens=dt.date.today(),
        closes=dt.date.today() + dt.timedelta(days=30),
        status=Consultation.Status.OPEN,
    )
    q1 = Question.objects.create(
        consultation=c, position=1, kind=Question.Kind.SINGLE, required=True,
        text="Do you have concerns about the proposed studies?", choices=["Yes", "No"],
    )  # fmt: skip
    Question.objects.create(
        consultation=c, position=2, kind=Question.Kind.FREE_TEXT, required=True,
        text="Which studies concern you, and why?", show_if_question=q1, show_if_value="Yes",
        collects_submissions=True,
    )  # fmt: skip
    Question.objects.create(
        consultation=c, position=3, kind=Question.Kind.SCALE, text="How important is this?",
        scale_min=1, scale_max=5, scale_min_label="Not important", scale_max_label="Very important",
    )  # fmt: skip
    Question.objects.create(
        consultation=c, position=4, kind=Question.Kind.RANKING, text="Rank these outcomes",
        choices=["Patient experience", "Clinical outcomes", "Cost"],
    )  # fmt: skip
    Invitation.objects.create(
        consultation=c, full_name="Rae Respondent", email=EMAIL, group="service_user_carer"
    )
    invitations.send_invitations(c)
    return c


def test_respondent_on_a_phone_saves_returns_and_submits_then_staff_merge(
    page: Any, smtp_server: Any
) -> None:
    from django.core.management import call_command

    from coproduce.priorities.models import IndicativeQuestion, Response, Submission

    consultation = _setup()
    call_command("worker", "--batch", verbosity=0)
    path = _invitation_path(smtp_server)

    page.set_viewport_size(PHONE)
    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_contain_text(consultation.title)
    concern = page.get_by_label("2. Which studies concern you, and why?")
    expect(concern).to_be_hidden()
    _assert_no_violations(page)

    # Submitting with nothing answered shows the errors.
    page.get_by_role("button", name="Submit your answers").click()
    page.wait_for_load_state()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Select an answer to question 1")
    _assert_no_violations(page)

    # The conditional question appears for "Yes".
    page.get_by_label("Yes", exact=True).check()
    expect(concern).to_be_visible()
    concern.fill("The stroke study should include carers, not only patients.")
    page.get_by_label("4 ", exact=False).first.check()
    page.get_by_role("button", name="Save and come back later").click()
    page.wait_for_load_state()
    expect(page.get_by_role("main")).to_contain_text("Your answers are saved")
    _assert_no_violations(page)
    saved = Response.objects.get(invitation__email=EMAIL)
    assert saved.submitted_at is None

    # Coming back later with the same link: the answers are there.
    page.goto("/")
    page.goto(path)
    expect(page.get_by_label("Yes", exact=True)).to_be_checked()
    expect(concern).to_be_visible()
    expect(concern).to_have_value("The stroke study should include carers, not only patients.")
    page.get_by_label("Rank for: Cost").select_option("1")
    page.get_by_label("Rank for: Patient experience").select_option("2")
    page.get_by_role("button", name="Submit your answers").click()
    page.wait_for_load_state()
    expect(page.get_by_role("main")).to_contain_text("Your response has been submitted")
    expect(page.get_by_role("main")).to_contain_text("1. Cost")
    _assert_no_violations(page)
    saved.refresh_from_db()
    assert saved.submitted_at is not None
    mine = Submission.objects.get(response=saved)

    # A manager merges the new submission with a demo one into an indicative question.
    from coproduce.priorities.models import Submission as S

    other = S.objects.create(
        consultation=consultation, group="clinician",
        text="Carers should be part of stroke rehabilitation studies.",
    )  # fmt: skip
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, "manager")
    page.goto(f"/staff/priorities/{consultation.slug}/submissions/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Submissions")
    _assert_no_violations(page)
    page.locator(f"#pick-{mine.public_id}").check()
    page.locator(f"#pick-{other.public_id}").check()
    page.get_by_label("Or write a new indicative question").fill(
        "How can carers be involved in stroke rehabilitation research?"
    )
    page.get_by_role("button", name="Merge", exact=True).click()
    page.wait_for_load_state()
    expect(page.get_by_role("main")).to_contain_text("2 submissions merged into")
    question = IndicativeQuestion.objects.get(consultation=consultation)
    assert set(question.sources.all()) == {mine, other}
    page.goto(f"/staff/priorities/{consultation.slug}/indicative/{question.public_id}/")
    expect(page.get_by_role("main")).to_contain_text("not only patients")
    _assert_no_violations(page)
    page.goto(f"/staff/priorities/{consultation.slug}/submissions/{mine.public_id}/")
    expect(page.get_by_role("main")).to_contain_text(question.text)
    _assert_no_violations(page)
    page.goto(f"/staff/priorities/{consultation.slug}/")
    _assert_no_violations(page)
    page.goto("/priorities/")
    expect(page.get_by_role("main")).to_contain_text("26 of 34 people invited responded (76%)")
    _assert_no_violations(page)
