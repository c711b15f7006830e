"""Background work for implementation and evaluation. Tasks take ids, never model instances."""

from __future__ import annotations

import datetime as dt

from django_tasks import task


@task()
def analyse_network() -> str:
    """The collaboration network's scores and the figures its page shows (`network.refresh`):
    computed when the network has changed since the stored run, else only noted as checked."""
    from coproduce.implementation import network

    return network.refresh()


def pending_network_run() -> tuple[str, object] | None:
    """("queued" or "running", since when) for the newest unfinished `analyse_network`, else None.
    One query."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    row = (
        DBTaskResult.objects.filter(
            task_path=analyse_network.module_path,
            status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING],
        )
        .order_by("-enqueued_at")
        .values_list("status", "enqueued_at", "started_at")
        .first()
    )
    if row is None:
        return None
    status, enqueued_at, started_at = row
    if status == TaskResultStatus.RUNNING:
        return "running", started_at
    return "queued", enqueued_at


def queue_network_run() -> bool:
    """Queue `analyse_network` unless one is already waiting to run. True if queued now."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.filter(
        task_path=analyse_network.module_path, status=TaskResultStatus.READY
    )
    if waiting.exists():
        return False
    analyse_network.enqueue()
    return True


def queue_network_run_if_due() -> str:
    """The worker clock's job: queue `analyse_network` when the stored run was last computed or
    checked more than COPRODUCE_NETWORK_REFRESH_MINUTES ago (or there is none). Two queries; the
    graph is built by the task on the worker, never in the clock's thread, which must stay quick
    for the other clock jobs (at national scale a build takes seconds, an analysis minutes)."""
    from django.conf import settings
    from django.db.models.functions import Coalesce
    from django.utils import timezone

    from coproduce.implementation.models import NetworkSnapshot

    every = dt.timedelta(minutes=settings.COPRODUCE_NETWORK_REFRESH_MINUTES)
    last = (
        NetworkSnapshot.objects.annotate(seen=Coalesce("checked_at", "computed_at"))
        .order_by("-seen")
        .values_list("seen", flat=True)
        .first()
    )
    if last is not None and timezone.now() - last < every:
        return "not due"
    return "queued" if queue_network_run() else "already queued"
