"""`coproduce backup PATH`: copy the database while the site keeps running.

SQLite: SQLite's online backup API, one consistent snapshot, checked with integrity_check.
PostgreSQL: pg_dump in its custom format (restore with `coproduce restore`). Uploads in
COPRODUCE_DATA_DIR/uploads are files: copy them as well (docs/operations.md).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

from coproduce.lib import backup


class Command(BaseCommand):
    help = "Back up the database while the site runs (SQLite backup API or pg_dump -Fc)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="The file to write (replaced if it exists).")
        parser.add_argument("--database", default="default")

    def handle(self, *args: Any, **options: Any) -> None:
        connection = connections[options["database"]]
        settings_dict = connection.settings_dict
        try:
            if connection.vendor == "sqlite":
                counts = backup.backup_sqlite(settings_dict["NAME"], options["path"])
                self.stdout.write(
                    f"Backed up {settings_dict['NAME']} to {options['path']}: integrity ok, "
                    f"{len(counts)} tables, {sum(counts.values()):,} rows."
                )
            elif connection.vendor == "postgresql":
                backup.backup_postgres(settings_dict, options["path"])
                self.stdout.write(f"Backed up {settings_dict['NAME']} to {options['path']}.")
            else:
                raise CommandError(f"No backup for {connection.vendor} databases.")
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
