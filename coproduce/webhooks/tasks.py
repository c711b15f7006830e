"""Background work for webhooks. Tasks take ids, never model instances."""

from __future__ import annotations

from django_tasks import task

from coproduce.webhooks import outbox


@task()
def deliver_webhook(delivery_id: int, manual: bool = False) -> str:
    return outbox.deliver(delivery_id, manual=manual)
