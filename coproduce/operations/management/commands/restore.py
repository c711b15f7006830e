"""`coproduce restore PATH`: put a backup made by `coproduce backup` in place, and check it.

SQLite: refuses while the database is in use (stop the web server and the worker, or pass
--force), copies the backup in, runs integrity_check and compares the row count of every
table with the backup's. PostgreSQL: pg_restore --clean --if-exists in one transaction.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

from coproduce.lib import backup


class Command(BaseCommand):
    help = "Restore the database from a backup made by `coproduce backup`, and check it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="The backup file.")
        parser.add_argument("--database", default="default")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Restore even though the database looks in use (SQLite).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        connection = connections[options["database"]]
        settings_dict = connection.settings_dict
        connection.close()
        try:
            if connection.vendor == "sqlite":
                counts = backup.restore_sqlite(
                    options["path"], settings_dict["NAME"], force=options["force"]
                )
                self.stdout.write(
                    f"Restored {options['path']} into {settings_dict['NAME']}: integrity ok, "
                    f"row counts equal the backup's in all {len(counts)} tables "
                    f"({sum(counts.values()):,} rows)."
                )
            elif connection.vendor == "postgresql":
                backup.restore_postgres(settings_dict, options["path"])
                self.stdout.write(f"Restored {options['path']} into {settings_dict['NAME']}.")
            else:
                raise CommandError(f"No restore for {connection.vendor} databases.")
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
