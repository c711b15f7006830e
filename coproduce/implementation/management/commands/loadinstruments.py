"""`coproduce loadinstruments [FILE ...]`: load instrument definitions (TOML files).

With no files, loads the ones shipped in coproduce/implementation/fixtures/instruments/
(NoMAD's structure, and the i-PARIHS and CFIR 2022 coding frames). Safe to run again: item
wording entered by users is kept.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from coproduce.implementation import instruments


class Command(BaseCommand):
    help = __doc__.splitlines()[0] if __doc__ else ""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="*", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        paths = options["files"] or None
        try:
            results = instruments.load_files(paths)
        except instruments.DefinitionError as error:
            raise CommandError(str(error)) from error
        for result in results:
            self.stdout.write(
                f"{result.instrument.name}: {'created' if result.created else 'updated'}, "
                f"{result.constructs} constructs, {result.items_created} new items, "
                f"{result.items_removed} items removed"
            )
