"""Load the key pages with wrk at national scale and compare each with the bare layout page.

`make bench` runs this (on SQLite, then on PostgreSQL when one answers). It sets up a throw-away
installation: its own data directory, a temporary SQLite file or the scratch PostgreSQL database
named by BENCH_DATABASE_URL (dropped and created afresh), `migrate`, `loaddemo`, then
`loadsynthetic --scale national` (coproduce/demo/synthetic.py: 200,000 associates, 3,000
studies with their communities, 1M activity and audit rows, 2M outbox rows) from a fixed seed,
and bench/priorities.py's consultation. It serves it the way `make run` does (granian, WSGI, on
127.0.0.1 only), loads one page at a time with wrk, public pages anonymously and staff pages
with the demo manager's session cookie, and prints requests/second, p99 latency and both as a
ratio to the bare page measured in the same run; then the timed operations (analytics,
similarity, import, audience). See bench/README.md for how to read it.

Settings (environment):
  BENCH_DURATION     wrk duration per page, e.g. 5s (default), 30s, 1m
  BENCH_THREADS      wrk threads (default 2)
  BENCH_CONNECTIONS  wrk open connections (default 8)
  BENCH_WORKERS      granian worker processes (default 2)
  BENCH_SCALE        loadsynthetic scale: national (default) or small (a quick check)
  BENCH_IMPORT_ROWS  rows of the timed CSV import, run after the pages (default 100000; 0 skips)
  BENCH_RESPONDENTS  respondents of the generated priority setting consultation (default 2500)
  BENCH_SUBMISSIONS  free-text submissions in it (default 10000), see bench/priorities.py
  BENCH_PAGES        comma-separated page names to load (default: all), for quick iterations
  BENCH_REUSE_DIR    a data directory to prepare once and reuse (for quick iterations with
                     BENCH_IMPORT_ROWS=0: the import changes the data). With
                     BENCH_DATABASE_URL, the scratch database is kept too once prepared (it
                     is dropped and re-created only while the directory has no record of a
                     finished preparation). Each reuse runs `migrate` first, so the code's
                     newest migrations apply to the prepared data.
  BENCH_DATABASE_URL a scratch PostgreSQL database to use instead of a temporary SQLite file,
                     e.g. postgres://postgres@127.0.0.1:5432/bench_coproduce. Its name must
                     contain "bench" (and is never "test"): it is DROPPED and created again.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

HOST = "127.0.0.1"
BENCH_DIR = Path(__file__).resolve().parent
OUT_DIR = BENCH_DIR / "out"
STUDY_TITLE = "Return to work after stroke"
START_TIMEOUT_S = 60
STOP_TIMEOUT_S = 20
SEED = 20240601  # fixed: the consultation, the import file
SYNTHETIC_SEED = 20261129  # fixed: `loadsynthetic --seed`, so every run loads the same rows
ASSOCIATES_SCRIPT = BENCH_DIR / "associates.py"
PRIORITIES_SCRIPT = BENCH_DIR / "priorities.py"
ANALYTICS_SCRIPT = BENCH_DIR / "analytics.py"


@dataclass
class Result:
    name: str
    path: str
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: str
    staff: bool = False


class BenchError(Exception):
    """A failure worth one clear line, not a traceback."""


def _env_text(name: str, default: str, pattern: str) -> str:
    value = os.environ.get(name, "").strip() or default
    if not re.fullmatch(pattern, value):
        raise BenchError(f"{name}={value!r} is not valid (expected to match {pattern})")
    return value


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def _coproduce_command() -> list[str]:
    """The venv's `coproduce` console script, next to the Python running this file."""
    script = Path(sys.executable).parent / "coproduce"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "coproduce"]


def _run(cmd: list[str], env: dict[str, str], what: str) -> str:
    started = time.monotonic()
    completed = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise BenchError(
            f"{what} failed (exit {completed.returncode}):\n{completed.stdout}{completed.stderr}"
        )
    print(f"  {what}: {time.monotonic() - started:.1f} s")
    return completed.stdout


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect (say, to the sign-in page) is an answer to report, not to follow."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def _get(
    url: str, timeout: float = 5.0, headers: dict[str, str] | None = None
) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def _wait_until_healthy(base: str, server: subprocess.Popen[bytes], log: Path) -> dict[str, str]:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise BenchError(f"the server exited with {server.returncode}:\n{_tail(log)}")
        try:
            status, body = _get(f"{base}/healthz", timeout=2)
        except (OSError, urllib.error.URLError):
            time.sleep(0.2)
            continue
        if status == 200:
            return dict(json.loads(body))
        time.sleep(0.2)
    raise BenchError(f"/healthz did not answer 200 within {START_TIMEOUT_S} s:\n{_tail(log)}")


