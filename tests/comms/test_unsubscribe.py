"""Unsubscribe links (RFC 8058): GET shows a button, one-click POST withdraws, stop-all, bad tokens."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from django.db.models import F
from django.test import Client
from django.urls import reverse

from coproduce.comms import outbox
from coproduce.comms.models import Mailing, OutboxMessage
from coproduce.comms.render import build_email
from coproduce.comms.tokens import make_token
from coproduce.community import services
from coproduce.community.models import Associate, ConsentRecord
from tests.community import helpers

Status = OutboxMessage.Status
ONE_CLICK = "List-Unsubscribe=One-Click"


@pytest.fixture
def person(db: Any) -> Associate:
    return helpers.associate(
        full_name="Ada Lovelace",
        email="ada@example.org",
        consents={"engage": True, "briefing": True, "events": True},
    )


@pytest.fixture
def bare() -> Client:
    """A client like a mail provider's: no cookies, CSRF checked."""
    return Client(enforce_csrf_checks=True)


def url(associate: Associate, channel: str) -> str:
    return reverse("comms:unsubscribe", args=[make_token(associate, channel)])


def consents(associate: Associate) -> dict[str, bool]:
    associate.refresh_from_db()
    return associate.consents()


def one_click(client: Client, address: str) -> Any:
    return client.post(address, data=ONE_CLICK, content_type="application/x-www-form-urlencoded")


def assert_private(response: Any) -> None:
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "no-referrer"
    assert not response.cookies


