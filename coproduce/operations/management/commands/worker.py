"""`coproduce worker`: run the background task worker (django-tasks database backend)."""

from __future__ import annotations

import os
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Run the background task worker (sends email, runs scheduled work)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", action="store_true", help="Run what is queued, then exit.")
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between polls.")
        parser.add_argument(
            "--tick",
            type=float,
            default=float(os.environ.get("COPRODUCE_TICK_SECONDS", "15")),
            help="Seconds between runs of scheduled jobs (reminders, scheduled mailings, recovery).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from coproduce.comms import scheduler

        extra = ["--batch"] if options["batch"] else []
        # Recover at once after a crash (stuck outbox rows, scheduled work that fell due),
        # then keep the clock ticking beside the task runner.
        scheduler.tick()
        clock = None
        if not options["batch"]:
            clock = scheduler.Clock(options["tick"])
            clock.start()
        call_command(
            "db_worker",
            "--queue-name",
            "*",
            "--interval",
            str(options["interval"]),
            "--no-reload",
            *extra,
            verbosity=options["verbosity"],
        )
        if clock is not None:
            clock.stopped.set()
