"""Storage limitation on the worker's clock (comms/retention.py): unconfirmed joins with their
pending associate and consent records, old outbox bodies, old mail files, closed enquiries."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from coproduce.comms import scheduler
from coproduce.comms.models import OutboxMessage
from coproduce.community import services
from coproduce.community.models import Associate, ConsentRecord, Registration
from coproduce.pages.models import Enquiry

pytestmark = pytest.mark.django_db

LONG_AGO = timezone.now() - dt.timedelta(days=400)


def _joined(email: str, *, when: dt.datetime, method: str = ConsentRecord.Method.FORM) -> Associate:
    associate = Associate.objects.create(
        full_name=f"Person {email}", email=email, role="public", joined=when
    )
    services.record_consent(associate, "engage", True, method, at=when)
    Registration.objects.create(
        token_sha256=email.ljust(64, "x")[:64],
        email=email,
        payload={"email": email},
        associate=associate,
        created=when,
    )
    return associate


def _outbox(key: str, to: str, *, status: str, created: dt.datetime) -> OutboxMessage:
    return OutboxMessage.objects.create(
        key=key,
        to_email=to,
        subject=f"Hello {to}",
        body_text=f"Dear {to}",
        body_html=f"<p>Dear {to}</p>",
        status=status,
        created=created,
    )


def test_the_clock_has_the_retention_jobs() -> None:
    results = scheduler.tick()
    for name in (
        "retention: unconfirmed joins",
        "retention: outbox bodies",
        "retention: mail folder",
        "retention: closed enquiries",
    ):
        assert results[name] != "error", name


def test_unconfirmed_joins_go_with_their_associate_consent_outbox_and_mail(
    settings: Any, tmp_path: Path
) -> None:
    settings.EMAIL_FILE_PATH = tmp_path
    (tmp_path / "join.log").write_text(
        "To: old@example.org\nSubject: Confirm\n\nhttps://x/associates/confirm/tok\n"
        + "-" * 79
        + "\n"
    )
    old = _joined("old@example.org", when=LONG_AGO)
    recent = _joined("recent@example.org", when=timezone.now() - dt.timedelta(days=2))
    by_staff = _joined("staff@example.org", when=LONG_AGO, method=ConsentRecord.Method.STAFF)
    confirmed = _joined("confirmed@example.org", when=LONG_AGO)
    Associate.objects.filter(pk=confirmed.pk).update(
        status=Associate.Status.ACTIVE, confirmed=LONG_AGO
    )
    message = _outbox("join:old", "old@example.org", status="sent", created=timezone.now())

    scheduler.tick()

    remaining = set(Associate.objects.values_list("email", flat=True))
    assert remaining == {"recent@example.org", "staff@example.org", "confirmed@example.org"}
    assert not ConsentRecord.objects.filter(associate_id=old.pk).exists()
    assert ConsentRecord.objects.filter(associate=by_staff).exists()
    assert ConsentRecord.objects.filter(associate=recent).exists()
    assert not Registration.objects.filter(email="old@example.org").exists()
    message.refresh_from_db()
    assert (message.to_email, message.body_text) == ("", "")
    assert list(tmp_path.iterdir()) == []


def test_old_outbox_bodies_are_blanked_and_waiting_ones_kept() -> None:
    old_sent = _outbox("a", "a@example.org", status="sent", created=LONG_AGO)
    old_waiting = _outbox("b", "b@example.org", status="queued", created=LONG_AGO)
    new_sent = _outbox("c", "c@example.org", status="sent", created=timezone.now())
    scheduler.tick()
    for row in (old_sent, old_waiting, new_sent):
        row.refresh_from_db()
    assert (old_sent.to_email, old_sent.subject, old_sent.body_html) == ("", "", "")
    assert old_waiting.to_email == "b@example.org"
    assert new_sent.body_text == "Dear c@example.org"


def test_old_mail_files_go(settings: Any, tmp_path: Path) -> None:
    settings.EMAIL_FILE_PATH = tmp_path
    old, new = tmp_path / "old.log", tmp_path / "new.log"
    old.write_text("To: a@example.org\n\nhello\n")
    new.write_text("To: b@example.org\n\nhello\n")
    os.utime(old, (LONG_AGO.timestamp(), LONG_AGO.timestamp()))
    scheduler.tick()
    assert [p.name for p in tmp_path.iterdir()] == ["new.log"]


def test_closed_enquiries_go_after_the_period_and_new_ones_stay(settings: Any) -> None:
    settings.COPRODUCE_RETENTION_ENQUIRY_DAYS = 30
    for name, status, age in (
        ("closed-old", Enquiry.Status.CLOSED, 40),
        ("answered-old", Enquiry.Status.ANSWERED, 40),
        ("new-old", Enquiry.Status.NEW, 40),
        ("closed-recent", Enquiry.Status.CLOSED, 5),
    ):
        enquiry = Enquiry.objects.create(
            name=name, email=f"{name}@example.org", message="Hi", status=status
        )
        Enquiry.objects.filter(pk=enquiry.pk).update(
            received=timezone.now() - dt.timedelta(days=age)
        )
    scheduler.tick()
    assert sorted(Enquiry.objects.values_list("name", flat=True)) == ["closed-recent", "new-old"]
