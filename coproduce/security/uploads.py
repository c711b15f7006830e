"""Every file a person uploads passes here before it is accepted: one module, one kind per form.

Each upload field names a kind (the table below, also in docs/operations.md "Uploads"). A kind's
size limit is enforced twice: while the request is read (`coproduce/security/limits.py` stops
reading a file part at the limit of the page's kind and answers 413) and again on the finished
file by `validate()`, which forms call from their `clean_<field>()`.

| kind        | what                                     | largest file                        |
|-------------|------------------------------------------|-------------------------------------|
| protocol    | governance protocol version (PDF, DOCX)  | COPRODUCE_PROTOCOL_MAX_BYTES, 20 MB |
| attachment  | a co-production source document's file   | 5 MB                                |
| email       | email import (.eml, .mbox)               | 25 MB                               |
| directory   | associate directory import (CSV, XLSX)   | 100 MB                              |
| scores      | instrument scores import (CSV)           | 2 MB                                |
| transcript  | transcript (text, VTT, SRT, DOCX)        | 5 MB                                |
| qdpx        | REFI-QDA project (.qdpx) or codebook     | 100 MB                              |

Whatever the kind, by content (never by the name the browser sent):
- a zip container (DOCX, XLSX, any file starting `PK\\x03\\x04`) may hold at most
  COPRODUCE_UPLOAD_MAX_ZIP_ENTRIES entries (1,000) and expand to at most
  COPRODUCE_UPLOAD_MAX_EXPANDED_BYTES (200 MB) in all. The entries are really decompressed and
  counted, stopping at the limit, because the sizes an archive declares can lie (a zip bomb);
  nothing decompressed is kept.
- a file starting `%PDF-` must be read by pypdf (a maintained PDF parser) as a document with at
  least one page, and its first kilobyte must hold no HTML a browser would sniff: a PDF/HTML
  polyglot is refused. Password-protected PDFs are refused (reviewers could not open them).
"""

from __future__ import annotations

import io
import logging
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError

MB = 1024 * 1024

DEFAULT_MAX_EXPANDED_BYTES = 200 * MB
DEFAULT_MAX_ZIP_ENTRIES = 1000
# Bytes decompressed per read while counting a zip entry's real size.
_CHUNK = 64 * 1024
# What browsers sniff as HTML (WHATWG MIME sniffing) and other active content, in the first KB.
_HTML_MARKERS = re.compile(
    rb"<(!doctype|html|head|body|script|iframe|svg|object|embed|meta|a\s|img\s)", re.IGNORECASE
)


@dataclass(frozen=True)
class Kind:
    label: str  # "protocol document": used in messages
    max_bytes: Callable[[], int]


def _setting(name: str, default: int) -> Callable[[], int]:
    return lambda: int(getattr(settings, name, default))


ATTACHMENT_MAX_BYTES = 5 * MB
EMAIL_MAX_BYTES = 25 * MB
DIRECTORY_MAX_BYTES = 100 * MB
SCORES_MAX_BYTES = 2 * MB
TRANSCRIPT_MAX_BYTES = 5 * MB
QDPX_MAX_BYTES = 100 * MB

KINDS: dict[str, Kind] = {
    "protocol": Kind("protocol document", _setting("COPRODUCE_PROTOCOL_MAX_BYTES", 20 * MB)),
    "attachment": Kind("file", lambda: ATTACHMENT_MAX_BYTES),
    "email": Kind("email file", lambda: EMAIL_MAX_BYTES),
    "directory": Kind("file", lambda: DIRECTORY_MAX_BYTES),
    "scores": Kind("file", lambda: SCORES_MAX_BYTES),
    "transcript": Kind("transcript", lambda: TRANSCRIPT_MAX_BYTES),
    "qdpx": Kind("REFI-QDA file", lambda: QDPX_MAX_BYTES),
}


def max_bytes(kind: str) -> int:
    return KINDS[kind].max_bytes()


def max_expanded_bytes() -> int:
    return int(getattr(settings, "COPRODUCE_UPLOAD_MAX_EXPANDED_BYTES", DEFAULT_MAX_EXPANDED_BYTES))


