"""The dispatcher's quick paths: one connection for a whole run, the relay's answer to one
message read while the next is built, and what each refusal is put on."""

from __future__ import annotations

import uuid
from typing import Any
from unittest import mock

import pytest

from coproduce.comms import outbox, render
from coproduce.comms.models import Mailing, OutboxMessage
from coproduce.comms.smtp import Relay, SendError
from coproduce.community import links
from coproduce.community.models import Associate
from tests.comms.test_outbox import crowd, mailing  # noqa: F401 - the fixture is used by name
from tests.conftest import serving_smtp

Status = OutboxMessage.Status


class _Recorder:
    """Accepts everything except the recipients in `refuse`, whose final dot gets `answer`,
    and those in `refuse_rcpt`, whose RCPT TO gets `rcpt_answer`; remembers the connection
    (client port) each message came over. With `pipelining`, offers PIPELINING (RFC 2920):
    aiosmtpd reads and answers one command line at a time, so it takes pipelined commands as
    they come."""

    def __init__(self, pipelining: bool = False) -> None:
        self.pipelining = pipelining
        self.refuse: set[str] = set()
        self.answer = "554 5.7.1 Rejected after the data"
        self.refuse_rcpt: set[str] = set()
        self.rcpt_answer = "550 5.1.1 No such user"
        self.accepted: list[tuple[str, int]] = []
        self.commands: list[str] = []

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        session.host_name = hostname
        if self.pipelining:
            responses.insert(1, "250-PIPELINING")
        return responses

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address in self.refuse_rcpt:
            return self.rcpt_answer
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if set(envelope.rcpt_tos) & self.refuse:
            return self.answer
        for rcpt in envelope.rcpt_tos:
            self.accepted.append((rcpt, session.peer[1]))
        return "250 OK"


@pytest.fixture(params=[False, True], ids=["one-command-at-a-time", "pipelining"])
def recorder(settings: Any, request: Any) -> Any:
    with serving_smtp(_Recorder(pipelining=request.param), settings) as handler:
        yield handler


