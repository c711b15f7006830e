"""Online backup and checked restore of the database (`coproduce backup`, `coproduce restore`).

SQLite: the backup is SQLite's online backup API (`sqlite3.Connection.backup`) copying every
page in one step, which reads one consistent snapshot while other connections keep writing
(WAL mode: readers never block writers). Restore copies the backup into the target through the
same API, then runs `PRAGMA integrity_check` and compares the row count of every table with
the backup's.

PostgreSQL: `pg_dump --format=custom` and `pg_restore --clean --if-exists`, which must be on
PATH (the PostgreSQL client package).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any


class BackupError(Exception):
    """Something the operator must fix, said in one sentence."""


# -- SQLite -------------------------------------------------------------------------------------


def _connect(path: Path | str, *, timeout: float = 5.0) -> sqlite3.Connection:
    return sqlite3.connect(str(path), timeout=timeout, isolation_level=None)


def integrity(path: Path | str) -> str:
    """'ok', or SQLite's first complaint."""
    with _closing(_connect(path)) as db:
        rows = db.execute("PRAGMA integrity_check").fetchall()
    return "ok" if rows == [("ok",)] else "; ".join(str(r[0]) for r in rows[:5])


def table_counts(path: Path | str) -> dict[str, int]:
    with _closing(_connect(path)) as db:
        names = [
            row[0]
            for row in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        return {
            name: int(db.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0])  # noqa: S608
            for name in names
        }


class _closing:
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> sqlite3.Connection:
        return self.db

    def __exit__(self, *exc: object) -> None:
        self.db.close()


def backup_sqlite(source: Path | str, target: Path | str) -> dict[str, int]:
    """Copy a live SQLite database to `target` (written beside it, then renamed into place)."""
    source, target = Path(source), Path(target)
    if not source.exists():
        raise BackupError(f"There is no database at {source}.")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    with _closing(_connect(source, timeout=30)) as src, _closing(_connect(partial)) as dst:
        src.execute("PRAGMA busy_timeout = 30000")
        src.backup(dst)  # pages=-1: every page in one step, one consistent snapshot
        dst.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
    result = integrity(partial)
    if result != "ok":
        partial.unlink(missing_ok=True)
        raise BackupError(f"The copy failed its integrity check: {result}")
    os.replace(partial, target)
    return table_counts(target)


def processes_using(path: Path | str) -> list[int]:
    """PIDs (other than ours) holding the database or its WAL files open (Linux /proc)."""
    wanted = {str(Path(path).resolve()) + suffix for suffix in ("", "-wal", "-shm")}
    found = []
    proc = Path("/proc")
    if not proc.is_dir():
        return []
    for entry in proc.iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            for fd in (entry / "fd").iterdir():
                if os.readlink(fd) in wanted:
                    found.append(int(entry.name))
                    break
        except OSError:
            continue
    return found


def in_use(path: Path | str) -> str:
    """Why the database looks in use ('' if it does not)."""
    path = Path(path)
    if not path.exists():
        return ""
    pids = processes_using(path)
    if pids:
        return f"processes {', '.join(map(str, sorted(pids)))} have it open"
    with _closing(_connect(path, timeout=0)) as db:
        try:
            db.execute("BEGIN EXCLUSIVE")
            db.execute("ROLLBACK")
        except sqlite3.OperationalError as exc:
            return f"it is locked ({exc})"
    return ""


def restore_sqlite(
    backup: Path | str, target: Path | str, *, force: bool = False
) -> dict[str, int]:
    """Replace `target` with the backup's contents; check integrity and every table's count."""
    backup, target = Path(backup), Path(target)
    if not backup.exists():
        raise BackupError(f"There is no backup at {backup}.")
    result = integrity(backup)
    if result != "ok":
        raise BackupError(f"The backup failed its integrity check: {result}")
    if not force:
        reason = in_use(target)
        if reason:
            raise BackupError(
                f"The database {target} is in use: {reason}. Stop the web server and the "
                "worker first, or pass --force."
            )
    expected = table_counts(backup)
    target.parent.mkdir(parents=True, exist_ok=True)
    with _closing(_connect(backup)) as src, _closing(_connect(target, timeout=30)) as dst:
        dst.execute("PRAGMA busy_timeout = 30000")
        src.backup(dst)
        dst.execute("PRAGMA journal_mode = WAL")
    result = integrity(target)
    if result != "ok":
        raise BackupError(f"The restored database failed its integrity check: {result}")
    restored = table_counts(target)
    if restored != expected:
        differ = sorted(
            name
            for name in set(expected) | set(restored)
            if expected.get(name) != restored.get(name)
        )
        raise BackupError(f"Row counts differ from the backup's in: {', '.join(differ)}")
    return restored


# -- PostgreSQL ---------------------------------------------------------------------------------


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} is not on PATH: install the PostgreSQL client tools "
            f"(Debian/Ubuntu: apt-get install postgresql-client) in the version of the server."
        )
    return found


def _pg_env(database: Mapping[str, Any]) -> tuple[list[str], dict[str, str]]:
    args = []
    env = dict(os.environ)
    if database.get("HOST"):
        args += ["--host", str(database["HOST"])]
    if database.get("PORT"):
        args += ["--port", str(database["PORT"])]
    if database.get("USER"):
        args += ["--username", str(database["USER"])]
    if database.get("PASSWORD"):
        env["PGPASSWORD"] = str(database["PASSWORD"])
    return args, env


def _run(cmd: list[str], env: dict[str, str], what: str) -> None:
    completed = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if completed.returncode != 0:
        raise BackupError(
            f"{what} failed (exit {completed.returncode}): {completed.stderr.strip()}"
        )


def backup_postgres(database: Mapping[str, Any], target: Path | str) -> None:
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    args, env = _pg_env(database)
    partial = target.with_name(target.name + ".partial")
    cmd = [_pg_tool("pg_dump"), *args, "--format=custom", "--no-owner"]
    _run([*cmd, "--file", str(partial), str(database["NAME"])], env, "pg_dump")
    os.replace(partial, target)


def restore_postgres(database: Mapping[str, Any], backup: Path | str) -> None:
    backup = Path(backup)
    if not backup.exists():
        raise BackupError(f"There is no backup at {backup}.")
    args, env = _pg_env(database)
    cmd = [_pg_tool("pg_restore"), *args, "--clean", "--if-exists", "--no-owner"]
    _run(
        [
            *cmd,
            "--exit-on-error",
            "--single-transaction",
            "--dbname",
            str(database["NAME"]),
            str(backup),
        ],
        env,
        "pg_restore",
    )
