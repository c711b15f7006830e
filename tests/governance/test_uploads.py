"""Protocol documents are checked by content, limited in size, and stored out of reach."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from coproduce.governance.models import ProtocolVersion
from tests.governance.conftest import PDF

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


def _docx(names: tuple[str, ...] = ("[Content_Types].xml", "word/document.xml")) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "<xml/>")
    return buffer.getvalue()


def _post(client: Any, study: Any, name: str, content: bytes, label: str = "1.0") -> Any:
    return client.post(
        reverse("governance:protocol_new", args=[study.slug]),
        {"label": label, "document": SimpleUploadedFile(name, content)},
    )


def _stored(settings: Any) -> list[Path]:
    folder = Path(settings.DATA_DIR) / "uploads" / "protocols"
    return sorted(folder.iterdir()) if folder.exists() else []


def test_a_renamed_executable_is_refused(member_client: Any, study: Any, settings: Any) -> None:
    response = _post(member_client, study, "protocol.pdf", EXE)
    assert response.status_code == 200
    html = response.content.decode()
    assert "must be a PDF or a Word document" in html
    assert "nhsuk-error-summary" in html
    assert not ProtocolVersion.objects.exists()
    assert _stored(settings) == []


def test_a_zip_that_is_not_a_word_document_is_refused(member_client: Any, study: Any) -> None:
    response = _post(member_client, study, "protocol.docx", _docx(("[Content_Types].xml",)))
    assert "must be a PDF or a Word document" in response.content.decode()
    assert not ProtocolVersion.objects.exists()


def test_an_oversized_file_is_refused(member_client: Any, study: Any, settings: Any) -> None:
    settings.COPRODUCE_PROTOCOL_MAX_BYTES = 1024
    response = _post(member_client, study, "protocol.pdf", PDF + b"0" * 2048)
    assert "must be smaller than 1 KB" in response.content.decode()
    assert not ProtocolVersion.objects.exists()
    assert _stored(settings) == []


def test_pdf_and_docx_are_stored_under_generated_names(
    member_client: Any, study: Any, settings: Any
) -> None:
    assert _post(member_client, study, "../../evil.pdf", PDF).status_code == 302
    assert _post(member_client, study, "My protocol.docx", _docx(), label="1.1").status_code == 302
    stored = _stored(settings)
    assert len(stored) == 2
    versions = {v.label: v for v in ProtocolVersion.objects.all()}
    assert versions["1.0"].file_format == "pdf"
    assert versions["1.1"].file_format == "docx"
    for version in versions.values():
        assert "evil" not in version.stored_name
        assert "/" not in version.stored_name
        assert (Path(settings.DATA_DIR) / "uploads" / "protocols" / version.stored_name).exists()
    static_root = Path(settings.STATIC_ROOT).resolve()
    assert all(static_root not in path.resolve().parents for path in stored)
    response = member_client.get(
        reverse("governance:protocol_download", args=[versions["1.0"].public_id])
    )
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]


def test_a_label_is_unique_per_study(member_client: Any, study: Any) -> None:
    _post(member_client, study, "a.pdf", PDF)
    response = _post(member_client, study, "b.pdf", PDF)
    assert "already has a protocol version with this label" in response.content.decode()
