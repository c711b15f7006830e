"""Outputs, funding, qualitative projects, event changes and booking changes through the API,
on the authorization matrix's scene (a study with its team, an output, funding records, a
qualitative project with one source and one coding, an event with a booking)."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from coproduce.apitokens.models import ApiToken
from coproduce.audit.models import AuditEntry
from coproduce.coproduction import models as cm
from coproduce.events import services as event_services
from coproduce.events.models import Booking, Event
from coproduce.funding.models import Contribution
from coproduce.implementation.models import Output
from coproduce.qualitative import services as qual_services
from coproduce.qualitative.models import Project
from coproduce.registry.access import PERSONAL_DATA_EXPORT, STAFF_READER
from coproduce.webhooks.models import Delivery, Endpoint
from tests import factories
from tests.security.authz_scene import Scene, build

pytestmark = pytest.mark.django_db

JSON = "application/json"


@pytest.fixture
def scene(settings: Any, tmp_path: Any) -> Scene:
    settings.DATA_DIR = tmp_path
    return build()


def _auth(user: Any, access: str = "read", **extra: str) -> dict[str, str]:
    secret = ApiToken.objects.issue(user, "Test", access=access)[1]
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}", **extra}


def _grant(user: Any) -> None:
    user.groups.add(Group.objects.get(name=PERSONAL_DATA_EXPORT))


def _pages(client: Client, url: str, auth: dict[str, str]) -> list[dict[str, Any]]:
    """Every item of a cursor-paginated list, following next_cursor (2 a page)."""
    items: list[dict[str, Any]] = []
    cursor = ""
    while True:
        joiner = "&" if "?" in url else "?"
        page = client.get(f"{url}{joiner}limit=2{'&cursor=' + cursor if cursor else ''}", **auth)
        assert page.status_code == 200, page.content
        body = page.json()
        assert len(body["items"]) <= 2
        items += body["items"]
        cursor = body["next_cursor"]
        if not cursor:
            return items


# --- outputs -----------------------------------------------------------------------------------

OUTPUT = {"kind": "publications", "title": "Return to work: a trial", "date": "2012-05-01"}


def test_any_staff_token_pages_through_outputs(client: Client, scene: Scene) -> None:
    for n in range(4):
        Output.objects.create(kind="policy", title=f"Guideline {n}", date=dt.date(2012, 1, n + 1))
    titles = [
        o["title"] for o in _pages(client, "/api/outputs", _auth(scene.users["panel member"]))
    ]
    assert sorted(titles) == sorted([*(f"Guideline {n}" for n in range(4)), "Pro forma"])
    assert len(set(titles)) == len(titles)
    policy = client.get("/api/outputs?kind=policy", **_auth(scene.users["panel member"])).json()
    assert len(policy["items"]) == 4


def test_a_researcher_adds_an_output_once_audited_and_announced(
    client: Client, scene: Scene
) -> None:
    Endpoint.objects.create(
        owner=scene.users["manager"],
        url="https://hooks.example.org/outputs",
        event_types=["output.added"],
    )
    researcher = scene.users["researcher"]
    auth = _auth(researcher, "write", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))
    body = {**OUTPUT, "studies": [scene.study.slug], "doi": "10.1136/bmj.j3453"}
    since = timezone.now().isoformat().replace("+00:00", "Z")

    first = client.post("/api/outputs", body, content_type=JSON, **auth)
    again = client.post("/api/outputs", body, content_type=JSON, **auth)
    other = client.post("/api/outputs", {**body, "title": "Other"}, content_type=JSON, **auth)

    assert first.status_code == 201, first.content
    assert again.status_code == 201
    assert again.json() == first.json()
    assert other.status_code == 409
    assert Output.objects.filter(doi="10.1136/bmj.j3453").count() == 1
    entry = AuditEntry.objects.get(action="implementation.output.created")
    assert (entry.actor, entry.via) == (researcher, "api")
    [delivery] = Delivery.objects.filter(event_type="output.added")
    assert first.json()["public_id"] in delivery.body
    changed = client.get(f"/api/outputs?updated_since={since}", **_auth(researcher)).json()
    assert [o["public_id"] for o in changed["items"]] == [first.json()["public_id"]]


def test_an_output_is_refused_with_the_forms_words(client: Client, scene: Scene) -> None:
    auth = _auth(scene.users["researcher"], "write")
    Output.objects.create(
        kind="publications", title="Old", date=dt.date(2010, 1, 1), pmid="28794154"
    )
    body = {**OUTPUT, "studies": [scene.study.slug], "pmid": "28794154", "date": "2012-02-31"}
    refused = client.post("/api/outputs", body, content_type=JSON, **auth)
    assert refused.status_code == 422
    problems = {p["loc"][-1]: p["msg"] for p in refused.json()["detail"]}
    assert problems["pmid"].endswith("is already recorded, on “Old”")
    assert "real date" in problems["date"]
    nowhere = client.post(
        "/api/outputs", {**OUTPUT, "studies": ["no-such-study"]}, content_type=JSON, **auth
    )
    assert nowhere.status_code == 422
    assert nowhere.json()["detail"][0]["msg"] == "There is no study 'no-such-study'."


def test_another_studys_researcher_may_not_add_or_change_an_output(
    client: Client, scene: Scene
) -> None:
    outsider = factories.UserFactory(username="outsider", groups=["researcher"])
    auth = _auth(outsider, "write")
    made = client.post(
        "/api/outputs", {**OUTPUT, "studies": [scene.study.slug]}, content_type=JSON, **auth
    )
    url = f"/api/outputs/{scene.output.public_id}"
    tag = client.get(url, **auth)["ETag"]
    changed = client.patch(url, {"title": "Mine"}, content_type=JSON, HTTP_IF_MATCH=tag, **auth)
    assert made.status_code == 403
    assert changed.status_code == 403
    assert "studies you work on" in changed.json()["detail"]


def test_an_output_changed_meanwhile_is_a_412(client: Client, scene: Scene) -> None:
    auth = _auth(scene.users["researcher"], "write")
    url = f"/api/outputs/{scene.output.public_id}"
    tag = client.get(url, **auth)["ETag"]
    body = {"kind": "research_tools", "title": "Pro forma, v2", "public": True}
    done = client.patch(url, body, content_type=JSON, HTTP_IF_MATCH=tag, **auth)
    stale = client.patch(url, {"title": "v3"}, content_type=JSON, HTTP_IF_MATCH=tag, **auth)
    assert done.status_code == 200, done.content
    assert done.json()["public"] is True
    assert done.json()["studies"] == [scene.study.slug]  # kept: not sent
    assert stale.status_code == 412
    scene.output.refresh_from_db()
    assert scene.output.title == "Pro forma, v2"


# --- funding -----------------------------------------------------------------------------------

CONTRIBUTION = {"year": 2011, "kind": "cash", "amount": "1000.00", "description": "Room hire"}


def test_a_manager_records_a_contribution_and_corrects_it(client: Client, scene: Scene) -> None:
    manager = scene.users["manager"]
    auth = _auth(manager, "write", HTTP_IDEMPOTENCY_KEY="ledger-2011-1")
    body = {**CONTRIBUTION, "organisation": scene.organisation.slug}
    made = client.post("/api/funding/contributions", body, content_type=JSON, **auth)
    again = client.post("/api/funding/contributions", body, content_type=JSON, **auth)
    assert made.status_code == 201, made.content
    assert again.json() == made.json()
    assert Contribution.objects.filter(description="Room hire").count() == 1

    url = f"/api/funding/contributions/{made.json()['public_id']}"
    tag = client.get(url, **auth)["ETag"]
    done = client.patch(url, {"amount": "1500"}, content_type=JSON, HTTP_IF_MATCH=tag, **auth)
    stale = client.patch(url, {"amount": "9"}, content_type=JSON, HTTP_IF_MATCH=tag, **auth)
    assert done.status_code == 200, done.content
    assert Decimal(done.json()["amount"]) == Decimal("1500")
    assert stale.status_code == 412
    entry = AuditEntry.objects.get(action="funding.contribution.updated")
    assert (entry.actor, entry.via) == (manager, "api")


def test_a_contribution_is_refused_with_the_forms_words(client: Client, scene: Scene) -> None:
    auth = _auth(scene.users["manager"], "write")
    body = {
        **CONTRIBUTION,
        "organisation": scene.organisation.slug,
        "amount": "10.505",
        "received_on": "2013-01-01",
    }
    refused = client.post("/api/funding/contributions", body, content_type=JSON, **auth)
    assert refused.status_code == 422
    problems = {p["loc"][-1]: p["msg"] for p in refused.json()["detail"]}
    assert problems["amount"] == (
        "Enter the amount in pounds and pence: no more than 2 decimal places"
    )
    assert problems["received_on"].startswith("The date must be in the financial year 2011")


def test_staff_read_the_ledger_and_only_the_grant_opens_personal_funding(
    client: Client, scene: Scene
) -> None:
    reader = scene.users["panel member"]
    listed = client.get("/api/funding/contributions?year=2011", **_auth(reader)).json()["items"]
    years = client.get("/api/funding/contributions?year=1800", **_auth(reader))
    assert all(item["year"] == 2011 for item in listed)
    assert years.status_code == 422
    assert client.get("/api/funding/staff-time", **_auth(reader)).status_code == 403
    _grant(reader)
    time = client.get("/api/funding/staff-time", **_auth(reader))
    assert time.status_code == 200
    assert [item["public_id"] for item in time.json()["items"]] == [str(scene.staff_time.public_id)]
    researcher = scene.users["researcher"]
    write = client.post(
        "/api/funding/contributions",
        {**CONTRIBUTION, "organisation": scene.organisation.slug},
        content_type=JSON,
        **_auth(researcher, "write"),
    )
    assert write.status_code == 403


def test_staff_time_is_recorded_with_the_grant_and_valued_in_the_ledger(
    client: Client, scene: Scene
) -> None:
    from coproduce.funding import ledger

    manager = scene.users["manager"]
    auth = _auth(manager, "write")
    body = {
        "organisation": scene.organisation.slug,
        "description": "Practice educator",
        "fte": "0.2",
        "start": "2011-04-01",
        "end": "2012-03-31",
    }
    before = ledger.statement(scene.organisation, 2011).total()
    made = client.post("/api/funding/staff-time", body, content_type=JSON, **auth)
    wrong = client.post(
        "/api/funding/staff-time", {**body, "fte": "1.5"}, content_type=JSON, **auth
    )
    assert made.status_code == 201, made.content
    assert ledger.statement(scene.organisation, 2011).total() > before
    assert wrong.status_code == 422
    assert wrong.json()["detail"][0]["msg"] == "The full-time equivalent cannot be more than 1"
    url = f"/api/funding/staff-time/{made.json()['public_id']}"
    tag = client.get(url, **auth)["ETag"]
    done = client.patch(url, {"fte": "0.4"}, content_type=JSON, HTTP_IF_MATCH=tag, **auth)
    stale = client.patch(url, {"fte": "0.3"}, content_type=JSON, HTTP_IF_MATCH=tag, **auth)
    assert done.status_code == 200, done.content
    assert stale.status_code == 412
    reader = scene.users["panel member"]
    _grant(reader)
    refused = client.post(
        "/api/funding/staff-time", body, content_type=JSON, **_auth(reader, "write")
    )
    assert refused.status_code == 403


# --- qualitative -------------------------------------------------------------------------------


def test_a_researcher_lists_only_the_projects_of_their_studies(
    client: Client, scene: Scene
) -> None:
    other = factories.StudyFactory(slug="falls", title="Falls")
    Project.objects.create(study=other, name="Falls interviews")
    mine = client.get("/api/qualitative-projects", **_auth(scene.users["researcher"])).json()
    everyone = client.get("/api/qualitative-projects", **_auth(scene.users["manager"])).json()
    reader = client.get("/api/qualitative-projects", **_auth(scene.users["panel member"])).json()
    assert [p["study"] for p in mine["items"]] == [scene.study.slug]
    assert sorted(p["study"] for p in everyone["items"]) == ["falls", scene.study.slug]
    assert reader["items"] == []
    falls = Project.objects.get(study=other)
    refused = client.get(
        f"/api/qualitative-projects/{falls.public_id}", **_auth(scene.users["researcher"])
    )
    assert refused.status_code == 403
    assert "research team" in refused.json()["detail"]


def test_sources_and_codings_give_no_text_and_leave_withheld_sources_out(
    client: Client, scene: Scene
) -> None:
    researcher = scene.users["researcher"]
    project = scene.qual_project
    url = f"/api/qualitative-projects/{project.public_id}"
    assert client.get(f"{url}/sources", **_auth(researcher)).status_code == 403  # no grant
    _grant(researcher)
    withheld_source = cm.Source.objects.create(
        study=scene.study,
        kind=cm.Source.Kind.MEETING,
        title="Secret meeting",
        date=dt.date(2011, 2, 2),
    )
    refuser = cm.Participant.objects.create(
        study=scene.study, full_name="No Consent", email="no@example.org", consent="refused"
    )
    cm.SourceParticipant.objects.create(source=withheld_source, participant=refuser)
    (withheld,) = qual_services.add_coproduction_sources(project, [withheld_source], by=researcher)
    code = scene.qual_code
    qual_services.apply_code(withheld, code, start=0, end=3, by=researcher, memo="Hidden")

    sources = client.get(f"{url}/sources", **_auth(researcher)).json()["items"]
    codings = client.get(f"{url}/codings", **_auth(researcher)).json()["items"]
    codes = client.get(f"{url}/codes", **_auth(researcher)).json()["items"]

    assert [s["public_id"] for s in sources] == [str(scene.qual_source.public_id)]
    assert "text" not in sources[0]
    assert sources[0]["length"] == len(scene.qual_source.text)
    assert [c["public_id"] for c in codings] == [str(scene.qual_coding.public_id)]
    assert (codings[0]["start"], codings[0]["end"], codings[0]["memo"]) == (0, 5, "First look")
    assert "excerpt" not in codings[0]
    assert [c["name"] for c in codes] == ["Delivery"]
    assert codes[0]["version"] == 1


# --- events and bookings -----------------------------------------------------------------------


def _full_event() -> Event:
    starts = timezone.now() + dt.timedelta(days=20)
    event = Event.objects.create(
        slug="small-seminar",
        kind=Event.Kind.SEMINAR,
        status=Event.Status.PUBLISHED,
        title="Small seminar",
        starts=starts,
        ends=starts + dt.timedelta(hours=2),
        venue="Millbrook Conference Centre",
        capacity=1,
    )
    event_services.book(event, full_name="First Person", email="first@example.org")
    event_services.book(event, full_name="Second Person", email="second@example.org")
    return event


def test_more_places_move_the_waiting_list_up(client: Client, scene: Scene) -> None:
    event = _full_event()
    waiting = Booking.objects.get(email="second@example.org")
    assert waiting.status == Booking.Status.WAITLISTED
    auth = _auth(scene.users["manager"], "write")
    url = f"/api/events/{event.slug}"
    tag = client.get(url, **auth)["ETag"]
    done = client.patch(url, {"capacity": 2}, content_type=JSON, HTTP_IF_MATCH=tag, **auth)
    assert done.status_code == 200, done.content
    stale = client.patch(url, {"capacity": 3}, content_type=JSON, HTTP_IF_MATCH=tag, **auth)
    bad = client.patch(
        url,
        {"date": "2030-02-30"},
        content_type=JSON,
        HTTP_IF_MATCH=done["ETag"],
        **auth,
    )
    assert done.status_code == 200, done.content
    assert done.json()["capacity"] == 2
    assert stale.status_code == 412
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["body", "date"]
    waiting.refresh_from_db()
    assert waiting.status == Booking.Status.CONFIRMED
    event.refresh_from_db()
    assert event.sequence == 1
    assert AuditEntry.objects.get(action="events.event.updated").via == "api"


def test_an_event_is_given_its_community_by_slug(client: Client, scene: Scene) -> None:
    """The staff form's community is a type-ahead field (staff/lookup.py) that takes a slug."""
    event = _full_event()
    auth = _auth(scene.users["manager"], "write")
    url = f"/api/events/{event.slug}"
    tag = client.get(url, **auth)["ETag"]
    done = client.patch(
        url, {"community": scene.cop.slug}, content_type=JSON, HTTP_IF_MATCH=tag, **auth
    )
    assert done.status_code == 200, done.content
    assert done.json()["community"] == scene.cop.slug
    event.refresh_from_db()
    assert event.cop == scene.cop


