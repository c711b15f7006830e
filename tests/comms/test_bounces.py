"""Bounces: the DSN corpus read from a Maildir and an mbox, suppression, the soft-bounce limit,
reading twice, the link to the outbox row, and the relay's endpoint."""

from __future__ import annotations

import json
import mailbox
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from coproduce.apitokens.models import ApiToken
from coproduce.comms import bounces
from coproduce.comms.models import DeliveryProblem, OutboxMessage
from coproduce.comms.render import message_id
from coproduce.community.models import SuppressedAddress, address_hash
from tests import factories

CORPUS = Path(__file__).parent / "bounce_corpus"
EXPECTED: dict[str, dict[str, int]] = json.loads((CORPUS / "expected.json").read_text())
FILES = sorted(CORPUS.glob("*.eml"))
PERMANENT = DeliveryProblem.Kind.PERMANENT
TEMPORARY = DeliveryProblem.Kind.TEMPORARY

# The whole corpus read once into an empty database.
FIRST_RUN = {
    "messages": 45,
    "permanent": 15,  # 16 permanent reports, one of them in a copied file
    "temporary": 12,
    "suppressed": 16,  # 15 permanent addresses and softy@ (three soft bounces in 30 days)
    "ignored": 4,  # delivered, relayed, expanded, and one recipient of a mixed report
    "duplicates": 1,  # the copied file
    "skipped": 16,  # 6 that are not bounces, 10 malformed
}
SECOND_RUN = {**FIRST_RUN, "permanent": 0, "temporary": 0, "suppressed": 0, "duplicates": 28}


def suppressed(address: str) -> bool:
    return SuppressedAddress.objects.filter(
        address_sha256=address_hash(address), reason="bounce"
    ).exists()


def build_maildir(path: Path) -> Path:
    box = mailbox.Maildir(path, create=True)
    for file in FILES:
        box.add(file.read_bytes())
    box.close()
    return path


def build_mbox(path: Path) -> Path:
    box = mailbox.mbox(path, create=True)
    box.lock()
    for file in FILES:
        box.add(file.read_bytes())
    box.flush()
    box.unlock()
    box.close()
    return path


def run(path: Path, *args: str) -> str:
    out = StringIO()
    call_command("readbounces", str(path), *args, stdout=out)
    return out.getvalue()


def summary_lines(counts: dict[str, int]) -> list[str]:
    return [
        f"Messages read: {counts['messages']}",
        f"Permanent failures: {counts['permanent']}",
        f"Temporary failures: {counts['temporary']}",
        f"Addresses suppressed: {counts['suppressed']}",
        f"Successes ignored: {counts['ignored']}",
        f"Already recorded: {counts['duplicates']}",
        f"Skipped (not a bounce, or malformed): {counts['skipped']}",
    ]


def assert_corpus_recorded() -> None:
    kinds = DeliveryProblem.objects.values_list("kind", flat=True)
    assert list(kinds).count(PERMANENT) == 15
    assert list(kinds).count(TEMPORARY) == 12
    assert SuppressedAddress.objects.filter(reason="bounce").count() == 16
    for address in ("alice.gone@example.org", "Niaj.Upper@example.org", "mallory@example.org"):
        assert suppressed(address), address
    assert suppressed("softy@example.net")  # three temporary problems within 30 days
    assert not suppressed("almost@example.net")  # two
    assert not suppressed("spread@example.net")  # three, but never three within 30 days
    assert not suppressed("sybil@example.org")  # one temporary
    assert not suppressed("trent@example.org")  # delivered
    assert not suppressed("walda@example.org")  # its Status was "5.x.x"
    alice = DeliveryProblem.objects.get(address_sha256=address_hash("alice.gone@example.org"))
    assert alice.status_code == "5.1.1"
    assert "User unknown" in alice.diagnostic
    assert alice.message_id == "<20250303.m7.a1@news.coproduce.example>"


def test_the_corpus_is_big_enough_and_described() -> None:
    assert len(FILES) >= 30
    assert {f.name for f in FILES} == set(EXPECTED)
    assert sum(1 for f in FILES if f.name.startswith(("skip-", "bad-"))) >= 10


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_message_alone(name: str) -> None:
    summary = bounces.process((CORPUS / name).read_bytes(), "maildir", label=name)
    want = EXPECTED[name]
    got = summary.counts()
    assert got["messages"] == 1
    assert {key: got[key] for key in want} == want


