"""`coproduce backup` and `coproduce restore`: online copy while writes continue, checked restore."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from coproduce.lib import backup


def _live_database(path: Path) -> None:
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE item (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
        db.execute("CREATE TABLE other (id INTEGER PRIMARY KEY)")
        db.executemany("INSERT INTO item (body) VALUES (?)", [("x" * 200,)] * 2000)
        db.execute("INSERT INTO other DEFAULT VALUES")
    db.close()


class _Writer(threading.Thread):
    """Inserts rows, one short transaction each, until told to stop."""

    def __init__(self, path: Path) -> None:
        super().__init__(daemon=True)
        self.path = path
        self.stop = threading.Event()
        self.written = 0
        self.errors: list[str] = []

    def run(self) -> None:
        db = sqlite3.connect(self.path, timeout=5, isolation_level=None)
        db.execute("PRAGMA busy_timeout=5000")
        try:
            while not self.stop.is_set():
                try:
                    db.execute("BEGIN IMMEDIATE")
                    db.execute("INSERT INTO item (body) VALUES (?)", ("y" * 200,))
                    db.execute("COMMIT")
                    self.written += 1
                except sqlite3.Error as exc:
                    self.errors.append(str(exc))
        finally:
            db.close()


def _coproduce(*args: str, database: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}"}
    return subprocess.run(
        [sys.executable, "-m", "coproduce", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_backup_while_writing_then_restore_into_a_new_data_dir(tmp_path: Path) -> None:
    live = tmp_path / "live" / "coproduce.sqlite3"
    live.parent.mkdir()
    _live_database(live)
    writer = _Writer(live)
    writer.start()
    try:
        while writer.written < 50:
            time.sleep(0.01)  # let the writer get going before the backup starts
        before = writer.written
        done = _coproduce("backup", str(tmp_path / "copy.sqlite3"), database=live)
        after = writer.written
    finally:
        writer.stop.set()
        writer.join()

    assert done.returncode == 0, done.stderr
    assert "integrity ok" in done.stdout
    assert after > before, "the writer kept writing during the backup"
    assert writer.errors == []
    copied = backup.table_counts(tmp_path / "copy.sqlite3")
    assert 2000 + before <= copied["item"] <= 2000 + writer.written
    assert backup.integrity(tmp_path / "copy.sqlite3") == "ok"

    target = tmp_path / "new-data-dir" / "coproduce.sqlite3"
    done = _coproduce("restore", str(tmp_path / "copy.sqlite3"), database=target)

    assert done.returncode == 0, done.stderr
    assert "integrity ok, row counts equal the backup's in all 2 tables" in done.stdout
    assert backup.integrity(target) == "ok"
    assert backup.table_counts(target) == copied


def test_restore_refuses_a_database_in_use_unless_forced(tmp_path: Path) -> None:
    source = tmp_path / "source.sqlite3"
    _live_database(source)
    target = tmp_path / "target.sqlite3"
    shutil.copy(source, target)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sqlite3,sys,time; db=sqlite3.connect(sys.argv[1]);"
            "db.execute('SELECT 1 FROM item').fetchall(); print('open', flush=True); time.sleep(60)",
            str(target),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "open"
        with pytest.raises(backup.BackupError, match="is in use: processes"):
            backup.restore_sqlite(source, target)
        assert backup.restore_sqlite(source, target, force=True)["item"] == 2000
    finally:
        holder.kill()
        holder.wait()


def test_restore_refuses_a_damaged_backup(tmp_path: Path) -> None:
    damaged = tmp_path / "damaged.sqlite3"
    _live_database(damaged)
    data = bytearray(damaged.read_bytes())
    data[4096 + 200 : 4096 + 4000] = b"\xff" * 3800
    damaged.write_bytes(bytes(data))

    with pytest.raises(backup.BackupError):
        backup.restore_sqlite(damaged, tmp_path / "target.sqlite3")
    assert not (tmp_path / "target.sqlite3").exists()


# PostgreSQL: pg_dump / pg_restore


@pytest.mark.django_db
def test_postgres_backup_and_restore_into_a_scratch_database(tmp_path: Path) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: set DATABASE_URL=postgres://... to run it")
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        pytest.skip("pg_dump/pg_restore are not on PATH (apt-get install postgresql-client)")
    import psycopg

    path = tmp_path / "db.dump"
    call_command("backup", str(path))
    listing = subprocess.run(
        ["pg_restore", "--list", str(path)], capture_output=True, text=True, check=True
    ).stdout
    assert "TABLE public registry_study" in listing

    settings_dict: dict[str, Any] = dict(connection.settings_dict)
    scratch = f"restore_drill_{os.getpid()}"
    params = {
        "host": settings_dict.get("HOST") or None,
        "port": settings_dict.get("PORT") or None,
        "user": settings_dict.get("USER") or None,
        "password": settings_dict.get("PASSWORD") or None,
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{scratch}"')
        admin.execute(f'CREATE DATABASE "{scratch}"')
    try:
        backup.restore_postgres({**settings_dict, "NAME": scratch}, path)
        with psycopg.connect(dbname=scratch, **params) as restored:
            tables = restored.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
            ).fetchone()
            migrations = restored.execute("SELECT count(*) FROM django_migrations").fetchone()
        assert tables is not None
        assert tables[0] > 50
        assert migrations is not None
        assert migrations[0] > 20
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')


def test_a_missing_pg_dump_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(backup.shutil, "which", lambda name: None)

    with pytest.raises(backup.BackupError, match="pg_dump is not on PATH"):
        backup.backup_postgres({"NAME": "x"}, "/nonexistent/db.dump")


@pytest.mark.django_db
def test_the_backup_command_reports_errors_without_a_traceback(tmp_path: Path) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite message")
    with pytest.raises(CommandError, match="There is no backup"):
        call_command("restore", str(tmp_path / "missing.sqlite3"))
