"""`coproduce analysenetwork`: analyse the collaboration network now (in this process).

Computes betweenness and brokerage and stores them with the figures the network page shows,
unless the network is unchanged since the stored run. The worker's clock does the same every
tick, and managers can queue it from the page; this is for operators and scripts.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from coproduce.implementation import network


class Command(BaseCommand):
    help = __doc__.splitlines()[0] if __doc__ else ""

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        outcome = network.refresh()
        self.stdout.write(
            f"collaboration network: {outcome} in {time.perf_counter() - started:.1f} s"
        )
