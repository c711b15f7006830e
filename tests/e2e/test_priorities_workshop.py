"""A manager at the final workshop: enters a round's ranks for a small group, sees the
aggregated ranking, records and publishes the agreed top 10, and finds it on /priorities/.
axe checks every page on the way."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.e2e.helpers import axe_violations, describe_violations, expect, sign_in

pytestmark = pytest.mark.browser

TEXTS = ["Alpha: what helps carers?", "Beta: do home visits work?", "Gamma: who is missed?"]


def _assert_no_violations(page: Any) -> None:
    violations = axe_violations(page)
    assert not violations, describe_violations(page.url, violations)


def _setup() -> Any:
    from coproduce.priorities.models import (
        Consultation,
        IndicativeQuestion,
        Workshop,
        WorkshopGroup,
    )

    c = Consultation.objects.create(
        slug="workshop-journey", title="Workshop journey consultation", scope="Scope",
        opens=dt.date(2024, 1, 1), closes=dt.date(2024, 2, 1),
        status=Consultation.Status.CLOSED, published=True,
    )  # fmt: skip
    for text in TEXTS:
        IndicativeQuestion.objects.create(consultation=c, text=text, shortlisted=True)
    w = Workshop.objects.create(consultation=c, title="Journey workshop", held_on=dt.date.today())
    for name in ("Group A", "Group B"):
        WorkshopGroup.objects.create(workshop=w, name=name)
    return w


def test_enter_ranks_see_the_ranking_and_publish_the_top_ten(page: Any) -> None:
    from coproduce.priorities.models import IndicativeQuestion, Priority

    workshop = _setup()
    url = f"/staff/priorities/workshop-journey/workshops/{workshop.public_id}/"
    sign_in(page, "manager")
    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Journey workshop")
    _assert_no_violations(page)

    page.get_by_role("link", name="Enter the ranks for round 1").click()
    page.wait_for_load_state()
    group_a = page.get_by_role("group", name="Group A")
    # A mistake first: the same rank twice is refused and nothing is saved.
    group_a.get_by_label(TEXTS[1]).select_option("1")
    group_a.get_by_label(TEXTS[0]).select_option("1")
    page.get_by_role("button", name="Save round 1").click()
    page.wait_for_load_state()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text(
        "Group A: rank 1 is given to more than one question"
    )
    _assert_no_violations(page)
    group_a = page.get_by_role("group", name="Group A")
    group_a.get_by_label(TEXTS[0]).select_option("2")
    group_a.get_by_label(TEXTS[2]).select_option("3")
    page.get_by_role("button", name="Save round 1").click()
    page.wait_for_load_state()
    main = page.get_by_role("main")
    expect(main).to_contain_text("Round 1 saved: 3 ranks from 1 group")
    expect(main).to_contain_text("Aggregated ranking after round 1")
    expect(main).to_contain_text("ranked nothing (left out): Group B")
    first_row = page.locator("table").first.locator("tbody tr").first
    expect(first_row).to_contain_text(TEXTS[1])
    _assert_no_violations(page)

    page.get_by_role("link", name="Record the agreed top 10").click()
    page.wait_for_load_state()
    beta = IndicativeQuestion.objects.get(text=TEXTS[1])
    expect(page.get_by_label("Priority 1", exact=True)).to_have_value(str(beta.pk))
    _assert_no_violations(page)
    page.get_by_role("button", name="Save the top 10").click()
    page.wait_for_load_state()
    expect(page.get_by_role("main")).to_contain_text("The agreed top 3 is recorded")
    page.get_by_role("button", name="Publish the top 10 on the public page").click()
    page.wait_for_load_state()
    expect(page.get_by_role("main")).to_contain_text("shown on the public priorities page")
    _assert_no_violations(page)

    page.get_by_role("link", name="Record the outcome of priority 3").click()
    page.wait_for_load_state()
    page.get_by_label("Not taken forward").check()
    page.get_by_role("button", name="Save the outcome").click()
    page.wait_for_load_state()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text(
        "Enter the reason it was not taken forward"
    )
    _assert_no_violations(page)
    page.get_by_label("Reason or note").fill("Already studied regionally.")
    page.get_by_role("button", name="Save the outcome").click()
    page.wait_for_load_state()

    page.goto("/priorities/")
    section = page.get_by_role("region", name=f"Journey workshop ({workshop.held_on:%-d %B %Y})")
    expect(section.locator("li").first).to_contain_text(TEXTS[1])
    expect(section).to_contain_text("Already studied regionally.")
    _assert_no_violations(page)
    agreed = Priority.objects.filter(workshop=workshop).order_by("position")
    assert list(agreed.values_list("question__text", flat=True)) == [
        TEXTS[1], TEXTS[0], TEXTS[2],
    ]  # fmt: skip