@pytest.mark.django_db
def test_maildir(tmp_path: Path) -> None:
    maildir = build_maildir(tmp_path / "bounces")
    assert bounces.detect_format(maildir) == "maildir"
    output = run(maildir)
    assert output.splitlines() == summary_lines(FIRST_RUN)
    assert_corpus_recorded()
    assert set(DeliveryProblem.objects.values_list("source", flat=True)) == {"maildir"}


@pytest.mark.django_db
@pytest.mark.parametrize("args", [(), ("--format", "mbox")])
def test_mbox(tmp_path: Path, args: tuple[str, ...]) -> None:
    mbox = build_mbox(tmp_path / "bounces.mbox")
    output = run(mbox, *args)
    assert output.splitlines() == summary_lines(FIRST_RUN)
    assert_corpus_recorded()
    assert set(DeliveryProblem.objects.values_list("source", flat=True)) == {"mbox"}


@pytest.mark.django_db
def test_reading_again_records_nothing_twice(tmp_path: Path) -> None:
    maildir = build_maildir(tmp_path / "bounces")
    mbox = build_mbox(tmp_path / "bounces.mbox")
    run(maildir)
    problems = DeliveryProblem.objects.count()
    assert run(maildir).splitlines() == summary_lines(SECOND_RUN)
    # The same reports in another mailbox are the same reports.
    assert run(mbox).splitlines() == summary_lines(SECOND_RUN)
    assert DeliveryProblem.objects.count() == problems == 27
    assert SuppressedAddress.objects.filter(reason="bounce").count() == 16


@pytest.mark.django_db
def test_skip_reasons_are_shown_at_higher_verbosity(tmp_path: Path) -> None:
    output = run(build_maildir(tmp_path / "bounces"), "-v", "2")
    assert "1 × empty message" in output
    assert "1 × a disposition-notification report, not a delivery status notification" in output
    assert "no message/delivery-status part" in output


@pytest.mark.django_db
def test_soft_bounce_limit_whatever_the_order() -> None:
    names = ["temp-soft-limit-3.eml", "temp-soft-limit-1.eml", "temp-soft-limit-2.eml"]
    results = [bounces.process((CORPUS / n).read_bytes(), "mbox") for n in names]
    assert [r.suppressed for r in results] == [0, 0, 1]
    assert suppressed("softy@example.net")


@pytest.mark.django_db
def test_soft_bounce_limit_is_a_setting(settings: Any) -> None:
    settings.COPRODUCE_SOFT_BOUNCE_LIMIT = 2
    first = bounces.process((CORPUS / "temp-under-limit-1.eml").read_bytes(), "mbox")
    second = bounces.process((CORPUS / "temp-under-limit-2.eml").read_bytes(), "mbox")
    assert (first.suppressed, second.suppressed) == (0, 1)
    assert suppressed("almost@example.net")


@pytest.mark.django_db
def test_soft_bounce_limit_default_is_three(settings: Any) -> None:
    del settings.COPRODUCE_SOFT_BOUNCE_LIMIT
    assert bounces.soft_bounce_limit() == 3


@pytest.mark.django_db
def test_a_bounce_for_an_address_suppressed_already() -> None:
    SuppressedAddress.objects.create(
        address_sha256=address_hash("alice.gone@example.org"), reason="complaint"
    )
    summary = bounces.process((CORPUS / "perm-postfix-user-unknown.eml").read_bytes(), "relay")
    assert (summary.permanent, summary.suppressed) == (1, 0)
    assert SuppressedAddress.objects.get().reason == "complaint"


def dsn_about(original_id: str) -> bytes:
    raw = (CORPUS / "perm-postfix-user-unknown.eml").read_bytes()
    return raw.replace(b"<20250303.m7.a1@news.coproduce.example>", original_id.encode())


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["m12:a34", "event-reminder:5", "event.reminder:5.2", "plain"])
def test_a_problem_is_tied_to_the_outbox_row_that_sent_the_message(key: str) -> None:
    row = OutboxMessage.objects.create(
        key=key, to_email="alice.gone@example.org", status=OutboxMessage.Status.SENT
    )
    OutboxMessage.objects.create(key="m12:a35", to_email="someone@example.org")
    bounces.process(dsn_about(message_id(key)), "relay")
    assert DeliveryProblem.objects.get().outbox == row
    assert bounces.outbox_row(message_id(key)) == row


@pytest.mark.django_db
def test_an_id_that_only_looks_like_ours_is_not_tied_to_a_row() -> None:
    OutboxMessage.objects.create(key="m12:a34", to_email="alice.gone@example.org")
    forged = "<" + "0" * 24 + message_id("m12:a34")[25:]
    bounces.process(dsn_about(forged), "relay")
    problem = DeliveryProblem.objects.get()
    assert problem.outbox is None
    assert problem.message_id == forged


