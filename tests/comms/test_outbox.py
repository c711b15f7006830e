"""The outbox: queueing, dispatch through a real SMTP server, retries, recovery, pausing."""

from __future__ import annotations

import datetime as dt
import os
import re
import socket
import subprocess
import sys
from typing import Any

import pytest
from django.utils import timezone

from coproduce.comms import outbox, render
from coproduce.comms.audience import Audience
from coproduce.comms.models import Mailing, OutboxMessage
from coproduce.comms.smtp import Relay
from coproduce.community import services
from coproduce.community.models import Associate, ConsentRecord, SuppressedAddress, address_hash
from tests.community import helpers
from tests.conftest import serving_smtp

Status = OutboxMessage.Status


def mailing(**fields: Any) -> Mailing:
    fields.setdefault("kind", Mailing.Kind.ENGAGE)
    fields.setdefault("channel", "engage")
    fields.setdefault("subject", "Engage: spring 2026")
    fields.setdefault("body", "## What is new\n\nOur *return to work* study has reported.")
    fields.setdefault("slug", "engage-spring-2026")
    cops = fields.pop("cops", [])
    themes = fields.pop("themes", [])
    made = Mailing.objects.create(**fields)
    made.cops.set(cops)
    made.themes.set(themes)
    return made


@pytest.fixture
def crowd(db: Any) -> dict[str, Any]:
    rtw = helpers.community("return-to-work")
    home = helpers.community("home-visits")
    stroke = helpers.theme("stroke")
    return {
        "rtw": rtw,
        "home": home,
        "stroke": stroke,
        "ada": helpers.associate(full_name="Ada Lovelace", consents={"engage": True}, cops=[rtw]),
        "bea": helpers.associate(
            full_name="Bea Smith",
            consents={"engage": True, "briefing": True},
            cops=[home],
            role=Associate.Role.CARER,
        ),
        "cal": helpers.associate(
            full_name="Cal Jones", consents={"engage": True}, interests=[stroke]
        ),
        "dan": helpers.associate(full_name="Dan No", consents={"engage": False}, cops=[rtw]),
        "eve": helpers.associate(
            full_name="Eve Pending", consents={}, status=Associate.Status.PENDING, cops=[rtw]
        ),
    }


def recipients(inbox: Any) -> list[str]:
    return sorted(r for m in inbox.messages for r in m["rcpt_tos"])


def test_queueing_writes_one_row_per_consenting_recipient(crowd: dict[str, Any]) -> None:
    m = mailing()
    assert Audience.of(m).count() == 3
    assert outbox.queue_mailing(m) == 3
    rows = OutboxMessage.objects.filter(mailing=m)
    assert sorted(rows.values_list("to_email", flat=True)) == sorted(
        crowd[k].email for k in ("ada", "bea", "cal")
    )
    assert set(rows.values_list("status", flat=True)) == {Status.QUEUED}
    assert set(rows.values_list("channel", flat=True)) == {"engage"}
    m.refresh_from_db()
    assert m.status == Mailing.Status.SENDING
    assert m.recipient_count == 3
    with pytest.raises(outbox.NotSendable):
        outbox.queue_mailing(m)
    assert rows.count() == 3


def test_audience_filters(crowd: dict[str, Any]) -> None:
    assert Audience("engage", cop_ids=(crowd["rtw"].pk,)).queryset().count() == 1
    both = Audience("engage", cop_ids=(crowd["rtw"].pk,), theme_ids=(crowd["stroke"].pk,))
    assert set(both.queryset().values_list("full_name", flat=True)) == {"Ada Lovelace", "Cal Jones"}
    carers = Audience("engage", roles=(Associate.Role.CARER,))
    assert list(carers.queryset().values_list("full_name", flat=True)) == ["Bea Smith"]
    assert Audience("briefing").count() == 1
    assert Audience("events").count() == 0


