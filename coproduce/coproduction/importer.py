"""Import email messages (.eml, one message; .mbox, many) as a study's sources.

Read with the standard library only (`email`, `mailbox`). For each message we keep the
headers that matter (Message-ID, From, To, Cc, Date, Subject, and the thread it belongs to from
References or In-Reply-To), the plain-text body (or, failing that, the HTML part with its tags
taken out) and its attachments. Each sender and recipient becomes a participant of the study
(matched by address), with research-use consent "not recorded" until someone records it.

Rules:
- A message whose Message-ID the study already has (or that appears twice in the file) is a
  duplicate: skipped, with a note.
- A malformed message (no Message-ID, no usable From address, no readable Date, or a defect
  the parser reports in its headers) is skipped, with a note saying why.
- Attachments are written under DATA_DIR/uploads/sources/ with a random name and no extension,
  never the sender's name for them; one bigger than ATTACHMENT_MAX_BYTES is not kept (noted).
  They are only ever sent back as downloads (application/octet-stream), never run or shown.
- All or nothing per file: the messages are saved in one transaction; if anything goes wrong
  while saving, nothing from the file is kept and the attachment files written are removed.
"""

from __future__ import annotations

import email
import email.policy
import mailbox
import os
import re
import secrets
import tempfile
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import getaddresses, parsedate_to_datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from coproduce.audit.log import record
from coproduce.coproduction.models import Attachment, Participant, Source, SourceParticipant
from coproduce.lib.identifiers import normalise_email
from coproduce.registry.models import Study
from coproduce.security import uploads

ATTACHMENT_MAX_BYTES = uploads.ATTACHMENT_MAX_BYTES
FILE_MAX_BYTES = uploads.EMAIL_MAX_BYTES
TAGS = re.compile(r"<[^>]+>")


def storage_dir() -> Path:
    return Path(settings.DATA_DIR) / "uploads" / "sources"


