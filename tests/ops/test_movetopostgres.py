"""`coproduce movetopostgres`: the demo collaboration moves from SQLite to PostgreSQL whole.

Runs the real commands in subprocesses against a SQLite file and a scratch PostgreSQL
database, as an operator would (docs/operations.md, "Moving to PostgreSQL").
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

PG_ADMIN_URL = os.environ.get("PG_TEST_URL", "postgres://postgres@127.0.0.1:5432/test")


def _psycopg() -> object:
    return pytest.importorskip("psycopg")


def _pg_reachable() -> bool:
    psycopg = _psycopg()
    try:
        psycopg.connect(PG_ADMIN_URL, connect_timeout=3).close()  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001 - any failure to connect means "not here"
        return False
    return True


@pytest.fixture
def scratch_pg() -> Iterator[str]:
    if os.environ.get("DATABASE_URL"):
        pytest.skip("needs no test database of its own: runs once, in the SQLite pass")
    if not _pg_reachable():
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is not reachable at {PG_ADMIN_URL} and CI requires it")
        pytest.skip(f"PostgreSQL is not reachable at {PG_ADMIN_URL}")
    import psycopg

    name = f"coproduce_move_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _coproduce(
    *args: str, data_dir: Path, database_url: str | None = None, fails: bool = False
) -> str:
    """Run the coproduce command as an operator would; its output (stderr when it must fail)."""
    env = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")
    }
    env["COPRODUCE_DATA_DIR"] = str(data_dir)
    if database_url:
        env["DATABASE_URL"] = database_url
    done = subprocess.run(
        [sys.executable, "-m", "coproduce", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if fails:
        assert done.returncode != 0, done.stdout
        return done.stderr
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


COUNT_AND_ADD = """
from coproduce.registry.models import Theme, Study
from coproduce.audit.models import AuditEntry
print(Theme.objects.count(), Study.objects.count(), AuditEntry.objects.count())
Theme.objects.create(name="Added after the move", slug="added-after-the-move")
print(Theme.objects.order_by("-pk").first().name)
"""


def test_the_demo_moves_to_postgres_row_for_row(tmp_path: Path, scratch_pg: str) -> None:
    _coproduce("migrate", "--noinput", "-v", "0", data_dir=tmp_path)
    _coproduce("loaddemo", data_dir=tmp_path)
    before = _coproduce(
        "shell",
        "--no-imports",
        "-c",
        COUNT_AND_ADD.split("Theme.objects.create")[0],
        data_dir=tmp_path,
    )
    _coproduce("migrate", "--noinput", "-v", "0", data_dir=tmp_path, database_url=scratch_pg)

    out = _coproduce(
        "movetopostgres",
        str(tmp_path / "coproduce.sqlite3"),
        data_dir=tmp_path,
        database_url=scratch_pg,
    )
    assert "every row reads back equal" in out

    # The same counts, and the sequences are past the copied keys: a new row can be added.
    after = _coproduce(
        "shell", "--no-imports", "-c", COUNT_AND_ADD, data_dir=tmp_path, database_url=scratch_pg
    )
    lines = after.splitlines()
    assert lines[0] == before.strip()
    assert int(lines[0].split()[1]) >= 16  # the demo's studies arrived
    assert lines[1] == "Added after the move"


def test_it_refuses_a_sqlite_target(tmp_path: Path) -> None:
    _coproduce("migrate", "--noinput", "-v", "0", data_dir=tmp_path)
    out = _coproduce(
        "movetopostgres", str(tmp_path / "coproduce.sqlite3"), data_dir=tmp_path, fails=True
    )
    assert "The target must be PostgreSQL" in out


def test_it_refuses_databases_at_different_migrations(tmp_path: Path, scratch_pg: str) -> None:
    _coproduce("migrate", "--noinput", "-v", "0", data_dir=tmp_path)
    _coproduce(
        "migrate", "auth", "--noinput", "-v", "0", data_dir=tmp_path, database_url=scratch_pg
    )
    out = _coproduce(
        "movetopostgres",
        str(tmp_path / "coproduce.sqlite3"),
        data_dir=tmp_path,
        database_url=scratch_pg,
        fails=True,
    )
    assert "not at the same migrations" in out
