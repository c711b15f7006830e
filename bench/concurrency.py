"""Writers, readers and the worker at once on one SQLite file: count "database is locked".

`make bench` runs this after the page and dispatch figures. It makes a throw-away installation
(its own data directory and SQLite file, migrated, the demo collaboration loaded, plus
CONCURRENCY_ASSOCIATES associates who agreed to the Engage newsletter), then for
CONCURRENCY_SECONDS runs, all against that one file:

- a web server: `coproduce serve --no-worker` (granian, 2 processes) on a free 127.0.0.1 port;
- 32 readers (threads in one process, one keep-alive HTTP connection each) cycling through
  public pages and API lists: home, studies, a study, themes, a community, news, /api/...;
- 8 writers (threads in another process, each with its own connection), each operation one
  short transaction: a new associate joining (associate, consent record, membership, member
  count), a study saved through the ORM, a consent changed on an existing associate
  (read, then write);
- `coproduce worker` sending mailings to a local SMTP server (aiosmtpd's Sink, its own
  process): a new Engage mailing to everyone consenting is queued whenever the previous one
  has been sent, so the worker claims and marks rows for the whole run.

It counts operations and every "database is locked" (writer exceptions, reader 5xx, lines in
the server's and the worker's logs, failed worker tasks), prints a summary and exits 1 if any
lock error or other error happened. SQLite only: DATABASE_URL is ignored.

Settings (environment): CONCURRENCY_SECONDS (60), CONCURRENCY_WRITERS (8),
CONCURRENCY_READERS (32), CONCURRENCY_ASSOCIATES (3000).
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import platform
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
LOCKED = re.compile(r"database (table )?is locked", re.IGNORECASE)


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, "").strip() or default)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def _coproduce() -> list[str]:
    script = Path(sys.executable).parent / "coproduce"
    return [str(script)] if script.exists() else [sys.executable, "-m", "coproduce"]


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


# -- inside the installation (Django set up) ---------------------------------------------------


def _django() -> None:
    import django

    django.setup()


def seed(n: int) -> dict[str, int]:
    _django()
    from django.utils import timezone

    from coproduce.community.models import Associate

    now = timezone.now()
    Associate.objects.bulk_create(
        [
            Associate(
                full_name=f"Concurrent Person{i}",
                email=f"concurrent{i:06d}@example.org",
                role="clinician",
                status="active",
                confirmed=now,
                consent_engage=True,
            )
            for i in range(n)
        ],
        batch_size=2000,
    )
    return {"associates": Associate.objects.count()}


def writers(threads: int, seconds: float) -> dict[str, Any]:
    """`threads` writer threads plus one mailer thread, until `seconds` have passed."""
    _django()
    from django.db import OperationalError, connection, transaction
    from django.utils import timezone

    from coproduce.comms import outbox
    from coproduce.comms.models import Mailing
    from coproduce.community import services
    from coproduce.community.models import Associate, CommunityOfPractice, ConsentRecord
    from coproduce.registry.models import Study

    cop_ids = list(CommunityOfPractice.objects.values_list("pk", flat=True))
    study_ids = list(Study.objects.values_list("pk", flat=True))
    max_associate = Associate.objects.order_by("-pk").values_list("pk", flat=True).first() or 1
    deadline = time.monotonic() + seconds
    lock = threading.Lock()
    ops: Counter[str] = Counter()
    locked: Counter[str] = Counter()
    errors: list[str] = []
    latencies: list[float] = []

    def join(rng: random.Random, n: str) -> None:
        with transaction.atomic():
            person = Associate.objects.create(
                full_name=f"Writer {n}",
                email=f"writer-{n}@example.org",
                role="carer",
                status=Associate.Status.ACTIVE,
                confirmed=timezone.now(),
            )
            services.record_consent(person, "engage", True, ConsentRecord.Method.FORM)
            services.join(person, CommunityOfPractice.objects.get(pk=rng.choice(cop_ids)))

    def save_study(rng: random.Random, n: str) -> None:
        with transaction.atomic():
            study = Study.objects.get(pk=rng.choice(study_ids))
            study.summary = f"{study.summary.split(' [edit ')[0]} [edit {n}]"
            study.save()

    def change_consent(rng: random.Random, n: str) -> None:
        with transaction.atomic():
            person = Associate.objects.filter(pk__gte=rng.randint(1, max_associate)).first()
            if person is not None:
                services.record_consent(
                    person, "events", not person.consent_events, ConsentRecord.Method.PREFERENCES
                )

    operations = [("join", join), ("study_save", save_study), ("consent", change_consent)]

    def run(index: int) -> None:
        rng = random.Random(index)
        count = 0
        try:
            while time.monotonic() < deadline:
                name, operation = operations[count % len(operations)]
                count += 1
                started = time.perf_counter()
                try:
                    operation(rng, f"{index}-{count}")
                except OperationalError as exc:
                    with lock:
                        if LOCKED.search(str(exc)):
                            locked[name] += 1
                        else:
                            errors.append(f"{name}: {exc}")
                    continue
                except Exception as exc:  # noqa: BLE001 - counted and reported
                    with lock:
                        errors.append(f"{name}: {type(exc).__name__}: {exc}")
                    continue
                elapsed = time.perf_counter() - started
                with lock:
                    ops[name] += 1
                    latencies.append(elapsed)
        finally:
            connection.close()

    def mailer() -> None:
        number = 0
        try:
            while time.monotonic() < deadline:
                try:
                    busy = Mailing.objects.filter(
                        status__in=[Mailing.Status.SENDING, Mailing.Status.PAUSED]
                    ).exists()
                    if not busy:
                        number += 1
                        mailing = Mailing.objects.create(
                            kind="engage",
                            channel="engage",
                            subject=f"Engage {number}",
                            body="## News\n\nOur study has *reported*.",
                            slug=f"concurrency-{number}",
                        )
                        outbox.queue_mailing(mailing)
                        with lock:
                            ops["mailing_queued"] += 1
                except OperationalError as exc:
                    with lock:
                        if LOCKED.search(str(exc)):
                            locked["mailer"] += 1
                        else:
                            errors.append(f"mailer: {exc}")
                time.sleep(0.5)
        finally:
            connection.close()

    pool = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    pool.append(threading.Thread(target=mailer))
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return {
        "ops": dict(ops),
        "locked": dict(locked),
        "errors": errors[:20],
        "error_count": len(errors),
        "p50_ms": round(_percentile(latencies, 0.5) * 1000, 1),
        "p99_ms": round(_percentile(latencies, 0.99) * 1000, 1),
    }


def counts() -> dict[str, Any]:
    _django()
    from django.db.models import Count
    from django_tasks_db.models import DBTaskResult

    from coproduce.comms.models import Mailing, OutboxMessage

    by_status = dict(OutboxMessage.objects.values_list("status").annotate(n=Count("id")).order_by())
    failed = DBTaskResult.objects.filter(status="FAILED")
    failed_locked = sum(
        1
        for row in failed.values_list("exception_class_path", "traceback")
        if LOCKED.search(str(row))
    )
    return {
        "outbox": by_status,
        "mailings": Mailing.objects.count(),
        "tasks_failed": failed.count(),
        "tasks_failed_locked": failed_locked,
    }


# -- readers (plain HTTP, no Django) -----------------------------------------------------------


def readers(threads: int, seconds: float, port: int) -> dict[str, Any]:
    base = f"http://{HOST}:{port}"
    with urllib.request.urlopen(f"{base}/api/studies?limit=1") as response:
        study = json.load(response)["items"][0]["slug"]
    with urllib.request.urlopen(f"{base}/api/cops?limit=1") as response:
        cop = json.load(response)["items"][0]["slug"]
    paths = [
        "/",
        "/studies/",
        f"/studies/{study}/",
        "/themes/",
        f"/communities/{cop}/",
        "/news/",
        "/api/studies",
        "/api/cops",
        "/healthz",
    ]
    deadline = time.monotonic() + seconds
    lock = threading.Lock()
    statuses: Counter[int] = Counter()
    failures: list[str] = []
    latencies: list[float] = []

    def run(index: int) -> None:
        conn = http.client.HTTPConnection(HOST, port, timeout=30)
        count = index
        try:
            while time.monotonic() < deadline:
                path = paths[count % len(paths)]
                count += 1
                started = time.perf_counter()
                try:
                    conn.request("GET", path)
                    response = conn.getresponse()
                    body = response.read()
                except (OSError, http.client.HTTPException) as exc:
                    conn.close()
                    conn = http.client.HTTPConnection(HOST, port, timeout=30)
                    with lock:
                        failures.append(f"{path}: {type(exc).__name__}: {exc}")
                    continue
                elapsed = time.perf_counter() - started
                with lock:
                    statuses[response.status] += 1
                    latencies.append(elapsed)
                    if response.status != 200:
                        failures.append(f"{path}: {response.status} {body[:200]!r}")
        finally:
            conn.close()

    pool = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return {
        "requests": sum(statuses.values()),
        "statuses": {str(k): v for k, v in statuses.items()},
        "failures": failures[:20],
        "failure_count": len(failures),
        "p50_ms": round(_percentile(latencies, 0.5) * 1000, 1),
        "p99_ms": round(_percentile(latencies, 0.99) * 1000, 1),
    }


# -- the orchestra -----------------------------------------------------------------------------


def _inside(mode: str, env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, __file__, mode, *args],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _result(process: subprocess.Popen[str], what: str) -> dict[str, Any]:
    out, err = process.communicate()
    if process.returncode != 0:
        raise SystemExit(f"{what} failed (exit {process.returncode}):\n{out}\n{err}")
    return dict(json.loads(out.strip().splitlines()[-1]))


def _wait_for(port: int, path: str = "", timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if path:
                with urllib.request.urlopen(f"http://{HOST}:{port}{path}", timeout=2):
                    return
            else:
                socket.create_connection((HOST, port), timeout=0.2).close()
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"nothing answered on {HOST}:{port}{path} within {timeout:.0f} s")


def _stop(process: subprocess.Popen[Any]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def main() -> int:
    seconds = _env_int("CONCURRENCY_SECONDS", 60)
    n_writers = _env_int("CONCURRENCY_WRITERS", 8)
    n_readers = _env_int("CONCURRENCY_READERS", 32)
    n_associates = _env_int("CONCURRENCY_ASSOCIATES", 3000)
    smtp_port, web_port = _free_port(), _free_port()
    started_at = time.strftime("%Y-%m-%d %H:%M")
    with tempfile.TemporaryDirectory(prefix="coproduce-concurrency-") as tmp:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env.update(
            COPRODUCE_DATA_DIR=tmp,
            DJANGO_SETTINGS_MODULE="coproduce.settings",
            EMAIL_HOST=HOST,
            EMAIL_PORT=str(smtp_port),
            COPRODUCE_LOG_LEVEL="WARNING",
            COPRODUCE_TICK_SECONDS="5",
            PYTHONUNBUFFERED="1",
        )
        print(f"concurrency: setting up in {tmp}")
        for what, cmd in [
            ("migrate", [*_coproduce(), "migrate", "--noinput", "-v", "0"]),
            ("loaddemo", [*_coproduce(), "loaddemo"]),
        ]:
            t0 = time.monotonic()
            subprocess.run(cmd, env=env, check=True, capture_output=True)
            print(f"  {what}: {time.monotonic() - t0:.1f} s")
        seeded = _result(_inside("--seed", env, str(n_associates)), "seeding")
        print(f"  associates: {seeded['associates']:,}")
        server_log = Path(tmp) / "server.log"
        worker_log = Path(tmp) / "worker.log"
        processes: list[subprocess.Popen[Any]] = []
        try:
            with server_log.open("w") as slog, worker_log.open("w") as wlog:
                smtp = subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "aiosmtpd",
                        "-n",
                        "-c",
                        "aiosmtpd.handlers.Sink",
                        "-l",
                        f"{HOST}:{smtp_port}",
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
                processes.append(smtp)
                _wait_for(smtp_port)
                server = subprocess.Popen(
                    [
                        *_coproduce(),
                        "serve",
                        "--no-worker",
                        "--host",
                        HOST,
                        "--port",
                        str(web_port),
                    ],
                    env=env,
                    stdout=slog,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
                processes.append(server)
                _wait_for(web_port, "/healthz")
                worker = subprocess.Popen(
                    [*_coproduce(), "worker", "--interval", "0.5"],
                    env=env,
                    stdout=wlog,
                    stderr=subprocess.STDOUT,
                )
                processes.append(worker)
                print(
                    f"  running {seconds} s: {n_writers} writers, {n_readers} readers, "
                    "1 worker, 1 web server (2 processes)"
                )
                write = _inside("--writers", env, str(n_writers), str(seconds))
                read = _inside("--readers", env, str(n_readers), str(seconds), str(web_port))
                w = _result(write, "writers")
                r = _result(read, "readers")
        finally:
            for process in reversed(processes):
                _stop(process)
        c = _result(_inside("--counts", env), "counting")
        server_text = server_log.read_text(errors="replace")
        worker_text = worker_log.read_text(errors="replace")
        server_locked = len(LOCKED.findall(server_text))
        worker_locked = len(LOCKED.findall(worker_text))
        if os.environ.get("CONCURRENCY_LOGS"):
            print(
                f"--- server log ---\n{server_text[-6000:]}\n--- worker log ---\n{worker_text[-6000:]}"
            )
    writes = sum(v for k, v in w["ops"].items() if k != "mailing_queued")
    writer_locked = sum(w["locked"].values())
    reader_5xx = sum(v for k, v in r["statuses"].items() if k.startswith("5"))
    sent = c["outbox"].get("sent", 0)
    locked_total = writer_locked + server_locked + worker_locked + c["tasks_failed_locked"]
    lines = [
        f"Concurrency on SQLite, {seconds} s, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}, {started_at}",
        f"  writes    {writes:>8,}  ({writes / seconds:,.0f}/s; "
        + ", ".join(f"{k} {v:,}" for k, v in sorted(w["ops"].items()))
        + f"; p50 {w['p50_ms']} ms, p99 {w['p99_ms']} ms)",
        f"  reads     {r['requests']:>8,}  ({r['requests'] / seconds:,.0f}/s; "
        f"p50 {r['p50_ms']} ms, p99 {r['p99_ms']} ms; statuses {r['statuses']})",
        f"  emails    {sent:>8,}  (sent by the worker during the run; outbox {c['outbox']})",
        f"  'database is locked': {locked_total} (writers {writer_locked} {w['locked']}, web server "
        f"{server_locked}, worker log {worker_locked}, failed tasks {c['tasks_failed_locked']})",
        f"  other errors: writers {w['error_count']}, readers {r['failure_count']}, "
        f"failed tasks {c['tasks_failed']}",
    ]
    print("\n".join(lines))
    for problem in w["errors"][:5] + r["failures"][:5]:
        print(f"    {problem}")
    print(
        json.dumps(
            {
                "seconds": seconds,
                "writes": writes,
                "reads": r["requests"],
                "emails_sent": sent,
                "locked": locked_total,
                "errors": w["error_count"] + r["failure_count"] + c["tasks_failed"],
                "reader_5xx": reader_5xx,
            }
        )
    )
    failed = locked_total or w["error_count"] or r["failure_count"] or c["tasks_failed"]
    return 1 if failed else 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1].startswith("--"):
        mode, args = sys.argv[1], sys.argv[2:]
        with contextlib.redirect_stdout(sys.stderr):
            if mode == "--seed":
                result = seed(int(args[0]))
            elif mode == "--writers":
                result = writers(int(args[0]), float(args[1]))
            elif mode == "--readers":
                result = readers(int(args[0]), float(args[1]), int(args[2]))
            elif mode == "--counts":
                result = counts()
            else:
                raise SystemExit(f"unknown mode {mode}")
        print(json.dumps(result))
        sys.exit(0)
    sys.exit(main())
