"""The evaluation dashboards and the collaboration network in a real browser: each page's
charts are drawn beside their tables, the network's table drives the graph from the keyboard,
and axe finds nothing on any of them."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.helpers import axe_violations, describe_violations, expect, sign_in

pytestmark = pytest.mark.browser

DASHBOARDS = [
    ("/staff/implementation/evaluation/diffusion-fellows/", "Diffusion fellows"),
    ("/staff/implementation/evaluation/communities/", "Communities of practice"),
    ("/staff/implementation/evaluation/engagement/", "Engagement"),
    ("/staff/implementation/annual-report/", "Annual report"),
]


def _assert_no_violations(page: Any) -> None:
    violations = axe_violations(page)
    assert not violations, describe_violations(page.url, violations)


def test_dashboards_draw_charts_beside_tables(page: Any) -> None:
    sign_in(page, "researcher")
    for url, heading in DASHBOARDS:
        page.goto(url)
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        if "annual-report" not in url:
            expect(page.locator("table.nhsuk-table").first).to_be_visible()
            expect(page.locator("[data-vega-spec] svg").first).to_be_attached()
        _assert_no_violations(page)


def test_network_graph_and_table_by_keyboard(page: Any) -> None:
    from coproduce.implementation import network

    network.refresh()  # the page shows the stored run (the worker's job in production)
    sign_in(page, "researcher")
    page.goto("/staff/implementation/network/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Collaboration network")
    table = page.locator("table.nhsuk-table")
    expect(table).to_be_visible()
    expect(page.locator("[data-network-spec] svg")).to_be_attached()
    rows = table.locator("tbody tr")
    assert rows.count() > 0
    # The graph has one node per row of the table.
    nodes = page.evaluate(
        "JSON.parse(document.getElementById('network-spec').textContent).data[0].values.length"
    )
    assert nodes == rows.count()
    _assert_no_violations(page)
    button = rows.first.get_by_role("button")
    button.focus()
    page.keyboard.press("Enter")
    expect(button).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#network-status")).to_contain_text("picked out in the graph")
    _assert_no_violations(page)
    page.keyboard.press("Enter")
    expect(button).to_have_attribute("aria-pressed", "false")
    # Ranked by brokerage, people only.
    page.get_by_label("Rank by").select_option("brokerage")
    page.get_by_label("Show", exact=True).select_option("person")
    page.get_by_role("button", name="Show", exact=True).click()
    page.wait_for_load_state()
    expect(page.locator("table.nhsuk-table tbody tr").first.locator("td").nth(1)).to_have_text(
        "Person"
    )
    _assert_no_violations(page)
