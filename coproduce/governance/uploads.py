"""Protocol documents: checked by content, size-limited, stored under generated names.

The folder is `DATA_DIR/uploads/protocols/`, which no URL serves (there is no MEDIA_URL and
WhiteNoise serves only static files); documents leave only through the access-checked download
view. A file is accepted when its bytes say what it is:
- PDF: starts with `%PDF-`;
- DOCX: a ZIP archive holding `[Content_Types].xml` and `word/document.xml` (only the archive's
  directory is read, nothing is decompressed).
The name the browser sent is kept for display only.
"""

from __future__ import annotations

import hashlib
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError

DEFAULT_MAX_BYTES = 20 * 1024 * 1024


def max_bytes() -> int:
    return int(getattr(settings, "COPRODUCE_PROTOCOL_MAX_BYTES", DEFAULT_MAX_BYTES))


def protocol_dir() -> Path:
    return Path(settings.DATA_DIR) / "uploads" / "protocols"


def human_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.0f} MB"
    return f"{max(size // 1024, 1)} KB"


@dataclass(frozen=True)
class Checked:
    file_format: str  # "pdf" or "docx"
    size: int
    sha256: str


def sniff(uploaded: Any) -> str:
    """'pdf', 'docx' or '' from the file's content."""
    uploaded.seek(0)
    head = uploaded.read(8)
    uploaded.seek(0)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(uploaded) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return ""
        finally:
            uploaded.seek(0)
        if {"[Content_Types].xml", "word/document.xml"} <= names:
            return "docx"
    return ""


def check(uploaded: Any) -> Checked:
    """Validate an uploaded file; raise ValidationError with a message for the person."""
    limit = max_bytes()
    if uploaded.size > limit:
        raise ValidationError(
            f"The file must be smaller than {human_size(limit)}; this one is "
            f"{human_size(uploaded.size)}."
        )
    if uploaded.size == 0:
        raise ValidationError("The selected file is empty.")
    file_format = sniff(uploaded)
    if not file_format:
        raise ValidationError("The selected file must be a PDF or a Word document (.docx).")
    digest = hashlib.sha256()
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    return Checked(file_format=file_format, size=uploaded.size, sha256=digest.hexdigest())


def store(uploaded: Any, checked: Checked) -> str:
    """Write the file under a generated name; return that name."""
    folder = protocol_dir()
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{uuid.uuid4().hex}.{checked.file_format}"
    with (folder / name).open("xb") as out:
        for chunk in uploaded.chunks():
            out.write(chunk)
    return name


def path_of(stored_name: str) -> Path:
    folder = protocol_dir().resolve()
    path = (folder / stored_name).resolve()
    if path.parent != folder:
        raise ValueError("A stored protocol name must not leave the protocol folder.")
    return path
