"""Database configuration that settings and tests share."""

from __future__ import annotations

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


def sqlite_config(path: Path | str) -> dict[str, Any]:
    return {
        "ENGINE": "coproduce.lib.sqlite",
        "NAME": path,
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
