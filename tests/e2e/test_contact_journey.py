"""A manager finds a person's contact, reads it, merges a duplicate and erases the person:
axe checks each page.

Two demo associates are made into likely duplicates (one mailbox under two spellings); the
manager opens the contacts list, the contact page, the duplicates queue, compares the pair,
is refused without the check that both addresses are this person's, then merges them. Then,
starting from the address merged away, the manager finds everything held (both addresses),
is refused without the confirmation, and erases it: neither address is left in any role.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.helpers import axe_violations, describe_violations, expect, sign_in

pytestmark = pytest.mark.browser


def _assert_no_violations(page: Any) -> None:
    violations = axe_violations(page)
    assert not violations, describe_violations(page.url, violations)


def test_a_manager_reads_a_contact_and_merges_a_duplicate(page: Any) -> None:
    from coproduce.community.models import Associate
    from coproduce.contacts.models import Contact

    Associate.objects.create(
        full_name="Robin Duplicate", email="robin@example.org", role="public", status="active"
    )
    other = Associate.objects.create(
        full_name="Robin Duplicate",
        email="robin+news@example.org",
        role="public",
        status="active",
    )
    sign_in(page, "manager")
    page.goto("/staff/contacts/")
    _assert_no_violations(page)
    page.get_by_label("Name, organisation, phone or email address").fill("robin@")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("main").get_by_role("link", name="Robin Duplicate").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Robin Duplicate")
    expect(page.get_by_text("Associate: Robin Duplicate")).to_be_visible()
    _assert_no_violations(page)
    page.get_by_role("link", name="Compare with Robin Duplicate").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Compare two contacts")
    _assert_no_violations(page)
    page.get_by_label("Why are these one person?").fill("Same mailbox, plus tag")
    page.get_by_role("radio").first.check()
    page.get_by_role("button", name="Merge these contacts").click()
    expect(
        page.get_by_text("Confirm both addresses belong to this one person").first
    ).to_be_visible()
    _assert_no_violations(page)
    page.get_by_label("Why are these one person?").fill("Same mailbox, plus tag")
    page.get_by_role("radio").first.check()
    page.get_by_label("I have checked that both addresses belong to this one person").check()
    page.get_by_role("button", name="Merge these contacts").click()
    expect(page.get_by_text("records moved to this contact")).to_be_visible()
    _assert_no_violations(page)
    other.refresh_from_db()
    assert Contact.objects.filter(email__startswith="robin").count() == 1
    assert other.contact.email == "robin@example.org"

    # Right of access and erasure, from the address that was merged away.
    page.goto("/staff/personal-data/")
    page.get_by_role("main").get_by_label("Email address").fill("robin+news@example.org")
    page.get_by_role("button", name="Find their data").click()
    expect(page.get_by_text("Their contact holds other addresses too")).to_be_visible()
    _assert_no_violations(page)
    erase = page.locator("form[action$='/erase/']")
    erase.get_by_label("Email address").fill("robin+news@example.org")
    erase.get_by_role("button", name="Erase their data").click()
    expect(page.get_by_text("Confirm you have checked before erasing").first).to_be_visible()
    _assert_no_violations(page)
    erase = page.locator("form[action$='/erase/']")
    erase.get_by_label("Email address").fill("robin+news@example.org")
    erase.get_by_label("I have checked this is the right person").check()
    erase.get_by_role("button", name="Erase their data").click()
    expect(page.get_by_text("rows changed or removed in every table")).to_be_visible()
    _assert_no_violations(page)
    assert not Associate.objects.filter(email__startswith="robin").exists()
    assert not Contact.objects.filter(email__startswith="robin").exists()
