"""Managing one's own choices by a signed link: change, download, erase, ask for a new link."""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import Any

import pytest
from django.core import signing
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from coproduce.audit.models import AuditEntry
from coproduce.community import links, services
from coproduce.community.models import (
    Associate,
    CommunityOfPractice,
    ConsentRecord,
    ConsentWording,
    Membership,
    Registration,
    SuppressedAddress,
    address_hash,
)
from coproduce.lib.spam import issue_form_token
from coproduce.registry.models import Theme
from tests.community.test_join import (
    MANAGE_LINK,
    make_cops,
    run_tasks,
    text_of,
)


@pytest.fixture
def cops(db: Any) -> dict[str, CommunityOfPractice]:
    return make_cops()


ADDRESS = "ade.member@example.org"


@pytest.fixture
def associate(cops: dict[str, CommunityOfPractice]) -> Associate:
    """An active associate in two communities, taking the Engage newsletter."""
    now = timezone.now()
    person = Associate.objects.create(
        full_name="Ade Member",
        email=ADDRESS,
        organisation="Derbyshire Community Health",
        role=Associate.Role.CLINICIAN,
        status=Associate.Status.ACTIVE,
        confirmed=now,
    )
    person.interests.add(Theme.objects.get(slug="stroke"))
    services.join(person, cops["work"])
    services.join(person, cops["mood"])
    services.record_consent(person, "engage", True, ConsentRecord.Method.FORM)
    services.record_consent(person, "engage", True, ConsentRecord.Method.CONFIRMATION, force=True)
    Registration.objects.create(
        token_sha256="0" * 64,
        email=ADDRESS,
        payload={"full_name": "Ade Member", "organisation": "Derbyshire Community Health"},
        associate=person,
        confirmed=now,
    )
    return person


def state() -> list[Any]:
    """Everything a self-service page could change, to compare before and after."""
    return [
        list(Associate.objects.order_by("pk").values()),
        list(Membership.objects.order_by("pk").values()),
        list(ConsentRecord.objects.order_by("pk").values()),
        list(Registration.objects.order_by("pk").values()),
        list(SuppressedAddress.objects.order_by("pk").values()),
        list(CommunityOfPractice.objects.order_by("pk").values("member_count")),
        AuditEntry.objects.changes().count(),  # the data download is audited as a read
        DBTaskResult.objects.count(),
    ]


def current_slugs(associate: Associate) -> list[str]:
    return sorted(
        associate.memberships.filter(left__isnull=True).values_list("cop__slug", flat=True)
    )


# --- The page ----------------------------------------------------------------------------------


def test_the_page_shows_current_communities_and_channels_with_the_current_words(
    client: Client, associate: Associate
) -> None:
    path = links.manage_path(associate)
    response = client.get(path)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Ade Member" in html
    assert ADDRESS in html
    assert 'value="return-to-work" checked' in html
    assert 'value="mood" checked' in html
    assert 'value="stroke-network">' in html
    assert 'id="id_consent_engage" name="consent_engage" type="checkbox" value="on" checked' in html
    assert 'id="id_consent_briefing" name="consent_briefing" type="checkbox" value="on">' in html
    assert ConsentWording.current("briefing").text in html
    assert f'href="{path}data.json"' in html
    assert f'href="{path}erase/"' in html
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]


def test_manage_url_is_absolute(associate: Associate, settings: Any) -> None:
    url = links.manage_url(associate)
    assert url.startswith(settings.SITE_URL + "/associates/manage/")
    assert links.read_token(url.rstrip("/").rsplit("/", 1)[1]) == associate


def test_saving_appends_preference_records_and_keeps_membership_history(
    client: Client, associate: Associate, cops: dict[str, CommunityOfPractice]
) -> None:
    path = links.manage_path(associate)
    shown = client.get(path).context["form"]["wordings"].value()
    records_before = ConsentRecord.objects.count()

    response = client.post(
        path,
        {"communities": ["mood", "stroke-network"], "consent_briefing": "on", "wordings": shown},
        follow=True,
    )

    assert "Your choices have been saved." in response.content.decode()
    assert current_slugs(associate) == ["mood", "stroke-network"]
    left = Membership.objects.get(associate=associate, cop=cops["work"])
    assert left.left is not None  # history kept, not deleted
    cops["work"].refresh_from_db()
    assert cops["work"].member_count == 0
    added = list(ConsentRecord.objects.order_by("pk")[records_before:])
    assert [(r.channel, r.granted, r.method, r.wording_version) for r in added] == [
        ("engage", False, "preferences", None),
        ("briefing", True, "preferences", 1),
    ]
    associate.refresh_from_db()
    assert associate.consents() == {"engage": False, "briefing": True, "events": False}
    assert not Associate.objects.consenting("engage").exists()
    assert list(Associate.objects.consenting("briefing")) == [associate]
    # The page now shows the choices as saved.
    assert 'value="stroke-network" checked' in response.content.decode()


