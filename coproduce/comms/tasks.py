"""Background work for communications. Tasks take ids, never model instances."""

from __future__ import annotations

from django_tasks import task

from coproduce.comms import outbox


@task()
def dispatch() -> dict[str, int]:
    """Send what is due in the outbox; enqueue another run if rows remain."""
    result = outbox.dispatch_due()
    if outbox.has_due():
        outbox.enqueue_dispatch()
    return {
        "sent": result.sent,
        "failed": result.failed,
        "retried": result.retried,
        "cancelled": result.cancelled,
        "ambiguous": result.ambiguous,
    }
