"""Bounces: delivery status notifications (RFC 3464) read from a mailbox or posted by the relay.

A DSN is a `multipart/report; report-type=delivery-status` message. Its `message/delivery-status`
part holds one block of fields about the message and one block per recipient (`Final-Recipient`,
`Action`, `Status`, `Diagnostic-Code`); a `text/rfc822-headers` or `message/rfc822` part usually
returns the original headers, whose Message-ID ties the report to the outbox row that sent it
(`render.message_id`).

For each recipient that failed:
- a permanent failure (Status 5.x.x) records a `DeliveryProblem` and suppresses the address at
  once (`SuppressedAddress`, reason "bounce", kept only as a keyed hash);
- a temporary failure (4.x.x) records a `DeliveryProblem`; when an address has
  `COPRODUCE_SOFT_BOUNCE_LIMIT` (default 3) temporary problems within 30 days, it is suppressed
  too.
Successes (Action delivered, relayed or expanded, or Status 2.x.x) are ignored.

Reading the same DSN twice records nothing new: a problem is the same when its address, status,
original Message-ID and time (the DSN's Date) are the same. Anything that is not a DSN we can
read (an auto-reply, broken MIME, no Status, junk bytes, an empty file) is logged and skipped;
it never stops a run.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import email.utils
import logging
import mailbox
import re
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field, fields
from email.message import Message
from email.parser import BytesHeaderParser
from itertools import product
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from coproduce.comms.models import DeliveryProblem, OutboxMessage
from coproduce.comms.render import message_id
from coproduce.community.models import SuppressedAddress, address_hash

log = logging.getLogger(__name__)

SOFT_BOUNCE_WINDOW = dt.timedelta(days=30)
SUPPRESSION_REASON = "bounce"
FORMATS = ("maildir", "mbox")

_DELIVERY_STATUS = ("message/delivery-status", "message/global-delivery-status")
_RETURNED_MESSAGE = ("message/rfc822", "message/global")
_RETURNED_HEADERS = ("text/rfc822-headers", "message/global-headers")
_RECIPIENT_FIELDS = ("final-recipient", "original-recipient", "action", "status")
_SUCCESS_ACTIONS = frozenset({"delivered", "relayed", "expanded"})
# RFC 3463: class.subject.detail, 1 to 3 digits each; a comment may follow.
_STATUS = re.compile(r"\s*([245])\.(\d{1,3})\.(\d{1,3})(?![\d.])")
_MESSAGE_ID = re.compile(r"<[^<>\s]{3,298}>")
_ADDRESS = re.compile(r"[^@\s<>\"(),;:]+@[^@\s<>\"(),;:]+\.[^@\s<>\"(),;:]+")
# Our own ids: <24 hex digits of digest>.<outbox key, ':' written as '.'>@<domain>
_OUR_ID = re.compile(r"<([0-9a-f]{24})\.([^<>@\s]{1,120})@[^<>@\s]+>")


class NotABounce(Exception):
    """A message that is not a delivery status notification we can read."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class RecipientStatus:
    address: str
    action: str
    status: str  # "5.1.1"; "" for a success reported without one
    diagnostic: str
    at: dt.datetime | None

    @property
    def kind(self) -> str | None:
        """DeliveryProblem.Kind for a failure; None for a success."""
        if self.action in _SUCCESS_ACTIONS or not self.status or self.status.startswith("2"):
            return None
        if self.status.startswith("5"):
            return DeliveryProblem.Kind.PERMANENT
        return DeliveryProblem.Kind.TEMPORARY


@dataclass(frozen=True)
class Report:
    """What one DSN says: the original Message-ID (if returned) and each recipient's status."""

    original_message_id: str
    recipients: tuple[RecipientStatus, ...]


