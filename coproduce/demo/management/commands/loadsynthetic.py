"""`coproduce loadsynthetic`: a synthetic network (coproduce/demo/synthetic.py)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from coproduce.demo import synthetic

DEFAULT_SEED = synthetic.DEFAULT_SEED


class Command(BaseCommand):
    help = (
        "Fill the database with a synthetic collaboration, deterministically from a seed: "
        "areas, organisations, themes, studies with partners, people with roles and "
        "secondments, a community of practice and steering committee per study, associates "
        "with memberships and consent, protocol review rounds, community activities, audit "
        "entries, and sent mailings with their outbox rows. `--scale national` is 200,000 "
        "associates, 3,000 studies, 1,000,000 activity and audit rows and 2,000,000 outbox "
        "rows; `--scale small` a hundredth of that. For benchmarks and tests only: it refuses a "
        "database holding anything but the demo unless --force, and any that already holds "
        "synthetic data."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=sorted(synthetic.SCALES), default="small")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load even if the database holds data that is not the demo.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            synthetic.check_database(force=options["force"])
        except synthetic.Refused as refused:
            raise CommandError(str(refused)) from None
        scale = synthetic.SCALES[options["scale"]]
        verbose = options["verbosity"] > 0

        def report(part: str, counts: dict[str, int], seconds: float) -> None:
            if verbose:
                shown = ", ".join(f"{name} {count:,}" for name, count in counts.items())
                self.stdout.write(f"{part}: {shown} ({seconds:.1f} s)")

        started = time.monotonic()
        synthetic.load(scale, options["seed"], report=report)
        if verbose:
            self.stdout.write(
                f"synthetic {options['scale']} data set, seed {options['seed']}: "
                f"{time.monotonic() - started:.1f} s"
            )
