"""Exactly once, proven: kill the worker three times mid-send and count what the server got.

`make test` runs this (target `test-exactly-once`) on SQLite with 2,000 recipients and, when
PostgreSQL answers, on a scratch PostgreSQL database with 10,000. For each database it:

1. makes a throw-away installation (its own data directory, migrated database);
2. creates N active associates who consented to the Engage newsletter and queues one Engage
   mailing to all of them through the real path (`outbox.queue_mailing`);
3. starts an SMTP server in this process (`CountingServer`) that records every message it
   receives (see its docstring for when a message counts as received);
4. starts `coproduce worker` pointed at that server, and each time the server has accepted
   about 25%, 50% and 75% of N, kills the worker with SIGKILL and starts a new one;
5. waits until the outbox has nothing left to send, then compares: every recipient exactly
   once (0 duplicates, 0 missing), and every row "sent".

Each database is run twice: the server offering PIPELINING (RFC 2920, as Postfix does; the
dispatcher then sends each message's final dot and the next message's envelope in one write)
and not offering it (one round trip a command). `--pipelining yes|no` runs one of the two.

Usage: tests/exactly_once.py [--sqlite N] [--postgres N] [--postgres-url URL] [--pipelining W]
Exit status 0 when every run found 0 duplicates and 0 missing, 1 otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
KILL_AT = (0.25, 0.50, 0.75)
# Added to each kill point so a kill never lines up with the end of a claimed batch (a round
# number of messages), where the worker holds no claims and the test would prove little.
KILL_OFFSET = (17, 29, 41)
TIMEOUT_S = 600


class CountingServer:
    """A minimal SMTP server that counts what it receives, in a thread of this process.

    A message counts as received when its end-of-data line (".") arrives, as an MTA such as
    Postfix takes it: Postfix writes the queue file on end-of-data, before its "250" reply, and
    keeps it if the client then disconnects. (aiosmtpd, used by the other tests, cancels its
    session when the client's end-of-data and disconnect arrive together, and drops that
    message: counted with it, a worker killed just after writing "." would look like a lost
    message that a real relay would have delivered.) A message cut off before its "." never
    counts, as with every SMTP server.
    """

    def __init__(self, *, pipelining: bool = True) -> None:
        self.pipelining = pipelining
        self.lock = threading.Lock()
        self.per_recipient: collections.Counter[str] = collections.Counter()
        self.message_ids: collections.Counter[str] = collections.Counter()
        self.loop = asyncio.new_event_loop()
        self.port = 0
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def start(self) -> None:
        server = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self._session, "127.0.0.1", 0), self.loop
        )
        self._thread.start()
        self.port = server.result(timeout=10).sockets[0].getsockname()[1]

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=10)

    def total(self) -> int:
        with self.lock:
            return sum(self.per_recipient.values())

    def _received(self, recipients: list[str], data: bytes) -> None:
        from email.parser import BytesHeaderParser

        headers = BytesHeaderParser().parsebytes(data)
        with self.lock:
            for rcpt in recipients:
                self.per_recipient[rcpt] += 1
            self.message_ids[str(headers.get("Message-ID", ""))] += 1

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        recipients: list[str] = []
        try:
            writer.write(b"220 counting ESMTP\r\n")
            while True:
                line = await reader.readline()
                if not line:
                    return
                verb = line[:4].upper()
                if verb == b"EHLO":
                    # Commands are read and answered one line at a time, so pipelined ones
                    # (RFC 2920) are taken as they come.
                    offer = b"250-PIPELINING\r\n" if self.pipelining else b""
                    writer.write(b"250-counting\r\n" + offer + b"250 8BITMIME\r\n")
                elif verb in (b"HELO", b"NOOP"):
                    writer.write(b"250 OK\r\n")
                elif verb in (b"MAIL", b"RSET"):
                    recipients = []
                    writer.write(b"250 OK\r\n")
                elif verb == b"RCPT":
                    address = line.partition(b"<")[2].partition(b">")[0]
                    recipients.append(address.decode("utf-8", "replace"))
                    writer.write(b"250 OK\r\n")
                elif verb == b"DATA":
                    writer.write(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                    await writer.drain()
                    body = bytearray()
                    while True:
                        data_line = await reader.readline()
                        if not data_line:
                            return  # cut off before end-of-data: not received
                        if data_line == b".\r\n":
                            break
                        body += data_line
                    self._received(recipients, bytes(body))
                    recipients = []
                    writer.write(b"250 OK queued\r\n")
                elif verb == b"QUIT":
                    writer.write(b"221 Bye\r\n")
                    await writer.drain()
                    return
                else:
                    writer.write(b"500 Unknown command\r\n")
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            return
        finally:
            writer.close()


def _coproduce() -> list[str]:
    script = Path(sys.executable).parent / "coproduce"
    return [str(script)] if script.exists() else [sys.executable, "-m", "coproduce"]


def _django(env: dict[str, str], code: str) -> Any:
    """Run Python with Django set up in the installation; its last stdout line is JSON."""
    out = subprocess.run(
        [*_coproduce(), "shell", "-c", code],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise RuntimeError(f"coproduce shell failed:\n{out.stdout}\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


SEED_CODE = """
import json
from django.utils import timezone
from coproduce.community.models import Associate
from coproduce.comms.models import Mailing
from coproduce.comms import outbox
now = timezone.now()
Associate.objects.bulk_create(
    [Associate(full_name=f"Person {i}", email=f"person{i:06d}@example.org", role="clinician",
               status="active", confirmed=now, consent_engage=True) for i in range(N)],
    batch_size=2000,
)
m = Mailing.objects.create(kind="engage", channel="engage", subject="Engage: exactly once",
                           body="Hello. This is the *exactly once* test.", slug="exactly-once")
