"""`coproduce status`: the figures to monitor, and an exit code a monitor can act on.

Prints the database's size, the email outbox (waiting, being sent, failed in the last day, how
long the oldest due message has waited, leases that ran out), the task queue (ready, running,
failed in the last day, how long the oldest ready task has waited) and failed sign-ins in the
last hour. Exits 1 when something needs a person: a due message or a ready task older than
--max-wait-minutes (no worker is running, or it cannot keep up), or a lease that ran out more
than --max-wait-minutes ago (a worker died and its clock is not running to requeue the rows).
`--json` prints the same as one JSON object (for a monitoring agent).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection
from django.db.models import Count, Min
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from coproduce.comms.models import OutboxMessage
from coproduce.security.models import SignInFailure


def _minutes(since: dt.datetime | None, now: dt.datetime) -> float | None:
    return None if since is None else round((now - since).total_seconds() / 60, 1)


def _database_bytes() -> int | None:
    if connection.vendor == "sqlite":
        name = Path(str(connection.settings_dict["NAME"]))
        files = [name, name.with_name(name.name + "-wal")]
        return sum(f.stat().st_size for f in files if f.exists())
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_database_size(current_database())")
            return int(cursor.fetchone()[0])
    return None


def collect(now: dt.datetime) -> dict[str, Any]:
    day_ago, hour_ago = now - dt.timedelta(days=1), now - dt.timedelta(hours=1)
    S = OutboxMessage.Status
    outbox = OutboxMessage.objects
    by_status = dict(
        outbox.filter(status__in=[S.QUEUED, S.SENDING])
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    oldest_due = outbox.filter(status=S.QUEUED, next_attempt_at__lte=now).aggregate(
        at=Min("next_attempt_at")
    )["at"]
    oldest_lapsed = outbox.filter(status=S.SENDING, lease_until__lt=now).aggregate(
        at=Min("lease_until")
    )["at"]
    tasks = DBTaskResult.objects
    oldest_ready = tasks.ready().aggregate(at=Min("enqueued_at"))["at"]
    return {
        "database": {"vendor": connection.vendor, "bytes": _database_bytes()},
        "outbox": {
            "waiting": by_status.get(S.QUEUED, 0),
            "being_sent": by_status.get(S.SENDING, 0),
            "failed_last_day": outbox.filter(status=S.FAILED, next_attempt_at__gte=day_ago).count(),
            "oldest_due_wait_minutes": _minutes(oldest_due, now),
            "lapsed_leases": outbox.filter(status=S.SENDING, lease_until__lt=now).count(),
            "oldest_lapsed_lease_minutes": _minutes(oldest_lapsed, now),
        },
        "tasks": {
            "ready": tasks.ready().count(),
            "running": tasks.running().count(),
            "failed_last_day": tasks.failed().filter(finished_at__gte=day_ago).count(),
            "oldest_ready_wait_minutes": _minutes(oldest_ready, now),
        },
        "sign_in_failures_last_hour": SignInFailure.objects.filter(at__gte=hour_ago).count(),
    }


def problems(figures: dict[str, Any], max_wait: float) -> list[str]:
    found = []
    waited = figures["outbox"]["oldest_due_wait_minutes"]
    if waited is not None and waited > max_wait:
        found.append(
            f"an email has been due for {waited:g} minutes: is `coproduce worker` running?"
        )
    lapsed = figures["outbox"]["oldest_lapsed_lease_minutes"]
    if lapsed is not None and lapsed > max_wait:
        found.append(
            f"{figures['outbox']['lapsed_leases']} emails were claimed by a worker whose lease "
            f"ran out {lapsed:g} minutes ago and were not requeued: is the worker's clock running?"
        )
    ready = figures["tasks"]["oldest_ready_wait_minutes"]
    if ready is not None and ready > max_wait:
        found.append(f"a task has been ready for {ready:g} minutes: is `coproduce worker` running?")
    return found


class Command(BaseCommand):
    help = "What to monitor: outbox, task queue, sign-in failures; exit 1 when a person is needed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")
        parser.add_argument(
            "--max-wait-minutes",
            type=float,
            default=15,
            help="How long a due email or ready task may wait before it is a problem (15).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        figures = collect(timezone.now())
        found = problems(figures, options["max_wait_minutes"])
        figures["problems"] = found
        if options["json"]:
            self.stdout.write(json.dumps(figures, indent=2))
        else:
            db, out, tasks = figures["database"], figures["outbox"], figures["tasks"]
            size = "unknown" if db["bytes"] is None else f"{db['bytes'] / 1e6:,.1f} MB"
            self.stdout.write(f"Database: {db['vendor']}, {size}")
            self.stdout.write(
                f"Email outbox: {out['waiting']:,} waiting, {out['being_sent']:,} being sent, "
                f"{out['failed_last_day']:,} failed in the last day; oldest due message "
                f"waited {_say(out['oldest_due_wait_minutes'])}; "
                f"{out['lapsed_leases']:,} lapsed leases"
            )
            self.stdout.write(
                f"Tasks: {tasks['ready']:,} ready, {tasks['running']:,} running, "
                f"{tasks['failed_last_day']:,} failed in the last day; oldest ready task "
                f"waited {_say(tasks['oldest_ready_wait_minutes'])}"
            )
            self.stdout.write(
                f"Failed sign-ins in the last hour: {figures['sign_in_failures_last_hour']:,}"
            )
            for problem in found:
                self.stdout.write(f"PROBLEM: {problem}")
            if not found:
                self.stdout.write("OK")
        if found:
            raise SystemExit(1)


def _say(minutes: float | None) -> str:
    return "-" if minutes is None else f"{minutes:g} minutes"
