"""Substring search served by an index: the one way to search large text columns for a piece of
text, ignoring case (issue 22).

`contains(model, [(field, text), ...])` is the rows where any field contains its text, ignoring
case: exactly `Q(field__icontains=text) | ...`, which stays the condition every row must meet.
On its own that condition reads every row (LIKE '%text%' is served by no ordinary index); with
the table's trigram index the database first narrows the rows to those that can match:

- SQLite: an FTS5 table with `tokenize='trigram'` (SQLite 3.34 or later) over the columns,
  named `<table>_text`, with the table as its external content (the text is not stored twice,
  only its index), kept in step by triggers on insert, delete and on update of the indexed
  columns. `contains` asks it for the rows whose columns hold each text (a phrase of trigrams:
  a substring, case folded) and keeps Django's own icontains condition as well: FTS5 folds
  the case of every letter, SQLite's LIKE only of ASCII letters, so the index finds a superset
  and LIKE decides, and the answer is the scan's to the row.
- PostgreSQL: a pg_trgm GIN index on `UPPER(column::text)` per column, the very expression
  Django's `icontains` compares (`UPPER("col"::text) LIKE UPPER('%text%')`), so the planner
  uses it for the unchanged query; pg_trgm rechecks every row it finds.

A text under three characters holds no trigram, so no index can serve it: when any text is
that short the condition is the plain scan. The indexes are made by migrations of the apps
that own the tables, through `migration(table, columns)`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import Any

from django.db import connections, migrations, router
from django.db.models import Model, Q
from django.db.models.expressions import RawSQL

__all__ = [
    "MIN_LENGTH",
    "TextIndex",
    "contains",
    "iexact_migration",
    "migration",
    "sqlite_flush_sql",
]

# Trigrams: a shorter text matches no row of an FTS5 trigram query, and gives pg_trgm nothing.
MIN_LENGTH = 3
SUFFIX = "_text"


@dataclass(frozen=True)
class TextIndex:
    """The trigram index of some text columns of one table."""

    table: str
    columns: tuple[str, ...]
    pk: str = "id"

    @property
    def fts(self) -> str:
        return self.table + SUFFIX

    # The SQL below is built from table and column names given in code (migrations), never
    # from input; the one value searched for is a parameter (`contains`).
    def sqlite_sql(self) -> list[str]:
        t, f, pk = self.table, self.fts, self.pk
        cols = ", ".join(self.columns)
        new = ", ".join(f"new.{c}" for c in self.columns)
        old = ", ".join(f"old.{c}" for c in self.columns)
        changed = " OR ".join(f"old.{c} IS NOT new.{c}" for c in self.columns)
        return [
            f"CREATE VIRTUAL TABLE {f} USING fts5({cols}, content='{t}', "
            f"content_rowid='{pk}', tokenize='trigram')",
            f"INSERT INTO {f}({f}) VALUES ('rebuild')",  # noqa: S608
            f"CREATE TRIGGER {f}_insert AFTER INSERT ON {t} BEGIN "  # noqa: S608
            f"INSERT INTO {f}(rowid, {cols}) VALUES (new.{pk}, {new}); END",
            f"CREATE TRIGGER {f}_delete AFTER DELETE ON {t} BEGIN "  # noqa: S608
            f"INSERT INTO {f}({f}, rowid, {cols}) VALUES ('delete', old.{pk}, {old}); END",
            f"CREATE TRIGGER {f}_update AFTER UPDATE OF {cols} ON {t} WHEN {changed} BEGIN "  # noqa: S608
            f"INSERT INTO {f}({f}, rowid, {cols}) VALUES ('delete', old.{pk}, {old}); "
            f"INSERT INTO {f}(rowid, {cols}) VALUES (new.{pk}, {new}); END",
        ]

    def sqlite_drop_sql(self) -> list[str]:
        f = self.fts
        return [
            *(f"DROP TRIGGER IF EXISTS {f}_{event}" for event in ("insert", "delete", "update")),
            f"DROP TABLE IF EXISTS {f}",
        ]

    def _pg_name(self, column: str) -> str:
        return f"{self.table}_{column}_trgm"[:63]

    def postgresql_sql(self) -> list[str]:
        # pg_trgm is a trusted extension (PostgreSQL 13+): the database's owner, or anyone
        # with CREATE on it, may create it; docs/operations.md says so.
        return [
            "CREATE EXTENSION IF NOT EXISTS pg_trgm",
            *(
                f'CREATE INDEX "{self._pg_name(c)}" ON "{self.table}" '
                f'USING gin ((UPPER("{c}"::text)) gin_trgm_ops)'
                for c in self.columns
            ),
        ]

    def postgresql_drop_sql(self) -> list[str]:
        # The extension stays: something else may use it.
        return [f'DROP INDEX IF EXISTS "{self._pg_name(c)}"' for c in self.columns]

    def create(self, apps: Any, schema_editor: Any) -> None:
        self._run(schema_editor, forward=True)

    def drop(self, apps: Any, schema_editor: Any) -> None:
        self._run(schema_editor, forward=False)

    def _run(self, schema_editor: Any, *, forward: bool) -> None:
        vendor = schema_editor.connection.vendor
        if vendor == "sqlite":
            statements = self.sqlite_sql() if forward else self.sqlite_drop_sql()
        elif vendor == "postgresql":
            statements = self.postgresql_sql() if forward else self.postgresql_drop_sql()
        else:  # another database: the plain scan, still correct
            statements = []
        for statement in statements:
            schema_editor.execute(statement, params=None)


def migration(table: str, columns: Sequence[str], pk: str = "id") -> migrations.RunPython:
    """The migration operation that makes (and, reversed, drops) a table's trigram index."""
    index = TextIndex(table, tuple(columns), pk)
    return migrations.RunPython(index.create, index.drop, elidable=False)


