"""Email import: .eml and .mbox, with malformed and duplicate messages and attachments."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse

from coproduce.audit.models import AuditEntry
from coproduce.coproduction import importer
from coproduce.coproduction import models as m

pytestmark = pytest.mark.django_db


def message(
    number: int,
    *,
    subject: str = "",
    sender: str = "Ann Author <ann@example.org>",
    reply_to: str = "",
    attachment: bytes | None = None,
    date: str = "Tue, 01 Mar 2011 10:00:00 +0000",
    message_id: str | None = None,
) -> bytes:
    msg = EmailMessage()
    if sender:
        msg["From"] = sender
    msg["To"] = "Bob Reader <bob@example.org>, carol@example.org"
    msg["Subject"] = subject or f"Message {number}"
    if date:
        msg["Date"] = date
    if message_id is None:
        message_id = f"<m{number}@example.org>"
    if message_id:
        msg["Message-ID"] = message_id
    if reply_to:
        msg["In-Reply-To"] = reply_to
        msg["References"] = reply_to
    msg.set_content(f"Body of message {number}.\n")
    if attachment is not None:
        msg.add_attachment(
            attachment, maintype="application", subtype="octet-stream", filename="../../evil.sh"
        )
    return bytes(msg)


def mbox(*messages: bytes) -> bytes:
    parts = []
    for raw in messages:
        body = raw.replace(b"\nFrom ", b"\n>From ")
        parts.append(b"From MAILER-DAEMON Thu Jan  1 00:00:00 2011\n" + body + b"\n")
    return b"".join(parts)


def stored_files() -> list[Path]:
    folder = Path(settings.DATA_DIR) / "uploads" / "sources"
    return sorted(folder.iterdir()) if folder.exists() else []


def test_an_eml_file_is_imported_with_headers_body_participants_and_attachment(
    study: Any, manager: Any
) -> None:
    raw = message(1, attachment=b"#!/bin/sh\nrm -rf /\n")
    result = importer.import_file(study, "thread.eml", raw, manager)
    assert result.ok
    assert result.imported == 1
    source = m.Source.objects.get()
    assert source.kind == m.Source.Kind.EMAIL
    assert source.message_id == "<m1@example.org>"
    assert source.title == "Message 1"
    assert "Body of message 1." in source.notes
    assert source.sender == "Ann Author <ann@example.org>"
    assert source.thread_key == "<m1@example.org>"
    roles = {(link.participant.email, link.role) for link in source.links.all()}
    assert roles == {
        ("ann@example.org", "author"),
        ("bob@example.org", "recipient"),
        ("carol@example.org", "recipient"),
    }
    assert all(p.consent == m.Participant.Consent.NOT_RECORDED for p in m.Participant.objects.all())
    attachment = source.attachments.get()
    assert attachment.original_name == "../../evil.sh"
    [path] = stored_files()
    # A generated name, not the sender's, with no extension; and not executable.
    assert path.name == attachment.stored_name
    assert "." not in path.name
    assert "evil" not in path.name
    assert path.stat().st_mode & 0o111 == 0
    assert path.read_bytes() == b"#!/bin/sh\nrm -rf /\n"
    assert AuditEntry.objects.filter(action="coproduction.source.imported").count() == 1


def test_an_mbox_skips_malformed_and_duplicate_messages_with_a_note_for_each(
    study: Any, manager: Any
) -> None:
    importer.import_file(study, "first.eml", message(1), manager)
    raw = mbox(
        message(1),  # already imported
        message(2),
        message(3, message_id=""),  # no Message-ID
        message(4, sender=""),  # no From
        message(5, date="not a date"),  # unreadable Date
        message(6, reply_to="<m2@example.org>"),
        message(2),  # twice in the same file
    )
    result = importer.import_file(study, "box.mbox", raw, manager)
    assert result.ok
    assert (result.imported, result.duplicates, result.malformed) == (2, 2, 3)
    notes = {note.position: note.message for note in result.notes}
    assert notes[1] == "Skipped: already imported (same Message-ID)."
    assert notes[2] == "Imported."
    assert "no Message-ID" in notes[3]
    assert "no usable From" in notes[4]
    assert "no readable Date" in notes[5]
    assert notes[7].startswith("Skipped: already imported")
    assert m.Source.objects.count() == 3
    reply = m.Source.objects.get(message_id="<m6@example.org>")
    assert reply.thread_key == "<m2@example.org>"
    # Importing the same file again adds nothing.
    again = importer.import_file(study, "box.mbox", raw, manager)
    assert again.imported == 0
    assert m.Source.objects.count() == 3


def test_a_large_attachment_is_not_kept(study: Any, manager: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(importer, "ATTACHMENT_MAX_BYTES", 10)
    result = importer.import_file(study, "big.eml", message(1, attachment=b"x" * 11), manager)
    assert result.imported == 1
    assert not m.Attachment.objects.exists()
    assert stored_files() == []
    assert any("not kept" in note.message for note in result.notes)


def test_a_failure_while_saving_keeps_nothing_from_the_file(
    study: Any, manager: Any, monkeypatch: Any
) -> None:
    real = importer.store_bytes
    calls = {"n": 0}

    def fail_second(data: bytes) -> str:
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError("disk full")
        return real(data)

    monkeypatch.setattr(importer, "store_bytes", fail_second)
    raw = mbox(message(1, attachment=b"one"), message(2, attachment=b"two"))
    with pytest.raises(OSError, match="disk full"):
        importer.import_file(study, "box.mbox", raw, manager)
    assert not m.Source.objects.exists()
    assert not m.Participant.objects.exists()
    assert stored_files() == []  # the first attachment's file was removed again


def test_other_files_are_refused(study: Any, manager: Any) -> None:
    assert importer.import_file(study, "notes.txt", b"hello", manager).failed
    assert not importer.import_file(study, "empty.mbox", b"", manager).ok


def test_the_import_page_shows_a_row_per_message(member_client: Any, study: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = reverse("coproduction:email_import", args=[study.slug])
    upload = SimpleUploadedFile("box.mbox", mbox(message(1), message(2, sender="")))
    response = member_client.post(url, {"file": upload})
    assert response.status_code == 200
    text = response.content.decode()
    assert "1 message imported" in text
    assert "1 malformed skipped" in text
    assert "no usable From address" in text
    wrong = member_client.post(url, {"file": SimpleUploadedFile("x.txt", b"hi")})
    assert "The file must be an .eml or .mbox file" in wrong.content.decode()


def test_attachments_download_as_octet_stream_never_inline(
    member_client: Any, study: Any, manager: Any
) -> None:
    importer.import_file(study, "a.eml", message(1, attachment=b"<script>x</script>"), manager)
    attachment = m.Attachment.objects.get()
    url = reverse(
        "coproduction:attachment",
        args=[study.slug, attachment.source.public_id, attachment.public_id],
    )
    response = member_client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == b"<script>x</script>"