def _tail(log: Path, lines: int = 40) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no server log)"


def _stop(server: subprocess.Popen[bytes]) -> None:
    """SIGTERM to `coproduce serve` (it stops granian); then its process group if need be."""
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            print("  server did not stop on SIGTERM; killing its process group", file=sys.stderr)
    # The server was started in its own session, so its process group id is its pid: this
    # reaches granian's workers too if anything was left behind, and nothing else.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(server.pid, signal.SIGKILL)
    server.wait(timeout=STOP_TIMEOUT_S)


def _cpu_ticks(session: int) -> int:
    """CPU time (clock ticks) used so far by every process of the server's session."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[3]) == session:  # field 6 of stat: the session id
            total += int(fields[11]) + int(fields[12])  # utime + stime
    return total


def _wait_idle(server: subprocess.Popen[bytes], limit_s: float = 300.0) -> float:
    """Wait until the server has finished the requests wrk left behind (a slow page's backlog
    would otherwise be billed to the next page); seconds waited. Linux only, else no wait."""
    if not Path("/proc/self/stat").exists():
        return 0.0
    started = time.monotonic()
    ticks = os.sysconf("SC_CLK_TCK")
    before = _cpu_ticks(server.pid)
    while time.monotonic() - started < limit_s:
        time.sleep(0.5)
        after = _cpu_ticks(server.pid)
        if after - before < ticks * 0.5 * 0.1:  # under 10% of one CPU for half a second
            break
        before = after
    return time.monotonic() - started


_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(value: str, unit: str) -> float:
    return float(value) * _UNITS_MS[unit]


def parse_wrk(output: str) -> tuple[float, float, float, int, str]:
    """requests/s, p50 ms, p99 ms, request count and any errors, from `wrk --latency` output."""
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.M)
    p50 = re.search(r"^\s+50%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.M)
    p99 = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.M)
    total = re.search(r"^\s+(\d+) requests in ", output, re.M)
    if not (rps and p50 and p99 and total):
        raise BenchError(f"could not read wrk's output:\n{output}")
    problems = []
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    if non_2xx:
        problems.append(f"{non_2xx.group(1)} non-2xx/3xx")
    sockets = re.search(r"Socket errors:\s+(.*)", output)
    if sockets:
        problems.append(f"socket errors: {sockets.group(1).strip()}")
    return (
        float(rps.group(1)),
        _ms(*p50.groups()),
        _ms(*p99.groups()),
        int(total.group(1)),
        "; ".join(problems),
    )


def _wrk(
    wrk: str, url: str, threads: str, connections: str, duration: str, headers: dict[str, str]
) -> str:
    # A 30 s timeout (wrk's default is 2 s) so that a slow page is measured, not dropped.
    cmd = [wrk, f"-t{threads}", f"-c{connections}", f"-d{duration}", "--timeout", "30s"]
    cmd.append("--latency")
    for name, value in headers.items():
        cmd += ["-H", f"{name}: {value}"]
    cmd.append(url)
    completed = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise BenchError(f"wrk failed on {url}:\n{completed.stdout}{completed.stderr}")
    return completed.stdout


_FACTS = f"""
import json
from coproduce.community.models import Associate, CommunityOfPractice
from coproduce.registry.models import Person, Study
study = Study.objects.filter(title={STUDY_TITLE!r}).first() or Study.objects.order_by("pk").first()
cop = CommunityOfPractice.objects.order_by("-member_count", "pk").first()
print(json.dumps({{
    "study": study.get_absolute_url(), "study_slug": study.slug,
    "cop_slug": cop.slug, "cop_members": cop.member_count,
    "associates": Associate.objects.count(), "studies": Study.objects.count(),
    "people": Person.objects.count(), "cops": CommunityOfPractice.objects.count(),
}}))
"""


def _facts(env: dict[str, str]) -> dict[str, object]:
    """The pages to load (a study, the largest community) and the data's size."""
    out = _run([*_coproduce_command(), "shell", "-c", _FACTS], env, "find the pages to load")
    try:
        facts = dict(json.loads(out.strip().splitlines()[-1]))
    except (IndexError, ValueError) as exc:
        raise BenchError(f"could not read the pages to load from {out!r}") from exc
    if not str(facts["study"]).startswith("/studies/"):
        raise BenchError(f"could not find a study page to load (got {facts['study']!r})")
    return facts


