"""Django's SQLite backend, with one write transaction at a time per process, queued fairly.

Every transaction starts with `BEGIN IMMEDIATE` (coproduce/lib/db.py), so a writer waits for
SQLite's write lock at the start instead of failing half way. But SQLite's busy handler waits
by polling: a blocked connection sleeps (1, 2, 5 ... up to 100 ms at a time) and tries again.
With several threads of one process writing at once (a web worker's request threads, the
task worker's clock beside its runner) the lock is often free while every waiter sleeps, and
an unlucky waiter can keep finding it taken until its 5 s busy timeout ends in "database is
locked" (measured by bench/concurrency.py: 8 writer threads gave a few such errors a minute
and a p99 over a second, with the CPU mostly idle).

So threads of one process queue for the write transaction on a lock of their own (woken in
turn the moment it is released, no polling) and only one of them at a time asks SQLite for the
write lock; SQLite's busy handler arbitrates between processes only. Reads in autocommit
mode, and single statements outside `transaction.atomic`, are not affected. In-memory
databases (the test suite's) are left alone.
"""

from __future__ import annotations

import threading

from django.db import OperationalError
from django.db.backends.sqlite3 import base

from coproduce.lib.sqlite.operations import DatabaseOperations

_LOCKS: dict[str, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()
DEFAULT_WAIT_SECONDS = 5.0


def write_lock(name: str) -> threading.Lock:
    with _LOCKS_GUARD:
        return _LOCKS.setdefault(name, threading.Lock())


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations  # a flush keeps the triggers (operations.py)
    _holds_write_lock: threading.Lock | None = None

    def _wait_seconds(self) -> float:
        """As long as SQLite itself would wait (the busy_timeout PRAGMA of init_command)."""
        init = str(self.settings_dict.get("OPTIONS", {}).get("init_command", ""))
        for statement in init.split(";"):
            name, _, value = statement.strip().partition("=")
            if name.strip().lower() == "pragma busy_timeout" and value.strip().isdigit():
                return int(value) / 1000
        return DEFAULT_WAIT_SECONDS

    def _start_transaction_under_autocommit(self) -> None:
        if self.is_in_memory_db() or self._holds_write_lock is not None:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]
            return
        lock = write_lock(str(self.settings_dict["NAME"]))
        wait = self._wait_seconds()
        if not lock.acquire(timeout=wait):
            raise OperationalError(
                f"database is locked (another thread of this process kept a write transaction "
                f"open for over {wait:g} s)"
            )
        self._holds_write_lock = lock
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]
        except BaseException:
            self._release_write_lock()
            raise

    def _release_write_lock(self) -> None:
        lock, self._holds_write_lock = self._holds_write_lock, None
        if lock is not None:
            lock.release()

    def _set_autocommit(self, autocommit: bool) -> None:
        try:
            super()._set_autocommit(autocommit)  # type: ignore[misc]
        finally:
            if autocommit:  # the transaction is over (committed or rolled back)
                self._release_write_lock()

    def _close(self) -> None:
        try:
            super()._close()  # type: ignore[misc]
        finally:
            self._release_write_lock()
