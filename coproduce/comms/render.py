"""Turning a mailing or a queued message into the email that is sent.

A mailing's Markdown becomes HTML once per mailing (markdown-it-py, CommonMark, raw HTML in the
source escaped, never passed through) and is wrapped in an accessible, NHS-styled email template
(`comms/email/mailing.html` and `.txt`). The wrapped result is cached per process with
placeholders for the personal parts (name, self-service link, unsubscribe link); each recipient's
message is then a few string replacements, so personalising 10,000 messages costs little more
than sending them.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import formatdate
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from markdown_it import MarkdownIt

from coproduce.comms import invitations
from coproduce.comms.smtp import plain_address
from coproduce.community import links
from coproduce.community.models import Associate

# Placeholders for the personal parts: plain ASCII that survives templates, HTML escaping and
# MIME encoding unchanged, so they can be replaced in the finished bytes (see `build_outgoing`).
_NAME = "{{%coproduce:name%}}"
_MANAGE = "{{%coproduce:manage%}}"
_UNSUBSCRIBE = "{{%coproduce:unsubscribe%}}"
_PLACEHOLDERS = (_NAME, _MANAGE, _UNSUBSCRIBE)

_markdown = MarkdownIt("commonmark", {"html": False, "typographer": True}).enable(
    ["table", "strikethrough", "replacements", "smartquotes"]
)


def markdown_to_html(source: str) -> str:
    """Safe HTML from Markdown: raw HTML in the source is shown as text, not obeyed."""
    return _markdown.render(source)


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def _context(
    subject: str, body_markdown: str, kind_label: str, web_url: str, **extra: Any
) -> dict[str, Any]:
    return {
        "collaboration_name": settings.COLLABORATION_NAME,
        "collaboration_short_name": settings.COLLABORATION_SHORT_NAME,
        "site_url": settings.SITE_URL,
        "subject": subject,
        "kind_label": kind_label,
        "body_html": mark_safe(markdown_to_html(body_markdown)),  # noqa: S308 - escaped by markdown-it
        "body_text": body_markdown.strip(),
        "web_url": web_url,
        **extra,
    }


def render_template(
    subject: str,
    body_markdown: str,
    *,
    kind_label: str = "",
    web_url: str = "",
    personal: bool = True,
) -> Rendered:
    """The mailing template rendered with placeholders for the personal parts."""
    context = _context(
        subject,
        body_markdown,
        kind_label,
        web_url,
        personal=personal,
        greeting_name=_NAME,
        manage_url=_MANAGE,
        unsubscribe_url=_UNSUBSCRIBE,
    )
    return Rendered(
        subject=" ".join(subject.split()),
        text=render_to_string("comms/email/mailing.txt", context),
        html=render_to_string("comms/email/mailing.html", context),
    )


def with_event(body: str, event: Any) -> str:
    """An invitation's body followed by the event: what, when, and the link to book."""
    return invitations.with_details(body, event)


@lru_cache(maxsize=32)
def _mailing_template(mailing_id: int, updated_iso: str) -> Rendered:
    from coproduce.comms.models import Mailing

    mailing = Mailing.objects.select_related("event").get(pk=mailing_id)
    return render_template(
        mailing.subject,
        with_event(mailing.body, mailing.event),
        kind_label=mailing.get_kind_display(),
        web_url=archive_url(mailing),
    )


def archive_url(mailing: Any) -> str:
    if mailing.is_archived_kind and mailing.slug:
        return settings.SITE_URL + reverse("news:detail", args=[mailing.slug])
    return ""


def first_name(associate: Associate | None) -> str:
    if associate is None or not associate.full_name.strip():
        return "there"
    return associate.full_name.split()[0]


def personalise(template: Rendered, name: str, manage_url: str, unsubscribe_url: str) -> Rendered:
    def fill(text: str, escape: bool) -> str:
        quote = html.escape if escape else str
        return (
            text.replace(_NAME, quote(name))
            .replace(_MANAGE, quote(manage_url))
            .replace(_UNSUBSCRIBE, quote(unsubscribe_url))
        )

    return Rendered(template.subject, fill(template.text, False), fill(template.html, True))


def message_id(key: str) -> str:
    """A stable Message-ID per outbox row: the same row always sends the same id, so relays
    and bounce handling can tie a message back to its row."""
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{key}".encode()).hexdigest()[:24]
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip(" >") or "coproduce.localhost"
    return f"<{digest}.{key.replace(':', '.')}@{domain}>"


@dataclass(frozen=True)
class Outgoing:
    """A message ready for the relay: envelope and bytes, and how to make it a Django message
    (for the file backend of the offline demo)."""

    sender: str
    recipients: list[str]
    data: bytes
    as_email: Callable[[], EmailMultiAlternatives]


@dataclass(frozen=True)
class _Skeleton:
    """A mailing's message with placeholders, split where per-recipient headers go."""

    sender: str
    common_headers: bytes  # From, Subject, MIME-Version, Content-Type (with the boundary)
    body: bytes  # after the blank line: the multipart body, placeholders in place
    text_html_split: int  # offset in body where the HTML part starts


