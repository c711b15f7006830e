"""What the browser tests share: signing in, reaching a study's edit form, running axe."""

from __future__ import annotations

import contextlib
import json
import re
from pathlib import Path
from typing import Any

try:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture reports it: a failure on CI, a loud skip elsewhere
    expect = None
    PlaywrightTimeout = TimeoutError

AXE_JS = Path(__file__).resolve().parent / "axe.min.js"  # axe-core 4.14.1, see axe-LICENSE
DEMO_PASSWORD = "coproduce-demo"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# A desktop and a phone (iPhone 12 to 15): no page may be wider than either.
VIEWPORTS = [(1280, 800), (390, 844)]
# The NHS.UK font stack, or its Arial fallback: never the browser's serif default.
NHS_FONT = re.compile(r"""^\s*(["']?Frutiger W01["']?|Arial)\b""", re.I)


def sign_in(page: Any, username: str, password: str = DEMO_PASSWORD) -> None:
    page.goto("/staff/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert "/staff/sign-in/" not in page.url, f"sign-in as {username} failed: {page.url}"


def assert_page_loaded(page: Any) -> None:
    """Every stylesheet, script and image of the page loaded (the `page` fixture records them)."""
    broken = getattr(page, "cp_broken_resources", [])
    assert not broken, f"on {page.url}, these did not load: {broken}"


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Run axe-core on the page against WCAG 2.0/2.1/2.2 A and AA; return its violations."""
    page.wait_for_load_state("load")
    assert_page_loaded(page)
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated, not added as an inline <script>: the site's CSP forbids inline script.
        page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    return list(result["violations"])


def describe_violations(url: str, violations: list[dict[str, Any]]) -> str:
    """Each violation's rule, impact, help and offending elements, ready to act on."""
    lines = [f"{len(violations)} accessibility violation(s) on {url}:"]
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation.get('impact')}): {violation['help']}"
            f" <{violation.get('helpUrl', '')}>"
        )
        for node in violation["nodes"]:
            target = json.dumps(node.get("target"))
            lines.append(f"    target {target}: {node.get('html', '')[:200]}")
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            if summary:
                lines.append(f"      {summary[:300]}")
    return "\n".join(lines)


def open_study_edit(page: Any, title: str) -> None:
    """From the staff study list to the study's edit form, the way a person gets there."""
    page.goto("/staff/studies/")
    edit = page.get_by_role("main").get_by_role("link", name=f"Edit {title}", exact=True)
    assert edit.count() == 1, f"no link 'Edit {title}' on {page.url}"
    edit.click()
    page.wait_for_load_state()
    assert page.url.rstrip("/").endswith("/edit"), f"expected the edit form, got {page.url}"


def layout_problems(page: Any) -> list[str]:
    """What is wrong with the page's layout at each of VIEWPORTS, and with its font.

    A page is too wide when `document.documentElement.scrollWidth` exceeds `innerWidth`: the
    person must scroll sideways to read it. The widest elements are named to act on. The
    viewport is put back as it was.
    """
    problems = []
    font = page.evaluate("getComputedStyle(document.body).fontFamily")
    if not NHS_FONT.match(font):
        problems.append(f"the body font is {font!r}, not the NHS.UK stack (Frutiger, Arial)")
    before = page.viewport_size
    try:
        for width, height in VIEWPORTS:
            page.set_viewport_size({"width": width, "height": height})
            # The NHS.UK header moves navigation items that do not fit into its "More" menu
            # from a resize handler: give it up to 3 s to settle, then measure whatever is there.
            with contextlib.suppress(PlaywrightTimeout):  # still too wide: measured below
                page.wait_for_function(
                    "() => document.documentElement.scrollWidth <= window.innerWidth",
                    timeout=3000,
                )
            scroll, inner, widest = page.evaluate(
                """() => {
                  const inner = window.innerWidth;
                  const wide = [];
                  for (const el of document.body.querySelectorAll('*')) {
                    const right = el.getBoundingClientRect().right;
                    if (right > inner + 1) wide.push([right, el.tagName.toLowerCase() +
                      (el.className && el.className.baseVal === undefined ?
                       '.' + String(el.className).trim().split(/\\s+/).join('.') : '')]);
                  }
                  wide.sort((a, b) => b[0] - a[0]);
                  return [document.documentElement.scrollWidth, inner,
                          wide.slice(0, 5).map(([r, n]) => `${n} to ${Math.round(r)} px`)];
                }"""
            )
            if scroll > inner:
                problems.append(
                    f"at {width}x{height} the page is {scroll} px wide; widest: {widest}"
                )
    finally:
        if before:
            page.set_viewport_size(before)
    return problems


def assert_fits_the_screen(page: Any) -> None:
    """No sideways scrolling at a desktop or a phone width, and the NHS.UK font."""
    problems = layout_problems(page)
    assert not problems, f"on {page.url}: " + "; ".join(problems)
