"""Settings: the SQLite PRAGMAs really apply, and bad environment values stop the process."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from coproduce.lib import env
from coproduce.lib.db import sqlite_config
from coproduce.lib.sqlite.base import DatabaseWrapper


def test_it_applies_the_sqlite_pragmas_on_every_connection(
    tmp_path: Path, django_db_blocker: Any
) -> None:
    django_db_blocker.unblock()
    wrapper = DatabaseWrapper({**sqlite_config(tmp_path / "db.sqlite3"), **_django_defaults()})
    try:
        with wrapper.cursor() as cursor:
            found = {}
            for pragma in ("journal_mode", "synchronous", "busy_timeout", "foreign_keys"):
                cursor.execute(f"PRAGMA {pragma}")
                found[pragma] = str(cursor.fetchone()[0]).lower()
        assert found == {
            "journal_mode": "wal",
            "synchronous": "1",
            "busy_timeout": "5000",
            "foreign_keys": "1",
        }
        assert wrapper.transaction_mode == "IMMEDIATE"
    finally:
        wrapper.close()
        django_db_blocker.restore()


def test_the_default_database_is_the_pragma_configured_sqlite_file() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import os; os.environ['DJANGO_SETTINGS_MODULE']='coproduce.settings';"
            "from django.conf import settings; d=settings.DATABASES['default'];"
            "print(d['ENGINE'], d['OPTIONS']['transaction_mode'], 'journal_mode=WAL' in d['OPTIONS']['init_command'])",
        ],
        capture_output=True,
        text=True,
        env={k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
        check=True,
    )
    assert result.stdout.split() == ["coproduce.lib.sqlite", "IMMEDIATE", "True"]


def _django_defaults() -> dict[str, object]:
    return {
        "ATOMIC_REQUESTS": False,
        "AUTOCOMMIT": True,
        "CONN_MAX_AGE": 0,
        "CONN_HEALTH_CHECKS": False,
        "TIME_ZONE": None,
        "USER": "",
        "PASSWORD": "",
        "HOST": "",
        "PORT": "",
        "TEST": {},
    }


@pytest.mark.parametrize("value", ["maybe", "2", "yes please"])
def test_a_bad_boolean_is_refused(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("COPRODUCE_X", value)
    with pytest.raises(ImproperlyConfigured, match="COPRODUCE_X"):
        env.env_bool("COPRODUCE_X")


def test_booleans_and_integers_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COPRODUCE_B", "Yes")
    monkeypatch.setenv("COPRODUCE_I", "42")
    assert env.env_bool("COPRODUCE_B") is True
    assert env.env_int("COPRODUCE_I", 1) == 42
    assert env.env_int("COPRODUCE_UNSET", 7) == 7


def test_a_bad_integer_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COPRODUCE_I", "eight")
    with pytest.raises(ImproperlyConfigured, match="whole number"):
        env.env_int("COPRODUCE_I", 1)
    monkeypatch.setenv("COPRODUCE_I", "0")
    with pytest.raises(ImproperlyConfigured, match="at least 1"):
        env.env_int("COPRODUCE_I", 1, minimum=1)


def test_a_secret_is_read_from_a_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("s3cret\n")
    monkeypatch.setenv("COPRODUCE_SECRET_KEY_FILE", str(secret))
    assert env.env_secret("COPRODUCE_SECRET_KEY") == "s3cret"
    monkeypatch.setenv("COPRODUCE_SECRET_KEY_FILE", str(tmp_path / "missing"))
    with pytest.raises(ImproperlyConfigured, match="cannot be read"):
        env.env_secret("COPRODUCE_SECRET_KEY")


def test_a_database_url_of_another_engine_is_refused() -> None:
    result = subprocess.run(
        [sys.executable, "-c", "import coproduce.settings"],
        capture_output=True,
        text=True,
        env={**os.environ, "DATABASE_URL": "mysql://root@127.0.0.1/test"},
        check=False,
    )
    assert result.returncode != 0
    assert "DATABASE_URL must name a postgres:// or sqlite:// database" in result.stderr


def test_without_email_host_mail_is_written_to_files_in_the_data_dir(tmp_path: Path) -> None:
    code = (
        "import os; os.environ['DJANGO_SETTINGS_MODULE']='coproduce.settings';"
        "from django.conf import settings; print(settings.EMAIL_BACKEND); print(settings.EMAIL_FILE_PATH)"
    )
    environment = {k: v for k, v in os.environ.items() if not k.startswith("EMAIL_")}
    environment["COPRODUCE_DATA_DIR"] = str(tmp_path)
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=environment, check=True
    ).stdout.split()
    assert out == ["django.core.mail.backends.filebased.EmailBackend", str(tmp_path / "mail")]
    environment["EMAIL_HOST"] = "127.0.0.1"
    environment["EMAIL_PORT"] = "2525"
    out = subprocess.run(
        [sys.executable, "-c", code.replace("settings.EMAIL_FILE_PATH", "settings.EMAIL_PORT")],
        capture_output=True,
        text=True,
        env=environment,
        check=True,
    ).stdout.split()
    assert out == ["django.core.mail.backends.smtp.EmailBackend", "2525"]


def test_write_transactions_of_one_process_queue_instead_of_failing(
    tmp_path: Path, django_db_blocker: Any
) -> None:
    """8 threads writing at once to one file: no "database is locked", lock freed on rollback."""
    import threading

    django_db_blocker.unblock()
    config = {**sqlite_config(tmp_path / "db.sqlite3"), **_django_defaults()}
    setup = DatabaseWrapper(dict(config))
    with setup.cursor() as cursor:
        cursor.execute("CREATE TABLE item (id INTEGER PRIMARY KEY, n INTEGER)")
    setup.close()
    errors: list[str] = []

    def write(index: int) -> None:
        # What transaction.atomic does on SQLite, on a connection of the thread's own.
        wrapper = DatabaseWrapper(dict(config), alias=f"writer{index}")
        try:
            for n in range(60):
                try:
                    wrapper.set_autocommit(
                        False, force_begin_transaction_with_broken_autocommit=True
                    )
                    with wrapper.cursor() as cursor:
                        cursor.execute("SELECT COUNT(*) FROM item")
                        cursor.execute("INSERT INTO item (n) VALUES (%s)", [n])
                    if n % 10 == 0:
                        wrapper.rollback()
                    else:
                        wrapper.commit()
                except Exception as exc:  # noqa: BLE001 - collected, asserted below
                    errors.append(str(exc))
                finally:
                    wrapper.set_autocommit(True)
        finally:
            wrapper.close()

    try:
        threads = [threading.Thread(target=write, args=(i,)) for i in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        check = DatabaseWrapper(dict(config))
        with check.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM item")
            assert cursor.fetchone()[0] == 8 * 54
        check.close()
    finally:
        django_db_blocker.restore()


_DATABASE_SETTINGS = (
    "import os; os.environ['DJANGO_SETTINGS_MODULE']='coproduce.settings';"
    "from django.conf import settings; d=settings.DATABASES['default'];"
    "print(d['ENGINE'], d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])"
)


@pytest.mark.parametrize(
    ("url", "engine"),
    [
        ("", "coproduce.lib.sqlite"),
        ("sqlite:////tmp/coproduce-settings-test.sqlite3", "coproduce.lib.sqlite"),
        ("postgres://postgres@127.0.0.1:5432/whatever", "django.db.backends.postgresql"),
    ],
)
def test_connections_persist_with_health_checks_on_both_databases(url: str, engine: str) -> None:
    """Issue 22: opening a connection per request cost more than a small page. Both settings
    branches keep it (600 s unless COPRODUCE_DB_CONN_MAX_AGE says otherwise) and check it
    before each request's first use; 0 still closes it after every request."""
    environment = {k: v for k, v in os.environ.items() if k != "COPRODUCE_DB_CONN_MAX_AGE"}
    environment["DATABASE_URL"] = url
    run = {"capture_output": True, "text": True, "check": True}
    out = subprocess.run([sys.executable, "-c", _DATABASE_SETTINGS], env=environment, **run)
    assert out.stdout.split() == [engine, "600", "True"]
    environment["COPRODUCE_DB_CONN_MAX_AGE"] = "0"
    out = subprocess.run([sys.executable, "-c", _DATABASE_SETTINGS], env=environment, **run)
    assert out.stdout.split() == [engine, "0", "True"]


