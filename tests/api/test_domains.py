"""Governance, events, co-production and studies through the API, on the authorization
matrix's scene (a study, its team, a committee with two rounds, an event, involvement)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from coproduce.apitokens.models import ApiToken
from coproduce.audit.models import AuditEntry
from coproduce.events.models import Booking
from coproduce.governance import services as gov
from coproduce.governance.models import PanelMembership
from coproduce.registry.access import STAFF_READER
from tests import factories
from tests.security.authz_scene import Scene, build

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(settings: Any, tmp_path: Any) -> Scene:
    settings.DATA_DIR = tmp_path
    return build()


def _auth(user: Any, access: str = "read") -> dict[str, str]:
    return {
        "HTTP_AUTHORIZATION": f"Bearer {ApiToken.objects.issue(user, 'Test', access=access)[1]}"
    }


# Governance: the same rules as the round's page.


def test_the_study_team_sees_the_recommendation_only_once_released(
    client: Client, scene: Scene
) -> None:
    team = _auth(scene.users["researcher"])
    unreleased = client.get(f"/api/review-rounds/{scene.round.public_id}", **team).json()
    released = client.get(f"/api/review-rounds/{scene.released.public_id}", **team).json()
    assert unreleased["reviews_visible"] is False
    assert unreleased["recommendation"] is None
    assert unreleased["conditions"] == []
    assert released["recommendation"]["decision"] == "approve_with_conditions"
    assert [c["text"] for c in released["conditions"]] == ["Publish the analysis plan."]


def test_a_committee_member_reads_the_unreleased_recommendation_and_it_is_audited(
    client: Client, scene: Scene
) -> None:
    member = scene.users["panel member"]
    body = client.get(f"/api/review-rounds/{scene.round.public_id}", **_auth(member)).json()
    assert body["recommendation"]["rationale"] == "Sound, with one condition."
    entry = AuditEntry.objects.get(action="governance.round.viewed")
    assert (entry.actor, entry.via) == (member, "api")


def test_a_conflicted_member_sees_nothing_of_the_round(client: Client, scene: Scene) -> None:
    user = factories.UserFactory(username="conflicted", groups=[STAFF_READER])
    person = factories.PersonFactory(full_name="Con Flicted", user=user)
    PanelMembership.objects.create(
        panel=scene.committee, person=person, role="member", start=dt.date(2010, 1, 1)
    )
    chair = PanelMembership.objects.get(panel=scene.committee, role="chair").person.user
    assignment = gov.assign(scene.round, person, by=chair)
    gov.declare(assignment, has_conflict=True, details="My own study", by=user)
    auth = _auth(user)

    detail = client.get(f"/api/review-rounds/{scene.round.public_id}", **auth)
    listed = client.get("/api/review-rounds", **auth).json()["items"]

    assert detail.status_code == 403
    assert "declared a conflict" in detail.json()["detail"]
    assert [r["public_id"] for r in listed] == [str(scene.released.public_id)]


# Events: bookings are personal data.


def test_a_manager_books_a_place_for_someone_once(client: Client, scene: Scene) -> None:
    manager = scene.users["manager"]
    auth = {**_auth(manager, "write"), "HTTP_IDEMPOTENCY_KEY": "booking-1"}
    url = f"/api/events/{scene.event.slug}/bookings"
    body = {"full_name": "Sam  Someone", "email": "Sam@Example.org"}
    first = client.post(url, body, content_type="application/json", **auth)
    again = client.post(url, body, content_type="application/json", **auth)
    no_key = client.post(url, body, content_type="application/json", **_auth(manager, "write"))

    assert first.status_code == 201, first.content
    assert first.json()["status"] == "confirmed"
    assert first.json()["full_name"] == "Sam Someone"
    assert again.json() == first.json()
    assert no_key.status_code == 200  # the address's live booking, as the booking page does
    assert Booking.objects.filter(email="sam@example.org").count() == 1
    assert (
        AuditEntry.objects.filter(action="events.booking.created", actor=manager, via="api").count()
        == 1
    )


def test_booking_needs_the_grant_and_a_valid_address(client: Client, scene: Scene) -> None:
    url = f"/api/events/{scene.event.slug}/bookings"
    body = {"full_name": "Sam", "email": "sam@example.org"}
    researcher = client.post(
        url, body, content_type="application/json", **_auth(scene.users["researcher"], "write")
    )
    bad = client.post(
        url,
        {"full_name": "Sam", "email": "not an address"},
        content_type="application/json",
        **_auth(scene.users["manager"], "write"),
    )
    assert researcher.status_code == 403
    assert "personal data" in researcher.json()["detail"]
    assert bad.status_code == 422
    [problem] = bad.json()["detail"]
    assert problem["loc"] == ["body", "email"]
    assert problem["msg"].startswith("Enter an email address in the correct format")


# Studies changed since a moment (from the audit trail), and changed with If-Match.


def test_studies_changed_since_a_moment(client: Client, scene: Scene) -> None:
    manager = scene.users["manager"]
    since = timezone.now()
    url = f"/api/studies/{scene.study.slug}"
    tag = client.get(url)["ETag"]
    changed = client.patch(
        url,
        {"acronym": "RTW"},
        content_type="application/json",
        HTTP_IF_MATCH=tag,
        **_auth(manager, "write"),
    )
    assert changed.status_code == 200, changed.content
    iso = since.isoformat().replace("+00:00", "Z")
    listed = client.get("/api/studies", {"updated_since": iso}).json()["items"]
    later = (since + dt.timedelta(hours=1)).isoformat().replace("+00:00", "Z")
    assert [s["slug"] for s in listed] == [scene.study.slug]
    assert client.get("/api/studies", {"updated_since": later}).json()["items"] == []
    assert client.get("/api/studies", {"updated_since": "0.5"}).status_code == 422


# Co-production: involvement is personal data; recorded through the ledger's form.


def test_involvement_is_recorded_by_the_team_with_the_grant(client: Client, scene: Scene) -> None:
    manager = scene.users["manager"]
    body = {
        "study": scene.study.slug,
        "contributor_name": "Pat Carer",
        "date": "2024-02-02",
        "what": "Read the leaflet",
        "role": "reviewer",
        "hours": "2",
        "rate": str(scene.rate.public_id),
    }
    made = client.post(
        "/api/involvement", body, content_type="application/json", **_auth(manager, "write")
    )
    assert made.status_code == 201, made.content
    assert made.json()["fee"] != "0.00"  # worked out by the form from the rate and the hours
    listed = client.get("/api/involvement", **_auth(manager)).json()["items"]
    assert str(made.json()["public_id"]) in [item["public_id"] for item in listed]
    reader = client.get("/api/involvement", **_auth(scene.users["panel member"]))
    assert reader.status_code == 403


def test_involvement_changed_by_someone_else_meanwhile_is_a_412(
    client: Client, scene: Scene
) -> None:
    auth = _auth(scene.users["manager"], "write")
    url = f"/api/involvement/{scene.involvement.public_id}"
    tag = client.get(url, **auth)["ETag"]
    first = client.patch(
        url,
        {"what": "Read two leaflets"},
        content_type="application/json",
        HTTP_IF_MATCH=tag,
        **auth,
    )
    second = client.patch(
        url, {"what": "Something else"}, content_type="application/json", HTTP_IF_MATCH=tag, **auth
    )
    assert first.status_code == 200, first.content
    assert second.status_code == 412
    scene.involvement.refresh_from_db()
    assert scene.involvement.what == "Read two leaflets"
