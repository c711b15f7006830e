"""`coproduce worker`: run the background task worker (django-tasks database backend)."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Run the background task worker (sends email, runs scheduled work)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", action="store_true", help="Run what is queued, then exit.")
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between polls.")

    def handle(self, *args: Any, **options: Any) -> None:
        extra = ["--batch"] if options["batch"] else []
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