def test_saving_unchanged_choices_appends_nothing(client: Client, associate: Associate) -> None:
    path = links.manage_path(associate)
    shown = client.get(path).context["form"]["wordings"].value()
    before = state()
    client.post(
        path,
        {"communities": ["return-to-work", "mood"], "consent_engage": "on", "wordings": shown},
    )
    assert state()[:3] == before[:3]


def test_an_unknown_community_gets_an_nhs_style_error(client: Client, associate: Associate) -> None:
    path = links.manage_path(associate)
    shown = client.get(path).context["form"]["wordings"].value()
    response = client.post(path, {"communities": ["no-such-cop"], "wordings": shown})
    html = response.content.decode()
    assert "There is a problem" in html
    assert '<a href="#id_communities_0">Select communities of practice from the list.</a>' in html
    assert current_slugs(associate) == ["mood", "return-to-work"]


def test_a_pending_associate_is_told_to_confirm_first(client: Client, associate: Associate) -> None:
    Associate.objects.filter(pk=associate.pk).update(status=Associate.Status.PENDING)
    html = client.get(links.manage_path(associate)).content.decode()
    assert "You have not confirmed your email address yet" in html


# --- Download ------------------------------------------------------------------------------------


def test_the_download_is_a_json_attachment_of_everything_held(
    client: Client, associate: Associate
) -> None:
    response = client.get(links.manage_path(associate) + "data.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["associate"]["email"] == ADDRESS
    assert data["associate"]["full_name"] == "Ade Member"
    assert data["associate"]["interests"] == ["Stroke Rehabilitation"]
    assert {c["name"] for c in data["communities_of_practice"]} == {
        "Return to work community of practice",
        "Chronic mood disorder community of practice",
    }
    assert data["consent"]["current"]["engage"] is True
    assert [h["how"] for h in data["consent"]["history"]] == [
        "Registration form",
        "Confirmation link",
    ]


# --- Erasure -------------------------------------------------------------------------------------


def test_erasing_removes_personal_data_and_every_link(
    client: Client, associate: Associate, cops: dict[str, CommunityOfPractice]
) -> None:
    path = links.manage_path(associate)
    warning = client.get(path + "erase/")
    assert "This cannot be undone" in warning.content.decode()
    assert "Remove my details</button>" in warning.content.decode()

    response = client.post(path + "erase/")

    assert response.status_code == 200
    assert "Your details have been removed" in response.content.decode()
    associate.refresh_from_db()
    assert associate.status == Associate.Status.ERASED
    assert (associate.full_name, associate.email, associate.organisation) == ("", None, "")
    assert associate.interests.count() == 0
    assert not associate.memberships.filter(left__isnull=True).exists()
    assert associate.memberships.count() == 2  # anonymous history keeps community sizes true
    cops["work"].refresh_from_db()
    assert cops["work"].member_count == 0
    assert associate.consents() == {"engage": False, "briefing": False, "events": False}
    assert associate.consent_records.last().method == "erasure"  # type: ignore[union-attr]
    suppressed = SuppressedAddress.objects.get()
    assert suppressed.address_sha256 == address_hash(ADDRESS)
    assert ADDRESS not in suppressed.address_sha256
    # The plain address and name are nowhere in associate or registration rows.
    rows = json.dumps(
        [list(Associate.objects.values()), list(Registration.objects.values())], default=str
    ).lower()
    assert ADDRESS not in rows
    assert "ade member" not in rows
    # Every link sent before now leads to a clear page, not to their (former) data.
    for url in (path, path + "data.json", path + "erase/"):
        gone = client.get(url)
        assert gone.status_code == 404
        assert "This link does not work" in gone.content.decode()


# --- Links that do not work -----------------------------------------------------------------------


def test_every_self_service_get_changes_nothing(client: Client, associate: Associate) -> None:
    path = links.manage_path(associate)
    before = state()
    for url in (
        path,
        path + "data.json",
        path + "erase/",
        "/associates/manage/",
        "/associates/manage/link-sent/",
        "/associates/manage/not-a-token/",
    ):
        assert client.get(url).status_code in (200, 404)
    assert state() == before


@pytest.mark.parametrize(
    "make_bad",
    [
        pytest.param(lambda good: good[:-1] + ("A" if good[-1] != "A" else "B"), id="tampered"),
        pytest.param(
            lambda good: good.replace(good.split("-", 1)[0], "0" * 32, 1), id="other-person"
        ),
        pytest.param(
            lambda good: signing.TimestampSigner(salt="elsewhere").sign(good.split(":")[0]),
            id="other-salt",
        ),
        pytest.param(lambda good: "nonsense", id="nonsense"),
        pytest.param(lambda good: "x" * 1000, id="huge"),
    ],
)
def test_a_bad_token_gets_a_clear_not_found_page(
    client: Client, associate: Associate, make_bad: Any
) -> None:
    token = make_bad(links.make_token(associate))
    for suffix in ("", "data.json", "erase/"):
        response = client.get(f"/associates/manage/{token}/{suffix}")
        assert response.status_code == 404
        assert "This link does not work" in response.content.decode()
    assert client.post(f"/associates/manage/{token}/erase/").status_code == 404
    associate.refresh_from_db()
    assert associate.status == Associate.Status.ACTIVE


def test_an_expired_link_says_so_and_offers_a_new_one(
    client: Client, associate: Associate, monkeypatch: pytest.MonkeyPatch
) -> None:
    issued = time.time() - (links.MAX_AGE + dt.timedelta(minutes=1)).total_seconds()
    with monkeypatch.context() as patch:
        patch.setattr(time, "time", lambda: issued)
        old = links.manage_path(associate)
    response = client.get(old)
    html = response.content.decode()
    assert response.status_code == 404
    assert "This link has expired" in html
    assert 'href="/associates/manage/"' in html


# --- Asking for a new link ------------------------------------------------------------------------


def _ask_for_link(client: Client, capture: Any, email: str) -> Any:
    data = {"email": email, "website": "", "form_token": issue_form_token(time.time() - 10)}
    with capture(execute=True):
        return client.post("/associates/manage/", data, follow=True)


def test_a_known_active_address_is_emailed_a_working_link(
    client: Client,
    associate: Associate,
    smtp_server: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    response = _ask_for_link(client, django_capture_on_commit_callbacks, " ADE.Member@example.org")
    assert "If the address you gave belongs to an associate" in response.content.decode()
    run_tasks()
    assert len(smtp_server.messages) == 1
    sent = smtp_server.messages[0]
    assert sent["rcpt_tos"] == [ADDRESS]
    match = MANAGE_LINK.search(text_of(sent["message"]))
    assert match is not None
    assert client.get(match.group(1)).status_code == 200


def test_an_unknown_or_unconfirmed_address_gets_the_same_page_and_no_email(
    client: Client,
    associate: Associate,
    smtp_server: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    known = _ask_for_link(client, django_capture_on_commit_callbacks, ADDRESS)
    run_tasks()
    smtp_server.messages.clear()
    unknown = _ask_for_link(client, django_capture_on_commit_callbacks, "nobody@example.org")
    Associate.objects.filter(pk=associate.pk).update(status=Associate.Status.PENDING)
    pending = _ask_for_link(client, django_capture_on_commit_callbacks, ADDRESS)
    run_tasks()
    assert smtp_server.messages == []
    assert known.content == unknown.content == pending.content


def test_the_link_request_form_shows_errors_and_refuses_bots(client: Client, db: Any) -> None:
    empty = client.post(
        "/associates/manage/",
        {"email": "", "website": "", "form_token": issue_form_token(time.time() - 10)},
    )
    assert '<a href="#id_email">Enter your email address</a>' in empty.content.decode()
    bot = client.post(
        "/associates/manage/",
        {"email": "a@example.org", "website": "x", "form_token": issue_form_token()},
    )
    assert "We could not accept this message" in bot.content.decode()
    assert DBTaskResult.objects.count() == 0


def test_staff_erasure_also_removes_registrations_and_keeps_names_out_of_audit(
    associate: Associate,
) -> None:
    from coproduce.audit.log import record
    from coproduce.audit.models import AuditEntry

    record(None, "community.associate.confirmed", associate)
    services.erase(associate, via="staff")
    assert not Registration.objects.exists()
    assert not AuditEntry.objects.filter(object_repr__contains="Ade Member").exists()
    assert AuditEntry.objects.filter(action="community.associate.erased").count() == 1
