"""What the outbox holds about a person: the comms rules of the personal-data register
(`coproduce/lib/personaldata.py`), and the mail folder of the data directory.

Without an SMTP relay every message is written to `$COPRODUCE_DATA_DIR/mail/` by Django's
file backend: each file holds the messages of one connection, each followed by a line of 79
hyphens. A message that names the person (their address, or a name, in its headers or its
decoded body) is about them: the record lists it, erasure removes it and keeps the others.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import logging
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import models

from coproduce.lib.personaldata import (
    Erasure,
    Rule,
    Subject,
    by,
    declare_not_personal,
    register,
    register_files,
)

log = logging.getLogger(__name__)
SEPARATOR = b"\n" + b"-" * 79 + b"\n"
ERASED = "Person erased"


def mail_folder() -> Path:
    return Path(getattr(settings, "EMAIL_FILE_PATH", None) or Path(settings.DATA_DIR) / "mail")


def _readable(raw: bytes) -> str:
    """A message's headers and decoded text parts, for looking for a person in it."""
    text = raw.decode("utf-8", "replace")
    try:
        message = email.message_from_bytes(raw, policy=email.policy.default)
        parts = [str(v) for v in message.values()]
        for part in message.walk():
            if part.get_content_maintype() == "text":
                parts.append(str(part.get_content()))
        text += "\n" + "\n".join(parts)
    except (LookupError, ValueError, UnicodeError, TypeError):
        log.warning("A message in the mail folder could not be parsed; searched as raw text")
    return text.lower()


def _messages(path: Path) -> list[bytes]:
    return [m for m in path.read_bytes().split(SEPARATOR) if m.strip()]


def _mentions(raw: bytes, subject: Subject) -> bool:
    return subject.mentioned_in(_readable(raw))


def find_mail_files(subject: Subject) -> list[dict[str, Any]]:
    folder = mail_folder()
    found: list[dict[str, Any]] = []
    if not folder.is_dir() or not subject.terms:
        return found
    for path in sorted(folder.iterdir()):
        if not path.is_file():
            continue
        for raw in _messages(path):
            if _mentions(raw, subject):
                message = email.message_from_bytes(raw, policy=email.policy.default)
                found.append(
                    {
                        "file": path.name,
                        "date": str(message.get("Date", "")),
                        "to": str(message.get("To", "")),
                        "subject": str(message.get("Subject", "")),
                    }
                )
    return found


def erase_mail_files(subject: Subject) -> int:
    """Remove every message about the subject from the mail folder; a file left empty goes."""
    folder = mail_folder()
    removed = 0
    if not folder.is_dir() or not subject.terms:
        return removed
    for path in sorted(folder.iterdir()):
        if not path.is_file():
            continue
        messages = _messages(path)
        kept = [m for m in messages if not _mentions(m, subject)]
        if len(kept) == len(messages):
            continue
        removed += len(messages) - len(kept)
        if kept:
            path.write_bytes(b"".join(m + SEPARATOR for m in kept))
        else:
            path.unlink()
    return removed


def _erase_outbox(subject: Subject, rows: models.QuerySet, at: dt.datetime, by: Any) -> int:
    from coproduce.comms.models import OutboxMessage

    rows.filter(status=OutboxMessage.Status.QUEUED).update(status=OutboxMessage.Status.CANCELLED)
    return rows.update(
        to_email="", subject="", body_text="", body_html="", last_error=ERASED, associate=None
    )


def _problems(subject: Subject) -> models.Q:
    from coproduce.comms.models import OutboxMessage
    from coproduce.community.models import address_hash

    q = models.Q(outbox__in=OutboxMessage.objects.filter(_outbox(subject)))
    if subject.emails:
        q |= models.Q(address_sha256__in=[address_hash(a) for a in subject.emails])
    return q


_outbox = by(email=["to_email"], keys=[("associate", "associate_id")])


def declare() -> None:
    register(
        Rule(
            "comms.OutboxMessage",
            ("to_email", "subject", "body_text", "body_html", "last_error"),
            _outbox,
            Erasure.CUSTOM,
            "Address, subject and bodies blanked (waiting messages cancelled); the row stays "
            "so that a mailing's counts stay true. Bodies of sent messages are blanked after "
            "COPRODUCE_RETENTION_OUTBOX_DAYS anyway.",
            purpose="Sending email: newsletters, briefings, booking and join messages",
            who_sees="Managers (mailing progress); the recipient",
            retention="Bodies and addresses of sent, failed or cancelled messages: "
            "COPRODUCE_RETENTION_OUTBOX_DAYS",
            retention_setting="COPRODUCE_RETENTION_OUTBOX_DAYS",
            eraser=_erase_outbox,
            repoint=("associate", "associate_id"),
            order=60,
        )
    )
    register(
        Rule(
            "comms.DeliveryProblem",
            ("address_sha256", "diagnostic", "message_id"),
            _problems,
            Erasure.BLANK,
            "The relay's words and the message id blanked; the keyed hash stays so that the "
            "address is still not mailed.",
            purpose="Bounces: stop mailing addresses that do not work",
            who_sees="Managers",
            retention="Indefinitely as a keyed hash",
            blank={"diagnostic": "", "message_id": ""},
            order=40,
        )
    )
    declare_not_personal("comms.Mailing", "A mailing's content, audience and sender account")
    register_files("mail folder", find_mail_files, erase_mail_files)
