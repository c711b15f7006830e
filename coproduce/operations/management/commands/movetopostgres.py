"""`coproduce movetopostgres SQLITE_FILE`: copy every row of a SQLite installation into the
PostgreSQL database that DATABASE_URL names.

The target must be migrated to the same schema first (`coproduce migrate`); whatever the
migrations put there (role groups, panels) is replaced by the source's rows, so primary keys,
public identifiers and the audit log arrive unchanged. Everything happens in one transaction:
foreign keys are checked at commit (Django makes them DEFERRABLE INITIALLY DEFERRED on
PostgreSQL), so a failure leaves the target as it was. Sequences are then set past the highest
key so new rows do not collide. Before the commit every row of every table is read back from
both databases and compared value by value; any difference undoes the whole copy.

Rows go through the ORM (`Model(**values)` then `bulk_create`), which converts SQLite's stored
forms (0/1 booleans, text datetimes and UUIDs, JSON text) into PostgreSQL types. Save methods
and signals are not run, so nothing is audited, sent or recomputed on the way.
"""

from __future__ import annotations

import contextlib
import itertools
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.management.color import no_style
from django.db import DatabaseError, connections, models, transaction

from coproduce.lib.db import sqlite_config

SOURCE = "movetopostgres_source"
BATCH = 2_000


def _models() -> list[type[models.Model]]:
    """Every concrete table-owning model, many-to-many tables included."""
    found = []
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or meta.swapped:
            continue
        found.append(model)
    return found


def _rows(model: type[models.Model], alias: str) -> Iterator[tuple[Any, ...]]:
    attnames = [f.attname for f in model._meta.concrete_fields]
    return (
        model._base_manager.using(alias)
        .order_by(model._meta.pk.attname)
        .values_list(*attnames)
        .iterator(chunk_size=BATCH)
    )


def _same_rows(model: type[models.Model], alias: str) -> bool:
    """Every row of the table, read back from both databases as Python values, is equal."""
    missing = object()
    pairs = itertools.zip_longest(_rows(model, SOURCE), _rows(model, alias), fillvalue=missing)
    return all(a == b for a, b in pairs)


@contextlib.contextmanager
def _stored_dates_kept(tables: list[type[models.Model]]) -> Iterator[None]:
    """bulk_create would stamp auto_now/auto_now_add fields with the time of the copy."""
    stamped: list[tuple[Any, bool, bool]] = [
        (field, field.auto_now, field.auto_now_add)
        for model in tables
        for field in model._meta.concrete_fields
        if isinstance(field, models.DateField) and (field.auto_now or field.auto_now_add)
    ]
    for field, _, _ in stamped:
        field.auto_now = field.auto_now_add = False
    try:
        yield
    finally:
        for field, now, now_add in stamped:
            field.auto_now, field.auto_now_add = now, now_add


def _quote(connection: Any, name: str) -> str:
    return str(connection.ops.quote_name(name))


class Command(BaseCommand):
    help = "Copy every row of a SQLite coproduce database into the PostgreSQL database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", help="The SQLite file to copy from (stop writers first).")
        parser.add_argument("--database", default="default", help="The PostgreSQL target.")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["source"])
        if not path.is_file():
            raise CommandError(f"{path} is not a file.")
        target = connections[options["database"]]
        if target.vendor != "postgresql":
            raise CommandError(
                "The target must be PostgreSQL: set DATABASE_URL=postgres://... and run "
                "`coproduce migrate` first."
            )
        connections.settings[SOURCE] = connections.configure_settings(
            # configure_settings insists on a "default" entry; only SOURCE's is kept.
            {"default": {}, SOURCE: {**sqlite_config(path), "TEST": {}}}
        )[SOURCE]
        source = connections[SOURCE]
        try:
            self._check_schema(source, target)
            started = time.monotonic()
            counts = self._copy(source, target)
        finally:
            source.close()
            del connections.settings[SOURCE]
        total = sum(counts.values())
        self.stdout.write(
            f"Copied {total:,} rows in {len(counts)} tables from {path} into "
            f"{target.settings_dict['NAME']} in {time.monotonic() - started:.1f} s; "
            "every row reads back equal."
        )

    def _check_schema(self, source: Any, target: Any) -> None:
        """Both databases must have applied the same migrations."""
        query = "SELECT app, name FROM django_migrations"
        applied = []
        for connection in (source, target):
            with connection.cursor() as cursor:
                try:
                    cursor.execute(query)
                except DatabaseError as exc:
                    raise CommandError(
                        f"{connection.settings_dict['NAME']} is not a migrated database: {exc}"
                    ) from exc
                applied.append(set(cursor.fetchall()))
        missing_in_target = applied[0] - applied[1]
        missing_in_source = applied[1] - applied[0]
        if missing_in_target or missing_in_source:
            names = sorted(f"{a}.{n}" for a, n in missing_in_target | missing_in_source)
            raise CommandError(
                "The two databases are not at the same migrations; run `coproduce migrate` on "
                f"both with this version first. Differences: {', '.join(names[:10])}"
            )

    def _copy(self, source: Any, target: Any) -> dict[str, int]:
        tables = _models()
        names = ", ".join(_quote(target, m._meta.db_table) for m in tables)
        counts: dict[str, int] = {}
        with _stored_dates_kept(tables), transaction.atomic(using=target.alias):
            with target.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
                # TRUNCATE, not DELETE: row triggers (the audit table refuses DELETE) do not
                # fire, and what the migrations inserted goes too.
                cursor.execute(f"TRUNCATE {names} CASCADE")
            for model in tables:
                counts[model._meta.db_table] = self._copy_model(model, target)
            with target.cursor() as cursor:
                for sql in target.ops.sequence_reset_sql(no_style(), tables):
                    cursor.execute(sql)
            differ = [m._meta.db_table for m in tables if not _same_rows(m, target.alias)]
            if differ:
                raise CommandError(
                    f"Rows differ after copying {', '.join(differ)}; nothing was changed."
                )
        return counts

    def _copy_model(self, model: type[models.Model], target: Any) -> int:
        attnames = [f.attname for f in model._meta.concrete_fields]
        copied = 0
        batch: list[models.Model] = []
        for values in _rows(model, SOURCE):
            batch.append(model(**dict(zip(attnames, values, strict=True))))
            if len(batch) >= BATCH:
                copied += self._insert(model, batch, target)
                batch = []
        if batch:
            copied += self._insert(model, batch, target)
        return copied

    def _insert(self, model: type[models.Model], batch: list[models.Model], target: Any) -> int:
        model._base_manager.using(target.alias).bulk_create(batch, batch_size=BATCH)
        return len(batch)