@lru_cache(maxsize=32)
def _mailing_skeleton(mailing_id: int, updated_iso: str) -> _Skeleton | None:
    template = _mailing_template(mailing_id, updated_iso)
    message = EmailMultiAlternatives(
        subject=template.subject, body=template.text, to=["recipient@example.invalid"]
    )
    message.attach_alternative(template.html, "text/html")
    raw = message.message().as_bytes(linesep="\r\n")
    head, _, body = raw.partition(b"\r\n\r\n")
    html_start = body.find(b"Content-Type: text/html")
    # The fast path needs every placeholder intact (8bit bodies; a very long line makes Django
    # choose quoted-printable, which may break one) and the two parts to tell apart.
    if html_start < 0 or any(
        body.count(p.encode()) < (1 if p == _UNSUBSCRIBE else 2) for p in _PLACEHOLDERS[:2]
    ):
        return None
    keep = (b"from:", b"subject:", b"mime-version:", b"content-type:")
    lines: list[bytes] = []
    for line in head.split(b"\r\n"):
        if line[:1] in (b" ", b"\t"):
            if lines and lines[-1] is not None:
                lines[-1] += b"\r\n" + line
            continue
        lines.append(line if line.lower().startswith(keep) else None)  # type: ignore[arg-type]
    common = b"\r\n".join(line for line in lines if line is not None)
    return _Skeleton(message.from_email, common, body, html_start)


def _header(name: str, value: str) -> bytes:
    return f"{name}: {value}".encode()


def envelope(row: Any) -> tuple[str, list[str]]:
    """The sender and recipients of an outbox row's message, known without building it (the
    dispatcher announces the next message's envelope before building it, smtp.py)."""
    return settings.DEFAULT_FROM_EMAIL, [row.to_email]


def build_outgoing(row: Any) -> Outgoing:
    """The bytes to send for an outbox row.

    A mailing's message is built once per mailing (Django's MIME code) with placeholders, and
    each recipient's copy is that skeleton with their headers and personal parts put in: the
    result is what `build_email` makes (a test compares them), at a fraction of the cost.
    """
    skeleton = (
        _mailing_skeleton(row.mailing.pk, row.mailing.updated.isoformat())
        if row.mailing_id is not None
        else None
    )
    if skeleton is None:
        message = build_email(row)
        sender, recipients = envelope(row)
        return Outgoing(
            sender=sender,
            recipients=recipients,
            data=message.message().as_bytes(linesep="\r\n"),
            as_email=lambda: message,
        )
    name, manage, unsubscribe = _personal_parts(row)
    text_part = skeleton.body[: skeleton.text_html_split]
    html_part = skeleton.body[skeleton.text_html_split :]

    def fill(part: bytes, escape: bool) -> bytes:
        quote = html.escape if escape else str
        for placeholder, value in ((_NAME, name), (_MANAGE, manage), (_UNSUBSCRIBE, unsubscribe)):
            part = part.replace(placeholder.encode(), quote(value).encode("utf-8"))
        return part

    to = plain_address(row.to_email)
    headers = [
        skeleton.common_headers,
        _header("To", to),
        _header("Date", formatdate(localtime=settings.EMAIL_USE_LOCALTIME)),
        _header("Message-ID", message_id(row.key)),
    ]
    if unsubscribe:
        headers.append(_header("List-Unsubscribe", f"<{unsubscribe}>"))
        headers.append(_header("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"))
    data = b"\r\n".join(headers) + b"\r\n\r\n" + fill(text_part, False) + fill(html_part, True)
    sender, recipients = envelope(row)
    return Outgoing(sender, recipients, data, lambda: build_email(row))


def _personal_parts(row: Any) -> tuple[str, str, str]:
    """(first name, self-service link, unsubscribe link or "") for an outbox row."""
    from coproduce.comms.tokens import unsubscribe_url

    associate = row.associate
    unsubscribe = ""
    if row.channel and associate is not None:
        unsubscribe = unsubscribe_url(associate, row.channel)
    manage = _manage_url(associate) if associate is not None else settings.SITE_URL
    return first_name(associate), manage, unsubscribe


_LINK_MARK = "LINK0MARK"
_URL_SAFE_TOKEN = re.compile(r"[A-Za-z0-9_.:-]+")


@lru_cache(maxsize=4)
def _manage_url_parts(site_url: str) -> tuple[str, str]:
    url = site_url + reverse("associates:manage", args=[_LINK_MARK])
    head, _, tail = url.partition(_LINK_MARK)
    return head, tail


def _manage_url(associate: Associate) -> str:
    """links.manage_url without a URL reversal per message: the link with the token put in
    (signed tokens are URL-safe; anything else goes the long way)."""
    token = links.make_token(associate)
    if not _URL_SAFE_TOKEN.fullmatch(token):
        return links.manage_url(associate)
    head, tail = _manage_url_parts(settings.SITE_URL)
    return head + token + tail


def build_email(row: Any) -> EmailMultiAlternatives:
    """The message for an outbox row, with List-Unsubscribe (RFC 8058) when it rests on consent."""
    name, manage, unsubscribe = _personal_parts(row)
    if row.mailing_id is not None:
        mailing = row.mailing
        template = _mailing_template(mailing.pk, mailing.updated.isoformat())
        content = personalise(template, name, manage, unsubscribe)
    else:
        content = Rendered(row.subject, row.body_text, row.body_html)
        if not row.channel:
            unsubscribe = ""
    headers = {"Message-ID": message_id(row.key)}
    if unsubscribe:
        headers["List-Unsubscribe"] = f"<{unsubscribe}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message = EmailMultiAlternatives(
        subject=content.subject, body=content.text, to=[row.to_email], headers=headers
    )
    if content.html:
        message.attach_alternative(content.html, "text/html")
    return message