@dataclass
class Summary:
    messages: int = 0  # messages read
    permanent: int = 0  # permanent problems recorded
    temporary: int = 0  # temporary problems recorded
    suppressed: int = 0  # addresses newly suppressed
    ignored: int = 0  # recipients reported delivered, relayed or expanded
    duplicates: int = 0  # recipient reports recorded by an earlier run
    skipped: int = 0  # messages that are not DSNs, or are malformed
    reasons: dict[str, int] = field(default_factory=dict)  # why messages were skipped

    def add(self, other: Summary) -> None:
        for name in ("messages", "permanent", "temporary", "suppressed", "ignored", "duplicates"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.skipped += other.skipped
        for reason, count in other.reasons.items():
            self.reasons[reason] = self.reasons.get(reason, 0) + count

    def skip(self, reason: str) -> None:
        self.skipped += 1
        self.reasons[reason] = self.reasons.get(reason, 0) + 1

    def counts(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "reasons"}

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


# -- parsing ------------------------------------------------------------------------------------


def parse(raw: bytes) -> Report:
    """Read one message; raise NotABounce (with a reason) unless it is a readable DSN."""
    if not raw or not raw.strip():
        raise NotABounce("empty message")
    try:
        message = email.message_from_bytes(raw, policy=email.policy.default)
        return _report(message)
    except NotABounce:
        raise
    except Exception as exc:
        raise NotABounce(f"unreadable message ({type(exc).__name__})") from exc


def _report(message: Message) -> Report:
    content_type = message.get_content_type()
    if content_type != "multipart/report":
        raise NotABounce(f"not a delivery status notification ({content_type})")
    report_type = str(message.get_param("report-type", "") or "").strip().lower()
    if report_type and report_type not in ("delivery-status", "global-delivery-status"):
        raise NotABounce(f"a {report_type} report, not a delivery status notification")
    if not message.is_multipart():
        raise NotABounce("a report without parts (broken MIME)")
    parts = [part for part in _parts(message) if isinstance(part, Message)]
    status_part = next((p for p in parts if p.get_content_type() in _DELIVERY_STATUS), None)
    if status_part is None:
        raise NotABounce("no message/delivery-status part")
    blocks = _blocks(status_part)
    per_message = blocks[0] if blocks and not _is_recipient(blocks[0]) else {}
    recipient_blocks = [block for block in blocks if _is_recipient(block)]
    if not recipient_blocks:
        raise NotABounce("no recipients in the delivery status")
    sent_at = _date(_header(message, "Date")) or _date(per_message.get("arrival-date", ""))
    recipients = []
    for block in recipient_blocks:
        recipient = _recipient(block, sent_at)
        if recipient is not None:
            recipients.append(recipient)
    if not recipients:
        raise NotABounce("no recipient with an address and a valid Status")
    original = _original_message_id(parts) or _first_id(per_message.get("x-original-message-id"))
    return Report(original_message_id=original, recipients=tuple(recipients))


def _parts(message: Message) -> list[Any]:
    payload = message.get_payload()
    return payload if isinstance(payload, list) else []


def _header(message: Message, name: str) -> str:
    try:
        value = message.get(name)
    except Exception:  # noqa: BLE001 - a header the parser cannot make sense of counts as absent
        return ""
    return str(value) if value is not None else ""


def _blocks(part: Message) -> list[dict[str, str]]:
    """The delivery-status fields, one dict (lower-case names) per block."""
    payload = part.get_payload()
    if isinstance(payload, list):
        blocks = []
        for block in payload:
            if isinstance(block, Message):
                values = {name.lower(): _header(block, name) for name in block}
                blocks.append({name: " ".join(value.split()) for name, value in values.items()})
                # message/global-delivery-status is parsed as one message whose "body" holds
                # the recipient blocks: read those as text.
                rest = block.get_payload()
                if isinstance(rest, str) and rest.strip():
                    blocks.extend(_text_blocks(rest))
        return [block for block in blocks if block]
    # message/global-delivery-status (and anything the parser left as text): parse it ourselves.
    data = part.get_payload(decode=True)
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else str(payload or "")
    return _text_blocks(text)


def _text_blocks(text: str) -> list[dict[str, str]]:
    blocks: list[dict[str, str]] = []
    current: dict[str, str] = {}
    last = ""
    for line in text.splitlines():
        if not line.strip():
            if current:
                blocks.append(current)
            current, last = {}, ""
        elif line[0] in " \t" and last:
            current[last] = f"{current[last]} {line.strip()}"
        else:
            name, colon, value = line.partition(":")
            if colon and name.strip():
                last = name.strip().lower()
                current[last] = value.strip()
    if current:
        blocks.append(current)
    return blocks


def _is_recipient(block: Mapping[str, str]) -> bool:
    return any(name in block for name in _RECIPIENT_FIELDS)


def _address(value: str | None) -> str:
    """The address of an RFC 3464 recipient field ("rfc822; bob@example.org")."""
    if not value:
        return ""
    _, semicolon, rest = value.partition(";")
    candidate = (rest if semicolon else value).strip().strip("<>").strip()
    if len(candidate) > 254 or not _ADDRESS.fullmatch(candidate):
        return ""
    return candidate.lower()


def _date(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when is None:
        return None
    if timezone.is_naive(when):
        when = when.replace(tzinfo=dt.UTC)
    return when.replace(microsecond=0)


def _recipient(block: Mapping[str, str], sent_at: dt.datetime | None) -> RecipientStatus | None:
    address = _address(block.get("final-recipient")) or _address(block.get("original-recipient"))
    if not address:
        log.info("bounces: a recipient without a usable address was left out")
        return None
    action = (block.get("action", "").split() or [""])[0].lower()
    match = _STATUS.match(block.get("status", ""))
    status = ".".join(match.groups()) if match else ""
    if not status and action not in _SUCCESS_ACTIONS:
        log.info("bounces: a recipient without a valid Status was left out")
        return None
    return RecipientStatus(
        address=address,
        action=action,
        status=status,
        diagnostic=block.get("diagnostic-code", "")[:500],
        at=sent_at or _date(block.get("last-attempt-date")),
    )


def _first_id(value: str | None) -> str:
    match = _MESSAGE_ID.search(value or "")
    return match.group(0) if match else ""


def _original_message_id(parts: list[Message]) -> str:
    for part in parts:
        content_type = part.get_content_type()
        try:
            if content_type in _RETURNED_MESSAGE:
                inner = part.get_payload()
                if isinstance(inner, list) and inner and isinstance(inner[0], Message):
                    return _first_id(_header(inner[0], "Message-ID"))
            elif content_type in _RETURNED_HEADERS:
                data = part.get_payload(decode=True)
                if isinstance(data, bytes):
                    headers = BytesHeaderParser(policy=email.policy.default).parsebytes(data)
                    return _first_id(_header(headers, "Message-ID"))
        except Exception:  # noqa: BLE001 - a broken returned part only loses the link to the row
            log.info("bounces: the returned headers could not be read")
    return ""


# -- the outbox row -----------------------------------------------------------------------------


def outbox_row(original_message_id: str) -> OutboxMessage | None:
    """The outbox row that sent a message, from its Message-ID (see `render.message_id`).

    The id carries the row's key with ':' written as '.'; the key may itself contain dots, so
    each way of turning dots back into colons is tried, and a row counts only if it makes
    exactly this id (which also proves the id is ours: the digest is keyed by SECRET_KEY).
    """
    match = _OUR_ID.fullmatch(original_message_id or "")
    if match is None:
        return None
    written = match.group(2)
    pieces = written.split(".")
    if len(pieces) > 7:  # more dots than any key we make; don't try 2**n spellings
        return None
    candidates = {
        "".join(piece + sep for piece, sep in zip(pieces, (*separators, ""), strict=True))
        for separators in product(".:", repeat=len(pieces) - 1)
    }
    for row in OutboxMessage.objects.filter(key__in=candidates):
        if message_id(row.key) == original_message_id:
            return row
    return None


# -- recording ----------------------------------------------------------------------------------


def soft_bounce_limit() -> int:
    return int(getattr(settings, "COPRODUCE_SOFT_BOUNCE_LIMIT", 3))


def _soft_limit_reached(address_sha256: str, at: dt.datetime) -> bool:
    """Whether some 30-day span around `at` holds the limit of temporary problems. Looking both
    ways makes the answer the same whatever order a mailbox's reports are read in."""
    limit = soft_bounce_limit()
    if limit < 1:
        return False
    times = sorted(
        DeliveryProblem.objects.filter(
            address_sha256=address_sha256,
            kind=DeliveryProblem.Kind.TEMPORARY,
            at__gte=at - SOFT_BOUNCE_WINDOW,
            at__lte=at + SOFT_BOUNCE_WINDOW,
        ).values_list("at", flat=True)
    )
    return any(
        times[i + limit - 1] - times[i] <= SOFT_BOUNCE_WINDOW for i in range(len(times) - limit + 1)
    )


def _suppress(address_sha256: str) -> bool:
    _, created = SuppressedAddress.objects.get_or_create(
        address_sha256=address_sha256, defaults={"reason": SUPPRESSION_REASON}
    )
    return created


def record(report: Report, source: str) -> Summary:
    """Store what a parsed DSN says. Returns the counts (without `messages`)."""
    summary = Summary()
    row = outbox_row(report.original_message_id)
    now = timezone.now().replace(microsecond=0)
    with transaction.atomic():
        for recipient in report.recipients:
            kind = recipient.kind
            if kind is None:
                summary.ignored += 1
                continue
            digest = address_hash(recipient.address)
            at = recipient.at or now
            if recipient.at is None:
                log.info("bounces: a report without a date cannot be recognised if read again")
            already = DeliveryProblem.objects.filter(
                address_sha256=digest,
                status_code=recipient.status,
                message_id=report.original_message_id[:300],
                at=at,
            ).exists()
            if already:
                summary.duplicates += 1
                continue
            DeliveryProblem.objects.create(
                address_sha256=digest,
                kind=kind,
                status_code=recipient.status,
                diagnostic=recipient.diagnostic,
                message_id=report.original_message_id[:300],
                source=source[:20],
                at=at,
                outbox=row,
            )
            if kind == DeliveryProblem.Kind.PERMANENT:
                summary.permanent += 1
                summary.suppressed += _suppress(digest)
            else:
                summary.temporary += 1
                if _soft_limit_reached(digest, at):
                    summary.suppressed += _suppress(digest)
    return summary


def process(raw: bytes, source: str, label: str = "message") -> Summary:
    """Read and record one message; a message we cannot read is counted as skipped."""
    summary = Summary(messages=1)
    try:
        report = parse(raw)
    except NotABounce as exc:
        log.info("bounces: skipped %s: %s", label, exc.reason)
        summary.skip(exc.reason)
        return summary
    summary.add(record(report, source))
    return summary


# -- mailboxes ----------------------------------------------------------------------------------


def detect_format(path: Path) -> str:
    """ "maildir" for a folder holding cur/, new/ and tmp/; "mbox" for a file."""
    if path.is_dir():
        if all((path / sub).is_dir() for sub in ("cur", "new", "tmp")):
            return "maildir"
        raise ValueError(f"{path} is a folder but not a Maildir (no cur/, new/ and tmp/)")
    if path.is_file():
        return "mbox"
    raise ValueError(f"{path} does not exist")


def _messages(path: Path, fmt: str) -> Iterator[tuple[str, bytes | None]]:
    box: mailbox.Mailbox[Any]
    if fmt == "maildir":
        box = mailbox.Maildir(path, factory=None, create=False)
    elif fmt == "mbox":
        box = mailbox.mbox(path, factory=None, create=False)
    else:
        raise ValueError(f"Unknown mailbox format {fmt!r}")
    try:
        for key in sorted(box.iterkeys(), key=str):
            try:
                yield str(key), box.get_bytes(key)
            except Exception:  # noqa: BLE001 - one unreadable file must not stop the run
                log.warning("bounces: cannot read message %s in %s", key, path)
                yield str(key), None
    finally:
        box.close()


def read_mailbox(path: Path, fmt: str | None = None) -> Summary:
    """Process every message in a Maildir or mbox. The mailbox is only read, never changed."""
    fmt = fmt or detect_format(path)
    summary = Summary()
    for key, raw in _messages(path, fmt):
        if raw is None:
            summary.messages += 1
            summary.skip("unreadable file")
            continue
        try:
            summary.add(process(raw, fmt, label=f"{fmt} message {key}"))
        except Exception:
            log.exception("bounces: failed on %s message %s", fmt, key)
            summary.messages += 1
            summary.skip("error while recording")
    return summary
