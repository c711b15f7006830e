"""The worker's clock: what must happen at a time rather than on a request.

`coproduce worker` runs `tick()` when it starts (recovering from a crash at once) and then every
`COPRODUCE_TICK_SECONDS` in a thread beside the task runner. Each job registered here is quick
and idempotent, so running a tick twice, or on two workers, does no harm.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from django.db import close_old_connections
from django.utils import timezone

log = logging.getLogger(__name__)

_JOBS: dict[str, Callable[[], object]] = {}


def register(name: str, job: Callable[[], object]) -> None:
    """Add a job to every tick (apps call this from AppConfig.ready)."""
    _JOBS[name] = job


def tick() -> dict[str, object]:
    results: dict[str, object] = {}
    for name, job in list(_JOBS.items()):
        try:
            results[name] = job()
        except Exception:  # one failing job must not stop the others
            log.exception("scheduled job %s failed", name)
            results[name] = "error"
    return results


def start_scheduled_mailings() -> int:
    from coproduce.comms import outbox
    from coproduce.comms.models import Mailing

    started = 0
    for mailing in Mailing.objects.filter(
        status=Mailing.Status.SCHEDULED, scheduled_for__lte=timezone.now()
    ):
        try:
            outbox.queue_mailing(mailing)
            started += 1
        except outbox.NotSendable:
            continue
    return started


def recover_outbox() -> int:
    """Requeue stuck rows and make sure a dispatch task exists when rows are due."""
    from coproduce.comms import outbox

    recovered = outbox.sweep()
    outbox.finish_mailings()
    if outbox.has_due():
        outbox.enqueue_dispatch()
    return recovered


register("scheduled mailings", start_scheduled_mailings)
register("outbox recovery", recover_outbox)


class Clock(threading.Thread):
    def __init__(self, interval: float) -> None:
        super().__init__(name="coproduce-clock", daemon=True)
        self.interval = interval
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.interval):
            close_old_connections()
            tick()
            close_old_connections()
