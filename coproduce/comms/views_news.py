"""The public news archive at /news/: sent Engage newsletters and monthly briefings, and their
Atom feed. Nothing else a mailing can be (a draft, an invitation, an announcement) is public."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from coproduce.comms.models import Mailing
from coproduce.comms.render import markdown_to_html

PAGE_SIZE = 20
FEED_SIZE = 20
KIND_LABELS = {
    kind: label for kind, label in Mailing.Kind.choices if kind in Mailing.ARCHIVED_KINDS
}


def archived() -> QuerySet[Mailing]:
    """Sent newsletters and briefings, newest first."""
    return (
        Mailing.objects.filter(status=Mailing.Status.SENT, kind__in=Mailing.ARCHIVED_KINDS)
        .exclude(slug__isnull=True)
        .exclude(slug="")
        .annotate(sent_on=Coalesce("finished_at", "queued_at", "created"))
        .defer("body")
        .order_by("-sent_on", "-pk")
    )


@require_safe
def news_list(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    if kind not in KIND_LABELS:
        kind = ""
    queryset = archived()
    if kind:
        queryset = queryset.filter(kind=kind)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "comms/news/list.html",
        {"page": page, "kind": kind, "kinds": KIND_LABELS.items()},
    )


@require_safe
def news_detail(request: HttpRequest, slug: str) -> HttpResponse:
    mailing = get_object_or_404(archived().defer(None), slug=slug)
    body = mark_safe(markdown_to_html(mailing.body))  # noqa: S308 - markdown-it escapes raw HTML
    return render(request, "comms/news/detail.html", {"mailing": mailing, "body": body})


# Characters XML 1.0 cannot hold (Django's feed writer refuses them): a subject or body holding
# one would otherwise break the whole feed.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_text(value: str) -> str:
    return _NOT_XML.sub("", value)


class NewsFeed(Feed):
    """The Atom feed. The collaboration is the author of the feed and of every entry: RFC 4287
    4.1.1 requires an atom:author on the feed unless every entry has one, and 4.1.2 one on an
    entry unless the feed has one; both are given so an entry copied out of the feed keeps it."""

    feed_type = Atom1Feed
    title_template = None
    description_template = None

    def title(self) -> str:
        return f"{settings.COLLABORATION_NAME}: newsletters and briefings"

    def subtitle(self) -> str:
        return "The Engage newsletter and the monthly briefing."

    def link(self) -> str:
        return settings.SITE_URL + reverse("news:list")

    def feed_url(self) -> str:
        return settings.SITE_URL + reverse("news:feed")

    def author_name(self) -> str:
        return settings.COLLABORATION_NAME

    def author_link(self) -> str:
        return settings.SITE_URL + "/"

    def items(self) -> list[Mailing]:
        return list(archived().defer(None)[:FEED_SIZE])

    def item_title(self, item: Mailing) -> str:
        return _xml_text(item.subject)

    def item_description(self, item: Mailing) -> str:
        return _xml_text(markdown_to_html(item.body))

    def item_link(self, item: Mailing) -> str:
        return settings.SITE_URL + reverse("news:detail", args=[item.slug])

    def item_author_name(self, item: Mailing) -> str:
        return settings.COLLABORATION_NAME

    def item_author_link(self, item: Mailing) -> str:
        return settings.SITE_URL + "/"

    def item_guid(self, item: Mailing) -> str:
        return f"urn:uuid:{item.public_id}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: Mailing) -> dt.datetime:
        return item.sent_on  # type: ignore[attr-defined]

    def item_updateddate(self, item: Mailing) -> dt.datetime:
        return item.sent_on  # type: ignore[attr-defined]

    def item_categories(self, item: Mailing) -> list[str]:
        return [item.get_kind_display()]

    def item_extra_kwargs(self, item: Mailing) -> dict[str, Any]:
        return {}


news_feed = NewsFeed()
