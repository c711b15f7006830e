"""`coproduce readbounces <path>`: record the bounces in a Maildir or an mbox file.

Run it from cron over the mailbox that receives the envelope sender's mail (the bounce
address). The mailbox is only read; reading it again records nothing twice.
"""

from __future__ import annotations

import mailbox
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from coproduce.comms import bounces


class Command(BaseCommand):
    help = (
        "Read delivery status notifications (bounces) from a Maildir or an mbox file: suppress "
        "addresses that bounce permanently, or temporarily too often."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "path", help="A Maildir folder (with cur/, new/, tmp/) or an mbox file."
        )
        parser.add_argument(
            "--format",
            choices=bounces.FORMATS,
            help="The mailbox format; found from the path when not given.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"])
        fmt = options["format"]
        try:
            fmt = fmt or bounces.detect_format(path)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if not path.exists():
            raise CommandError(f"{path} does not exist")
        try:
            summary = bounces.read_mailbox(path, fmt)
        except (OSError, mailbox.Error) as exc:  # e.g. a file given as a Maildir, no permission
            raise CommandError(f"Cannot read {path} as {fmt}: {exc}") from exc
        if options["verbosity"]:
            self.stdout.write(
                "\n".join(
                    [
                        f"Messages read: {summary.messages}",
                        f"Permanent failures: {summary.permanent}",
                        f"Temporary failures: {summary.temporary}",
                        f"Addresses suppressed: {summary.suppressed}",
                        f"Successes ignored: {summary.ignored}",
                        f"Already recorded: {summary.duplicates}",
                        f"Skipped (not a bounce, or malformed): {summary.skipped}",
                    ]
                )
            )
            if options["verbosity"] > 1:
                for reason, count in sorted(summary.reasons.items()):
                    self.stdout.write(f"  {count} × {reason}")
