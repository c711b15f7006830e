"""`coproduce status`: the monitoring figures, and exit 1 when a person is needed."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.utils import timezone

from coproduce.comms.models import OutboxMessage

pytestmark = pytest.mark.django_db


def _status(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("status", *args, stdout=out)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue()
    return 0, out.getvalue()


def _message(key: str, **fields: object) -> OutboxMessage:
    return OutboxMessage.objects.create(key=key, to_email=f"{key}@example.org", **fields)


def test_a_quiet_installation_is_ok() -> None:
    _message("fresh")  # due now: has not waited
    code, out = _status()
    assert code == 0
    assert "Email outbox: 1 waiting, 0 being sent" in out
    assert out.strip().endswith("OK")


def test_an_email_due_too_long_is_a_problem() -> None:
    _message("stuck", next_attempt_at=timezone.now() - dt.timedelta(minutes=40))
    code, out = _status()
    assert code == 1
    assert "PROBLEM: an email has been due for 40" in out
    # A longer allowance makes it fine again.
    assert _status("--max-wait-minutes", "60")[0] == 0


def test_a_lapsed_lease_is_a_problem_and_json_says_so() -> None:
    now = timezone.now()
    _message(
        "claimed",
        status=OutboxMessage.Status.SENDING,
        claimed_by="dead-worker",
        lease_until=now - dt.timedelta(minutes=30),
    )
    code, out = _status("--json")
    figures = json.loads(out)
    assert code == 1
    assert figures["outbox"]["lapsed_leases"] == 1
    assert figures["outbox"]["being_sent"] == 1
    assert any("lease" in p for p in figures["problems"])
    assert figures["database"]["vendor"] in ("sqlite", "postgresql")
