"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

- One browser per xdist worker (session scope); a fresh context (cookies, storage) per test.
- The demo collaboration (`coproduce loaddemo`) is in the database for every test, because
  `live_server` needs a transactional database that is emptied after each test: loaded by
  the first test of each xdist worker, restored from a snapshot for the others
  (tests/e2e/snapshot.py). Serialized rollback puts back what migrations created (the role
  groups) before each test.
- No Chromium: the tests fail on CI (CI set) and are skipped, loudly, elsewhere.
"""

from __future__ import annotations

import os
import shutil
import sys
import warnings
from collections.abc import Iterator
from typing import Any

import pytest

# Playwright's sync API runs an asyncio event loop in this thread; Django refuses ORM calls
# from a thread with a running loop unless told that this is deliberate.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# Playwright's own timeouts are 30 s; a page here takes ~50 ms, so fail fast instead.
TIMEOUT_MS = 10_000


def _find_chromium() -> str | None:
    chosen = os.environ.get("COPRODUCE_CHROMIUM", "")
    if chosen:  # an explicit choice is the only candidate
        candidates = [chosen]
    else:
        candidates = ["/usr/bin/chromium"]
        candidates += [shutil.which(name) or "" for name in ("chromium", "chromium-browser")]
    for candidate in candidates:
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


def _no_browser(reason: str) -> None:
    message = f"BROWSER TESTS NOT RUN: {reason}"
    if os.environ.get("CI"):
        pytest.fail(f"{message} (CI is set, so this is a failure, not a skip)", pytrace=False)
    # Loud: a warning line on stderr as well as the skip reason in the summary.
    print(f"\nWARNING: {message}; install Debian's chromium to run them", file=sys.__stderr__)
    warnings.warn(message, stacklevel=1)
    pytest.skip(message)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = _find_chromium()
    if path is None:
        _no_browser(
            "no Chromium found (looked at $COPRODUCE_CHROMIUM, or /usr/bin/chromium and PATH)"
        )
    assert path is not None
    return path


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _no_browser("the Python package playwright is not installed")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def demo(live_server: Any, django_db_serialized_rollback: None, settings: Any) -> None:
    """The demo collaboration, in the database the live server reads."""
    from django.core.management import call_command

    from tests.e2e.snapshot import load_or_restore

    # The live server runs in this process, so this reaches its sign-ins too. A deliberately
    # slow hash costs ~0.5 s per demo account and per sign-in; these tests are not about it.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Loaded once per test process, restored from a snapshot for the other tests.
    load_or_restore(lambda: call_command("loaddemo", verbosity=0))


@pytest.fixture
def page(browser: Any, live_server: Any, demo: None) -> Iterator[Any]:
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    errors: list[str] = []
    broken: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    def check_console(message: Any) -> None:
        # The Content-Security-Policy refusing a script, style, image or frame: a broken page.
        if "Content Security Policy" in message.text:
            errors.append(message.text)

    page.on("console", check_console)

    def check_subresource(response: Any) -> None:
        # A stylesheet or script that does not load leaves a page that looks and behaves
        # unlike what people get (and that axe would judge wrongly): fail on it, clearly.
        if response.status >= 400 and response.request.resource_type != "document":
            broken.append(f"{response.status} {response.url}")

    page.on("response", check_subresource)

    def check_failed(request: Any) -> None:
        # Aborted means the page navigated away mid-load (not a defect); HTTP errors are
        # caught above as responses.
        if request.failure != "net::ERR_ABORTED":
            broken.append(f"{request.failure} {request.url}")

    page.on("requestfailed", check_failed)
    # Checked again before axe runs (see helpers.assert_page_loaded), so that a page without
    # its stylesheet is reported as that, not as the contrast and size violations it causes.
    page.cp_broken_resources = broken
    try:
        yield page
    finally:
        context.close()
    assert not broken, f"stylesheets, scripts or images that did not load: {broken}"
    # A script error means a component (skip link, error summary, header menu) did not start.
    assert not errors, f"JavaScript errors in the page: {errors}"
