"""Emitting events and delivering them: the webhook outbox.

`emit(type, data)` is called by a domain app inside the transaction that made the change; it
writes one Delivery per active endpoint subscribed to that type and, once the transaction
commits, queues a task per delivery. `deliver(id)` sends it (checking the address again each
time), records the attempt and, on failure, schedules the next try after RETRY_AFTER, until
the tries run out. A delivery whose task was lost (a worker killed) is picked up again by
`enqueue_due()`, which the worker's clock runs.

The body follows the Standard Webhooks payload shape: {"type", "timestamp", "data"}, with the
data holding public ids and plain fields, never personal data beyond what the subscriber's
owner could read through the API.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.db import transaction
from django.utils import timezone

from coproduce.webhooks import addresses, sender
from coproduce.webhooks.events import EVENT_TYPES
from coproduce.webhooks.models import Attempt, Delivery, Endpoint

# After the first try fails: wait 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h (8 tries, about
# 27.6 hours in all), then give up; a manager can still redeliver by hand.
RETRY_AFTER = [
    dt.timedelta(seconds=5),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=30),
    dt.timedelta(hours=2),
    dt.timedelta(hours=5),
    dt.timedelta(hours=10),
    dt.timedelta(hours=10),
]
# While one worker holds a delivery, no other takes it (longer than a POST can take).
LEASE = dt.timedelta(seconds=60)


def _enqueue(delivery_id: int, *, when: dt.datetime | None = None, manual: bool = False) -> None:
    from coproduce.webhooks.tasks import deliver_webhook

    task = deliver_webhook.using(run_after=when) if when else deliver_webhook
    task.enqueue(delivery_id, manual)


def emit(event_type: str, data: dict[str, Any]) -> int:
    """Queue `event_type` for every subscribed endpoint; returns how many deliveries."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"Unknown webhook event type: {event_type}")
    endpoints = [
        endpoint
        for endpoint in Endpoint.objects.filter(active=True).only("pk", "event_types")
        if event_type in endpoint.event_types
    ]
    if not endpoints:
        return 0
    now = timezone.now()
    body = json.dumps(
        {
            "type": event_type,
            "timestamp": now.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
            "data": data,
        },
        separators=(",", ":"),
        sort_keys=True,
        default=str,
    )
    rows = Delivery.objects.bulk_create(
        [
            Delivery(endpoint_id=endpoint.pk, event_type=event_type, body=body, created=now)
            for endpoint in endpoints
        ]
    )
    ids = [row.pk for row in rows if row.pk is not None]
    if len(ids) != len(rows):  # a backend that does not return ids from a bulk insert
        ids = list(
            Delivery.objects.filter(created=now, event_type=event_type).values_list("pk", flat=True)
        )

    def enqueue_all() -> None:
        for pk in ids:
            _enqueue(pk)

    transaction.on_commit(enqueue_all)
    return len(rows)


def deliver(delivery_id: int, *, manual: bool = False) -> str:
    """Try to send one delivery now, if it is due and no one else holds it; returns its status
    afterwards ("not due" when there was nothing to do)."""
    now = timezone.now()
    claimed = Delivery.objects.filter(
        pk=delivery_id, status=Delivery.Status.PENDING, next_attempt_at__lte=now
    ).update(next_attempt_at=now + LEASE)
    if not claimed:
        return "not due"
    delivery = Delivery.objects.select_related("endpoint").get(pk=delivery_id)
    endpoint = delivery.endpoint
    if not endpoint.active:
        return _finish(delivery, Delivery.Status.FAILED, "The subscription was turned off.", manual)
    try:
        target = addresses.resolve(endpoint.url)
    except addresses.Refused as refusal:
        return _finish(delivery, Delivery.Status.REFUSED, str(refusal), manual)
    sent_at = timezone.now()
    headers = sender.signed_headers(endpoint.secret, delivery.message_id, sent_at, delivery.body)
    answer = sender.post(target, headers, delivery.body)
    error = answer.error or ("" if answer.ok else f"The receiver answered {answer.status_code}.")
    Attempt.objects.create(
        delivery=delivery, at=sent_at, status_code=answer.status_code, error=error, manual=manual
    )
    attempts = delivery.attempts + 1
    if answer.ok:
        Delivery.objects.filter(pk=delivery.pk).update(
            status=Delivery.Status.DELIVERED, attempts=attempts, finished=timezone.now()
        )
        return Delivery.Status.DELIVERED
    if attempts > len(RETRY_AFTER):
        Delivery.objects.filter(pk=delivery.pk).update(
            status=Delivery.Status.FAILED, attempts=attempts, finished=timezone.now()
        )
        return Delivery.Status.FAILED
    when = timezone.now() + RETRY_AFTER[attempts - 1]
    Delivery.objects.filter(pk=delivery.pk).update(attempts=attempts, next_attempt_at=when)
    _enqueue(delivery.pk, when=when)
    return Delivery.Status.PENDING


def _finish(delivery: Delivery, status: str, reason: str, manual: bool) -> str:
    now = timezone.now()
    Attempt.objects.create(delivery=delivery, at=now, error=reason[:300], manual=manual)
    Delivery.objects.filter(pk=delivery.pk).update(
        status=status, attempts=delivery.attempts + 1, finished=now
    )
    return status


def redeliver(delivery: Delivery) -> None:
    """Send a delivery again at once, whatever became of it (the same message id, so that a
    receiver that already has it can tell)."""
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.PENDING, next_attempt_at=timezone.now(), finished=None
    )
    transaction.on_commit(lambda: _enqueue(delivery.pk, manual=True))


def enqueue_due(limit: int = 500) -> int:
    """Queue a task for pending deliveries that are due (their task lost, e.g. a killed
    worker); deliver() ignores a second task for the same row. For the worker's clock."""
    due = list(
        Delivery.objects.filter(
            status=Delivery.Status.PENDING, next_attempt_at__lte=timezone.now() - LEASE
        ).values_list("pk", flat=True)[:limit]
    )
    for pk in due:
        _enqueue(pk)
    return len(due)
