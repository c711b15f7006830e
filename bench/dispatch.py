"""Dispatch rate of the outbox against a raw SMTP loop, to the same local SMTP server.

`make bench` runs this after the page figures (bench/run.py), on SQLite and, when PostgreSQL
answers, on PostgreSQL. For each database it makes its own throw-away installation (SQLite in
a temporary directory; with BENCH_DATABASE_URL, that PostgreSQL database, whose name must
contain "bench": it is DROPPED and created again) and measures against two relays, each in its
own process so that it competes with neither side:

- smtp-sink (Postfix's test server, Debian package postfix: /usr/sbin/smtp-sink), which offers
  PIPELINING, as Postfix and most production relays do;
- aiosmtpd's Sink handler, which does not (one round trip per SMTP command).

BENCH_DISPATCH (10,000) messages are sent each way to each relay, in BENCH_DISPATCH_ROUNDS (4)
rounds: BENCH_DISPATCH / rounds associates who agreed to the Engage newsletter, one
personalised newsletter to all of them per round and relay. Each round, relay by relay:

- raw: the round's messages (built from the outbox rows beforehand, not timed) sent by a
  plain `smtplib` loop over one connection: `sendmail(from, [to], bytes)` each. This is the
  yardstick: the ratio is dispatch's rate over this one's;
- raw pipelined (only where the relay offers PIPELINING): the same messages over one
  connection by a hand-written loop that sends each message's body, its final dot and the
  next message's MAIL, RCPT and DATA in one write (RFC 2920): one round trip a message, the
  least any SMTP client can do. A stricter yardstick than smtplib, which never pipelines;
- dispatch: `outbox.dispatch_due()` for the round's newsletter (the others are paused), the
  worker's code path: claim batches, render and personalise each message, commit each row as
  sent before the final dot, over one connection.

Alternating the senders round by round means a change in the machine's load hits all alike.
It prints the rates, dispatch / raw, and the CPU per message of this process and of the SMTP
server for each (from /proc on Linux): on a shared machine the CPU figures are steadier than
the rates. BENCH_DISPATCH_RELAYS ("smtp-sink,aiosmtpd") picks the relays;
BENCH_DISPATCH_SQLITE=0 skips SQLite. BENCH_DISPATCH_PROFILE=FILE.pstats profiles the dispatch
side with cProfile, in CPU time (one file per database and relay: FILE.<database>.<relay>.pstats). The last
line is a JSON object for run.py.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SMTP_SINK = shutil.which("smtp-sink") or (
    "/usr/sbin/smtp-sink" if Path("/usr/sbin/smtp-sink").exists() else ""
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _coproduce() -> list[str]:
    script = Path(sys.executable).parent / "coproduce"
    return [str(script)] if script.exists() else [sys.executable, "-m", "coproduce"]


def _seed(people: int, mailings_needed: int) -> list[Any]:
    """`people` associates who agreed to Engage and `mailings_needed` newsletters to all of
    them, queued and paused."""
    from django.utils import timezone

    from coproduce.comms import outbox
    from coproduce.comms.models import Mailing
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
            for i in range(people)
        ],
        batch_size=2000,
    )
    body = (
        "## News from the collaboration\n\nOur *return to work after stroke* study has "
        "reported. [Read the summary](https://example.org/summary).\n\n- Three new diffusion "
        "fellows\n- The annual conference is in June\n"
    )
    mailings = []
    for number in range(mailings_needed):
        mailing = Mailing.objects.create(
            kind="engage",
            channel="engage",
            subject=f"Engage: bench {number + 1}",
            body=body,
            slug=f"bench-{number + 1}",
        )
        outbox.queue_mailing(mailing)
        Mailing.objects.filter(pk=mailing.pk).update(status=Mailing.Status.PAUSED)
        mailings.append(mailing)
    return mailings


def _timed(
    figures: dict[str, float], sender: str, server_cpu: Callable[[], float], send: Callable[[], int]
) -> None:
    server_before, cpu_before = server_cpu(), time.process_time()
    started = time.perf_counter()
    count = send()
    figures[f"{sender}_s"] += time.perf_counter() - started
    figures[f"{sender}_cpu"] += time.process_time() - cpu_before
    figures[f"{sender}_server"] += server_cpu() - server_before
    figures[f"{sender}_n"] += count


def _dispatch(profiler: Any) -> int:
    from coproduce.comms import outbox

    if profiler is not None:
        profiler.enable()
    try:
        return outbox.dispatch_due(max_seconds=3600).sent
    finally:
        if profiler is not None:
            profiler.disable()


def _raw_smtplib(host: str, port: int, prepared: list[tuple[str, list[str], bytes]]) -> int:
    import smtplib

    with smtplib.SMTP(host, port) as smtp:
        for sender, recipients, data in prepared:
            smtp.sendmail(sender, recipients, data)
    return len(prepared)


_DOT = re.compile(rb"(?m)^\.")


def _raw_pipelined(host: str, port: int, prepared: list[tuple[str, list[str], bytes]]) -> int:
    """One write a message: its body, its final dot and the next message's envelope and DATA
    (RFC 2920), then its answers. The fewest round trips an SMTP client can make."""
    import smtplib

    def envelope(sender: str, recipients: list[str]) -> bytes:
        rcpts = "".join(f"RCPT TO:<{r}>\r\n" for r in recipients)
        return f"MAIL FROM:{smtplib.quoteaddr(sender)}\r\n{rcpts}DATA\r\n".encode()

    with smtplib.SMTP(host, port) as smtp:
        smtp.ehlo()
        if not smtp.has_extn("pipelining"):
            raise SystemExit("raw pipelined loop: the relay does not offer PIPELINING")
        sock = smtp.sock
        assert sock is not None
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.sendall(envelope(*prepared[0][:2]))
        for index, (_, recipients, data) in enumerate(prepared):
            for expected in (250, *[250] * len(recipients), 354):
                code, reply = smtp.getreply()
                if code != expected and not (expected == 250 and code == 251):
                    raise SystemExit(f"raw pipelined loop: {code} {reply!r}")
            body = _DOT.sub(b"..", data)
            if not body.endswith(b"\r\n"):
                body += b"\r\n"
            following = b""
            if index + 1 < len(prepared):
                following = envelope(*prepared[index + 1][:2])
            sock.sendall(body + b".\r\n" + following)
            code, reply = smtp.getreply()
            if code != 250:
                raise SystemExit(f"raw pipelined loop: {code} {reply!r}")
    return len(prepared)


def inside(n: int, rounds: int, relays: list[dict[str, Any]], label: str) -> dict[str, Any]:
    """Runs inside the installation (Django set up): seed, queue, then time the senders against
    each relay, alternating round by round so that a change in the machine's load hits all
    alike."""
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    from coproduce.comms.models import Mailing, OutboxMessage
    from coproduce.comms.render import build_email

    people = max(1, n // rounds)
    mailings = _seed(people, rounds * len(relays))
    profile_to = os.environ.get("BENCH_DISPATCH_PROFILE", "")
    profilers: dict[str, Any] = {}
    if profile_to:
        import cProfile

        # CPU time, not wall time: on a shared machine the wall clock also counts the time
        # this process waited for a core.
        profilers = {relay["name"]: cProfile.Profile(time.process_time) for relay in relays}
    senders = ("raw", "pipelined", "dispatch")
    totals = {
        relay["name"]: {f"{s}_{k}": 0.0 for s in senders for k in ("s", "cpu", "server", "n")}
        for relay in relays
    }
    for number, mailing in enumerate(mailings):
        relay = relays[number % len(relays)]
        name, port = relay["name"], int(relay["port"])
        server_cpu = _server_cpu_reader(relay.get("pid"))
        rows = OutboxMessage.objects.filter(mailing=mailing).select_related("associate", "mailing")
        prepared = [
            (m.from_email, m.recipients(), m.message().as_bytes(linesep="\r\n"))
            for m in (build_email(row) for row in rows)
        ]
        figures = totals[name]
        host = settings.EMAIL_HOST
        _timed(figures, "raw", server_cpu, partial(_raw_smtplib, host, port, prepared))
        if relay["pipelining"]:
            _timed(figures, "pipelined", server_cpu, partial(_raw_pipelined, host, port, prepared))
        settings.EMAIL_PORT = port
        Mailing.objects.filter(pk=mailing.pk).update(status=Mailing.Status.SENDING)
        _timed(figures, "dispatch", server_cpu, partial(_dispatch, profilers.get(name)))
    for name, profiler in profilers.items():
        profiler.dump_stats(f"{profile_to.removesuffix('.pstats')}.{label}.{name}.pstats")
    queued = people * rounds
    results: dict[str, Any] = {"database": label, "vendor": connection.vendor, "relays": {}}
    for relay in relays:
        name = relay["name"]
        t = totals[name]
        if t["dispatch_n"] != queued:
            raise SystemExit(f"{label}, {name}: dispatch sent {t['dispatch_n']:.0f} of {queued}")
        entry: dict[str, Any] = {"messages": queued, "rounds": rounds}
        for sender in senders:
            if not t[f"{sender}_n"]:
                continue
            entry[f"{sender}_per_s"] = round(queued / t[f"{sender}_s"], 1)
            # CPU per message (ms) of this process and of the SMTP server.
            entry[f"{sender}_client_ms"] = round(1000 * t[f"{sender}_cpu"] / queued, 3)
            entry[f"{sender}_server_ms"] = round(1000 * t[f"{sender}_server"] / queued, 3)
        entry["ratio"] = round(t["raw_s"] / t["dispatch_s"], 2)
        if t["pipelined_n"]:
            entry["ratio_pipelined"] = round(t["pipelined_s"] / t["dispatch_s"], 2)
        results["relays"][name] = entry
    return results


def _server_cpu_reader(pid: Any) -> Callable[[], float]:
    """CPU seconds used so far by the SMTP server process (Linux /proc), or 0."""
    stat = Path(f"/proc/{pid}/stat")
    ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100

    def read() -> float:
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / ticks  # utime, stime

    return read if pid else (lambda: 0.0)


def _wait_for(port: int) -> None:
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"no SMTP server came up on port {port}")


def _start_relay(name: str) -> tuple[subprocess.Popen[bytes], dict[str, Any]]:
    port = _free_port()
    if name == "smtp-sink":
        if not SMTP_SINK:
            raise SystemExit("smtp-sink is not installed (Debian: apt-get install postfix)")
        # One process, no capture; PIPELINING, 8BITMIME and ESMTP are offered by default.
        command = [SMTP_SINK, "-4", f"127.0.0.1:{port}", "100"]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            command[1:1] = ["-u", "nobody"]  # it refuses to run as root
    elif name == "aiosmtpd":
        command = [sys.executable, "-m", "aiosmtpd", "-n", "-c", "aiosmtpd.handlers.Sink"]
        command += ["-l", f"127.0.0.1:{port}"]
    else:
        raise SystemExit(f"unknown relay {name!r}: smtp-sink or aiosmtpd")
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _wait_for(port)
    return server, {"name": name, "port": port, "pid": server.pid, "pipelining": _offers(port)}


def _offers(port: int) -> bool:
    import smtplib

    with smtplib.SMTP("127.0.0.1", port) as smtp:
        smtp.ehlo()
        return bool(smtp.has_extn("pipelining"))


def _scratch_postgres(url: str) -> str:
    """Drop and create the database `url` names (it must contain "bench"): `make bench`'s own
    (bench/run.py), so that both refuse the same names."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import run

    try:
        return str(run._scratch_postgres(url))
    except run.BenchError as error:
        raise SystemExit(str(error)) from error