def test_suppressed_addresses_are_left_out(crowd: dict[str, Any]) -> None:
    SuppressedAddress.objects.create(
        address_sha256=address_hash(crowd["bea"].email), reason="bounce"
    )
    m = mailing()
    assert Audience.of(m).count() == 2
    assert outbox.queue_mailing(m) == 2
    assert OutboxMessage.objects.get(to_email=crowd["bea"].email).status == Status.CANCELLED


def test_dispatch_sends_each_message_once_with_unsubscribe_headers(
    crowd: dict[str, Any], smtp_server: Any
) -> None:
    m = mailing()
    outbox.queue_mailing(m)
    result = outbox.dispatch_due()
    assert result.sent == 3
    assert recipients(smtp_server) == sorted(crowd[k].email for k in ("ada", "bea", "cal"))
    assert outbox.dispatch_due().sent == 0
    assert len(smtp_server.messages) == 3
    m.refresh_from_db()
    assert m.status == Mailing.Status.SENT
    message = next(
        x["message"] for x in smtp_server.messages if x["rcpt_tos"] == [crowd["ada"].email]
    )
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["List-Unsubscribe"].strip().startswith("<http")
    assert "/email/unsubscribe/" in message["List-Unsubscribe"]
    row = OutboxMessage.objects.get(to_email=crowd["ada"].email)
    assert message["Message-ID"] == render.message_id(row.key)
    html = message.get_body(("html",)).get_content()
    text = message.get_body(("plain",)).get_content()
    assert "Dear Ada," in html
    assert "Dear Ada," in text
    assert "<em>return to work</em>" in html
    assert "/associates/manage/" in text
    assert row.sent_at is not None
    assert row.attempts == 1


def test_the_row_is_marked_sent_before_the_relay_can_accept(
    crowd: dict[str, Any], smtp_server: Any
) -> None:
    """The commit point comes before the final dot: at that moment the server has nothing."""
    m = mailing()
    outbox.queue_mailing(m)
    row = OutboxMessage.objects.select_related("associate", "mailing").first()
    seen: list[int] = []
    with Relay() as relay:
        relay.send(render.build_email(row), lambda: seen.append(len(smtp_server.messages)))
    assert seen == [0]
    assert len(smtp_server.messages) == 1


class _Picky:
    """An SMTP server that refuses some recipients, temporarily or for good."""

    def __init__(self, answers: dict[str, str]) -> None:
        self.answers = answers
        self.accepted: list[str] = []

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        answer = self.answers.get(address)
        if answer:
            return answer
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.accepted.extend(envelope.rcpt_tos)
        return "250 OK"


@pytest.fixture
def picky_server(settings: Any) -> Any:
    with serving_smtp(_Picky({}), settings) as handler:
        yield handler


def test_temporary_failures_retry_with_backoff_and_permanent_ones_fail(
    crowd: dict[str, Any], picky_server: _Picky
) -> None:
    picky_server.answers = {
        crowd["ada"].email: "451 4.3.0 Try again later",
        crowd["bea"].email: "550 5.1.1 No such user",
    }
    outbox.queue_mailing(mailing())
    result = outbox.dispatch_due()
    assert (result.sent, result.retried, result.failed) == (1, 1, 1)
    assert picky_server.accepted == [crowd["cal"].email]
    ada = OutboxMessage.objects.get(to_email=crowd["ada"].email)
    assert ada.status == Status.QUEUED
    assert ada.attempts == 1
    assert ada.next_attempt_at > timezone.now() + dt.timedelta(seconds=50)
    assert "451" in ada.last_error
    bea = OutboxMessage.objects.get(to_email=crowd["bea"].email)
    assert bea.status == Status.FAILED
    assert "550 5.1.1 No such user" in bea.last_error
    # Not due yet: nothing more is sent. Once due and accepted, Ada gets exactly one.
    assert outbox.dispatch_due().sent == 0
    OutboxMessage.objects.filter(pk=ada.pk).update(next_attempt_at=timezone.now())
    picky_server.answers = {}
    assert outbox.dispatch_due().sent == 1
    assert sorted(picky_server.accepted) == sorted([crowd["cal"].email, crowd["ada"].email])
    assert Mailing.objects.get().status == Mailing.Status.SENT


