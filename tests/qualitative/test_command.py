"""`coproduce qdpx export|import STUDY_SLUG PATH`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from coproduce.qualitative import services
from coproduce.qualitative.models import Coding
from tests import factories

pytestmark = pytest.mark.django_db


def test_export_then_import_keeps_offsets(
    tmp_path: Path, transcript: Any, codes: dict[str, Any], manager: Any, member: Any
) -> None:
    services.apply_code(transcript, codes["Randomisation"], start=5, end=31, by=manager)
    services.apply_code(transcript, codes["Delivery"], start=40, end=70, by=member, memo="Roll-out")
    target = tmp_path / "out.qdpx"
    call_command("qdpx", "export", transcript.project.study.slug, str(target))
    other = factories.StudyFactory(slug="other-study")
    call_command("qdpx", "import", "other-study", str(target))
    imported = Coding.objects.filter(source__project__study=other)
    assert sorted((c.start, c.end, c.code.name, c.memo) for c in imported) == [
        (5, 31, "Randomisation", ""),
        (40, 70, "Delivery", "Roll-out"),
    ]
    codebook = tmp_path / "codes.qdc"
    call_command("qdpx", "export", transcript.project.study.slug, str(codebook))
    assert codebook.read_bytes().startswith(b"<?xml")


def test_bad_input_says_why(tmp_path: Path, study: Any) -> None:
    with pytest.raises(CommandError, match="No study"):
        call_command("qdpx", "import", "nope", str(tmp_path / "x.qdpx"))
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("qdpx", "import", study.slug, str(tmp_path / "missing.qdpx"))
    broken = tmp_path / "broken.qdpx"
    broken.write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(CommandError):
        call_command("qdpx", "import", study.slug, str(broken))
    with pytest.raises(CommandError, match="no qualitative project"):
        call_command("qdpx", "export", factories.StudyFactory().slug, str(tmp_path / "y.qdpx"))
