"""Dispatch rate of the outbox against a raw smtplib loop, to the same local SMTP server.

`make bench` runs this after the page figures (bench/run.py). It makes its own throw-away
installation (SQLite unless BENCH_DATABASE_URL names a PostgreSQL database), creates
BENCH_DISPATCH (10,000) associates who agreed to the Engage newsletter, queues one personalised
newsletter to all of them, and starts an SMTP server (aiosmtpd's Sink handler, in its own
process, so it competes with neither side). Then, against that one server:

- raw: the same 10,000 messages (built from the outbox rows beforehand, not timed) sent by a
  plain `smtplib` loop over one connection: `sendmail(from, [to], bytes)` each;
- dispatch: `outbox.dispatch_due()`, the worker's code path: claim batches, render and
  personalise each message, commit each row as sent before the final dot, over one connection
  per batch.

It prints both rates and dispatch / raw. The last line is a JSON object for run.py.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _coproduce() -> list[str]:
    script = Path(sys.executable).parent / "coproduce"
    return [str(script)] if script.exists() else [sys.executable, "-m", "coproduce"]


def inside(n: int) -> dict[str, float]:
    """Runs inside the installation (Django set up): seed, queue, then time both senders."""
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
            for i in range(n)
        ],
        batch_size=2000,
    )
    body = (
        "## News from the collaboration\n\nOur *return to work after stroke* study has "
        "reported. [Read the summary](https://example.org/summary).\n\n- Three new diffusion "
        "fellows\n- The annual conference is in June\n"
    )
    mailing = Mailing.objects.create(
        kind="engage", channel="engage", subject="Engage: bench", body=body, slug="bench"
    )
    queued = outbox.queue_mailing(mailing)
    rows = OutboxMessage.objects.filter(mailing=mailing).select_related("associate", "mailing")
    prepared = [
        (m.from_email, m.recipients(), m.message().as_bytes(linesep="\r\n"))
        for m in (build_email(row) for row in rows)
    ]
    started = time.perf_counter()
    with smtplib.SMTP(settings.EMAIL_HOST, settings.EMAIL_PORT) as smtp:
        for sender, recipients, data in prepared:
            smtp.sendmail(sender, recipients, data)
    raw_s = time.perf_counter() - started
    started = time.perf_counter()
    result = outbox.dispatch_due(max_seconds=3600)
    dispatch_s = time.perf_counter() - started
    if result.sent != queued:
        raise SystemExit(f"dispatch sent {result.sent} of {queued}")
    return {
        "messages": queued,
        "raw_seconds": round(raw_s, 2),
        "dispatch_seconds": round(dispatch_s, 2),
        "raw_per_s": round(queued / raw_s, 1),
        "dispatch_per_s": round(queued / dispatch_s, 1),
        "ratio": round(raw_s / dispatch_s, 2),
    }


def main() -> int:
    if len(sys.argv) == 3 and sys.argv[1] == "--inside":
        print(json.dumps(inside(int(sys.argv[2]))))
        return 0
    n = int(os.environ.get("BENCH_DISPATCH", "10000"))
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
            out = subprocess.run(
                [sys.executable, __file__, "--inside", str(n)],
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
        f"ratio {figures['ratio']:.2f}"
    )
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