def test_a_row_fails_for_good_after_the_last_attempt(
    crowd: dict[str, Any], picky_server: _Picky
) -> None:
    picky_server.answers = {crowd["ada"].email: "421 4.7.0 Busy"}
    outbox.queue_mailing(mailing(cops=[crowd["rtw"]]))
    row = OutboxMessage.objects.get()
    OutboxMessage.objects.filter(pk=row.pk).update(attempts=outbox.MAX_ATTEMPTS - 1)
    outbox.dispatch_due()
    row.refresh_from_db()
    assert row.status == Status.FAILED
    assert row.attempts == outbox.MAX_ATTEMPTS


def test_unreachable_relay_puts_the_batch_back(crowd: dict[str, Any], settings: Any) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nothing listens here
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    outbox.queue_mailing(mailing())
    result = outbox.dispatch_due()
    assert result.sent == 0
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {Status.QUEUED}
    assert not OutboxMessage.objects.filter(next_attempt_at__lte=timezone.now()).exists()


def test_paused_mailings_are_not_sent_until_resumed(
    crowd: dict[str, Any], smtp_server: Any
) -> None:
    m = mailing()
    outbox.queue_mailing(m)
    outbox.pause(m)
    assert m.status == Mailing.Status.PAUSED
    assert outbox.dispatch_due().sent == 0
    assert smtp_server.messages == []
    outbox.resume(m)
    assert outbox.dispatch_due().sent == 3
    assert outbox.progress(m)["percent"] == 100


def test_withdrawing_consent_stops_unsent_rows(crowd: dict[str, Any], smtp_server: Any) -> None:
    m = mailing()
    outbox.queue_mailing(m)
    services.record_consent(crowd["ada"], "engage", False, ConsentRecord.Method.UNSUBSCRIBE)
    assert OutboxMessage.objects.get(to_email=crowd["ada"].email).status == Status.CANCELLED
    outbox.dispatch_due()
    assert crowd["ada"].email not in recipients(smtp_server)
    assert len(smtp_server.messages) == 2


def test_consent_is_checked_again_at_sending(crowd: dict[str, Any], smtp_server: Any) -> None:
    m = mailing()
    outbox.queue_mailing(m)
    # A withdrawal that bypassed the signal (a bulk update) is still honoured at sending.
    Associate.objects.filter(pk=crowd["bea"].pk).update(consent_engage=False)
    SuppressedAddress.objects.create(
        address_sha256=address_hash(crowd["cal"].email), reason="bounce"
    )
    result = outbox.dispatch_due()
    assert (result.sent, result.cancelled) == (1, 2)
    assert recipients(smtp_server) == [crowd["ada"].email]


def test_sweeper_requeues_expired_leases_and_dead_workers_claims(crowd: dict[str, Any]) -> None:
    outbox.queue_mailing(mailing())
    a, b, c = OutboxMessage.objects.order_by("id")
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    OutboxMessage.objects.filter(pk=a.pk).update(
        status=Status.SENDING,
        claimed_by="elsewhere:1:x",
        lease_until=timezone.now() - dt.timedelta(seconds=1),
    )
    OutboxMessage.objects.filter(pk=b.pk).update(
        status=Status.SENDING,
        claimed_by=f"{socket.gethostname()}:{dead.stdout.strip()}:x",
        lease_until=timezone.now() + dt.timedelta(minutes=5),
    )
    OutboxMessage.objects.filter(pk=c.pk).update(
        status=Status.SENDING,
        claimed_by=f"{socket.gethostname()}:{os.getppid()}:x",  # alive: our parent
        lease_until=timezone.now() + dt.timedelta(minutes=5),
    )
    assert outbox.sweep() == 2
    statuses = dict(OutboxMessage.objects.values_list("pk", "status"))
    assert statuses == {a.pk: Status.QUEUED, b.pk: Status.QUEUED, c.pk: Status.SENDING}


