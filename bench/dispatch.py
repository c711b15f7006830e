"""Dispatch rate of the outbox against a raw smtplib loop, to the same local SMTP server.

`make bench` runs this after the page figures (bench/run.py). It makes its own throw-away
installation (SQLite unless BENCH_DATABASE_URL names a PostgreSQL database, which must be a
fresh scratch one), and starts an SMTP server (aiosmtpd's Sink handler, in its own process, so
it competes with neither side). BENCH_DISPATCH (10,000) messages are sent each way in
BENCH_DISPATCH_ROUNDS (4) rounds: BENCH_DISPATCH / rounds associates who agreed to the Engage
newsletter, one personalised newsletter to all of them per round. Each round, against that
one server:

- raw: the round's messages (built from the outbox rows beforehand, not timed) sent by a
  plain `smtplib` loop over one connection: `sendmail(from, [to], bytes)` each;
- dispatch: `outbox.dispatch_due()` for the round's newsletter (the others are paused), the
  worker's code path: claim batches, render and personalise each message, commit each row as
  sent before the final dot, over one connection.

Alternating the two round by round means a change in the machine's load hits both alike. It
prints both rates, dispatch / raw, and the CPU per message of this process and of the SMTP
server for each (from /proc on Linux): on a shared machine the CPU figures are steadier than
the rates. BENCH_DISPATCH_PROFILE=FILE profiles the dispatch side (FILE.pstats: cProfile,
otherwise pyinstrument's text report; `pip install pyinstrument`). The last line is a JSON
object for run.py.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _coproduce() -> list[str]:
    script = Path(sys.executable).parent / "coproduce"
    return [str(script)] if script.exists() else [sys.executable, "-m", "coproduce"]


def inside(n: int, rounds: int) -> dict[str, Any]:
    """Runs inside the installation (Django set up): seed, queue, then time both senders,
    alternating round by round so that a change in the machine's load hits both alike."""
    import smtplib

    import django

    django.setup()
    from django.conf import settings
    from django.utils import timezone

    from coproduce.comms import outbox
    from coproduce.comms.models import Mailing, OutboxMessage
    from coproduce.comms.render import build_email
    from coproduce.community.models import Associate

    now = timezone.now()
    people = max(1, n // rounds)
    Associate.objects.bulk_create(
        [
            Associate(
                full_name=f"Bench Person{i}",
                email=f"dispatch{i:06d}@example.org",
                role="clinician",
                status="active",
                confirmed=now,
                consent_engage=True,
            )
            for i in range(people)
        ],
        batch_size=2000,
    )
    body = (
        "## News from the collaboration\n\nOur *return to work after stroke* study has "
        "reported. [Read the summary](https://example.org/summary).\n\n- Three new diffusion "
        "fellows\n- The annual conference is in June\n"
    )
    # One newsletter per round, each to everyone; all but the round's own are held back.
    mailings = []
    queued = 0
    for number in range(rounds):
        mailing = Mailing.objects.create(
            kind="engage",
            channel="engage",
            subject=f"Engage: bench {number + 1}",
            body=body,
            slug=f"bench-{number + 1}",
        )
        queued += outbox.queue_mailing(mailing)
        Mailing.objects.filter(pk=mailing.pk).update(status=Mailing.Status.PAUSED)
        mailings.append(mailing)

    server_cpu = _server_cpu_reader()
    profile_to = os.environ.get("BENCH_DISPATCH_PROFILE", "")
    profiler: Any = None
    if profile_to.endswith(".pstats"):
        import cProfile

        profiler = cProfile.Profile()
    elif profile_to:
        from pyinstrument import Profiler  # not a dependency: pip install pyinstrument

        profiler = Profiler(interval=0.0005)
    totals = dict.fromkeys(("raw", "raw_cpu", "raw_server", "dispatch", "d_cpu", "d_server"), 0.0)
    sent = 0
    for mailing in mailings:
        rows = OutboxMessage.objects.filter(mailing=mailing).select_related("associate", "mailing")
        prepared = [
            (m.from_email, m.recipients(), m.message().as_bytes(linesep="\r\n"))
            for m in (build_email(row) for row in rows)
        ]
        server_before, cpu_before = server_cpu(), time.process_time()
        started = time.perf_counter()
        with smtplib.SMTP(settings.EMAIL_HOST, settings.EMAIL_PORT) as smtp:
            for sender, recipients, data in prepared:
                smtp.sendmail(sender, recipients, data)
        totals["raw"] += time.perf_counter() - started
        totals["raw_cpu"] += time.process_time() - cpu_before
        totals["raw_server"] += server_cpu() - server_before

        Mailing.objects.filter(pk=mailing.pk).update(status=Mailing.Status.SENDING)
        if profiler is not None:
            profiler.enable() if profile_to.endswith(".pstats") else profiler.start()
        server_before, cpu_before = server_cpu(), time.process_time()
        started = time.perf_counter()
        result = outbox.dispatch_due(max_seconds=3600)
        totals["dispatch"] += time.perf_counter() - started
        totals["d_cpu"] += time.process_time() - cpu_before
        totals["d_server"] += server_cpu() - server_before
        if profiler is not None:
            profiler.disable() if profile_to.endswith(".pstats") else profiler.stop()
        sent += result.sent
    if profile_to.endswith(".pstats"):
        profiler.dump_stats(profile_to)
    elif profiler is not None:
        Path(profile_to).write_text(profiler.output_text(unicode=False, color=False))
    if sent != queued:
        raise SystemExit(f"dispatch sent {sent} of {queued}")
    raw_s, dispatch_s = totals["raw"], totals["dispatch"]
    return {
        "messages": queued,
        "rounds": rounds,
        "raw_seconds": round(raw_s, 2),
        "dispatch_seconds": round(dispatch_s, 2),
        "raw_per_s": round(queued / raw_s, 1),
        "dispatch_per_s": round(queued / dispatch_s, 1),
        "ratio": round(raw_s / dispatch_s, 2),
        # CPU per message (ms) of this process and of the SMTP server, for each sender.
        "raw_client_ms": round(1000 * totals["raw_cpu"] / queued, 3),
        "raw_server_ms": round(1000 * totals["raw_server"] / queued, 3),
        "dispatch_client_ms": round(1000 * totals["d_cpu"] / queued, 3),
        "dispatch_server_ms": round(1000 * totals["d_server"] / queued, 3),
    }


def _server_cpu_reader() -> Callable[[], float]:
    """CPU seconds used so far by the SMTP server process (Linux /proc), or 0."""
    pid = os.environ.get("BENCH_SMTP_PID", "")
    stat = Path(f"/proc/{pid}/stat")
    ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100

    def read() -> float:
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / ticks  # utime, stime

    return read if pid else (lambda: 0.0)


def main() -> int:
    if len(sys.argv) == 4 and sys.argv[1] == "--inside":
        print(json.dumps(inside(int(sys.argv[2]), int(sys.argv[3]))))
        return 0
    n = int(os.environ.get("BENCH_DISPATCH", "10000"))
    rounds = max(1, int(os.environ.get("BENCH_DISPATCH_ROUNDS", "4")))
    port = _free_port()
    with tempfile.TemporaryDirectory(prefix="coproduce-dispatch-") as tmp:
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL",)}
        env.update(
            COPRODUCE_DATA_DIR=tmp,
            DJANGO_SETTINGS_MODULE="coproduce.settings",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(port),
            COPRODUCE_LOG_LEVEL="WARNING",
        )
        if os.environ.get("BENCH_DATABASE_URL"):
            env["DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "aiosmtpd",
                "-n",
                "-c",
                "aiosmtpd.handlers.Sink",
                "-l",
                f"127.0.0.1:{port}",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            for _ in range(100):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    time.sleep(0.05)
            subprocess.run([*_coproduce(), "migrate", "--noinput", "-v", "0"], env=env, check=True)
            env["BENCH_SMTP_PID"] = str(server.pid)
            out = subprocess.run(
                [sys.executable, __file__, "--inside", str(n), str(rounds)],
                env=env,
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=False,
            )
            if out.returncode != 0:
                print(out.stdout, out.stderr, file=sys.stderr)
                return 1
            figures = json.loads(out.stdout.strip().splitlines()[-1])
        finally:
            server.terminate()
            server.wait(timeout=10)
    print(
        f"dispatch: {figures['messages']:,} personalised messages; raw smtplib loop "
        f"{figures['raw_per_s']:,.0f}/s, outbox dispatch {figures['dispatch_per_s']:,.0f}/s; "
        f"ratio {figures['ratio']:.2f}\n"
        f"CPU per message: raw client {figures['raw_client_ms']} ms + server "
        f"{figures['raw_server_ms']} ms; dispatch client {figures['dispatch_client_ms']} ms + "
        f"server {figures['dispatch_server_ms']} ms"
    )
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
