"""Time, or profile, one request to each key page with Django's test client: where the time goes.

Run it against data that bench/run.py prepared and kept (`BENCH_REUSE_DIR=<dir>
BENCH_IMPORT_ROWS=0 .venv/bin/python bench/run.py` once), single-threaded, no server, no wrk:

    COPRODUCE_DATA_DIR=<dir> .venv/bin/python bench/timepages.py            # every page
    COPRODUCE_DATA_DIR=<dir> .venv/bin/python bench/timepages.py directory  # some pages
    COPRODUCE_DATA_DIR=<dir> .venv/bin/python bench/timepages.py --profile directory

    COPRODUCE_DATA_DIR=<dir> .venv/bin/python bench/timepages.py --json            # for run.py

Prints, per page, the median wall-clock and CPU time of one request (after one warm-up; repeated for about
BENCH_SINGLE_SECONDS, 1 s by default, at least 3 and at most 200 times) and the number of
queries, and each as a ratio to the bare layout page and the bare staff page of the same run;
with --profile, cProfile's top functions (cumulative) for one request to each named page; with
--json, one JSON object {name: [wall ms, queries, CPU ms]} as the last line. The page cache and memoised
analytics are off unless COPRODUCE_PAGE_CACHE_SECONDS is set, so the figures are what a page
costs when it is rendered. The connection persists between requests, as the server's do.
Names are bench/run.py's.
"""

from __future__ import annotations

import cProfile
import json
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coproduce.settings")
os.environ.setdefault("COPRODUCE_PAGE_CACHE_SECONDS", "0")
os.environ.setdefault("COPRODUCE_BENCH_BARE_PAGE", "true")
os.environ.setdefault("COPRODUCE_REQUIRE_MANAGER_2FA", "false")
os.environ.setdefault("COPRODUCE_DEBUG", "false")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # noqa: E402


def _pages() -> list[tuple[str, str, bool]]:
    from coproduce.community.models import CommunityOfPractice
    from coproduce.priorities.models import Consultation, InterimSurvey, Workshop
    from coproduce.registry.models import Study

    study = Study.objects.filter(title=run.STUDY_TITLE).first() or Study.objects.first()
    cop = CommunityOfPractice.objects.order_by("-member_count", "pk").first()
    consultation = Consultation.objects.get(slug="bench-priorities")
    facts = {"study": study.get_absolute_url(), "study_slug": study.slug, "cop_slug": cop.slug}
    priorities = {
        "slug": consultation.slug,
        "survey": InterimSurvey.objects.filter(consultation=consultation).first().public_id,
        "workshop": Workshop.objects.filter(consultation=consultation).first().public_id,
    }
    return run._pages(facts, priorities)  # type: ignore[arg-type]


def _median_ms(client: Client, path: str, budget_s: float) -> tuple[float, float]:
    """Median wall-clock and CPU milliseconds of one request. On shared cores the CPU time
    (this process's, which on SQLite includes the database's work) is the steadier figure;
    on PostgreSQL the server's own CPU is not in it."""
    times: list[float] = []
    cpu: list[float] = []
    started = time.perf_counter()
    while len(times) < 3 or (time.perf_counter() - started < budget_s and len(times) < 200):
        begin, begin_cpu = time.perf_counter(), time.process_time()
        client.get(path, HTTP_HOST="127.0.0.1")
        times.append(time.perf_counter() - begin)
        cpu.append(time.process_time() - begin_cpu)
    return statistics.median(times) * 1000, statistics.median(cpu) * 1000


def main(argv: list[str]) -> int:
    profile = "--profile" in argv
    as_json = "--json" in argv
    names = {a for a in argv if not a.startswith("--")}
    budget = float(os.environ.get("BENCH_SINGLE_SECONDS", "1"))
    anonymous, staff = Client(), Client()
    staff.force_login(get_user_model()._default_manager.get(username="manager"))
    found: dict[str, list[float | int]] = {}  # name: [wall ms, queries, CPU ms]
    for name, path, signed in _pages():
        if names and name not in names:
            continue
        client = staff if signed else anonymous
        response = client.get(path, HTTP_HOST="127.0.0.1")
        if response.status_code != 200:
            print(f"{name}: {path} answered {response.status_code}", file=sys.stderr)
            continue
        if profile:
            profiler = cProfile.Profile()
            profiler.enable()
            client.get(path, HTTP_HOST="127.0.0.1")
            profiler.disable()
            print(f"== {name} {path}")
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
            continue
        ms, cpu_ms = _median_ms(client, path, budget)
        with CaptureQueriesContext(connection) as queries:
            client.get(path, HTTP_HOST="127.0.0.1")
        found[name] = [round(ms, 2), len(queries), round(cpu_ms, 2)]
        bare = found.get("bare layout", [0, 0, 0.0])[2]
        staff_bare = found.get(run.BARE_STAFF, [0, 0, 0.0])[2]
        ratios = "".join(
            f"  cpu/{label} {cpu_ms / float(base):5.1f}x"
            for label, base in (("bare", bare), ("bare staff", staff_bare))
            if base
        )
        print(
            f"{name:<28} {ms:9.2f} ms  cpu {cpu_ms:8.2f} ms {len(queries):3d} queries{ratios}"
            f"  {path}",
            file=sys.stderr if as_json else sys.stdout,
            flush=True,
        )
    if as_json:
        print(json.dumps(found))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