def _scratch_postgres(url: str) -> str:
    """Drop and create the scratch database BENCH_DATABASE_URL names; say which it is."""
    import psycopg

    parsed = urllib.parse.urlsplit(url)
    name = parsed.path.lstrip("/")
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) or "bench" not in name or name == "test":
        raise BenchError(
            f"BENCH_DATABASE_URL names the database {name!r}: the bench drops and re-creates it,"
            " so its name must contain 'bench' (e.g. bench_coproduce)"
        )
    admin = urllib.parse.urlunsplit(parsed._replace(path="/postgres"))
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
            row = conn.execute("SHOW server_version").fetchone()
    except psycopg.Error as exc:
        raise BenchError(f"could not (re)create the scratch database {name!r}: {exc}") from exc
    version = str(row[0]).split()[0] if row else "?"
    return f"PostgreSQL {version} (scratch database `{name}`, dropped and re-created)"


def _associates(
    env: dict[str, str], what: str, *args: str, script: Path = ASSOCIATES_SCRIPT
) -> dict[str, object]:
    """Run one bench/associates.py (or `script`) command; its last line of output is a JSON
    object."""
    out = _run([sys.executable, str(script), *args], env, what)
    lines = out.strip().splitlines()
    try:
        return dict(json.loads(lines[-1]))
    except (IndexError, ValueError) as exc:
        raise BenchError(f"{what}: could not read its output:\n{out}") from exc