def _run_database(
    label: str, database_url: str, n: int, rounds: int, relays: list[dict[str, Any]]
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="coproduce-dispatch-") as tmp:
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL",)}
        env.update(
            COPRODUCE_DATA_DIR=tmp,
            DJANGO_SETTINGS_MODULE="coproduce.settings",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(relays[0]["port"]),
            COPRODUCE_LOG_LEVEL="WARNING",
            # This tree's code, wherever the virtualenv's editable install points.
            PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        )
        if database_url:
            env["DATABASE_URL"] = database_url
        subprocess.run([*_coproduce(), "migrate", "--noinput", "-v", "0"], env=env, check=True)
        out = subprocess.run(
            [sys.executable, __file__, "--inside", str(n), str(rounds), json.dumps(relays), label],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        if out.returncode != 0:
            print(out.stdout, out.stderr, file=sys.stderr)
            raise SystemExit(f"dispatch bench on {label} failed")
        return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> int:
    if len(sys.argv) == 6 and sys.argv[1] == "--inside":
        figures = inside(int(sys.argv[2]), int(sys.argv[3]), json.loads(sys.argv[4]), sys.argv[5])
        print(json.dumps(figures))
        return 0
    n = int(os.environ.get("BENCH_DISPATCH", "10000"))
    rounds = max(1, int(os.environ.get("BENCH_DISPATCH_ROUNDS", "4")))
    names = [
        name.strip()
        for name in os.environ.get("BENCH_DISPATCH_RELAYS", "smtp-sink,aiosmtpd").split(",")
        if name.strip()
    ]
    databases: list[tuple[str, str]] = []
    if os.environ.get("BENCH_DISPATCH_SQLITE", "1") != "0":
        databases.append(("sqlite", ""))
    if os.environ.get("BENCH_DATABASE_URL"):
        databases.append(("postgresql", os.environ["BENCH_DATABASE_URL"]))
    servers: list[subprocess.Popen[bytes]] = []
    results = []
    try:
        relays = []
        for name in names:
            server, relay = _start_relay(name)
            servers.append(server)
            relays.append(relay)
        for label, url in databases:
            version = _scratch_postgres(url) if url else "SQLite"
            figures = _run_database(label, url, n, rounds, relays)
            figures["version"] = version
            results.append(figures)
            for name, entry in figures["relays"].items():
                line = (
                    f"dispatch, {version}, {name}: {entry['messages']:,} personalised messages; "
                    f"raw smtplib loop {entry['raw_per_s']:,.0f}/s"
                )
                if "pipelined_per_s" in entry:
                    line += f", raw pipelined loop {entry['pipelined_per_s']:,.0f}/s"
                line += (
                    f", outbox dispatch {entry['dispatch_per_s']:,.0f}/s; "
                    f"ratio {entry['ratio']:.2f}"
                )
                if "ratio_pipelined" in entry:
                    line += f" (to the pipelined loop {entry['ratio_pipelined']:.2f})"
                cpu = "; ".join(
                    f"{sender} {entry[f'{sender}_client_ms']} + {entry[f'{sender}_server_ms']} ms"
                    for sender in ("raw", "pipelined", "dispatch")
                    if f"{sender}_client_ms" in entry
                )
                print(f"{line}\n  CPU a message, client + relay: {cpu}")
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=10)
    print(json.dumps({"dispatch": results}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
