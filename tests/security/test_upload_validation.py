"""Uploads: zip containers bounded by entries and unpacked size, PDFs parsed, every form checked."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Callable
from typing import Any

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from fpdf import FPDF
from pypdf import PdfReader, PdfWriter

from coproduce.community.forms_directory import ImportForm as DirectoryImportForm
from coproduce.coproduction.forms import DocumentForm, EmailImportForm
from coproduce.governance.forms import ProtocolForm
from coproduce.implementation.forms import ImportForm as ScoresImportForm
from coproduce.qualitative.forms import ImportForm as QdaImportForm
from coproduce.qualitative.forms import TranscriptForm
from coproduce.security import uploads

MB = 1024 * 1024
DOCX_PARTS = {
    "[Content_Types].xml": '<?xml version="1.0"?><Types/>',
    "_rels/.rels": '<?xml version="1.0"?><Relationships/>',
    "word/document.xml": '<?xml version="1.0"?><w:document><w:body>Protocol</w:body></w:document>',
    "word/styles.xml": '<?xml version="1.0"?><w:styles/>',
    "docProps/core.xml": '<?xml version="1.0"?><cp:coreProperties/>',
}


def _zip(parts: dict[str, bytes | str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def docx(**extra: bytes | str) -> bytes:
    return _zip({**DOCX_PARTS, **extra})


def pdf(text: str = "Protocol") -> bytes:
    document = FPDF()
    document.add_page()
    document.set_font("helvetica", size=12)
    document.cell(text=text)
    return bytes(document.output())


def upload(content: bytes, name: str = "file.bin") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def _lying_sizes(data: bytes, claimed: int) -> bytes:
    """The archive with every entry's uncompressed size rewritten to `claimed` bytes."""
    out = bytearray(data)
    index = 0
    while (index := out.find(b"PK\x03\x04", index)) >= 0:  # local headers: size at +22
        out[index + 22 : index + 26] = struct.pack("<I", claimed)
        index += 4
    index = 0
    while (index := out.find(b"PK\x01\x02", index)) >= 0:  # central directory: size at +24
        out[index + 24 : index + 28] = struct.pack("<I", claimed)
        index += 4
    return bytes(out)


def test_a_real_docx_and_a_real_pdf_are_accepted() -> None:
    uploads.validate(upload(docx(), "protocol.docx"), "protocol")
    uploads.validate(upload(pdf(), "protocol.pdf"), "protocol")


def test_a_docx_that_unpacks_past_the_limit_is_refused(settings: Any) -> None:
    settings.COPRODUCE_UPLOAD_MAX_EXPANDED_BYTES = 1 * MB
    bomb = docx(**{"word/media/zeros.bin": b"\0" * (3 * MB)})
    assert len(bomb) < 20_000  # small on the wire
    with pytest.raises(ValidationError, match="unpacks to more than 1 MB") as refused:
        uploads.validate(upload(bomb, "protocol.docx"), "protocol")
    assert refused.value.code == "zip_expanded"


def test_a_zip_bomb_that_lies_about_its_sizes_is_still_refused(settings: Any) -> None:
    """The directory says 100 bytes; decompressing finds the truth and stops."""
    settings.COPRODUCE_UPLOAD_MAX_EXPANDED_BYTES = 1 * MB
    liar = _lying_sizes(docx(**{"word/media/zeros.bin": b"\0" * (3 * MB)}), 100)
    with zipfile.ZipFile(io.BytesIO(liar)) as archive:
        assert sum(info.file_size for info in archive.infolist()) < 1000
    with pytest.raises(ValidationError) as refused:
        uploads.validate(upload(liar, "protocol.docx"), "protocol")
    assert refused.value.code in {"zip_expanded", "zip_bad"}


def _deflated_zeros(blocks: int, block: int = 16 * MB) -> tuple[bytes, int]:
    """A raw deflate stream of blocks x block zero bytes, and its CRC-32, made cheaply: after a
    full flush the compressor starts afresh, so every block compresses to the same bytes."""
    first = zlib.compressobj(9, zlib.DEFLATED, -15)
    once = first.compress(b"\0" * block) + first.flush(zlib.Z_FULL_FLUSH)
    last = zlib.compressobj(9, zlib.DEFLATED, -15)
    end = last.flush(zlib.Z_FINISH)  # an empty final block
    crc = 0
    zeros = b"\0" * block
    for _ in range(blocks):
        crc = zlib.crc32(zeros, crc)
    return once * blocks + end, crc


def _zip_raw(entries: list[tuple[str, bytes, int, int]]) -> bytes:
    """A zip archive from (name, raw deflate data, crc, uncompressed size) entries."""
    out, directory = bytearray(), bytearray()
    for name, data, crc, size in entries:
        encoded = name.encode()
        fields = (20, 0, 8, 0, 0x21, crc, len(data), size, len(encoded), 0)
        directory += (
            b"PK\x01\x02"
            + struct.pack("<HHHHHHIIIHHHHHII", 20, *fields[:9], 0, 0, 0, 0, 0, len(out))
            + encoded
        )
        out += b"PK\x03\x04" + struct.pack("<HHHHHIIIHH", *fields) + encoded + data
    end = struct.pack("<HHHHIIH", 0, 0, len(entries), len(entries), len(directory), len(out), 0)
    return bytes(out + directory + b"PK\x05\x06" + end)