def _iexact_index(table: str, column: str, *, forward: bool) -> Any:
    """`field__iexact` (how the personal-data register finds a person's address,
    lib/personaldata.py `by`) served by an index, the lookup unchanged: SQLite runs it as
    `col LIKE 'addr' ESCAPE`, which an index in the NOCASE collation serves (LIKE and NOCASE
    fold the same ASCII letters); PostgreSQL as `UPPER(col::text) = UPPER('addr')`, served by
    an index on that expression."""
    name = f"{table}_{column}_ci"[:63]

    def run(apps: Any, schema_editor: Any) -> None:
        vendor = schema_editor.connection.vendor
        if not forward:
            if vendor in ("sqlite", "postgresql"):
                schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"', params=None)
        elif vendor == "sqlite":
            schema_editor.execute(
                f'CREATE INDEX "{name}" ON "{table}" ("{column}" COLLATE NOCASE)', params=None
            )
        elif vendor == "postgresql":
            schema_editor.execute(
                f'CREATE INDEX "{name}" ON "{table}" (UPPER("{column}"::text))', params=None
            )

    return run


def iexact_migration(table: str, column: str) -> migrations.RunPython:
    """The migration operation that makes (and, reversed, drops) the index serving
    `column__iexact` on `table`."""
    return migrations.RunPython(
        _iexact_index(table, column, forward=True),
        _iexact_index(table, column, forward=False),
        elidable=False,
    )


def _phrase(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def contains(model: type[Model], where: Iterable[tuple[str, str]]) -> Q:
    """Rows of `model` where some field contains its text, ignoring case (Django's icontains),
    narrowed first by the table's trigram index where it can serve every text. `where` is
    (field name, text) pairs; the fields must be columns of the model's index."""
    pairs = list(dict.fromkeys(where))
    conditions = [Q(**{f"{field}__icontains": text}) for field, text in pairs]
    exact = reduce(or_, conditions) if conditions else Q(pk__in=[])
    if not pairs or any(len(text) < MIN_LENGTH for _, text in pairs):
        return exact
    if connections[router.db_for_read(model)].vendor != "sqlite":
        return exact  # PostgreSQL's planner serves the icontains itself with the GIN indexes
    by_text: dict[str, list[str]] = {}
    for field, text in pairs:
        column = model._meta.get_field(field).column  # type: ignore[union-attr]
        by_text.setdefault(text, []).append(str(column))
    match = " OR ".join(
        "{" + " ".join(columns) + "} : " + _phrase(text) for text, columns in by_text.items()
    )
    fts = model._meta.db_table + SUFFIX
    rows = RawSQL(f'SELECT rowid FROM "{fts}" WHERE "{fts}" MATCH %s', (match,))  # noqa: S608, S611
    return Q(pk__in=rows) & exact


def sqlite_flush_sql(tables: Iterable[str], existing: Iterable[str]) -> list[str]:
    """What empties the trigram indexes of tables a flush empties with its triggers dropped
    (coproduce/lib/sqlite/operations.py): their delete triggers do not run then."""
    have = set(existing)
    return [
        f"INSERT INTO {t}{SUFFIX}({t}{SUFFIX}) VALUES ('delete-all');"  # noqa: S608
        for t in sorted(set(tables))
        if t + SUFFIX in have
    ]