def test_cancelling_a_booking_gives_the_place_to_the_waiting_list(
    client: Client, scene: Scene
) -> None:
    event = _full_event()
    first = Booking.objects.get(email="first@example.org")
    manager = scene.users["manager"]
    auth = _auth(manager, "write")
    url = f"/api/events/{event.slug}/bookings/{first.public_id}"
    tag = client.get(url, **auth)["ETag"]
    done = client.patch(url, {"status": "cancelled"}, content_type=JSON, HTTP_IF_MATCH=tag, **auth)
    attended = client.patch(
        url, {"attended": True}, content_type=JSON, HTTP_IF_MATCH=done["ETag"], **auth
    )
    confirm = client.patch(
        url, {"status": "confirmed"}, content_type=JSON, HTTP_IF_MATCH=done["ETag"], **auth
    )
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "cancelled"
    assert Booking.objects.get(email="second@example.org").status == Booking.Status.CONFIRMED
    assert attended.status_code == 422
    assert "confirmed booking" in attended.json()["detail"][0]["msg"]
    assert confirm.status_code == 422
    entry = AuditEntry.objects.get(action="events.booking.cancelled", object_id=str(first.pk))
    assert (entry.actor, entry.via) == (manager, "api")


def test_a_staff_reader_with_the_grant_still_may_not_change_a_booking(
    client: Client, scene: Scene
) -> None:
    reader = factories.UserFactory(username="reader2", groups=[STAFF_READER])
    _grant(reader)
    booking = Booking.objects.filter(event=scene.event).first()
    assert booking is not None
    auth = _auth(reader, "write")
    url = f"/api/events/{scene.event.slug}/bookings/{booking.public_id}"
    tag = client.get(url, **auth)["ETag"]
    refused = client.patch(
        url, {"status": "cancelled"}, content_type=JSON, HTTP_IF_MATCH=tag, **auth
    )
    assert refused.status_code == 403
    booking.refresh_from_db()
    assert booking.status != Booking.Status.CANCELLED