def test_single_messages_are_idempotent_by_key(db: Any, smtp_server: Any) -> None:
    first = outbox.queue_message(
        "event-reminder:1", "someone@example.org", "Reminder", "See you soon"
    )
    again = outbox.queue_message(
        "event-reminder:1", "someone@example.org", "Reminder", "See you soon"
    )
    assert first is not None
    assert again is None
    assert outbox.dispatch_due().sent == 1
    message = smtp_server.messages[0]["message"]
    assert message["Subject"] == "Reminder"
    assert message["List-Unsubscribe"] is None  # asked-for service message, not a mailing


def test_claims_do_not_overlap(crowd: dict[str, Any]) -> None:
    outbox.queue_mailing(mailing())
    first = outbox.claim(limit=2)
    second = outbox.claim(limit=2)
    assert len(first) == 2
    assert len(second) == 1
    assert not {r.pk for r in first} & {r.pk for r in second}
    assert outbox.claim() == []


def test_scheduled_mailings_start_when_due(crowd: dict[str, Any]) -> None:
    from coproduce.comms import scheduler

    later = mailing(
        status=Mailing.Status.SCHEDULED, scheduled_for=timezone.now() + dt.timedelta(hours=1)
    )
    due = mailing(
        slug="due",
        status=Mailing.Status.SCHEDULED,
        scheduled_for=timezone.now() - dt.timedelta(minutes=1),
    )
    assert scheduler.start_scheduled_mailings() == 1
    later.refresh_from_db()
    due.refresh_from_db()
    assert later.status == Mailing.Status.SCHEDULED
    assert due.status == Mailing.Status.SENDING
    assert due.recipient_count == 3


def test_the_fast_message_is_the_message_django_builds(crowd: dict[str, Any]) -> None:
    """build_outgoing fills a per-mailing skeleton; it must say exactly what build_email says."""
    from email import message_from_bytes, policy

    crowd["ada"].full_name = "Ådå <O'Brien> & Co"
    crowd["ada"].save()
    m = mailing(body="Hello **everyone**. A line with a [link](https://example.org/?a=1&b=2).")
    outbox.queue_mailing(m)
    row = OutboxMessage.objects.select_related("associate", "mailing").get(
        to_email=crowd["ada"].email
    )
    fast = message_from_bytes(render.build_outgoing(row).data, policy=policy.default)
    slow = message_from_bytes(
        render.build_email(row).message().as_bytes(linesep="\r\n"), policy=policy.default
    )
    for header in ("From", "To", "Subject", "Message-ID", "List-Unsubscribe", "MIME-Version"):
        assert str(fast[header]).strip() == str(slow[header]).strip(), header
    # The envelope the dispatcher announces ahead (PIPELINING) is the built message's.
    built = render.build_email(row)
    assert render.envelope(row) == (built.from_email, built.recipients())
    assert render.build_outgoing(row).sender == built.from_email
    assert fast["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    def same(text: str) -> str:
        # The self-service link is stamped with the second it was made: compare without it.
        return re.sub(r"/associates/manage/[^/\s\"]+/", "/associates/manage/TOKEN/", text)

    for kind in ("plain", "html"):
        fast_body = fast.get_body((kind,)).get_content()
        slow_body = slow.get_body((kind,)).get_content()
        assert same(fast_body) == same(slow_body)
    html = fast.get_body(("html",)).get_content()
    assert "Dear Ådå," in html
    assert "{{%coproduce" not in html
    assert "<strong>everyone</strong>" in html


def test_a_mailing_with_very_long_lines_falls_back_to_the_full_build(
    crowd: dict[str, Any], smtp_server: Any
) -> None:
    m = mailing(body="word " * 400)  # one 2,000-character line: quoted-printable
    outbox.queue_mailing(m)
    assert outbox.dispatch_due().sent == 3
    text = smtp_server.messages[0]["message"].get_body(("plain",)).get_content()
    assert "Dear " in text
    assert "{{%coproduce" not in text
