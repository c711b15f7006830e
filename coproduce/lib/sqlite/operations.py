"""Django's SQLite operations, with a flush that keeps the tables' triggers working.

The audit table has triggers that abort any DELETE (coproduce/audit/migrations/0002_...). On
SQLite, Django's `flush` (the `flush` command, and the end of every transactional test) empties
tables with DELETE, which those triggers would abort. So the flush drops the triggers of the
tables it empties, deletes, and creates the same triggers again (from the SQL SQLite stored),
all in the one transaction Django runs a flush in: if any step fails nothing changes, and no
other connection ever sees the table without its triggers. Only a flush, which empties every
table and is never part of serving a request, gets round them; PostgreSQL's flush uses
TRUNCATE, which does not fire row triggers. A table with a trigram index
(coproduce/lib/textindex.py) has its index emptied in the same transaction, since the trigger
that would have kept it in step is dropped with the others.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import chain
from typing import Any

from django.db.backends.sqlite3 import operations

from coproduce.lib import textindex


class DatabaseOperations(operations.DatabaseOperations):
    def sql_flush(
        self,
        style: Any,
        tables: Iterable[str],
        *,
        reset_sequences: bool = False,
        allow_cascade: bool = False,
    ) -> list[str]:
        names = list(tables)
        if names and allow_cascade:
            # As Django does: the tables referencing the flushed ones are emptied too.
            graph = self._references_graph  # type: ignore[attr-defined]
            names = list(set(chain.from_iterable(graph(table) for table in names)))
        sql = super().sql_flush(style, names, reset_sequences=reset_sequences)
        triggers = self._triggers(set(names))
        if not triggers:
            return sql
        drop = [f"DROP TRIGGER {self.quote_name(name)};" for name, _ in triggers]
        create = [f"{definition};" for _, definition in triggers]
        indexes = textindex.sqlite_flush_sql(names, self._tables())
        return [*drop, *sql, *indexes, *create]

    def _tables(self) -> list[str]:
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            return [name for (name,) in cursor.fetchall()]

    def _triggers(self, tables: set[str]) -> list[tuple[str, str]]:
        if not tables:
            return []
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT name, sql, tbl_name FROM sqlite_master WHERE type = 'trigger' ORDER BY name"
            )
            return [(name, sql) for name, sql, table in cursor.fetchall() if table in tables]
