"""Background work for implementation and evaluation. Tasks take ids, never model instances."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django_tasks import task


@task()
def analyse_network() -> str:
    """The collaboration network's scores and the figures its page shows (`network.refresh`):
    computed when the network has changed since the stored run, else only noted as checked."""
    from coproduce.implementation import network

    return network.refresh()


def _runs(task: Any, **filters: Any) -> Any:
    """The task's rows in django-tasks' database queue."""
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path=task.module_path, **filters)


def _unfinished(runs: Any) -> tuple[str, object] | None:
    """("queued" or "running", since when) for the newest unfinished of `runs`, else None.
    One query."""
    from django_tasks.base import TaskResultStatus

    row = (
        runs.filter(status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING])
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


def _waiting(runs: Any) -> bool:
    """Whether one of `runs` is queued and not yet taken by a worker."""
    from django_tasks.base import TaskResultStatus

    return bool(runs.filter(status=TaskResultStatus.READY).exists())


def pending_network_run() -> tuple[str, object] | None:
    """("queued" or "running", since when) for the newest unfinished `analyse_network`, else None.
    One query."""
    return _unfinished(_runs(analyse_network))


def queue_network_run() -> bool:
    """Queue `analyse_network` unless one is already waiting to run. True if queued now."""
    if _waiting(_runs(analyse_network)):
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


@task()
def build_annual_report_pdf(year: int, user_id: int | None = None) -> int:
    """The annual report's PDF for `year` (`annual.to_pdf`), stored as the year's
    `AnnualReportPdf` in place of any older one. Returns the stored row's id."""
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from coproduce.implementation import annual
    from coproduce.implementation.models import AnnualReportPdf

    content = annual.to_pdf(annual.build(year))
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    with transaction.atomic():
        stored = AnnualReportPdf.objects.create(year=year, content=content, requested_by=user)
        AnnualReportPdf.objects.filter(year=year).exclude(pk=stored.pk).delete()
    return stored.pk


def pending_annual_report_pdf(year: int) -> tuple[str, object] | None:
    """("queued" or "running", since when) for the newest unfinished PDF build for `year`,
    else None. One query."""
    return _unfinished(_runs(build_annual_report_pdf, args_kwargs__args__0=year))


def queue_annual_report_pdf(year: int, user_id: int | None) -> bool:
    """Queue `build_annual_report_pdf` for `year` unless one for that year is already waiting
    to run. True if queued now."""
    if _waiting(_runs(build_annual_report_pdf, args_kwargs__args__0=year)):
        return False
    build_annual_report_pdf.enqueue(year, user_id)
    return True