def _machine(health: dict[str, str], workers: str, database: str) -> list[str]:
    import django

    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        usable = os.cpu_count() or 0
    try:
        commit = subprocess.run(
            ["git", "-C", str(BENCH_DIR.parent), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
        if (
            commit
            and subprocess.run(
                [
                    "git",
                    "-C",
                    str(BENCH_DIR.parent),
                    "status",
                    "--porcelain",
                    "--untracked-files=no",
                ],
                capture_output=True,
                text=True,
                check=False,
            ).stdout.strip()
        ):
            commit += " with uncommitted changes"
    except OSError:
        commit = ""
    try:
        load = f" (load average {os.getloadavg()[0]:.1f} at the end)"
    except OSError:
        load = ""
    return [
        f"- date: {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')}"
        + (f", commit {commit}" if commit else ""),
        f"- machine: {usable} usable CPU(s) (nproc){load}, {platform.system()}"
        f" {platform.machine()}, Python {platform.python_version()}, Django {django.__version__}",
        f"- database: {database} (/healthz: {health.get('database', '?')})",
        f"- server: granian WSGI, {workers} workers, `coproduce serve"
        " --no-worker`, on 127.0.0.1; wrk runs on the same machine",
    ]


TARGET = 0.5  # every key page at least half its baseline's throughput
BARE_STAFF = "bare staff page"
TIMEPAGES_SCRIPT = BENCH_DIR / "timepages.py"


def _table(
    results: list[Result], bare: Result, staff: Result | None, single: dict[str, object]
) -> list[str]:
    """One row a page: throughput and p99 against both baselines, the in-process time of one
    request (`single`, from bench/timepages.py: page cache off), and the target: public pages
    and the bare staff page against the bare layout page, staff pages against the bare staff
    page (issue 22)."""
    lines = [
        "| page | path | req/s | p50 ms | p99 ms | req/s ratio to bare | to bare staff"
        " | p99 ratio to bare | one request in-process: wall ms, CPU ms (queries) | target 0.5 |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        ratio = r.requests_per_s / bare.requests_per_s if bare.requests_per_s else 0.0
        staff_ratio = (
            r.requests_per_s / staff.requests_per_s if staff and staff.requests_per_s else 0.0
        )
        p99_ratio = r.p99_ms / bare.p99_ms if bare.p99_ms else 0.0
        flag = f" ({r.errors})" if r.errors else ""
        who = " (staff)" if r.staff else ""
        against = staff_ratio if r.staff and r.name != BARE_STAFF and staff else ratio
        met = "met" if against >= TARGET else f"missed by {TARGET - against:.2f}"
        if 0 < against < 0.01:
            met = f"missed: {against:.4f} ({1 / against:,.0f} times slower than its baseline)"
        met = "-" if r is bare else met
        timed = single.get(r.name)
        one = f"{timed[0]:.1f}, cpu {timed[2]:.1f} ({timed[1]})" if isinstance(timed, list) else "-"
        head = f"| {r.name}{who}{flag} | `{r.path}` | {r.requests_per_s:,.0f}"
        if not r.requests:
            lines.append(
                f"{head} | - | - | 0 | 0 | - | {one} | missed: no request finished within the run |"
            )
            continue
        staff_cell = f"{staff_ratio:.2f}" if staff else "-"
        lines.append(
            f"{head} | {r.p50_ms:.1f} | {r.p99_ms:.1f} | {ratio:.2f} | {staff_cell}"
            f" | {p99_ratio:.1f}x | {one} | {met} |"
        )
    return lines


def _pages(facts: dict[str, object], priorities: dict[str, object]) -> list[tuple[str, str, bool]]:
    """(name, path, signed in) of every key page, the two baselines first: the bare layout
    page (public layout, no data, no session) and the bare staff page (staff layout and menu,
    signed in, no content)."""
    cop = facts["cop_slug"]
    consultation = f"/staff/priorities/{priorities['slug']}"
    return [
        ("bare layout", "/bench/bare/", False),
        (BARE_STAFF, "/staff/bench/bare/", True),
        ("home", "/", False),
        ("studies list", "/studies/", False),
        ("study page", str(facts["study"]), False),
        ("themes", "/themes/", False),
        ("who is who", "/who-is-who/", False),
        ("who is who: a list", "/who-is-who/diffusion-fellows/", False),
        ("communities", "/communities/", False),
        ("CoP page", f"/communities/{cop}/", False),
        ("news", "/news/", False),
        ("events", "/events/", False),
        ("priorities: public page", "/priorities/", False),
        ("staff home", "/staff/", True),
        ("directory", "/staff/associates/", True),
        ("directory, filtered", f"/staff/associates/?cop={cop}&consent=engage", True),
        ("staff study page", f"/staff/studies/{facts['study_slug']}/", True),
        ("CoP health", f"/staff/communities/{cop}/health/", True),
        ("governance dashboard", "/staff/governance/", True),
        ("implementation overview", "/staff/implementation/", True),
        (
            "evaluation: diffusion fellows",
            "/staff/implementation/evaluation/diffusion-fellows/",
            True,
        ),
        ("evaluation: communities", "/staff/implementation/evaluation/communities/", True),
        ("evaluation: engagement", "/staff/implementation/evaluation/engagement/", True),
        ("priorities: response rates", f"{consultation}/", True),
        ("priorities: submissions", f"{consultation}/submissions/", True),
        ("priorities: indicative qs", f"{consultation}/indicative/", True),
        ("priorities: interim ranking", f"{consultation}/ranking/{priorities['survey']}/", True),
        ("priorities: workshop", f"{consultation}/workshops/{priorities['workshop']}/", True),
    ]


def main() -> int:
    wrk = shutil.which("wrk") or ("/usr/bin/wrk" if os.path.exists("/usr/bin/wrk") else None)
    if wrk is None:
        print(
            "bench: wrk is not installed. Install it with `sudo apt-get install wrk`"
            " (Debian/Ubuntu) or `brew install wrk` (macOS), then run `make bench` again.",
            file=sys.stderr,
        )
        return 2
    duration = _env_text("BENCH_DURATION", "5s", r"\d+(s|m)?")
    threads = _env_text("BENCH_THREADS", "2", r"[1-9]\d*")
    connections = _env_text("BENCH_CONNECTIONS", "8", r"[1-9]\d*")
    workers = _env_text("BENCH_WORKERS", "2", r"[1-9]\d*")
    scale = _env_text("BENCH_SCALE", "national", r"national|small")
    import_rows = int(_env_text("BENCH_IMPORT_ROWS", "100000", r"\d+"))
    respondents = int(_env_text("BENCH_RESPONDENTS", "2500", r"[1-9]\d*"))
    submissions = int(_env_text("BENCH_SUBMISSIONS", "10000", r"[1-9]\d*"))
    only = {n.strip() for n in os.environ.get("BENCH_PAGES", "").split(",") if n.strip()}
    if int(connections) < int(threads):
        raise BenchError("BENCH_CONNECTIONS must be at least BENCH_THREADS")
    postgres_url = os.environ.get("BENCH_DATABASE_URL", "").strip()

    reuse = os.environ.get("BENCH_REUSE_DIR", "").strip()
    with (
        contextlib.nullcontext(reuse)
        if reuse
        else tempfile.TemporaryDirectory(prefix="coproduce-bench-")
    ) as data_dir:
        env = {
            key: value
            for key, value in os.environ.items()
            # Never migrate or load data into a database the caller uses for real.
            if key not in ("DATABASE_URL", "COPRODUCE_DATA_DIR")
        }
        env.update(
            COPRODUCE_DATA_DIR=data_dir,
            COPRODUCE_BENCH_BARE_PAGE="true",
            COPRODUCE_DEBUG="false",
            COPRODUCE_LOG_LEVEL="WARNING",
            # The demo manager is signed in with force_login, without an authenticator app.
            COPRODUCE_REQUIRE_MANAGER_2FA="false",
            DJANGO_SETTINGS_MODULE="coproduce.settings",
        )
        cmd = _coproduce_command()
        prepared = Path(data_dir) / "bench-prepared.json"
        if postgres_url and reuse and prepared.exists():
            database = f"PostgreSQL (scratch database of {postgres_url}, kept from an earlier run)"
            env["DATABASE_URL"] = postgres_url
        elif postgres_url:
            database = _scratch_postgres(postgres_url)
            env["DATABASE_URL"] = postgres_url
        else:
            import sqlite3

            database = f"SQLite {sqlite3.sqlite_version} (temporary file)"
        if reuse and prepared.exists():
            # A quick iteration on data prepared by an earlier run (BENCH_REUSE_DIR).
            saved = json.loads(prepared.read_text())
            synthetic_s, priorities = float(saved["synthetic_s"]), dict(saved["priorities"])
            print(f"bench: reusing the {scale} installation in {data_dir} ({database})")
            _run([*cmd, "migrate", "--noinput", "--verbosity", "0"], env, "migrate")
        else:
            print(f"bench: preparing a {scale} installation on {database} in {data_dir}")
            _run([*cmd, "migrate", "--noinput", "--verbosity", "0"], env, "migrate")
            _run([*cmd, "loaddemo", "--verbosity", "0"], env, "loaddemo")
            started = time.monotonic()
            synthetic = _run(
                [*cmd, "loadsynthetic", "--scale", scale, "--seed", str(SYNTHETIC_SEED)],
                env,
                f"loadsynthetic --scale {scale} --seed {SYNTHETIC_SEED}",
            )
            synthetic_s = time.monotonic() - started
            for line in synthetic.strip().splitlines():
                print(f"    {line}")
            priorities = _associates(
                env,
                f"generate a consultation: {respondents:,} respondents, {submissions:,} submissions",
                "generate",
                str(respondents),
                str(submissions),
                str(SEED),
                script=PRIORITIES_SCRIPT,
            )
            print(
                f"  generated {priorities['respondents']:,} respondents of"
                f" {priorities['invited']:,} invited, {priorities['submissions']:,} submissions"
                f" ({priorities['merged']:,} merged into {priorities['questions']} questions),"
                f" {priorities['ballots']:,} interim ballots in {priorities['seconds']} s"
            )
            if reuse:
                prepared.write_text(
                    json.dumps({"synthetic_s": synthetic_s, "priorities": priorities})
                )
        facts = _facts(env)
        signed_in = _associates(env, "sign in as the demo manager", "session")
        staff = {"Cookie": f"{signed_in['cookie']}={signed_in['value']}"}
        pages = [
            page
            for page in _pages(facts, priorities)
            if not only or page[0] in only or page[0] in ("bare layout", BARE_STAFF)
        ]

        port = _free_port()
        base = f"http://{HOST}:{port}"
        log = Path(data_dir) / "server.log"
        with log.open("wb") as log_file:
            server = subprocess.Popen(
                [
                    *cmd,
                    "serve",
                    "--no-worker",
                    "--host",
                    HOST,
                    "--port",
                    str(port),
                    "--workers",
                    workers,
                ],
                env=env,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            try:
                health = _wait_until_healthy(base, server, log)
                for _name, path, signed in pages:  # warm every worker, check each page
                    for _ in range(int(workers) * 4):
                        status, _body = _get(
                            base + path, timeout=60, headers=staff if signed else {}
                        )
                        if status != 200:
                            # A 302 here is most likely the sign-in page: the figure would
                            # measure a redirect, so stop rather than print it.
                            raise BenchError(f"{path} answered {status}, not 200")
                print(
                    f"bench: wrk -t{threads} -c{connections} -d{duration} --timeout 30s --latency, "
                    f"one page at a time, on {base}"
                )
                results = []
                for name, path, signed in pages:
                    _wait_idle(server)
                    # Warm again right before the load: cached pages and memoised analytics
                    # expire (60 s), and the first request after that pays for the rest.
                    for _ in range(int(workers) * 2):
                        _get(base + path, timeout=120, headers=staff if signed else {})
                    rps, p50, p99, total, errors = parse_wrk(
                        _wrk(
                            wrk,
                            base + path,
                            threads,
                            connections,
                            duration,
                            staff if signed else {},
                        )
                    )
                    results.append(Result(name, path, rps, p50, p99, total, errors, signed))
                    ratio = rps / results[0].requests_per_s if results[0].requests_per_s else 0
                    staff_base = next((r for r in results if r.name == BARE_STAFF), None)
                    staff_ratio = (
                        f"  to bare staff {rps / staff_base.requests_per_s:.2f}"
                        if staff_base and staff_base.requests_per_s and signed
                        else ""
                    )
                    print(
                        f"  {name:<30} {rps:>8,.0f} req/s  p99 {p99:7.1f} ms  ratio {ratio:.2f}"
                        + staff_ratio
                    )
            finally:
                _stop(server)
        print("bench: server stopped")
        # One request to each page in-process (Django's test client, page cache off): what a
        # page costs to render, without the server and wrk sharing the cores.
        single = _associates(
            env,
            "time one request to each page in-process",
            "--json",
            *[name for name, _path, _signed in pages],
            script=TIMEPAGES_SCRIPT,
        )
        analytics = _associates(env, "time the analytics", script=ANALYTICS_SCRIPT)
        similar = _associates(
            env, "time similarity suggestions", "similarity", "100", script=PRIORITIES_SCRIPT
        )
        imported: dict[str, object] = {}
        if import_rows:
            csv_path = Path(data_dir) / "import.csv"
            _associates(
                env,
                f"write a {import_rows:,}-row CSV",
                "csv",
                str(csv_path),
                str(import_rows),
                str(SEED + 1),
            )
            imported = _associates(env, "import it", "import", str(csv_path))
        audience: dict[str, object] = {}
        if not reuse:  # it queues a mailing with a fixed slug: once per installation
            audience = _associates(
                env, "queue an Engage newsletter to everyone consenting", "audience"
            )
        if any(r.errors for r in results):
            # The temporary directory goes at the end of this block: show why pages failed.
            print(f"bench: pages answered with errors; the server's log ends:\n{_tail(log)}")

    machine = _machine(health, workers, database)
    machine.append(
        f"- data: `loadsynthetic --scale {scale} --seed {SYNTHETIC_SEED}` on top of the demo,"
        f" loaded in {synthetic_s:.0f} s: {facts['associates']:,} associates,"
        f" {facts['studies']:,} studies, {facts['people']:,} people, {facts['cops']:,}"
        f" communities; the CoP pages and the filtered directory use `{facts['cop_slug']}`"
        f" ({facts['cop_members']:,} members)"
    )
    machine.append(
        f"- priority setting: one consultation, {priorities['respondents']:,} respondents of"
        f" {priorities['invited']:,} invited, {priorities['submissions']:,} free-text"
        f" submissions ({priorities['merged']:,} merged into {priorities['questions']}"
        f" indicative questions), {priorities['ballots']:,} interim ballots"
        f" ({priorities['ballot_ranks']:,} ranks), a workshop of 3 groups x 2 rounds"
    )
    operations = [
        "| operation | time |",
        "|---|---:|",
        f"| network: build the graph from the database ({analytics['network_nodes']:,} nodes,"
        f" {analytics['network_edges']:,} edges) | {analytics['network_build_s']} s |",
        "| network: betweenness and brokerage ("
        + (
            "exact"
            if analytics["network_exact"]
            else f"{analytics['network_sources']} sampled sources"
        )
        + f") | {analytics['network_analyse_s']} s |",
        f"| network analysis task, nothing changed (build + hash check) | {analytics['network_unchanged_s']} s |",
        f"| annual report {analytics['year']}: every section's queries | {analytics['annual_build_s']} s |",
        f"| annual report as XLSX ({analytics['annual_xlsx_kb']} kB) | {analytics['annual_xlsx_s']} s |",
        f"| annual report as PDF ({analytics['annual_pdf_kb']} kB) | {analytics['annual_pdf_s']} s |",
        f"| priority ranking: interim ranking over {priorities['ballots']:,} ballots"
        f" | {analytics.get('interim_ranking_s', '-')} s |",
        f"| priority ranking: workshop rounds aggregated | {analytics.get('workshop_results_s', '-')} s |",
        f"| similarity ({similar['backend']}): index over {similar['texts']:,} submissions"
        f" | {similar['build_seconds']} s |",
        f"| similarity: one submission against all | {similar['one_ms']} ms |",
        f"| similarity: the submission page's suggestions (pool of {similar['page_pool']:,}"
        f" unsorted) | {similar['page_path_seconds']} s |",
    ]
    if imported:
        operations.append(
            f"| import: {import_rows:,}-row CSV of new people into {facts['associates']:,}"
            f" ({imported['created']:,} created) | {imported['seconds']} s |"
        )
    if audience:
        operations += [
            f"| audience: count an Engage newsletter to everyone who agreed"
            f" ({audience['recipients']:,}) | {audience['count_seconds']} s |",
            f"| audience: queue it, one outbox row each | {audience['queue_seconds']} s |",
        ]
    staff_base = next((r for r in results if r.name == BARE_STAFF), None)
    table = _table(results, results[0], staff_base, single)

    def baseline(r: Result) -> float:
        if r.staff and r.name != BARE_STAFF and staff_base is not None:
            return staff_base.requests_per_s
        return results[0].requests_per_s

    below = [r for r in results[1:] if r.requests_per_s < TARGET * baseline(r)]
    summary = (
        f"{len(results) - 1 - len(below)} of {len(results) - 1} pages meet the target"
        f" ({TARGET} of the bare page's req/s for public pages and the bare staff page,"
        f" {TARGET} of the bare staff page's for staff pages)"
    )
    text = "\n".join(["", *machine, "", *table, "", summary, "", *operations, ""])
    print(text)
    OUT_DIR.mkdir(exist_ok=True)
    vendor = "postgresql" if postgres_url else "sqlite"
    markdown = "\n".join(
        [
            f"# Benchmark ({vendor}): each page against the bare layout page",
            "",
            f"wrk -t{threads} -c{connections} -d{duration} --timeout 30s --latency, one page at a time."
            " Ratios are within this run; see bench/README.md.",
            "",
            *machine,
            "",
            *table,
            "",
            summary,
            "",
            *operations,
            "",
        ]
    )
    out = OUT_DIR / f"latest-{vendor}.md"
    out.write_text(markdown, encoding="utf-8")
    print(f"bench: wrote {out.relative_to(BENCH_DIR.parent)}")
    failed = [r for r in results if r.errors]
    if failed:
        print("bench: some pages had errors: " + ", ".join(r.name for r in failed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    # A SIGTERM (CI timeout, `kill`) unwinds like Ctrl+C, so the server is still stopped.
    def _terminated(signum: int, frame: object) -> None:
        print("bench: stopped by SIGTERM; stopping the server", file=sys.stderr)
        sys.exit(143)

    signal.signal(signal.SIGTERM, _terminated)
    try:
        sys.exit(main())
    except BenchError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        print("bench: interrupted", file=sys.stderr)
        sys.exit(130)