def max_zip_entries() -> int:
    return int(getattr(settings, "COPRODUCE_UPLOAD_MAX_ZIP_ENTRIES", DEFAULT_MAX_ZIP_ENTRIES))


def human_size(size: int) -> str:
    if size >= MB:
        return f"{size / MB:.0f} MB"
    return f"{max(size // 1024, 1)} KB"


def too_large_message(kind: str) -> str:
    return f"The {KINDS[kind].label} must be smaller than {human_size(max_bytes(kind))}."


def _head(uploaded: Any, size: int = 1024) -> bytes:
    uploaded.seek(0)
    head = uploaded.read(size)
    uploaded.seek(0)
    return bytes(head)


def is_zip(uploaded: Any) -> bool:
    return _head(uploaded, 4) == b"PK\x03\x04"


def is_pdf(uploaded: Any) -> bool:
    return _head(uploaded, 5) == b"%PDF-"


def check_zip(uploaded: Any) -> None:
    """Refuse a zip container with too many entries or too much inside (really decompressed)."""
    entries_limit, expanded_limit = max_zip_entries(), max_expanded_bytes()
    too_big = ValidationError(
        f"The file unpacks to more than {human_size(expanded_limit)}, more than we accept.",
        code="zip_expanded",
    )
    uploaded.seek(0)
    try:
        with zipfile.ZipFile(uploaded) as archive:
            infos = archive.infolist()
            if len(infos) > entries_limit:
                raise ValidationError(
                    f"The file holds {len(infos):,} parts; we accept at most {entries_limit:,}.",
                    code="zip_entries",
                )
            if sum(info.file_size for info in infos) > expanded_limit:
                raise too_big
            total = 0
            for info in infos:
                with archive.open(info) as member:
                    while chunk := member.read(_CHUNK):
                        total += len(chunk)
                        if total > expanded_limit:
                            raise too_big
    # zipfile raises NotImplementedError for an entry packed with a method it cannot unpack.
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError) as exc:
        raise ValidationError("The file is damaged and cannot be opened.", code="zip_bad") from exc
    except RuntimeError as exc:  # an encrypted entry
        raise ValidationError(
            "The file is protected by a password; upload it without one.", code="zip_encrypted"
        ) from exc
    finally:
        uploaded.seek(0)


def check_pdf(uploaded: Any) -> None:
    """Refuse anything starting `%PDF-` that pypdf cannot read as a document with pages."""
    import pypdf  # imported here: only uploads need it, and it takes a while to import

    if _HTML_MARKERS.search(_head(uploaded)):
        raise ValidationError("The file is not a PDF document we can accept.", code="pdf_html")
    not_pdf = ValidationError("The file is damaged or is not a PDF document.", code="pdf_bad")
    uploaded.seek(0)
    data = io.BytesIO(uploaded.read())
    uploaded.seek(0)
    pypdf_logger = logging.getLogger("pypdf")
    level = pypdf_logger.level
    pypdf_logger.setLevel(logging.ERROR)  # a damaged upload is the person's problem, not a log
    try:
        reader = pypdf.PdfReader(data, strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise ValidationError(
                "The PDF is protected by a password; upload it without one.", code="pdf_encrypted"
            )
        if len(reader.pages) < 1:
            raise not_pdf
    except ValidationError:
        raise
    except Exception as exc:  # pypdf fails on damaged input in many ways
        raise not_pdf from exc
    finally:
        pypdf_logger.setLevel(level)


def validate(uploaded: Any, kind: str) -> None:
    """Check an uploaded file of `kind` (KINDS); raise ValidationError with a message to show."""
    if uploaded.size > max_bytes(kind):
        raise ValidationError(
            f"{too_large_message(kind)[:-1]}; this one is {human_size(uploaded.size)}.",
            code="too_large",
        )
    if is_zip(uploaded):
        check_zip(uploaded)
    elif is_pdf(uploaded):
        check_pdf(uploaded)