@pytest.mark.django_db
def test_a_request_threads_connection_is_closed_when_the_thread_ends() -> None:
    """granian ends idle request threads and starts new ones: a persistent connection left in
    an ended thread's storage must be closed then, not whenever the cycle collector runs."""
    import gc
    import threading

    from django.db import connection

    from coproduce.lib.db import close_when_thread_ends

    opened: dict[str, Any] = {}

    def request_thread(guard: bool) -> None:
        if guard:
            close_when_thread_ends()
        connection.ensure_connection()
        opened["guarded" if guard else "unguarded"] = connection.connection

    gc.disable()  # so that only the guard can close it within this test
    try:
        for guard in (True, False):
            thread = threading.Thread(target=request_thread, args=(guard,))
            thread.start()
            thread.join()
        closed = _is_closed(opened["guarded"])
        left_open = not _is_closed(opened["unguarded"])
    finally:
        gc.enable()
        with contextlib.suppress(Exception):
            opened["unguarded"].close()
    assert closed
    assert left_open  # what the guard is for: without it the connection outlives its thread


def _is_closed(raw: Any) -> bool:
    if hasattr(raw, "closed"):  # psycopg
        return bool(raw.closed)
    try:  # sqlite3
        raw.execute("SELECT 1")
    except Exception:  # noqa: BLE001 - ProgrammingError: cannot operate on a closed database
        return True
    return False