def test_get_shows_the_channel_and_changes_nothing(bare: Client, person: Associate) -> None:
    records = ConsentRecord.objects.count()
    response = bare.get(url(person, "briefing"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Monthly briefing" in page
    assert 'name="scope" value="all"' in page
    assert "/associates/manage/" in page  # finer choices on the self-service page
    assert_private(response)
    assert bare.head(url(person, "briefing")).status_code == 200
    assert ConsentRecord.objects.count() == records
    assert consents(person) == {"engage": True, "briefing": True, "events": True}


def test_one_click_post_without_cookies_or_csrf_token(bare: Client, person: Associate) -> None:
    response = one_click(bare, url(person, "briefing"))
    assert response.status_code == 200
    assert "You are unsubscribed" in response.content.decode()
    assert_private(response)
    assert consents(person) == {"engage": True, "briefing": False, "events": True}
    record = ConsentRecord.objects.filter(associate=person).latest("id")
    assert (record.channel, record.granted, record.method) == ("briefing", False, "unsubscribe")
    assert record.method == ConsentRecord.Method.UNSUBSCRIBE


def test_one_click_post_as_multipart_form_data(bare: Client, person: Associate) -> None:
    response = bare.post(url(person, "engage"), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert consents(person)["engage"] is False


def test_a_body_django_cannot_parse_still_unsubscribes(bare: Client, person: Associate) -> None:
    response = bare.post(url(person, "events"), data=b"junk", content_type="multipart/form-data")
    assert response.status_code == 200
    assert consents(person)["events"] is False


def test_posting_again_records_nothing_more(bare: Client, person: Associate) -> None:
    address = url(person, "briefing")
    assert one_click(bare, address).status_code == 200
    assert one_click(bare, address).status_code == 200
    assert bare.post(address, {"scope": "channel"}).status_code == 200
    withdrawals = ConsentRecord.objects.filter(associate=person, granted=False)
    assert withdrawals.count() == 1
    # The page after the fact says so, and offers no second Unsubscribe button.
    page = bare.get(address).content.decode()
    assert "already unsubscribed" in page


def test_stop_all_withdraws_every_channel(bare: Client, person: Associate) -> None:
    response = bare.post(url(person, "engage"), {"scope": "all"})
    assert response.status_code == 200
    assert "any more newsletters, briefings or event invitations" in response.content.decode()
    assert consents(person) == {"engage": False, "briefing": False, "events": False}
    methods = set(
        ConsentRecord.objects.filter(associate=person, granted=False).values_list(
            "method", flat=True
        )
    )
    assert methods == {"unsubscribe"}
    assert bare.post(url(person, "engage"), {"scope": "all"}).status_code == 200
    assert ConsentRecord.objects.filter(associate=person, granted=False).count() == 3


def test_unsubscribing_cancels_unsent_messages_on_that_channel(
    bare: Client, person: Associate
) -> None:
    other = helpers.associate(consents={"briefing": True})
    briefing = Mailing.objects.create(
        kind=Mailing.Kind.BRIEFING,
        channel="briefing",
        subject="Briefing",
        body="News.",
        status=Mailing.Status.SENDING,
    )
    mine = OutboxMessage.objects.create(
        key=OutboxMessage.mailing_key(briefing.pk, person.pk),
        mailing=briefing,
        associate=person,
        to_email=person.email,
        channel="briefing",
    )
    theirs = OutboxMessage.objects.create(
        key=OutboxMessage.mailing_key(briefing.pk, other.pk),
        mailing=briefing,
        associate=other,
        to_email=other.email,
        channel="briefing",
    )
    already_sent = OutboxMessage.objects.create(
        key="m0:a0", associate=person, to_email=person.email, channel="briefing", status=Status.SENT
    )
    engage_row = outbox.queue_message(
        "engage-welcome:1", person.email, "Welcome", "Hello", associate=person, channel="engage"
    )
    booking = outbox.queue_message(
        "booking-confirmation:1", person.email, "Your place", "Booked", associate=person
    )
    assert engage_row is not None
    assert booking is not None

    assert one_click(bare, url(person, "briefing")).status_code == 200

    statuses = dict(OutboxMessage.objects.values_list("key", "status"))
    assert statuses[mine.key] == Status.CANCELLED
    assert statuses[theirs.key] == Status.QUEUED
    assert statuses[already_sent.key] == Status.SENT
    assert statuses[engage_row.key] == Status.QUEUED
    assert statuses[booking.key] == Status.QUEUED

    # Stop all: the engage row goes too; the booking confirmation (asked for) does not.
    assert bare.post(url(person, "briefing"), {"scope": "all"}).status_code == 200
    statuses = dict(OutboxMessage.objects.values_list("key", "status"))
    assert statuses[engage_row.key] == Status.CANCELLED
    assert statuses[booking.key] == Status.QUEUED


def test_the_list_unsubscribe_header_of_a_sent_message_works(
    bare: Client, person: Associate
) -> None:
    row = outbox.queue_message(
        "event-invite:7", person.email, "Come along", "Details", associate=person, channel="events"
    )
    assert row is not None
    message = build_email(row)
    assert message.extra_headers["List-Unsubscribe-Post"] == ONE_CLICK
    target = urlsplit(message.extra_headers["List-Unsubscribe"].strip("<>")).path
    assert one_click(bare, target).status_code == 200
    assert consents(person)["events"] is False
    row.refresh_from_db()
    assert row.status == Status.CANCELLED


@pytest.mark.parametrize("method", ["get", "post"])
def test_bad_tokens_get_a_friendly_not_found_page(
    bare: Client, person: Associate, method: str
) -> None:
    good = make_token(person, "engage")
    tampered = good[:-2] + ("AA" if not good.endswith("AA") else "BB")
    other_channel = good.replace(".engage.", ".events.")
    for token in [tampered, other_channel, "nonsense", "x" * 500, "a:b:c"]:
        address = reverse("comms:unsubscribe", args=[token])
        response = getattr(bare, method)(address, {"scope": "all"} if method == "post" else None)
        assert response.status_code == 404, token
        assert "This unsubscribe link does not work" in response.content.decode()
        assert_private(response)
    assert consents(person) == {"engage": True, "briefing": True, "events": True}


def test_tokens_die_when_the_link_version_moves_on(bare: Client, person: Associate) -> None:
    address = url(person, "engage")
    Associate.objects.filter(pk=person.pk).update(link_version=F("link_version") + 1)
    assert bare.get(address).status_code == 404
    assert one_click(bare, address).status_code == 404


def test_an_erased_associate_token_does_not_work(bare: Client, person: Associate) -> None:
    address = url(person, "engage")
    services.erase(person, via="test")
    assert one_click(bare, address).status_code == 404


def test_other_methods_are_refused(bare: Client, person: Associate) -> None:
    assert bare.put(url(person, "engage")).status_code == 405
    assert consents(person)["engage"] is True
