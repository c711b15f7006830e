"""Fill the bench's throw-away database with many associates, and time a large import.

bench/run.py runs this with the virtualenv's Python, DJANGO_SETTINGS_MODULE=coproduce.settings
and COPRODUCE_DATA_DIR (or DATABASE_URL) pointing at the bench's own database, after
`migrate` and `loaddemo`. Never point it at real data: it inserts fake people.

  python bench/associates.py generate TOTAL SEED
      adds associates until there are TOTAL (active, bench000001@example.org ...), with
      memberships spread over the demo's communities, interests, and consent flags each backed
      by a ConsentRecord naming the current wording; then refreshes the communities' member
      counts. Deterministic for a given SEED (random.Random(SEED)).
  python bench/associates.py session
      signs the demo `manager` in and prints the session cookie's value.
  python bench/associates.py csv PATH ROWS SEED
      writes an import file of ROWS new people (import000001@example.org ...).
  python bench/associates.py import PATH
      imports it with coproduce.community.importer.import_file, as the manager.
  python bench/associates.py audience
      times the recipient count and the queueing (one outbox row per recipient) of an Engage
      newsletter to everyone who agreed to it (about 80% of the associates).

Each command prints one JSON object as its last line of output, for run.py to read.
"""

from __future__ import annotations

import csv
import json
import random
import sys
import time
from pathlib import Path
from typing import Any

import django


def _setup() -> None:
    django.setup()


def _emit(payload: dict[str, Any]) -> None:
    print(json.dumps(payload))


def generate(total: int, seed: int) -> dict[str, Any]:
    from django.db import connection, transaction
    from django.utils import timezone

    from coproduce.community.importer import BulkInserter
    from coproduce.community.models import Associate, CommunityOfPractice
    from coproduce.community.services import refresh_member_counts
    from coproduce.demo.synthetic import insert_associates
    from coproduce.registry.models import Theme

    started = time.monotonic()
    rng = random.Random(seed)
    existing = Associate.objects.count()
    wanted = max(0, total - existing)
    cop_ids = list(CommunityOfPractice.objects.order_by("pk").values_list("pk", flat=True))
    theme_ids = list(Theme.objects.order_by("pk").values_list("pk", flat=True))
    if not cop_ids:
        raise SystemExit("no communities of practice: run loaddemo first")
    with transaction.atomic():
        counts = insert_associates(
            BulkInserter(),
            rng,
            wanted,
            cop_ids=cop_ids,
            theme_ids=theme_ids,
            now=timezone.now(),
            email="bench{:06d}@example.org",
        )
        refresh_member_counts()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    biggest = CommunityOfPractice.objects.order_by("-member_count", "slug").first()
    assert biggest is not None
    return {
        "seconds": round(time.monotonic() - started, 2),
        "existing": existing,
        "total": Associate.objects.count(),
        "cop_slug": biggest.slug,
        "cop_members": biggest.member_count,
        **counts,
    }


def _manager() -> Any:
    from django.contrib.auth import get_user_model

    user = get_user_model()._default_manager.filter(username="manager").first()
    if user is None:
        raise SystemExit("no demo `manager` user: run loaddemo first")
    return user


def session() -> dict[str, Any]:
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(_manager())
    return {
        "cookie": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
    }


def write_csv(path: Path, rows: int, seed: int) -> dict[str, Any]:
    from coproduce.community.models import CommunityOfPractice
    from coproduce.demo.synthetic import FIRST, LAST, ORGANISATIONS, ROLES
    from coproduce.registry.models import Theme

    rng = random.Random(seed)
    cops = list(CommunityOfPractice.objects.order_by("pk").values_list("slug", flat=True))
    themes = list(Theme.objects.order_by("pk").values_list("slug", flat=True))
    answers = ("yes", "no", "")
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "full_name",
                "email",
                "organisation",
                "role",
                "cops",
                "interests",
                "engage",
                "briefing",
                "events",
            ]
        )
        for n in range(1, rows + 1):
            writer.writerow(
                [
                    f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                    f"import{n:06d}@example.org",
                    rng.choice(ORGANISATIONS),
                    rng.choice(ROLES),
                    ";".join(rng.sample(cops, min(len(cops), rng.choice((0, 1, 1, 2))))),
                    ";".join(rng.sample(themes, min(len(themes), rng.choice((0, 1, 2))))),
                    rng.choice(answers),
                    rng.choice(answers),
                    rng.choice(answers),
                ]
            )
    return {"rows": rows, "bytes": path.stat().st_size}


def import_csv(path: Path) -> dict[str, Any]:
    from coproduce.community.importer import import_file

    user = _manager()
    with path.open("rb") as handle:
        started, cpu = time.monotonic(), time.process_time()
        result = import_file(handle, path.name, user)
        seconds, cpu = time.monotonic() - started, time.process_time() - cpu
    if not result.ok:
        shown = "; ".join(f"row {e.row} {e.column}: {e.message}" for e in result.errors[:5])
        raise SystemExit(f"the import was refused ({len(result.errors)} problems): {shown}")
    # CPU seconds of this process: on a shared machine, steadier than the elapsed time.
    return {"seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2), **result.counts()}


def audience() -> dict[str, Any]:
    """Time building the audience of an Engage newsletter to everyone who agreed to it: the
    count staff see before sending, and writing one outbox row per recipient."""
    from coproduce.comms import outbox
    from coproduce.comms.audience import Audience
    from coproduce.comms.models import Mailing

    mailing = Mailing.objects.create(
        kind=Mailing.Kind.ENGAGE,
        channel="engage",
        subject="Engage: bench",
        body="Bench.",
        slug="bench-audience",
    )
    started = time.perf_counter()
    counted = Audience.of(mailing).count()
    count_s = time.perf_counter() - started
    started = time.perf_counter()
    queued = outbox.queue_mailing(mailing)
    queue_s = time.perf_counter() - started
    return {
        "recipients": queued,
        "counted": counted,
        "count_seconds": round(count_s, 2),
        "queue_seconds": round(queue_s, 2),
    }


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    _setup()
    command, args = argv[0], argv[1:]
    if command == "generate":
        _emit(generate(int(args[0]), int(args[1])))
    elif command == "session":
        _emit(session())
    elif command == "csv":
        _emit(write_csv(Path(args[0]), int(args[1]), int(args[2])))
    elif command == "import":
        _emit(import_csv(Path(args[0])))
    elif command == "audience":
        _emit(audience())
    else:
        print(f"unknown command {command!r}\n{__doc__}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
