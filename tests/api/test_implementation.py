"""Implementation through the API: reads for any staff token, cursor pages, and writes through
the staff forms with ETag / If-Match and idempotency keys."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.test import Client

from coproduce.apitokens.models import ApiToken
from coproduce.audit.models import AuditEntry
from coproduce.implementation.models import Determinant, ImplementationRecord

pytestmark = pytest.mark.django_db

BARRIER = {
    "kind": "barrier",
    "level": "team",
    "category": "resources",
    "description": "No protected time for the new assessment",
    "source": "Ward meeting notes",
    "date": "2024-03-05",
}


def _auth(user: Any, access: str = "write", areas: list[str] | None = None) -> dict[str, str]:
    _, secret = ApiToken.objects.issue(user, "Integration", access=access, areas=areas)
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.fixture
def record(study: Any) -> ImplementationRecord:
    return ImplementationRecord.objects.create(study=study, meaning="organisation", title="Ward 4")


def test_any_staff_token_reads_records_in_cursor_pages(
    client: Client, study: Any, reader: Any
) -> None:
    for n in range(5):
        ImplementationRecord.objects.create(study=study, meaning="organisation", title=f"Site {n}")
    auth = _auth(reader, access="read")
    seen: list[str] = []
    url = "/api/implementation-records?limit=2&study=return-to-work"
    while url:
        page = client.get(url, **auth).json()
        assert len(page["items"]) <= 2
        seen += [item["title"] for item in page["items"]]
        cursor = page["next_cursor"]
        url = f"/api/implementation-records?limit=2&cursor={cursor}" if cursor else ""
    assert sorted(seen) == [f"Site {n}" for n in range(5)]


def test_a_cursor_not_given_out_is_a_400_with_a_reason(client: Client, reader: Any) -> None:
    response = client.get("/api/implementation-records?cursor=nonsense", **_auth(reader, "read"))
    assert response.status_code == 400
    assert "cursor" in response.json()["detail"]


def test_a_team_member_adds_a_barrier_through_the_staff_form_audited_as_them(
    client: Client, study: Any, member: Any, record: ImplementationRecord
) -> None:
    body = {**BARRIER, "study": study.slug, "record": str(record.public_id)}
    response = client.post(
        "/api/barriers-and-facilitators", body, content_type="application/json", **_auth(member)
    )
    assert response.status_code == 201, response.content
    made = Determinant.objects.get()
    assert response.json()["public_id"] == str(made.public_id)
    assert made.record == record
    entry = AuditEntry.objects.get(action="implementation.determinant.created")
    assert entry.actor == member
    assert entry.via == "api"


def test_the_forms_words_come_back_as_a_422(client: Client, study: Any, member: Any) -> None:
    body = {**BARRIER, "study": study.slug, "date": "2024-02-31", "level": "planet"}
    response = client.post(
        "/api/barriers-and-facilitators", body, content_type="application/json", **_auth(member)
    )
    assert response.status_code == 422
    problems = {p["loc"][-1]: p["msg"] for p in response.json()["detail"]}
    assert problems["date"] == "Enter the date as a real date, for example 17 5 2012"
    assert "level" in problems
    assert not Determinant.objects.exists()


def test_another_studys_researcher_and_a_read_token_are_refused(
    client: Client, study: Any, outsider: Any, member: Any
) -> None:
    body = {**BARRIER, "study": study.slug}
    other = client.post(
        "/api/barriers-and-facilitators", body, content_type="application/json", **_auth(outsider)
    )
    read_only = client.post(
        "/api/barriers-and-facilitators",
        body,
        content_type="application/json",
        **_auth(member, access="read"),
    )
    assert other.status_code == 403
    assert "studies you work on" in other.json()["detail"]
    assert read_only.status_code == 403
    assert "Read only" in read_only.json()["detail"]
    assert not Determinant.objects.exists()


def test_the_same_idempotency_key_and_body_make_one_barrier(
    client: Client, study: Any, member: Any
) -> None:
    auth = {**_auth(member), "HTTP_IDEMPOTENCY_KEY": str(uuid.uuid4())}
    body = {**BARRIER, "study": study.slug}
    first = client.post(
        "/api/barriers-and-facilitators", body, content_type="application/json", **auth
    )
    again = client.post(
        "/api/barriers-and-facilitators", body, content_type="application/json", **auth
    )
    changed = client.post(
        "/api/barriers-and-facilitators",
        {**body, "source": "A survey"},
        content_type="application/json",
        **auth,
    )
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert Determinant.objects.count() == 1
    assert changed.status_code == 409
    assert "different request body" in changed.json()["detail"]


def test_a_change_needs_the_current_etag(
    client: Client, member: Any, record: ImplementationRecord
) -> None:
    auth = _auth(member)
    url = f"/api/implementation-records/{record.public_id}"
    tag = client.get(url, **auth)["ETag"]

    missing = client.patch(url, {"title": "Ward 5"}, content_type="application/json", **auth)
    done = client.patch(
        url, {"title": "Ward 5"}, content_type="application/json", HTTP_IF_MATCH=tag, **auth
    )
    stale = client.patch(
        url, {"title": "Ward 6"}, content_type="application/json", HTTP_IF_MATCH=tag, **auth
    )

    assert missing.status_code == 428
    assert done.status_code == 200, done.content
    assert done.json()["title"] == "Ward 5"
    assert done["ETag"] != tag
    assert stale.status_code == 412
    assert "changed since you read it" in stale.json()["detail"]
    record.refresh_from_db()
    assert record.title == "Ward 5"
    entry = AuditEntry.objects.get(action="implementation.implementationrecord.updated")
    assert entry.actor == member
    assert entry.changes["title"] == ["Ward 4", "Ward 5"]
    assert entry.via == "api"


def test_a_token_limited_to_another_area_is_refused(client: Client, reader: Any) -> None:
    response = client.get("/api/measures", **_auth(reader, "read", areas=["registry"]))
    assert response.status_code == 403


def test_a_barrier_is_corrected_with_its_etag_and_keeps_what_was_not_sent(
    client: Client, study: Any, member: Any
) -> None:
    auth = _auth(member)
    made = client.post(
        "/api/barriers-and-facilitators",
        {**BARRIER, "study": study.slug},
        content_type="application/json",
        **auth,
    ).json()
    url = f"/api/barriers-and-facilitators/{made['public_id']}"
    tag = client.get(url, **auth)["ETag"]

    changed = client.patch(
        url, {"kind": "facilitator"}, content_type="application/json", HTTP_IF_MATCH=tag, **auth
    )

    assert changed.status_code == 200, changed.content
    assert changed.json()["kind"] == "facilitator"
    assert changed.json()["source"] == BARRIER["source"]
    assert changed.json()["date"] == BARRIER["date"]


def test_an_expired_idempotency_key_is_forgotten(client: Client, study: Any, member: Any) -> None:
    from django.utils import timezone

    from coproduce.api.models import IdempotencyKey

    auth = {**_auth(member), "HTTP_IDEMPOTENCY_KEY": "nightly-import-1"}
    body = {**BARRIER, "study": study.slug}
    client.post("/api/barriers-and-facilitators", body, content_type="application/json", **auth)
    IdempotencyKey.objects.update(expires=timezone.now())
    again = client.post(
        "/api/barriers-and-facilitators", body, content_type="application/json", **auth
    )
    assert again.status_code == 201
    assert Determinant.objects.count() == 2
    assert IdempotencyKey.objects.count() == 1
