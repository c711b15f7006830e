"""Database configuration that settings and tests share, and closing a request thread's
connections when the thread ends.

Connections persist between requests (`CONN_MAX_AGE`, with `CONN_HEALTH_CHECKS`): opening one
costs more than a small page (SQLite: four PRAGMAs and parsing a schema of some 440 tables and
indexes; PostgreSQL: a new server process), issue 22. Django keeps a connection per thread.
granian's request threads are not fixed: an idle one ends (after 30 s by default) and a new
one starts under load, and a connection left in an ended thread's storage was only closed when
Python's cycle collector came round to it, so PostgreSQL's connections could pile up.
`close_when_thread_ends` closes them as the thread ends (coproduce/wsgi.py calls it).
"""

from __future__ import annotations

import threading
from contextlib import suppress
from pathlib import Path
from typing import Any

# Measured on this machine kind (shared/FINDINGS.md): WAL plus IMMEDIATE transactions and a
# busy timeout keep the web process and the task worker from "database is locked".
SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "synchronous": "1",  # NORMAL
    "busy_timeout": "5000",
    "foreign_keys": "1",
}


# Seconds a connection is kept between requests (COPRODUCE_DB_CONN_MAX_AGE); None would be
# for ever. Each is checked before its first use in a request (CONN_HEALTH_CHECKS).
DEFAULT_CONN_MAX_AGE = 600


def sqlite_config(path: Path | str, conn_max_age: int = DEFAULT_CONN_MAX_AGE) -> dict[str, Any]:
    return {
        "ENGINE": "coproduce.lib.sqlite",
        "NAME": path,
        "CONN_MAX_AGE": conn_max_age,
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": {
            "init_command": " ".join(
                f"PRAGMA {name}={'WAL' if name == 'journal_mode' else value};"
                for name, value in SQLITE_PRAGMAS.items()
            ),
            "transaction_mode": "IMMEDIATE",
        },
        # Tests use an in-memory database, as with Django's own SQLite backend (said outright:
        # pytest-django recognises that backend only by its ENGINE string).
        "TEST": {"NAME": ":memory:"},
    }


class _ThreadConnections:
    """Held in a thread's own storage: when the thread ends, that storage goes and with it
    this object (it is in no reference cycle, so at once), which closes the thread's
    connections. Django's connection objects are in cycles and would wait for the collector."""

    def __init__(self) -> None:
        from django.db import connections  # not at import: settings import this module

        # The objects this thread's `connections[alias]` returns (none is opened here).
        self.wrappers = [connections[alias] for alias in connections]

    def __del__(self) -> None:
        for wrapper in self.wrappers:
            raw = getattr(wrapper, "connection", None)
            if raw is not None:
                # The raw close: Django's own refuses a call from another thread, and this
                # may run wherever the thread's storage is freed.
                with suppress(Exception):
                    raw.close()


_THREAD = threading.local()


def close_when_thread_ends() -> None:
    """Close this thread's database connections when it ends (once per thread; cheap after)."""
    if getattr(_THREAD, "connections", None) is None:
        _THREAD.connections = _ThreadConnections()