print(json.dumps({"queued": outbox.queue_mailing(m)}))
"""

REPORT_CODE = """
import json
from django.db.models import Count
from coproduce.comms.models import OutboxMessage
rows = OutboxMessage.objects.filter(mailing__slug="exactly-once")
statuses = dict(rows.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
print(json.dumps({"statuses": statuses,
                  "retried": rows.filter(attempts__gt=1).count(),
                  "attempts": dict(rows.values_list("attempts").annotate(n=Count("id")).values_list("attempts", "n")),
                  "ambiguous": rows.exclude(last_error="").filter(status="sent").count()}))
"""


def _start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [*_coproduce(), "worker", "--interval", "0.1", "--tick", "1"],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def run(label: str, n: int, database_url: str | None, *, pipelining: bool) -> bool:
    handler = CountingServer(pipelining=pipelining)
    label += ", relay with PIPELINING" if pipelining else ", relay without PIPELINING"
    handler.start()
    port = handler.port
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="coproduce-once-") as tmp:
        env = {
            **os.environ,
            "COPRODUCE_DATA_DIR": tmp,
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(port),
            # Recovery after a kill must not wait for leases: a dead local worker's claims are
            # released when the next worker starts. A long lease proves that path is taken.
            "COPRODUCE_OUTBOX_LEASE_SECONDS": "3600",
            "PYTHONUNBUFFERED": "1",
            # This tree's code, wherever the virtualenv's editable install points.
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        }
        env.pop("DATABASE_URL", None)
        if database_url:
            env["DATABASE_URL"] = database_url
        log = Path(tmp) / "worker.log"
        try:
            subprocess.run(
                [*_coproduce(), "migrate", "--noinput", "-v", "0"], env=env, cwd=ROOT, check=True
            )
            queued = _django(env, SEED_CODE.replace("range(N)", f"range({n})"))["queued"]
            if queued != n:
                print(f"{label}: expected {n} rows queued, got {queued}")
                return False
            worker = _start_worker(env, log)
            kills: list[int] = []
            for fraction, offset in zip(KILL_AT, KILL_OFFSET, strict=True):
                target = int(n * fraction) + offset
                while handler.total() < target:
                    if worker.poll() is not None:
                        print(f"{label}: worker exited early ({worker.returncode}); log:")
                        print(log.read_text()[-3000:])
                        return False
                    if time.monotonic() - started > TIMEOUT_S:
                        print(f"{label}: timed out waiting for {target} messages")
                        return False
                    time.sleep(0.002)
                worker.send_signal(signal.SIGKILL)
                worker.wait()
                kills.append(handler.total())
                if os.environ.get("ONCE_DEBUG"):
                    print(_django(env, REPORT_CODE))
                worker = _start_worker(env, log)
            deadline = time.monotonic() + TIMEOUT_S
            report: dict[str, Any] = {}
            while time.monotonic() < deadline:
                report = _django(env, REPORT_CODE)
                busy = report["statuses"].get("queued", 0) + report["statuses"].get("sending", 0)
                if not busy and handler.total() >= n:
                    break
                time.sleep(0.5)
            time.sleep(1.0)  # anything late would be a duplicate: give it a moment to show
            worker.terminate()
            worker.wait(timeout=30)
        finally:
            handler.stop()
    expected = {f"person{i:06d}@example.org" for i in range(n)}
    received = set(handler.per_recipient)
    duplicates = sum(count - 1 for count in handler.per_recipient.values() if count > 1)
    missing = len(expected - received)
    unexpected = len(received - expected)
    seconds = time.monotonic() - started
    sent = report.get("statuses", {}).get("sent", 0)
    ok = duplicates == 0 and missing == 0 and unexpected == 0 and sent == n
    print(
        f"{label}: {n} recipients, SIGKILL after {kills} accepted; server received "
        f"{handler.total()} messages: {duplicates} duplicates, {missing} missing, "
        f"{unexpected} unexpected; outbox rows {report.get('statuses')}, "
        f"{report.get('retried')} sent again after recovery (attempts {report.get('attempts')}), "
        f"{report.get('ambiguous')} marked ambiguous; {seconds:.1f} s -> "
        f"{'OK' if ok else 'FAILED'}"
    )
    return ok


def _scratch_postgres(url: str) -> tuple[str, str]:
    import psycopg

    name = f"coproduce_once_{os.getpid()}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    base, _, _ = url.rpartition("/")
    return f"{base}/{name}", name


def _drop_postgres(url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sqlite", type=int, default=2000, help="recipients on SQLite (0 skips)")
    parser.add_argument("--postgres", type=int, default=0, help="recipients on PostgreSQL")
    parser.add_argument("--postgres-url", default="postgres://postgres@127.0.0.1:5432/test")
    parser.add_argument(
        "--pipelining",
        choices=("yes", "no", "both"),
        default="both",
        help="whether the server offers PIPELINING (RFC 2920); both: one run each",
    )
    args = parser.parse_args()
    offers = {"yes": [True], "no": [False], "both": [True, False]}[args.pipelining]
    ok = True
    for pipelining in offers:
        if args.sqlite:
            ok &= run("SQLite", args.sqlite, None, pipelining=pipelining)
        if args.postgres:
            url, name = _scratch_postgres(args.postgres_url)
            try:
                ok &= run("PostgreSQL", args.postgres, url, pipelining=pipelining)
            finally:
                _drop_postgres(args.postgres_url, name)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
