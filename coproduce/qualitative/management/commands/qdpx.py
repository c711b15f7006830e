"""`coproduce qdpx export STUDY_SLUG PATH` and `coproduce qdpx import STUDY_SLUG PATH`.

Export writes the study's qualitative project as a REFI-QDA .qdpx (or, for a PATH ending in
.qdc, its codebook); withheld sources are left out as on the web page. Import reads a .qdpx or
.qdc into the study's project (started if there is none), after the same checks as an upload
(security/uploads.py, kind "qdpx") and the REFI-QDA schema; a bad file changes nothing and the
message says why.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError, CommandParser

from coproduce.qualitative import refiqda, services
from coproduce.qualitative.models import Project
from coproduce.registry.models import Study
from coproduce.security import uploads

ACTOR = "command line (coproduce qdpx)"


class Command(BaseCommand):
    help = "Export or import a study's qualitative project as REFI-QDA (.qdpx, or .qdc codebook)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["export", "import"])
        parser.add_argument("study_slug")
        parser.add_argument("path", type=Path)

    def handle(self, *args: Any, action: str, study_slug: str, path: Path, **options: Any) -> None:
        study = Study.objects.filter(slug=study_slug).first()
        if study is None:
            raise CommandError(f"No study has the slug “{study_slug}”.")
        codebook = path.suffix.lower() == ".qdc"
        if action == "export":
            project = Project.objects.filter(study=study).first()
            if project is None:
                raise CommandError(f"{study.title} has no qualitative project to export.")
            data = refiqda.codebook_xml(project) if codebook else refiqda.project_qdpx(project)
            path.write_bytes(data)
            self.stdout.write(f"Wrote {path} ({len(data):,} bytes).")
            return
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}.") from error
        try:
            uploads.validate(SimpleUploadedFile(path.name, data), "qdpx")
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        project = services.start_project(study, by=ACTOR)
        try:
            if codebook:
                result = refiqda.import_codebook(project, data, by=ACTOR)
            else:
                result = refiqda.import_project(project, data, by=ACTOR)
        except refiqda.RefiQdaError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Imported {result.sources} sources, {result.codes} codes and {result.codings} "
            f"codings into {project.name}"
            + (
                f"; skipped {result.skipped_sources} already there"
                if result.skipped_sources
                else ""
            )
            + "."
        )