def test_the_default_limit_refuses_a_docx_of_2_gib() -> None:
    """The attack as reported: a DOCX that unpacks to 2 GiB, about 2 MB on the wire."""
    assert uploads.max_expanded_bytes() == 200 * MB
    entries = []
    for name, content in DOCX_PARTS.items():
        squeeze = zlib.compressobj(9, zlib.DEFLATED, -15)
        raw = content.encode()
        entries.append((name, squeeze.compress(raw) + squeeze.flush(), zlib.crc32(raw), len(raw)))
    data, crc = _deflated_zeros(128)
    entries.append(("word/media/zeros.bin", data, crc, 2 * 1024 * MB))
    bomb = _zip_raw(entries)
    assert len(bomb) < 4 * MB
    with zipfile.ZipFile(io.BytesIO(bomb)) as archive:
        assert archive.getinfo("word/media/zeros.bin").file_size == 2 * 1024 * MB
        with archive.open("word/document.xml") as member:
            assert b"Protocol" in member.read()
        with archive.open("word/media/zeros.bin") as member:
            assert member.read(MB) == b"\0" * MB  # really zeros, really compressed
    with pytest.raises(ValidationError, match="unpacks to more than 200 MB"):
        uploads.validate(upload(bomb, "protocol.docx"), "protocol")


def test_too_many_entries_are_refused(settings: Any) -> None:
    many = docx(**{f"word/media/{n}.xml": "<x/>" for n in range(1000)})
    with pytest.raises(ValidationError, match="holds 1,005 parts; we accept at most 1,000"):
        uploads.validate(upload(many, "protocol.docx"), "protocol")
    settings.COPRODUCE_UPLOAD_MAX_ZIP_ENTRIES = 2000
    uploads.validate(upload(many, "protocol.docx"), "protocol")


@pytest.mark.parametrize(
    "content",
    [
        b"%PDF-1.4\n<html><body><script>alert(document.cookie)</script></body></html>\n%%EOF\n",
        b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n",  # the shape of a PDF, no document
        b"%PDF-" + b"\0" * 5000,
    ],
)
def test_a_file_that_only_starts_like_a_pdf_is_refused(content: bytes) -> None:
    with pytest.raises(ValidationError) as refused:
        uploads.validate(upload(content, "protocol.pdf"), "protocol")
    assert refused.value.code in {"pdf_bad", "pdf_html"}


def test_a_pdf_html_polyglot_that_parses_is_still_refused() -> None:
    real = pdf()
    header_end = real.index(b"\n") + 1
    polyglot = real[:header_end] + b"%<html><script>alert(1)</script></html>\n" + real[header_end:]
    assert len(PdfReader(io.BytesIO(polyglot)).pages) == 1  # a PDF reader opens it ...
    with pytest.raises(ValidationError) as refused:  # ... and a browser would run it
        uploads.validate(upload(polyglot, "protocol.pdf"), "protocol")
    assert refused.value.code == "pdf_html"


def test_a_password_protected_pdf_is_refused() -> None:
    writer = PdfWriter(clone_from=io.BytesIO(pdf()))
    writer.encrypt("secret")
    locked = io.BytesIO()
    writer.write(locked)
    with pytest.raises(ValidationError, match="protected by a password"):
        uploads.validate(upload(locked.getvalue(), "protocol.pdf"), "protocol")


# Every upload form in the project, with a file name it accepts: each must refuse a zip bomb.
FORMS: dict[str, tuple[Callable[..., forms.Form], str, str, dict[str, str]]] = {
    "protocol": (lambda **kw: ProtocolForm(study=_study(), **kw), "document", "p.docx",
                 {"label": "9.9"}),
    "attachment": (DocumentForm, "upload", "notes.docx",
                   {"title": "Notes", "date_day": "1", "date_month": "2", "date_year": "2024"}),
    "email": (EmailImportForm, "file", "box.mbox", {}),
    "directory": (DirectoryImportForm, "file", "people.xlsx", {}),
    "scores": (ScoresImportForm, "file", "scores.csv", {}),
    "transcript": (TranscriptForm, "file", "interview.vtt", {"title": "Interview"}),
    "qdpx": (QdaImportForm, "file", "project.qdpx", {}),
}  # fmt: skip


def _study() -> Any:
    from tests.factories import StudyFactory

    return StudyFactory()


@pytest.mark.django_db
@pytest.mark.parametrize("kind", sorted(FORMS))
def test_every_upload_form_goes_through_the_validator(kind: str, settings: Any) -> None:
    settings.COPRODUCE_UPLOAD_MAX_EXPANDED_BYTES = 64 * 1024
    make, field, name, data = FORMS[kind]
    bomb = docx(**{"word/media/zeros.bin": b"\0" * MB})
    form = make(data=data, files={field: upload(bomb, name)})
    assert not form.is_valid()
    assert any("unpacks to more than 64 KB" in error for error in form.errors[field]), form.errors


def test_every_upload_page_has_a_kind() -> None:
    from coproduce.security.limits import UPLOAD_ROUTES

    assert set(UPLOAD_ROUTES.values()) == set(FORMS) == set(uploads.KINDS)