@pytest.mark.django_db
def test_command_refuses_a_path_that_is_not_a_mailbox(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="does not exist"):
        run(tmp_path / "missing")
    with pytest.raises(CommandError, match="not a Maildir"):
        run(tmp_path)
    file = tmp_path / "one.mbox"
    file.write_text("")
    with pytest.raises(CommandError, match="Cannot read"):
        run(file, "--format", "maildir")


@pytest.mark.django_db
def test_an_empty_mbox_reads_nothing(tmp_path: Path) -> None:
    file = tmp_path / "empty.mbox"
    file.write_bytes(b"")
    assert run(file).splitlines()[0] == "Messages read: 0"


# -- the relay's endpoint ------------------------------------------------------------------------

ENDPOINT = "/email/bounces/"


@pytest.fixture
def relay_token(manager: Any) -> str:
    return ApiToken.objects.issue(manager, "Mail relay")[1]


def post(client: Client, body: bytes, token: str | None = None, **extra: Any) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.post(ENDPOINT, data=body, content_type="message/rfc822", headers=headers, **extra)


def test_endpoint_url_name() -> None:
    assert reverse("comms:bounces") == ENDPOINT


@pytest.mark.django_db
def test_endpoint_records_a_bounce(relay_token: str) -> None:
    client = Client(enforce_csrf_checks=True)
    response = post(client, (CORPUS / "mixed-three-recipients.eml").read_bytes(), relay_token)
    assert response.status_code == 200
    assert response.json() == {
        "messages": 1,
        "permanent": 1,
        "temporary": 1,
        "suppressed": 1,
        "ignored": 1,
        "duplicates": 0,
        "skipped": 0,
    }
    assert suppressed("rupert@example.org")
    assert set(DeliveryProblem.objects.values_list("source", flat=True)) == {"relay"}
    again = post(client, (CORPUS / "mixed-three-recipients.eml").read_bytes(), relay_token)
    assert again.json()["duplicates"] == 2
    assert DeliveryProblem.objects.count() == 2


@pytest.mark.django_db
def test_endpoint_needs_a_valid_staff_token(client: Client, relay_token: str) -> None:
    body = (CORPUS / "perm-postfix-user-unknown.eml").read_bytes()
    assert post(client, body).status_code == 401
    assert post(client, body, "cp_notatokenatallreally").status_code == 401
    assert post(client, body, relay_token + "x").status_code == 401
    basic = client.post(
        ENDPOINT, data=body, content_type="message/rfc822", headers={"Authorization": "Basic eA=="}
    )
    assert basic.status_code == 401
    assert basic["WWW-Authenticate"] == "Bearer"
    assert "error" in basic.json()
    ApiToken.objects.get().revoke()
    assert post(client, body, relay_token).status_code == 401
    outsider = factories.UserFactory(username="no-role")
    assert post(client, body, ApiToken.objects.issue(outsider, "x")[1]).status_code == 401
    assert not DeliveryProblem.objects.exists()
    assert not SuppressedAddress.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("skip-vacation-auto-reply.eml", "not a delivery status notification"),
        ("bad-no-delivery-status-part.eml", "no message/delivery-status part"),
        ("bad-status-not-a-code.eml", "valid Status"),
        ("bad-binary-junk.eml", "not a delivery status notification"),
        ("bad-empty.eml", "empty message"),
    ],
)
def test_endpoint_says_why_it_refuses_malformed_input(
    client: Client, relay_token: str, name: str, reason: str
) -> None:
    response = post(client, (CORPUS / name).read_bytes(), relay_token)
    assert response.status_code == 400
    assert reason in response.json()["error"]
    assert not DeliveryProblem.objects.exists()


@pytest.mark.django_db
def test_endpoint_refuses_large_bodies(client: Client, relay_token: str) -> None:
    big = (CORPUS / "perm-postfix-user-unknown.eml").read_bytes() + b"x" * (1024 * 1024)
    response = post(client, big, relay_token)
    assert response.status_code == 413
    assert "at most" in response.json()["error"]
    assert not DeliveryProblem.objects.exists()
    # A body longer than its Content-Length claims is cut at the limit, not read whole.
    lying = post(client, big, relay_token, CONTENT_LENGTH="100")
    assert lying.status_code == 400


@pytest.mark.django_db
def test_endpoint_only_takes_post(client: Client, relay_token: str) -> None:
    response = client.get(ENDPOINT, headers={"Authorization": f"Bearer {relay_token}"})
    assert response.status_code == 405
