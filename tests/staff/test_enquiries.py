"""Enquiries from the contact form: listed, filtered, read, and marked answered or closed."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from coproduce.audit.models import AuditEntry
from coproduce.pages.models import Enquiry
from tests import factories


def _enquiry(**fields: Any) -> Enquiry:
    values = {"name": "Sam Carer", "email": "sam@example.org", "message": "How do I join?"}
    values.update(fields)
    return Enquiry.objects.create(**values)


def _url(enquiry: Enquiry, action: str = "") -> str:
    return f"/staff/enquiries/{enquiry.public_id}/" + (f"{action}/" if action else "")


def test_it_lists_and_filters_by_status(manager_client: Client, db: Any) -> None:
    new = _enquiry(name="New Person")
    answered = _enquiry(name="Answered Person", status=Enquiry.Status.ANSWERED)
    html = manager_client.get("/staff/enquiries/").content.decode()
    assert _url(new) in html
    assert _url(answered) in html
    html = manager_client.get("/staff/enquiries/?status=answered").content.decode()
    assert _url(answered) in html
    assert _url(new) not in html


def test_it_pages_by_25_and_keeps_the_filter(manager_client: Client, db: Any) -> None:
    for number in range(27):
        _enquiry(name=f"Person {number}")
    html = manager_client.get("/staff/enquiries/?status=new").content.decode()
    assert "?status=new&amp;page=2" in html
    assert len(re.findall(r'href="/staff/enquiries/[0-9a-f-]{36}/"', html)) == 25
    html = manager_client.get("/staff/enquiries/?status=new&page=2").content.decode()
    assert len(re.findall(r'href="/staff/enquiries/[0-9a-f-]{36}/"', html)) == 2


def test_list_query_count_does_not_grow(manager_client: Client, db: Any) -> None:
    for _ in range(2):
        _enquiry(handled_by=factories.UserFactory())

    def count() -> int:
        with CaptureQueriesContext(connection) as context:
            assert manager_client.get("/staff/enquiries/").status_code == 200
        return len(context.captured_queries)

    few = count()
    for _ in range(28):
        _enquiry(handled_by=factories.UserFactory())
    assert count() == few


def test_the_detail_shows_the_message(reader_client: Client, db: Any) -> None:
    enquiry = _enquiry(message="Line one\nLine two")
    html = reader_client.get(_url(enquiry)).content.decode()
    assert "Line one<br>Line two" in html
    assert "mailto:sam@example.org" in html
    assert "Mark as answered" not in html  # readers change nothing


def test_a_manager_marks_it_answered_and_it_is_audited(
    manager_client: Client, manager: Any
) -> None:
    enquiry = _enquiry()
    html = manager_client.get(_url(enquiry)).content.decode()
    assert "Mark as answered" in html
    assert "Mark as closed without reply" in html

    response = manager_client.post(_url(enquiry, "status"), {"status": "answered"})

    assert response.status_code == 302
    enquiry.refresh_from_db()
    assert enquiry.status == Enquiry.Status.ANSWERED
    assert enquiry.handled_by == manager
    entry = AuditEntry.objects.get()
    assert entry.action == "pages.enquiry.updated"
    assert entry.changes == {"status": ["new", "answered"], "handled_by": [None, "manager"]}
    html = manager_client.get(_url(enquiry)).content.decode()
    assert "Status</strong>: new" in html.split('id="history"')[1]
    assert "Reopen" in html


def test_posting_the_same_status_again_records_nothing(manager_client: Client, db: Any) -> None:
    enquiry = _enquiry(status=Enquiry.Status.CLOSED)
    manager_client.post(_url(enquiry, "status"), {"status": "closed"})
    assert not AuditEntry.objects.exists()


def test_a_bad_status_changes_nothing(manager_client: Client, db: Any) -> None:
    enquiry = _enquiry()
    response = manager_client.post(_url(enquiry, "status"), {"status": "deleted"})
    assert response.status_code == 302
    enquiry.refresh_from_db()
    assert enquiry.status == Enquiry.Status.NEW


@pytest.mark.parametrize("fixture", ["reader_client", "member_client"])
def test_only_managers_change_the_status(
    fixture: str, request: pytest.FixtureRequest, db: Any
) -> None:
    client: Client = request.getfixturevalue(fixture)
    enquiry = _enquiry()
    assert client.post(_url(enquiry, "status"), {"status": "answered"}).status_code == 403
    enquiry.refresh_from_db()
    assert enquiry.status == Enquiry.Status.NEW


def test_get_never_changes_the_status(manager_client: Client, db: Any) -> None:
    enquiry = _enquiry()
    assert manager_client.get(_url(enquiry, "status") + "?status=answered").status_code == 405
    enquiry.refresh_from_db()
    assert enquiry.status == Enquiry.Status.NEW


def test_anonymous_and_unroled_people_are_kept_out(
    client: Client, plain_client: Client, db: Any
) -> None:
    enquiry = _enquiry()
    assert client.get("/staff/enquiries/").status_code == 302
    assert client.get(_url(enquiry)).status_code == 302
    assert client.post(_url(enquiry, "status"), {"status": "closed"}).status_code == 302
    assert plain_client.get("/staff/enquiries/").status_code == 403
    assert plain_client.get(_url(enquiry)).status_code == 403
