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
import datetime as dt
import json
import random
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import django

ROLES = (
    "clinician",
    "manager",
    "commissioner",
    "researcher",
    "service_user",
    "carer",
    "public",
    "other",
)
FIRST = [
    "Alex",
    "Sam",
    "Jo",
    "Chris",
    "Pat",
    "Robin",
    "Morgan",
    "Jamie",
    "Kim",
    "Lee",
    "Ali",
    "Priya",
    "Sara",
    "Tom",
    "Anna",
    "Ben",
    "Chloe",
    "Dan",
    "Eve",
    "Fatima",
    "Grace",
    "Hassan",
    "Isla",
    "Jack",
    "Kate",
    "Liam",
    "Maya",
    "Noah",
    "Olivia",
    "Omar",
    "Ruth",
    "Sophie",
    "Zara",
]
LAST = [
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Patel",
    "Khan",
    "Evans",
    "Thomas",
    "Roberts",
    "Walker",
    "Wright",
    "Thompson",
    "White",
    "Hughes",
    "Edwards",
    "Green",
    "Hall",
    "Wood",
    "Harris",
    "Clarke",
    "Jackson",
    "Ahmed",
]
ORGANISATIONS = (
    "",
    "Sheffield Teaching Hospitals",
    "Nottingham CityCare",
    "Derbyshire Community Health Services",
    "University of Sheffield",
    "Stroke Association",
    "Doncaster Council",
    "Barnsley CCG",
    "Lincolnshire Partnership",
)
BATCH = 20_000


def _setup() -> None:
    django.setup()


def _emit(payload: dict[str, Any]) -> None:
    print(json.dumps(payload))


def generate(total: int, seed: int) -> dict[str, Any]:
    from django.db import connection, transaction
    from django.utils import timezone

    from coproduce.community.importer import BulkInserter
    from coproduce.community.models import (
        Associate,
        Channel,
        CommunityOfPractice,
        ConsentRecord,
        ConsentWording,
        Membership,
    )
    from coproduce.community.services import refresh_member_counts
    from coproduce.registry.models import Theme

    started = time.monotonic()
    rng = random.Random(seed)
    existing = Associate.objects.count()
    wanted = max(0, total - existing)
    cop_ids = list(CommunityOfPractice.objects.order_by("pk").values_list("pk", flat=True))
    theme_ids = list(Theme.objects.order_by("pk").values_list("pk", flat=True))
    if not cop_ids:
        raise SystemExit("no communities of practice: run loaddemo first")
    channels = list(Channel.values)
    wordings = {channel: ConsentWording.current(channel) for channel in channels}
    # Roughly as a real list looks: most people consent to something, fewer to everything.
    grant_rate = {"engage": 0.8, "briefing": 0.35, "events": 0.45}
    public_id = Associate._meta.get_field("public_id")
    interests_through = Associate.interests.through
    now = timezone.now()
    span_s = 5 * 365 * 24 * 3600

    inserter = BulkInserter()
    counts = {"associates": 0, "memberships": 0, "interests": 0, "consent_records": 0}
    with transaction.atomic():
        last_id = Associate.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        for start in range(0, wanted, BATCH):
            size = min(BATCH, wanted - start)
            people: list[tuple[Any, ...]] = []
            extras: list[tuple[dt.datetime, list[int], list[int], list[bool]]] = []
            for n in range(start + 1, start + size + 1):
                joined = now - dt.timedelta(seconds=rng.randrange(span_s))
                flags = [rng.random() < grant_rate[channel] for channel in channels]
                stamp = inserter.moment(joined)
                people.append(
                    (
                        public_id.get_db_prep_value(
                            uuid.UUID(int=rng.getrandbits(128), version=4),
                            connection,
                            prepared=False,
                        ),
                        f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                        f"bench{n:06d}@example.org",
                        rng.choice(ORGANISATIONS),
                        rng.choice(ROLES),
                        Associate.Status.ACTIVE.value,
                        stamp,
                        stamp,
                        *flags,
                        1,
                    )
                )
                # 0 to 3 communities each, 0 to 2 themes.
                cops = rng.sample(cop_ids, min(len(cop_ids), rng.choice((0, 1, 1, 1, 2, 2, 3))))
                themes = rng.sample(theme_ids, min(len(theme_ids), rng.choice((0, 1, 1, 2))))
                extras.append((joined, cops, themes, flags))
            columns = ["public_id", "full_name", "email", "organisation", "role", "status"]
            columns += ["joined", "confirmed", *(f"consent_{c}" for c in channels)]
            columns += ["link_version"]
            inserter.insert(Associate, columns, people)
            ids = list(
                Associate.objects.filter(pk__gt=last_id).order_by("pk").values_list("pk", flat=True)
            )
            if len(ids) != size:
                raise SystemExit(f"expected {size} new associates, found {len(ids)}")
            last_id = ids[-1]
            memberships, interests, records = [], [], []
            for pk, (joined, cops, themes, flags) in zip(ids, extras, strict=True):
                stamp = inserter.moment(joined)
                memberships.extend((pk, cop, stamp) for cop in cops)
                interests.extend((pk, theme) for theme in themes)
                for channel, granted in zip(channels, flags, strict=True):
                    if granted:
                        w = wordings[channel]
                        records.append(
                            (pk, channel, True, stamp, "form", w.pk, w.version, w.sha256, None)
                        )
            inserter.insert(Membership, ["associate", "cop", "joined"], memberships)
            inserter.insert(interests_through, ["associate", "theme"], interests)
            names = ["associate", "channel", "granted", "at", "method", "wording"]
            names += ["wording_version", "wording_sha256", "recorded_by"]
            inserter.insert(ConsentRecord, names, records)
            counts["associates"] += size
            counts["memberships"] += len(memberships)
            counts["interests"] += len(interests)
            counts["consent_records"] += len(records)
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
        started = time.monotonic()
        result = import_file(handle, path.name, user)
        seconds = time.monotonic() - started
    if not result.ok:
        shown = "; ".join(f"row {e.row} {e.column}: {e.message}" for e in result.errors[:5])
        raise SystemExit(f"the import was refused ({len(result.errors)} problems): {shown}")
    return {"seconds": round(seconds, 2), **result.counts()}


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