def test_the_integration_guides_output_example_works_as_written(
    client: Client, scene: Scene
) -> None:
    """docs/api.md's curl example for outputs: the same body, then a GET's ETag header."""
    import json
    import re
    from pathlib import Path

    guide = (Path(__file__).parents[2] / "docs" / "api.md").read_text()
    section = guide.split("## Add an output and correct it", 1)[1]
    body = json.loads(re.search(r"-d '(\{.*?\})'", section, re.S).group(1))  # type: ignore[union-attr]
    body["studies"] = [scene.study.slug]  # the guide's study is the demo's
    auth = _auth(scene.users["researcher"], "write")
    made = client.post("/api/outputs", body, content_type=JSON, **auth)
    assert made.status_code == 201, made.content
    url = f"/api/outputs/{made.json()['public_id']}"
    assert client.head(url, **auth).status_code == 405  # why the guide reads a GET's headers
    tag = client.get(url, **auth)["ETag"]
    public = client.patch(url, {"public": True}, content_type=JSON, HTTP_IF_MATCH=tag, **auth)
    assert public.status_code == 200, public.content
    assert public.json()["public"] is True
    assert public.json()["authors"] == ["Smith, Jane", "Patel, Ravi"]


def test_contributions_come_in_cursor_pages_and_by_when_they_changed(
    client: Client, scene: Scene
) -> None:
    for n in range(4):
        Contribution.objects.create(
            organisation=scene.organisation,
            year=2012,
            kind="in_kind",
            amount=Decimal(n),
            description=f"Rooms {n}",
        )
    auth = _auth(scene.users["manager"], "write")
    listed = _pages(client, "/api/funding/contributions?year=2012", auth)
    assert sorted(c["description"] for c in listed) == [f"Rooms {n}" for n in range(4)]
    since = timezone.now().isoformat().replace("+00:00", "Z")
    url = f"/api/funding/contributions/{listed[2]['public_id']}"
    tag = client.get(url, **auth)["ETag"]
    client.patch(
        url, {"description": "Rooms, changed"}, content_type=JSON, HTTP_IF_MATCH=tag, **auth
    )
    changed = client.get(f"/api/funding/contributions?updated_since={since}", **auth).json()
    assert [c["description"] for c in changed["items"]] == ["Rooms, changed"]
