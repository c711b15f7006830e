"""Two dispatchers on PostgreSQL never claim the same outbox row (SELECT ... FOR UPDATE SKIP LOCKED)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from coproduce.comms import outbox
from coproduce.comms.models import OutboxMessage

ROWS = 3000
BATCH = 7  # small batches: many claims, so the two threads overlap often


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_dispatchers_claim_disjoint_rows_and_every_row_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only (SQLite serialises claims with IMMEDIATE transactions)")
    now = timezone.now()
    OutboxMessage.objects.bulk_create(
        [
            OutboxMessage(
                key=f"claim-test:{n}",
                to_email=f"person{n}@example.org",
                subject="Hello",
                body_text="Hello",
                next_attempt_at=now,
            )
            for n in range(ROWS)
        ],
        batch_size=1000,
    )
    # Each thread is its own dispatcher (as two worker processes would be).
    local = threading.local()
    monkeypatch.setattr(outbox, "worker_id", lambda: local.worker)
    claimed: dict[str, list[int]] = {"a": [], "b": []}
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def dispatcher(name: str) -> None:
        local.worker = f"test-host:{name}"
        try:
            start.wait()
            while rows := outbox.claim(limit=BATCH):
                claimed[name].extend(row.pk for row in rows)
                assert all(row.claimed_by == local.worker for row in rows)
        except BaseException as exc:  # noqa: BLE001 - reported below, in the test's thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=dispatcher, args=(name,)) for name in claimed]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    a, b = claimed["a"], claimed["b"]
    assert len(a) == len(set(a)), "dispatcher a claimed a row twice"
    assert len(b) == len(set(b)), "dispatcher b claimed a row twice"
    assert set(a).isdisjoint(b), f"both claimed {sorted(set(a) & set(b))[:10]}"
    every = set(OutboxMessage.objects.values_list("pk", flat=True))
    assert set(a) | set(b) == every
    assert a, "dispatcher a took part"
    assert b, "dispatcher b took part"
    owners: dict[Any, str] = dict(OutboxMessage.objects.values_list("pk", "claimed_by"))
    assert all(owners[pk] == "test-host:a" for pk in a)
    assert all(owners[pk] == "test-host:b" for pk in b)
    assert not OutboxMessage.objects.exclude(status=OutboxMessage.Status.SENDING).exists()