def test_one_connection_serves_every_batch(
    crowd: dict[str, Any],  # noqa: F811
    recorder: _Recorder,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(outbox, "BATCH_SIZE", 1)
    outbox.queue_mailing(mailing())
    result = outbox.dispatch_due()
    assert result.sent == 3
    assert len({port for _, port in recorder.accepted}) == 1
    assert len(recorder.accepted) == 3


def test_a_refused_dot_is_put_on_its_own_row(
    crowd: dict[str, Any],  # noqa: F811
    recorder: _Recorder,
) -> None:
    """The answer to message n is read after message n+1 is built: the refusal must still
    land on row n, and the rows after it must still go."""
    outbox.queue_mailing(mailing())
    first, second, third = OutboxMessage.objects.order_by("id")
    recorder.refuse = {second.to_email}
    result = outbox.dispatch_due()
    assert (result.sent, result.failed) == (2, 1)
    statuses = dict(OutboxMessage.objects.values_list("to_email", "status"))
    assert statuses == {
        first.to_email: Status.SENT,
        second.to_email: Status.FAILED,
        third.to_email: Status.SENT,
    }
    assert "554" in OutboxMessage.objects.get(pk=second.pk).last_error
    assert sorted(r for r, _ in recorder.accepted) == sorted([first.to_email, third.to_email])


def test_a_refused_last_dot_is_recorded_too(
    crowd: dict[str, Any],  # noqa: F811
    recorder: _Recorder,
) -> None:
    outbox.queue_mailing(mailing())
    last = OutboxMessage.objects.order_by("id").last()
    assert last is not None
    recorder.refuse = {last.to_email}
    recorder.answer = "451 4.3.0 Try again later"
    result = outbox.dispatch_due()
    assert (result.sent, result.retried) == (2, 1)
    last.refresh_from_db()
    assert last.status == Status.QUEUED
    assert Mailing.objects.get().status == Mailing.Status.SENDING


def test_claimed_rows_carry_what_sending_needs(crowd: dict[str, Any]) -> None:  # noqa: F811
    outbox.queue_mailing(mailing())
    rows = outbox.claim()
    assert len(rows) == 3
    row = rows[0]
    deferred = row.get_deferred_fields()
    # Everything build_outgoing and the consent check read is loaded ...
    for name in ("key", "to_email", "channel", "attempts", "claimed_by", "status"):
        assert name not in deferred
    assert row.claimed_by == outbox.worker_id()
    assert row.associate is not None
    assert not {"public_id", "full_name", "link_version", "status", "consent_engage"} & (
        row.associate.get_deferred_fields()
    )
    # ... and a render of a claimed row is the render of a fully loaded one.
    full = OutboxMessage.objects.select_related("associate", "mailing").get(pk=row.pk)
    with mock.patch("django.core.signing.time.time", return_value=1_800_000_000):
        fast = render.build_outgoing(row).data
        slow = render.build_outgoing(full).data
    strip = [line for line in fast.split(b"\r\n") if not line.startswith(b"Date:")]
    assert strip == [line for line in slow.split(b"\r\n") if not line.startswith(b"Date:")]


def test_the_manage_link_is_the_one_links_makes() -> None:
    associate = Associate(public_id=uuid.uuid4(), link_version=3, full_name="Ada Lovelace")
    with mock.patch("django.core.signing.time.time", return_value=1_800_000_000):
        assert render._manage_url(associate) == links.manage_url(associate)


def test_pipelining_is_used_when_offered(
    crowd: dict[str, Any],  # noqa: F811
    recorder: _Recorder,
) -> None:
    outbox.queue_mailing(mailing())
    with Relay() as relay:
        assert relay.pipelining is recorder.pipelining
    assert outbox.dispatch_due().sent == 3
    assert len(recorder.accepted) == 3


def test_a_refused_recipient_is_put_on_its_own_row(
    crowd: dict[str, Any],  # noqa: F811
    recorder: _Recorder,
) -> None:
    """With PIPELINING the envelope of the next message goes out with this message's dot: a
    refusal of that envelope must land on the next row, and the rows after it still go."""
    outbox.queue_mailing(mailing())
    first, second, third = OutboxMessage.objects.order_by("id")
    recorder.refuse_rcpt = {second.to_email}
    result = outbox.dispatch_due()
    assert (result.sent, result.failed) == (2, 1)
    assert "550 5.1.1" in OutboxMessage.objects.get(pk=second.pk).last_error
    assert sorted(r for r, _ in recorder.accepted) == sorted([first.to_email, third.to_email])
    assert len({port for _, port in recorder.accepted}) == 1


def test_an_envelope_announced_for_another_message_drops_the_connection(
    crowd: dict[str, Any],  # noqa: F811
    recorder: _Recorder,
) -> None:
    """`start` must be for the envelope sent ahead; if not (a bug), nothing is sent on that
    connection, and the row is not marked sent."""
    if not recorder.pipelining:
        pytest.skip("only a relay with PIPELINING is sent envelopes ahead")
    outbox.queue_mailing(mailing())
    first, second, _ = outbox.claim()
    marked: list[int] = []
    with Relay() as relay:
        answer = relay.start(
            *render.envelope(first),
            render.build_outgoing(first).data,
            lambda: marked.append(first.pk),
            as_email=lambda: render.build_email(first),
            following=render.envelope(second),
        )
        answer()
        with pytest.raises(SendError) as refused:
            relay.start(
                "someone.else@example.org",
                [second.to_email],
                render.build_outgoing(second).data,
                lambda: marked.append(second.pk),
                as_email=lambda: render.build_email(second),
            )
        assert refused.value.code is None  # connection trouble: not to be used again
        relay.abort()
    assert marked == [first.pk]
    assert [r for r, _ in recorder.accepted] == [first.to_email]


def test_fast_signing_is_djangos() -> None:
    """lib.signing.timestamp_sign makes what Django's TimestampSigner makes, and Django reads
    it back."""
    from django.core import signing

    from coproduce.comms import tokens
    from coproduce.lib.signing import timestamp_sign

    associate = Associate(public_id=uuid.uuid4(), link_version=2, full_name="Ada Lovelace")
    with mock.patch("django.core.signing.time.time", return_value=1_800_000_000):
        for salt, value in (("a.salt", "value-1"), ("another", "x.engage.3")):
            assert timestamp_sign(salt, value) == signing.TimestampSigner(salt=salt).sign(value)
        token = tokens.make_token(associate, "engage")
        assert token == signing.TimestampSigner(salt=tokens._SALT).sign(
            f"{associate.public_id.hex}.engage.2"
        )
        assert links.make_token(associate) == signing.TimestampSigner(salt=links._SALT).sign(
            f"{associate.public_id.hex}-2"
        )


def test_fast_signing_follows_the_secret_key(settings: Any) -> None:
    from django.core import signing

    from coproduce.lib.signing import timestamp_sign

    before = timestamp_sign("a.salt", "v")
    settings.SECRET_KEY = "another secret key, for this test only, long enough"
    after = timestamp_sign("a.salt", "v")
    assert before != after
    assert signing.TimestampSigner(salt="a.salt").unsign(after) == "v"
