"""The demo collaboration, loaded once per test process and restored for each browser test.

Browser tests run against the live server, so each is a transactional test: the database is
emptied when it ends, and every test used to load the demo again (15 to 50 s each, most of
the browser run). Here the first test of a process loads it and takes a snapshot of every
table; the others restore the snapshot in about a second:

- SQLite (the in-memory test database the live server shares): the sqlite3 backup API copies
  the whole database into a private in-memory one and back;
- PostgreSQL: every table's rows by `COPY ... TO STDOUT` (text format, so every type round
  trips), restored by `TRUNCATE` and `COPY ... FROM STDIN` with triggers and foreign keys
  held off for the load (`session_replication_role = replica`; the test user owns the
  database), then each sequence set past its table's highest id.

What the demo writes outside the database (uploaded files) stays in the data folder between
tests. After a restore the page cache's data generation is bumped, as after any bulk load.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, transaction

_snapshots: dict[str, Any] = {}


def load_or_restore(load: Any) -> None:
    """Restore this process's snapshot of the demo, or load it (`load()`) and take one."""
    from coproduce import pagecache

    vendor = connection.vendor
    snapshot = _snapshots.get(vendor)
    if vendor not in ("sqlite", "postgresql"):
        load()  # no snapshot for other databases: loaded for every test, as before
    elif snapshot is None:
        load()
        _snapshots[vendor] = _take()
    else:
        _restore(snapshot)
    pagecache.bump()


def _tables() -> list[str]:
    with connection.cursor() as cursor:
        names = connection.introspection.table_names(cursor)
    return sorted(name for name in names if name != "django_migrations")


def _take() -> Any:
    connection.ensure_connection()
    raw = connection.connection
    if connection.vendor == "sqlite":
        copy = sqlite3.connect(":memory:", check_same_thread=False)
        raw.backup(copy)
        return copy
    rows: dict[str, bytes] = {}
    with raw.cursor() as cursor:
        for table in _tables():
            with cursor.copy(f'COPY "{table}" TO STDOUT') as copy:
                rows[table] = b"".join(bytes(block) for block in copy)
    return rows


def _restore(snapshot: Any) -> None:
    connection.ensure_connection()
    raw = connection.connection
    if connection.vendor == "sqlite":
        snapshot.backup(raw)
        return
    tables = _tables()
    with transaction.atomic():
        with raw.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
            cursor.execute("TRUNCATE " + ", ".join(f'"{table}"' for table in tables))
            for table in tables:
                data = snapshot.get(table, b"")
                if data:
                    with cursor.copy(f'COPY "{table}" FROM STDIN') as copy:
                        copy.write(data)
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), apps.get_models()):
                cursor.execute(sql)
