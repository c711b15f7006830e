"""`coproduce processingregister [--write]`: the register of processing (UK GDPR Art 30) as
Markdown, made from the personal-data register's rules; `--write` puts it in
docs/processing-register.md."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from coproduce.lib.personaldata import processing_markdown

DOC = Path(settings.BASE_DIR).parent / "docs" / "processing-register.md"


class Command(BaseCommand):
    help = "Print (or --write to docs/) the register of processing made from the code's rules."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--write", action="store_true", help=f"write {DOC}")

    def handle(self, *args: Any, **options: Any) -> None:
        text = processing_markdown()
        if options["write"]:
            DOC.write_text(text, encoding="utf-8")
            self.stdout.write(f"Wrote {DOC}")
        else:
            self.stdout.write(text, ending="")
