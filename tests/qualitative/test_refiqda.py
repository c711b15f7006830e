"""REFI-QDA: exports valid against the vendored schemas; round trips keep every offset."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
import xmlschema

from coproduce.qualitative import refiqda, services
from coproduce.qualitative.models import Coding, Project
from tests import factories
from tests.qualitative.conftest import meeting


@pytest.fixture
def coded(transcript: Any, manager: Any, member: Any, codes: dict[str, Any], refusing: Any) -> Any:
    services.apply_code(transcript, codes["Randomisation"], start=5, end=31, by=manager, memo="Key")
    services.apply_code(transcript, codes["Toward practice"], start=36, end=70, by=member)
    agreed = services.apply_code(transcript, codes["Randomisation"], start=5, end=31, by=member)
    services.reconcile(transcript, [agreed], by=manager)
    withheld = services.add_coproduction_sources(
        transcript.project, [meeting(transcript.project.study, refusing)], by=manager
    )[0]
    services.apply_code(withheld, codes["Delivery"], start=0, end=10, by=manager)
    return transcript.project


def test_export_is_valid_and_leaves_withheld_sources_out(coded: Project) -> None:
    data = refiqda.project_qdpx(coded)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        qde = archive.read("project.qde")
    schema = xmlschema.XMLSchema(refiqda.SCHEMAS / "Project.xsd")
    schema.validate(qde)
    assert names[0] == "project.qde"
    assert len(names) == 2
    assert b"Planning meeting" not in qde
    assert b"Steering group" in qde
    assert qde.count(b"<PlainTextSelection") == 4
    assert refiqda.RECONCILED_NAME.encode() in qde


def test_codebook_export_is_valid_and_round_trips_meaning(coded: Project, manager: Any) -> None:
    data = refiqda.codebook_xml(coded)
    xmlschema.XMLSchema(refiqda.SCHEMAS / "Codebook.xsd").validate(data)
    other = services.start_project(factories.StudyFactory(), by=manager)
    result = refiqda.import_codebook(other, data, by=manager)
    assert result.codes == coded.codes.count()
    before = {c.name: c.current.meaning() for c in coded.codes.all()}
    after = {c.name: c.current.meaning() for c in other.codes.all()}
    assert before == after
    nested = other.codes.get(name="Randomisation")
    assert nested.parent is not None
    assert nested.parent.name == "What was compromised on"


def test_project_round_trip_keeps_every_offset(coded: Project, manager: Any) -> None:
    exported = {
        (c.source.title, c.code.name, c.start, c.end, c.reconciled, c.memo)
        for c in Coding.objects.filter(source__project=coded)
        if not c.source.withheld
    }
    other = services.start_project(factories.StudyFactory(), by=manager)
    result = refiqda.import_project(other, refiqda.project_qdpx(coded), by=manager)
    assert (result.sources, result.codings) == (1, 4)
    imported = {
        (c.source.title, c.code.name, c.start, c.end, c.reconciled, c.memo)
        for c in Coding.objects.filter(source__project=other)
    }
    assert imported == exported
    source = other.sources.get()
    assert source.text == coded.sources.get(title="Steering group, March").text
    # Exported again, the offsets are still the same.
    again = refiqda.project_qdpx(other)
    third = services.start_project(factories.StudyFactory(), by=manager)
    refiqda.import_project(third, again, by=manager)
    assert {(c.start, c.end) for c in Coding.objects.filter(source__project=third)} == {
        (s, e) for _, _, s, e, _, _ in exported
    }


def _qdpx(qde: bytes, files: dict[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("project.qde", qde)
        for name, data in (files or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


GUID = "1FF58B12-6F6F-4B0C-8BE5-BBDC91F55294"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"not a zip", "not a zip archive"),
        (_qdpx(b"<Project"), "not well-formed"),
        (
            _qdpx(b'<Project xmlns="urn:QDA-XML:project:1.0"/>'),
            "does not follow the REFI-QDA schema",
        ),
        (
            _qdpx(
                b'<!DOCTYPE x [<!ENTITY a "aaaa">]><Project xmlns="urn:QDA-XML:project:1.0" name="&a;"/>'
            ),
            "not well-formed",
        ),
        (
            _qdpx(
                f'<Project xmlns="urn:QDA-XML:project:1.0" name="p"><Sources><TextSource guid="{GUID}" '
                'name="s" plainTextPath="internal://missing.txt"/></Sources></Project>'.encode()
            ),
            "not in the archive",
        ),
        (
            _qdpx(
                f'<Project xmlns="urn:QDA-XML:project:1.0" name="p"><Sources><TextSource guid="{GUID}" '
                f'name="s"><PlainTextContent>short</PlainTextContent><PlainTextSelection guid="{GUID}" '
                f'startPosition="2" endPosition="99"><Coding guid="{GUID}"><CodeRef targetGUID="{GUID}"/>'
                "</Coding></PlainTextSelection></TextSource></Sources></Project>".encode()
            ),
            "code not in the file",
        ),
    ],
)
def test_malformed_files_get_a_clear_message(
    project: Project, manager: Any, data: bytes, message: str
) -> None:
    with pytest.raises(refiqda.RefiQdaError, match=message):
        refiqda.import_project(project, data, by=manager)
    assert not project.sources.exists()


def test_codebook_import_refuses_a_project_file(project: Project, manager: Any) -> None:
    with pytest.raises(refiqda.RefiQdaError, match=r"Codebook\.xsd"):
        refiqda.import_codebook(
            project, b'<Project xmlns="urn:QDA-XML:project:1.0" name="p"/>', by=manager
        )
