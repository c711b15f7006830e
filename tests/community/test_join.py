"""Joining as an associate: the form, the emailed link (double opt-in) and its confirmation."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import time
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from coproduce.audit.models import AuditEntry
from coproduce.community import registration
from coproduce.community.models import (
    Associate,
    Channel,
    CommunityOfPractice,
    ConsentRecord,
    ConsentWording,
    Membership,
    Registration,
    SuppressedAddress,
    address_hash,
)
from coproduce.lib.spam import issue_form_token
from tests import factories

JOIN_URL = "/associates/join/"
CONFIRM_LINK = re.compile(r"https?://[^/\s\"]+(/associates/confirm/([A-Za-z0-9_-]+)/)")
MANAGE_LINK = re.compile(r"https?://[^/\s\"]+(/associates/manage/([A-Za-z0-9_:-]+)/)")


def make_cops() -> dict[str, CommunityOfPractice]:
    """Two themes with a study each (each study gets its community) and a theme-wide one."""
    stroke: Any = factories.ThemeFactory(name="Stroke Rehabilitation", slug="stroke", position=3)
    mental: Any = factories.ThemeFactory(name="Mental Health", slug="mental-health", position=1)
    work: Any = factories.StudyFactory(slug="return-to-work", title="Return to work", theme=stroke)
    mood: Any = factories.StudyFactory(slug="mood", title="Chronic mood disorder", theme=mental)
    whole = CommunityOfPractice.objects.create(
        slug="stroke-network", name="Stroke network", theme=stroke
    )
    return {
        "work": CommunityOfPractice.objects.get(study=work),
        "mood": CommunityOfPractice.objects.get(study=mood),
        "stroke": whole,
    }


@pytest.fixture
def cops(db: Any) -> dict[str, CommunityOfPractice]:
    return make_cops()


def shown_wordings(client: Client) -> str:
    """The signed wording ids the join form carries, as a browser would submit them."""
    response = client.get(JOIN_URL)
    return str(response.context["form"]["wordings"].value())


def join_data(client: Client, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "full_name": "Sam Carer",
        "email": "Sam.Carer@Example.org",
        "organisation": "Carers Together",
        "role": "carer",
        "interests": ["stroke"],
        "communities": ["return-to-work", "stroke-network"],
        "consent_engage": "on",
        "consent_events": "on",
        "website": "",
        # Issued ten seconds ago, as if a person took that long to fill the form in.
        "form_token": issue_form_token(time.time() - 10),
    }
    if "wordings" not in overrides:
        data["wordings"] = shown_wordings(client)
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def join(client: Client, capture: Any, **overrides: Any) -> Any:
    data = join_data(client, **overrides)
    with capture(execute=True):
        return client.post(JOIN_URL, data)


def run_tasks() -> None:
    call_command("worker", "--batch", verbosity=0)


def text_of(message: Any) -> str:
    return str(message.get_body(preferencelist=("plain",)).get_content())


def html_of(message: Any) -> str:
    return str(message.get_body(preferencelist=("html",)).get_content())


def confirm_path(smtp_server: Any, to: str = "sam.carer@example.org") -> str:
    """The confirmation link in the latest email to `to`."""
    for sent in reversed(smtp_server.messages):
        if sent["rcpt_tos"] == [to]:
            match = CONFIRM_LINK.search(text_of(sent["message"]))
            if match:
                return match.group(1)
    raise AssertionError(f"No confirmation link sent to {to}")


def confirm(client: Client, capture: Any, path: str) -> Any:
    with capture(execute=True):
        return client.post(path)


def register_and_confirm(
    client: Client, capture: Any, smtp_server: Any, **overrides: Any
) -> Associate:
    """Join through the form and confirm by the emailed link; the associate, active."""
    assert join(client, capture, **overrides).status_code == 302
    run_tasks()
    email = str(overrides.get("email", "sam.carer@example.org")).strip().lower()
    assert confirm(client, capture, confirm_path(smtp_server, email)).status_code == 302
    run_tasks()
    return Associate.objects.get(email=email)


# --- The form -----------------------------------------------------------------------------------


def test_the_form_asks_each_question_with_the_current_consent_words(
    client: Client, cops: Any
) -> None:
    response = client.get(JOIN_URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert '<label class="nhsuk-label" for="id_full_name">Full name</label>' in html
    assert "Organisation (optional)" in html
    for value, label in Associate.Role.choices:
        assert f'value="{value}"' in html
        assert label in html
    for channel in Channel.values:
        wording = ConsentWording.current(channel)
        assert (
            f'<label class="nhsuk-label nhsuk-checkboxes__label" for="id_consent_{channel}">'
            f"{wording.text}</label>"
        ) in html
    assert 'name="wordings"' in html
    assert 'name="form_token"' in html


def test_communities_are_grouped_under_their_theme_in_theme_order(
    client: Client, cops: Any
) -> None:
    html = client.get(JOIN_URL).content.decode()
    mental = html.index(
        '<legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">Mental Health'
    )
    stroke = html.index(
        '<legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">Stroke Rehabilitation'
    )
    assert mental < html.index("Chronic mood disorder community of practice") < stroke
    assert stroke < html.index("Return to work community of practice")
    assert stroke < html.index("Stroke network")


def test_missing_answers_get_nhs_style_errors_and_keep_what_was_typed(
    client: Client, cops: Any
) -> None:
    response = client.post(
        JOIN_URL, join_data(client, full_name="", role=None, email="not-an-address")
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert '<a href="#id_full_name">Enter your full name</a>' in html
    assert '<a href="#id_role_0">Select the option that best describes you</a>' in html
    assert "Enter an email address in the correct format, like name@example.com" in html
    assert "nhsuk-form-group--error" in html
    assert "<title>Error: Join as an associate" in html
    assert 'value="Carers Together"' in html
    assert 'value="return-to-work" checked' in html
    assert 'id="id_consent_engage" name="consent_engage" type="checkbox" value="on" checked' in html
    assert Associate.objects.count() == 0
    assert Registration.objects.count() == 0


def test_a_filled_honeypot_or_a_form_sent_at_once_is_refused(client: Client, cops: Any) -> None:
    spam = client.post(JOIN_URL, join_data(client, website="http://spam.example"))
    assert "We could not accept this message" in spam.content.decode()
    hasty = client.post(JOIN_URL, join_data(client, form_token=issue_form_token(time.time())))
    assert "We could not accept this message" in hasty.content.decode()
    assert Registration.objects.count() == 0


# --- Registering ---------------------------------------------------------------------------------


def test_joining_makes_a_pending_associate_with_form_consent_and_emails_a_link(
    client: Client, cops: Any, smtp_server: Any, django_capture_on_commit_callbacks: Any
) -> None:
    response = join(client, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert response["Location"] == "/associates/join/check-your-email/"

    associate = Associate.objects.get()
    assert associate.email == "sam.carer@example.org"
    assert associate.status == Associate.Status.PENDING
    assert associate.confirmed is None
    records = list(associate.consent_records.order_by("channel"))
    assert [(r.channel, r.granted, r.method) for r in records] == [
        ("engage", True, "form"),
        ("events", True, "form"),
    ]
    for entry in records:
        wording = ConsentWording.current(entry.channel)
        assert entry.wording_version == 1
        assert entry.wording_sha256 == hashlib.sha256(wording.text.encode()).hexdigest()

    registration = Registration.objects.get()
    assert registration.associate == associate
    assert registration.confirmed is None
    assert registration.payload["full_name"] == "Sam Carer"

    run_tasks()
    assert len(smtp_server.messages) == 1
    sent = smtp_server.messages[0]
    assert sent["rcpt_tos"] == ["sam.carer@example.org"]
    assert sent["message"]["Subject"].startswith("Confirm your email address")
    path = confirm_path(smtp_server)
    token = path.rstrip("/").rsplit("/", 1)[1]
    # Only a hash of the token is kept: the link cannot be rebuilt from the row alone.
    assert registration.token_sha256 == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(registration.payload)
    assert path in html_of(sent["message"])


def test_nothing_counts_as_consent_or_membership_until_confirmed(
    client: Client, cops: Any, django_capture_on_commit_callbacks: Any
) -> None:
    join(client, django_capture_on_commit_callbacks)
    for channel in Channel.values:
        assert not Associate.objects.consenting(channel).exists()
    assert Membership.objects.count() == 0
    cops["work"].refresh_from_db()
    assert cops["work"].member_count == 0


def test_the_check_your_email_page_is_the_same_for_a_known_address(
    client: Client, cops: Any, smtp_server: Any, django_capture_on_commit_callbacks: Any
) -> None:
    first = join(client, django_capture_on_commit_callbacks)
    again = join(client, django_capture_on_commit_callbacks, email="SAM.carer@example.org ")
    assert first["Location"] == again["Location"]
    page_new = client.get(first["Location"])
    page_known = client.get(again["Location"])
    assert "Check your email" in page_new.content.decode()
    assert page_new.content == page_known.content


# --- Confirming ----------------------------------------------------------------------------------


def test_opening_the_confirm_link_changes_nothing(
    client: Client, cops: Any, smtp_server: Any, django_capture_on_commit_callbacks: Any
) -> None:
    join(client, django_capture_on_commit_callbacks)
    run_tasks()
    before = list(Associate.objects.values())
    records = ConsentRecord.objects.count()

    response = client.get(confirm_path(smtp_server))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Confirm your details" in html
    assert (
        '<button class="nhsuk-button" data-module="nhsuk-button" type="submit">Confirm</button>'
        in html
    )
    assert "Return to work community of practice" in html
    assert list(Associate.objects.values()) == before
    assert ConsentRecord.objects.count() == records
    assert Membership.objects.count() == 0
    assert Registration.objects.get().confirmed is None
    assert not AuditEntry.objects.filter(action="community.associate.confirmed").exists()


def test_confirming_activates_joins_and_appends_confirmation_records(
    client: Client, cops: Any, smtp_server: Any, django_capture_on_commit_callbacks: Any
) -> None:
    join(client, django_capture_on_commit_callbacks)
    run_tasks()

    response = confirm(client, django_capture_on_commit_callbacks, confirm_path(smtp_server))

    assert response.status_code == 302
    assert response["Location"] == "/associates/confirmed/"
    assert "Your details are confirmed" in client.get(response["Location"]).content.decode()
    associate = Associate.objects.get()
    assert associate.status == Associate.Status.ACTIVE
    assert associate.confirmed is not None
    assert [t.slug for t in associate.interests.all()] == ["stroke"]
    assert sorted(
        associate.memberships.filter(left__isnull=True).values_list("cop__slug", flat=True)
    ) == ["return-to-work", "stroke-network"]
    cops["work"].refresh_from_db()
    assert cops["work"].member_count == 1
    assert [
        (r.channel, r.method, r.wording_version)
        for r in associate.consent_records.order_by("channel", "pk")
    ] == [
        ("engage", "form", 1),
        ("engage", "confirmation", 1),
        ("events", "form", 1),
        ("events", "confirmation", 1),
    ]
    assert list(Associate.objects.consenting("engage")) == [associate]
    assert list(Associate.objects.consenting("events")) == [associate]
    assert not Associate.objects.consenting("briefing").exists()
    assert Registration.objects.get().confirmed is not None
    entry = AuditEntry.objects.get(action="community.associate.confirmed")
    assert entry.object_id == str(associate.pk)
    assert entry.via == "self-service"

    # The welcome email carries the link to manage everything, and that link works.
    run_tasks()
    welcome = smtp_server.messages[-1]
    assert welcome["rcpt_tos"] == ["sam.carer@example.org"]
    assert welcome["message"]["Subject"].startswith("You are now an associate")
    manage = MANAGE_LINK.search(text_of(welcome["message"]))
    assert manage is not None
    assert manage.group(1) in html_of(welcome["message"])
    assert "Return to work community of practice" in text_of(welcome["message"])
    assert client.get(manage.group(1)).status_code == 200


def test_a_used_link_says_so_and_changes_nothing_more(
    client: Client, cops: Any, smtp_server: Any, django_capture_on_commit_callbacks: Any
) -> None:
    join(client, django_capture_on_commit_callbacks)
    run_tasks()
    path = confirm_path(smtp_server)
    confirm(client, django_capture_on_commit_callbacks, path)
    records = ConsentRecord.objects.count()

    for response in (client.get(path), client.post(path)):
        html = response.content.decode()
        assert "This link has already been used" in html
        assert 'href="/associates/join/"' in html
    assert ConsentRecord.objects.count() == records
    assert AuditEntry.objects.filter(action="community.associate.confirmed").count() == 1


def test_an_expired_link_offers_to_register_again(
    client: Client, cops: Any, smtp_server: Any, django_capture_on_commit_callbacks: Any
) -> None:
    join(client, django_capture_on_commit_callbacks)
    run_tasks()
    Registration.objects.update(created=timezone.now() - dt.timedelta(days=7, minutes=1))
    path = confirm_path(smtp_server)

    for response in (client.get(path), client.post(path)):
        html = response.content.decode()
        assert response.status_code == 410
        assert "This link has expired" in html
        assert "Fill in the form again" in html
    assert Associate.objects.get().status == Associate.Status.PENDING
    assert Membership.objects.count() == 0


def test_an_unknown_link_is_a_clear_not_found_page(client: Client, db: Any) -> None:
    for token in ("not-a-token", "x" * 500):
        response = client.get(f"/associates/confirm/{token}/")
        assert response.status_code == 404
        assert "This link does not work" in response.content.decode()
    assert client.post("/associates/confirm/not-a-token/").status_code == 404


def test_confirming_lifts_an_earlier_suppression_of_the_address(
    client: Client, cops: Any, smtp_server: Any, django_capture_on_commit_callbacks: Any
) -> None:
    SuppressedAddress.objects.create(
        address_sha256=address_hash("sam.carer@example.org"), reason="erased"
    )
    register_and_confirm(client, django_capture_on_commit_callbacks, smtp_server)
    assert not SuppressedAddress.is_suppressed("sam.carer@example.org")


# --- A known address ------------------------------------------------------------------------------


def test_a_known_address_changes_nothing_until_confirmed_then_updates_without_a_duplicate(
    client: Client, cops: Any, smtp_server: Any, django_capture_on_commit_callbacks: Any
) -> None:
    associate = register_and_confirm(client, django_capture_on_commit_callbacks, smtp_server)
    before = list(Associate.objects.values())
    records = ConsentRecord.objects.count()
    memberships = list(Membership.objects.values())

    # Someone (perhaps not them) types the same address, in other capitals.
    response = join(
        client,
        django_capture_on_commit_callbacks,
        email="  SAM.CARER@example.ORG",
        full_name="Samantha Carer",
        organisation="",
        role="service_user",
        interests=["mental-health"],
        communities=["mood"],
        consent_engage=None,
        consent_events=None,
        consent_briefing="on",
    )
    assert response["Location"] == "/associates/join/check-your-email/"
    assert list(Associate.objects.values()) == before
    assert ConsentRecord.objects.count() == records
    assert list(Membership.objects.values()) == memberships

    run_tasks()
    email = smtp_server.messages[-1]
    assert email["rcpt_tos"] == ["sam.carer@example.org"]
    assert email["message"]["Subject"] == "Confirm the changes to your details"
    assert MANAGE_LINK.search(text_of(email["message"]))

    confirm(client, django_capture_on_commit_callbacks, confirm_path(smtp_server))

    assert Associate.objects.count() == 1
    associate.refresh_from_db()
    assert associate.full_name == "Samantha Carer"
    assert associate.organisation == ""
    assert associate.role == "service_user"
    assert sorted(t.slug for t in associate.interests.all()) == ["mental-health", "stroke"]
    assert sorted(
        associate.memberships.filter(left__isnull=True).values_list("cop__slug", flat=True)
    ) == ["mood", "return-to-work", "stroke-network"]
    # Joining again adds; it never silently withdraws what they agreed to before.
    assert associate.consents() == {"engage": True, "briefing": True, "events": True}
    assert associate.consent_records.filter(channel="briefing").get().method == "confirmation"
    assert Registration.objects.filter(confirmed__isnull=False).count() == 2


def test_the_form_cannot_be_used_to_flood_an_inbox(
    client: Client, cops: Any, smtp_server: Any, django_capture_on_commit_callbacks: Any
) -> None:
    limit = registration.MAX_WAITING_PER_ADDRESS
    for _ in range(limit + 2):
        response = join(client, django_capture_on_commit_callbacks)
        assert response["Location"] == "/associates/join/check-your-email/"
    run_tasks()
    assert Registration.objects.count() == limit
    assert len(smtp_server.messages) == limit