def store_bytes(data: bytes) -> str:
    """Write data under a new random name (never overwriting); return the name."""
    folder = storage_dir()
    folder.mkdir(parents=True, exist_ok=True)
    name = secrets.token_hex(16)
    descriptor = os.open(folder / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
    return name


def remove_stored(names: list[str]) -> None:
    for name in names:
        (storage_dir() / name).unlink(missing_ok=True)


@dataclass
class Note:
    position: int  # 1-based message number in the file
    subject: str
    message: str


@dataclass
class ImportResult:
    filename: str
    imported: int = 0
    duplicates: int = 0
    malformed: int = 0
    notes: list[Note] = field(default_factory=list)
    failed: str = ""  # the whole file was refused

    @property
    def ok(self) -> bool:
        return not self.failed


@dataclass
class _Parsed:
    position: int
    message_id: str
    thread_key: str
    subject: str
    sender: tuple[str, str]
    recipients: list[tuple[str, str]]
    sent_at: Any
    body: str
    attachments: list[tuple[str, str, bytes]]


def _messages(filename: str, data: bytes) -> list[EmailMessage]:
    policy = email.policy.default
    if filename.lower().endswith(".mbox"):
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "upload.mbox"
            path.write_bytes(data)
            box = mailbox.mbox(str(path), factory=None, create=False)
            try:
                return [
                    email.message_from_bytes(box.get_bytes(key), policy=policy)
                    for key in box.iterkeys()
                ]
            finally:
                box.close()
    return [email.message_from_bytes(data, policy=policy)]


def _header(message: EmailMessage, name: str) -> str:
    try:
        value = message.get(name)
    except Exception:  # noqa: BLE001 - a header the parser cannot read counts as missing
        return ""
    return str(value or "").strip()


def _text_body(message: EmailMessage) -> str:
    try:
        part = message.get_body(preferencelist=("plain", "html"))
        if part is None:
            return ""
        text = str(part.get_content())
    except (LookupError, KeyError, ValueError, UnicodeError):
        return ""
    if part.get_content_type() == "text/html":
        text = TAGS.sub("", text)
    return text.strip()


def _parse(position: int, message: EmailMessage) -> _Parsed | str:
    """The message's parts, or why it is malformed."""
    header_defects = [d for d in message.defects if "Header" in type(d).__name__]
    if header_defects:
        return f"its headers are damaged ({type(header_defects[0]).__name__})"
    message_id = _header(message, "Message-ID")
    if not message_id:
        return "it has no Message-ID"
    senders = [(n, normalise_email(a)) for n, a in getaddresses([_header(message, "From")])]
    senders = [(n, a) for n, a in senders if "@" in a]
    if not senders:
        return "it has no usable From address"
    date_header = _header(message, "Date")
    try:
        sent_at = parsedate_to_datetime(date_header) if date_header else None
    except (TypeError, ValueError):
        sent_at = None
    if sent_at is None:
        return "it has no readable Date"
    if timezone.is_naive(sent_at):
        sent_at = timezone.make_aware(sent_at, timezone.get_default_timezone())
    references = _header(message, "References").split()
    in_reply_to = _header(message, "In-Reply-To").split()
    thread_key = (references or in_reply_to or [message_id])[0]
    recipients = [
        (n, normalise_email(a))
        for n, a in getaddresses([_header(message, "To"), _header(message, "Cc")])
        if "@" in a
    ]
    attachments: list[tuple[str, str, bytes]] = []
    for part in message.iter_attachments():
        try:
            payload = part.get_payload(decode=True)
        except Exception:  # noqa: BLE001 - an undecodable attachment is left out below
            payload = None
        name = part.get_filename() or "attachment"
        data = payload if isinstance(payload, bytes) else b""
        attachments.append((name[:255], part.get_content_type()[:100], data))
    return _Parsed(
        position=position,
        message_id=message_id[:500],
        thread_key=thread_key[:500],
        subject=_header(message, "Subject")[:300] or "(no subject)",
        sender=senders[0],
        recipients=recipients,
        sent_at=sent_at,
        body=_text_body(message),
        attachments=attachments,
    )


def _participant(study: Study, cache: dict[str, Participant], name: str, address: str) -> Any:
    if address not in cache:
        found = Participant.objects.filter(study=study, email=address).first()
        if found is None:
            found = Participant.objects.create(
                study=study, email=address, full_name=name or address
            )
        cache[address] = found
    return cache[address]


def import_file(study: Study, filename: str, data: bytes, user: Any) -> ImportResult:
    result = ImportResult(filename=filename)
    if not filename.lower().endswith((".eml", ".mbox")):
        result.failed = "The file must be an .eml or .mbox file."
        return result
    if len(data) > FILE_MAX_BYTES:
        result.failed = f"The file must be smaller than {FILE_MAX_BYTES // (1024 * 1024)} MB."
        return result
    try:
        messages = _messages(filename, data)
    except (OSError, mailbox.Error, ValueError) as error:
        result.failed = f"The file could not be read as email: {error}"
        return result
    if not messages:
        result.failed = "The file holds no email messages."
        return result

    known = set(
        Source.objects.filter(study=study)
        .exclude(message_id="")
        .values_list("message_id", flat=True)
    )
    parsed: list[_Parsed] = []
    for position, message in enumerate(messages, start=1):
        outcome = _parse(position, message)
        subject = _header(message, "Subject") or "(no subject)"
        if isinstance(outcome, str):
            result.malformed += 1
            result.notes.append(Note(position, subject, f"Skipped: {outcome}."))
            continue
        if outcome.message_id in known:
            result.duplicates += 1
            result.notes.append(
                Note(position, subject, "Skipped: already imported (same Message-ID).")
            )
            continue
        known.add(outcome.message_id)
        parsed.append(outcome)

    written: list[str] = []
    try:
        with transaction.atomic():
            cache: dict[str, Participant] = {}
            for item in parsed:
                source = Source.objects.create(
                    study=study,
                    kind=Source.Kind.EMAIL,
                    title=item.subject,
                    date=timezone.localdate(item.sent_at),
                    notes=item.body,
                    message_id=item.message_id,
                    thread_key=item.thread_key,
                    sender=f"{item.sender[0]} <{item.sender[1]}>".strip(),
                    recipients=", ".join(address for _, address in item.recipients),
                    sent_at=item.sent_at,
                    imported_from=filename[:255],
                    recorded_by=user if getattr(user, "is_authenticated", False) else None,
                )
                links = [
                    SourceParticipant(
                        source=source,
                        participant=_participant(study, cache, *item.sender),
                        role=SourceParticipant.Role.AUTHOR,
                    )
                ]
                seen = {item.sender[1]}
                for name, address in item.recipients:
                    if address in seen:
                        continue
                    seen.add(address)
                    links.append(
                        SourceParticipant(
                            source=source,
                            participant=_participant(study, cache, name, address),
                            role=SourceParticipant.Role.RECIPIENT,
                        )
                    )
                SourceParticipant.objects.bulk_create(links)
                for name, content_type, payload in item.attachments:
                    if len(payload) > ATTACHMENT_MAX_BYTES:
                        result.notes.append(
                            Note(
                                item.position,
                                item.subject,
                                f"Attachment {name} not kept: larger than "
                                f"{ATTACHMENT_MAX_BYTES // (1024 * 1024)} MB.",
                            )
                        )
                        continue
                    try:  # the same checks as a file uploaded on its own
                        uploads.validate(ContentFile(payload), "attachment")
                    except ValidationError as error:
                        result.notes.append(
                            Note(
                                item.position,
                                item.subject,
                                f"Attachment {name} not kept: {' '.join(error.messages)}",
                            )
                        )
                        continue
                    stored = store_bytes(payload)
                    written.append(stored)
                    Attachment.objects.create(
                        source=source,
                        original_name=name,
                        stored_name=stored,
                        content_type=content_type,
                        size=len(payload),
                    )
                result.imported += 1
                result.notes.append(Note(item.position, item.subject, "Imported."))
            record(
                user,
                "coproduction.source.imported",
                study,
                {
                    "file": [None, filename],
                    "imported": [None, result.imported],
                    "duplicates": [None, result.duplicates],
                    "malformed": [None, result.malformed],
                },
            )
    except Exception:
        remove_stored(written)
        raise
    result.notes.sort(key=lambda note: note.position)
    return result
