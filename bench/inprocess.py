"""Time staff or public pages in-process: one request at a time through the full middleware,
signed in as a user, with the query count and response size; the minimum of three requests (the first may fill a
stored figure). Run against an installation (e.g. the national data set):

    COPRODUCE_DATA_DIR=<folder> COPRODUCE_BENCH_BARE_PAGE=true \\
        .venv/bin/python bench/inprocess.py /staff/bench/bare/ /staff/ /staff/governance/

WHO=<username> signs in as someone else (default: the demo's manager); PROFILE=1 prints a
cProfile of each page over 50 ms. Times are wall-clock on a shared machine: compare pages
measured in the same run (the bare staff page first), never across runs.
"""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coproduce.settings")
os.environ.setdefault("COPRODUCE_REQUIRE_MANAGER_2FA", "false")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402


def main(paths: list[str]) -> None:
    settings.ALLOWED_HOSTS = ["*"]
    client = Client()
    client.force_login(get_user_model().objects.get(username=os.environ.get("WHO", "manager")))
    for path in paths:
        times = []
        for _ in range(3):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(path)
                times.append((time.perf_counter() - started) * 1000)
        print(
            f"{path:60s} {response.status_code} {min(times):8.1f} ms "
            f"{len(queries.captured_queries)} queries {len(response.content):,} bytes",
            flush=True,
        )
        if os.environ.get("PROFILE") and min(times) > 50:
            profile = cProfile.Profile()
            profile.enable()
            client.get(path)
            profile.disable()
            out = io.StringIO()
            pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(35)
            print(out.getvalue())


if __name__ == "__main__":
    main(sys.argv[1:])
