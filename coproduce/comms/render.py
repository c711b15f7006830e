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
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from markdown_it import MarkdownIt

from coproduce.community import links
from coproduce.community.models import Associate

_NAME = "\x00name\x00"
_MANAGE = "\x00manage\x00"
_UNSUBSCRIBE = "\x00unsubscribe\x00"

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


@lru_cache(maxsize=32)
def _mailing_template(mailing_id: int, updated_iso: str) -> Rendered:
    from coproduce.comms.models import Mailing

    mailing = Mailing.objects.get(pk=mailing_id)
    return render_template(
        mailing.subject,
        mailing.body,
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


def build_email(row: Any) -> EmailMultiAlternatives:
    """The message for an outbox row, with List-Unsubscribe (RFC 8058) when it rests on consent."""
    from coproduce.comms.tokens import unsubscribe_url

    associate = row.associate
    unsubscribe = ""
    if row.channel and associate is not None:
        unsubscribe = unsubscribe_url(associate, row.channel)
    if row.mailing_id is not None:
        mailing = row.mailing
        template = _mailing_template(mailing.pk, mailing.updated.isoformat())
        content = personalise(
            template,
            first_name(associate),
            links.manage_url(associate) if associate is not None else settings.SITE_URL,
            unsubscribe,
        )
    else:
        content = Rendered(row.subject, row.body_text, row.body_html)
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
