"""Load the main public pages with wrk and compare each with the bare layout page.

`make bench` runs this. It sets up a throw-away installation (its own data directory and
SQLite database, the demo collaboration), serves it the way `make run` does (granian, WSGI, on
127.0.0.1 only), loads one page at a time with wrk and prints requests/second, p99 latency and
the ratio to the bare page measured in the same run. See bench/README.md for how to read it.

Settings (environment):
  BENCH_DURATION     wrk duration per page, e.g. 5s (default), 30s, 1m
  BENCH_THREADS      wrk threads (default 2)
  BENCH_CONNECTIONS  wrk open connections (default 8)
  BENCH_WORKERS      granian worker processes (default 2)
  BENCH_ASSOCIATES   associates in the database while pages load (default 200000; the demo's
                     few hundred are topped up by bench/associates.py)
  BENCH_IMPORT_ROWS  rows of the timed CSV import, run after the pages (default 100000; 0 skips)
  BENCH_RESPONDENTS  respondents of the generated priority setting consultation (default 2500)
  BENCH_SUBMISSIONS  free-text submissions in it (default 10000), see bench/priorities.py
  BENCH_DATABASE_URL a PostgreSQL database to use instead of a temporary SQLite file; it is
                     migrated and the demo is loaded into it, so never point it at real data
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
import urllib.request
from dataclasses import dataclass
from pathlib import Path

HOST = "127.0.0.1"
BENCH_DIR = Path(__file__).resolve().parent
OUT_DIR = BENCH_DIR / "out"
STUDY_TITLE = "Return to work after stroke"
START_TIMEOUT_S = 60
STOP_TIMEOUT_S = 20
SEED = 20240601  # fixed, so every run loads the same people
ASSOCIATES_SCRIPT = BENCH_DIR / "associates.py"
PRIORITIES_SCRIPT = BENCH_DIR / "priorities.py"


@dataclass
class Result:
    name: str
    path: str
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: str


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
    cmd = [wrk, f"-t{threads}", f"-c{connections}", f"-d{duration}", "--latency"]
    for name, value in headers.items():
        cmd += ["-H", f"{name}: {value}"]
    cmd.append(url)
    completed = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise BenchError(f"wrk failed on {url}:\n{completed.stdout}{completed.stderr}")
    return completed.stdout


def _study_path(env: dict[str, str]) -> str:
    code = (
        "from coproduce.registry.models import Study;"
        f"s = Study.objects.filter(title={STUDY_TITLE!r}).first() or Study.objects.first();"
        "print(s.get_absolute_url())"
    )
    out = _run([*_coproduce_command(), "shell", "-c", code], env, "find a study page")
    path = out.strip().splitlines()[-1] if out.strip() else ""
    if not path.startswith("/studies/"):
        raise BenchError(f"could not find a study page to load (got {out!r})")
    return path


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


def _machine(health: dict[str, str], workers: str) -> list[str]:
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        usable = os.cpu_count() or 0
    vendor = health.get("database", "?")
    if vendor == "sqlite":
        import sqlite3

        vendor = f"SQLite {sqlite3.sqlite_version} (temporary file)"
    elif vendor == "postgresql":
        vendor = "PostgreSQL (BENCH_DATABASE_URL)"
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
    return [
        f"- date: {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')}"
        + (f", commit {commit}" if commit else ""),
        f"- machine: {usable} usable CPU(s) (nproc), {platform.system()} {platform.machine()},"
        f" Python {platform.python_version()}",
        f"- database: {vendor}",
        f"- server: granian WSGI, {workers} workers, `coproduce serve"
        " --no-worker`, on 127.0.0.1; wrk runs on the same machine",
    ]


def _table(results: list[Result], bare: Result) -> list[str]:
    lines = [
        "| page | path | req/s | p50 ms | p99 ms | ratio to bare |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for r in results:
        ratio = r.requests_per_s / bare.requests_per_s if bare.requests_per_s else 0.0
        flag = f" ({r.errors})" if r.errors else ""
        lines.append(
            f"| {r.name}{flag} | `{r.path}` | {r.requests_per_s:,.0f} | {r.p50_ms:.1f}"
            f" | {r.p99_ms:.1f} | {ratio:.2f} |"
        )
    return lines


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
    associates = int(_env_text("BENCH_ASSOCIATES", "200000", r"\d+"))
    import_rows = int(_env_text("BENCH_IMPORT_ROWS", "100000", r"\d+"))
    respondents = int(_env_text("BENCH_RESPONDENTS", "2500", r"[1-9]\d*"))
    submissions = int(_env_text("BENCH_SUBMISSIONS", "10000", r"[1-9]\d*"))
    if int(connections) < int(threads):
        raise BenchError("BENCH_CONNECTIONS must be at least BENCH_THREADS")

    with tempfile.TemporaryDirectory(prefix="coproduce-bench-") as data_dir:
        env = {
            key: value
            for key, value in os.environ.items()
            # Never migrate or load the demo into a database the caller uses for real.
            if key not in ("DATABASE_URL", "COPRODUCE_DATA_DIR")
        }
        env.update(
            COPRODUCE_DATA_DIR=data_dir,
            COPRODUCE_BENCH_BARE_PAGE="true",
            COPRODUCE_DEBUG="false",
            COPRODUCE_LOG_LEVEL="WARNING",
            DJANGO_SETTINGS_MODULE="coproduce.settings",
        )
        if os.environ.get("BENCH_DATABASE_URL"):
            env["DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
        print(f"bench: preparing a demo installation in {data_dir}")
        cmd = _coproduce_command()
        _run([*cmd, "migrate", "--noinput", "--verbosity", "0"], env, "migrate")
        _run([*cmd, "loaddemo", "--verbosity", "0"], env, "loaddemo")
        study_path = _study_path(env)
        generated = _associates(
            env, f"generate associates up to {associates:,}", "generate", str(associates), str(SEED)
        )
        print(
            f"  generated {generated['associates']:,} associates, "
            f"{generated['memberships']:,} memberships, "
            f"{generated['consent_records']:,} consent records in {generated['seconds']} s;"
            f" {generated['total']:,} associates in all"
        )
        cop_slug = str(generated["cop_slug"])
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
        consultation = f"/staff/priorities/{priorities['slug']}"
        signed_in = _associates(env, "sign in as the demo manager", "session")
        staff = {"Cookie": f"{signed_in['cookie']}={signed_in['value']}"}

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
                public: dict[str, str] = {}
                pages = [
                    ("bare layout", "/bench/bare/", public),
                    ("studies list", "/studies/", public),
                    ("study page", study_path, public),
                    ("themes", "/themes/", public),
                    ("who is who", "/who-is-who/", public),
                    (
                        "directory, filtered",
                        f"/staff/associates/?cop={cop_slug}&consent=engage",
                        staff,
                    ),
                    ("CoP page", f"/communities/{cop_slug}/", public),
                    ("priorities: response rates", f"{consultation}/", staff),
                    ("priorities: submissions", f"{consultation}/submissions/", staff),
                    ("priorities: indicative qs", f"{consultation}/indicative/", staff),
                    (
                        "priorities: interim ranking",
                        f"{consultation}/ranking/{priorities['survey']}/",
                        staff,
                    ),
                    (
                        "priorities: workshop",
                        f"{consultation}/workshops/{priorities['workshop']}/",
                        staff,
                    ),
                    ("priorities: public page", "/priorities/", public),
                ]
                for _name, path, headers in pages:  # warm every worker, check each page
                    for _ in range(int(workers) * 4):
                        status, _body = _get(base + path, timeout=30, headers=headers)
                        if status != 200:
                            # A 302 here is most likely the sign-in page: the figure would
                            # measure a redirect, so stop rather than print it.
                            raise BenchError(f"{path} answered {status}, not 200")
                print(
                    f"bench: wrk -t{threads} -c{connections} -d{duration} --latency, "
                    f"one page at a time, on {base}"
                )
                results = []
                for name, path, headers in pages:
                    rps, p50, p99, total, errors = parse_wrk(
                        _wrk(wrk, base + path, threads, connections, duration, headers)
                    )
                    results.append(Result(name, path, rps, p50, p99, total, errors))
                    print(f"  {name:<28} {rps:>10,.0f} req/s   p99 {p99:7.1f} ms")
            finally:
                _stop(server)
        print("bench: server stopped")
        similar = _associates(
            env, "time similarity suggestions", "similarity", "100", script=PRIORITIES_SCRIPT
        )
        print(
            f"  similarity ({similar['backend']}) over {similar['texts']:,} submissions: index"
            f" {similar['build_seconds']} s, one submission {similar['one_ms']} ms, a batch of"
            f" {similar['batch']} {similar['batch_seconds']} s; the submission page's"
            f" suggestions (pool of {similar['page_pool']:,} unsorted) {similar['page_path_seconds']} s"
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
            print(
                f"  imported {import_rows:,} rows in {imported['seconds']} s"
                f" ({imported['created']:,} created, {imported['memberships_added']:,}"
                f" memberships, {imported['consent_records']:,} consent records)"
            )
        audience = _associates(env, "queue an Engage newsletter to everyone consenting", "audience")
        print(
            f"  audience of {audience['recipients']:,}: counted in {audience['count_seconds']} s,"
            f" queued (one outbox row each) in {audience['queue_seconds']} s"
        )
        if any(r.errors for r in results):
            # The temporary directory goes at the end of this block: show why pages failed.
            print(f"bench: pages answered with errors; the server's log ends:\n{_tail(log)}")

    machine = _machine(health, workers)
    machine.append(
        f"- data: {generated['total']:,} associates ({generated['associates']:,} generated in"
        f" {generated['seconds']} s), {generated['memberships']:,} memberships; the directory"
        f" and CoP pages use `{cop_slug}` ({generated['cop_members']:,} members)"
    )
    if imported:
        machine.append(
            f"- import: {import_rows:,}-row CSV of new people into those"
            f" {generated['total']:,}: **{imported['seconds']} s** inside `import_file`"
            f" ({imported['created']:,} created, {imported['memberships_added']:,} memberships,"
            f" {imported['interests_added']:,} interests,"
            f" {imported['consent_records']:,} consent records)"
        )
    machine.append(
        f"- priority setting: one consultation, {priorities['respondents']:,} respondents of"
        f" {priorities['invited']:,} invited, {priorities['submissions']:,} free-text"
        f" submissions ({priorities['merged']:,} merged into {priorities['questions']}"
        f" indicative questions), {priorities['ballots']:,} interim ballots"
        f" ({priorities['ballot_ranks']:,} ranks), a workshop of 3 groups x 2 rounds;"
        f" generated in {priorities['seconds']} s"
    )
    machine.append(
        f"- similarity suggestions ({similar['backend']}) over {similar['texts']:,} submissions:"
        f" building the index **{similar['build_seconds']} s**, one submission against all"
        f" **{similar['one_ms']} ms**, a batch of {similar['batch']} against all"
        f" **{similar['batch_seconds']} s**; the submission page's suggestions (index over the"
        f" {similar['page_pool']:,} unsorted, then one query) **{similar['page_path_seconds']} s**"
    )
    machine.append(
        f"- audience: an Engage newsletter to everyone who agreed ({audience['recipients']:,}"
        f" of {generated['total']:,}): recipient count **{audience['count_seconds']} s**,"
        f" queueing one outbox row each **{audience['queue_seconds']} s**"
    )
    table = _table(results, results[0])
    text = "\n".join(["", *machine, "", *table, ""])
    print(text)
    OUT_DIR.mkdir(exist_ok=True)
    markdown = "\n".join(
        [
            "# Benchmark: each page against the bare layout page",
            "",
            f"wrk -t{threads} -c{connections} -d{duration} --latency, one page at a time."
            " Ratios are within this run; see bench/README.md.",
            "",
            *machine,
            "",
            *table,
            "",
        ]
    )
    (OUT_DIR / "latest.md").write_text(markdown, encoding="utf-8")
    print(f"bench: wrote {OUT_DIR.relative_to(BENCH_DIR.parent) / 'latest.md'}")
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
