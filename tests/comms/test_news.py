"""The public news archive: only sent newsletters and briefings, their pages, the Atom feed."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coproduce.comms.models import Mailing

ATOM = "{http://www.w3.org/2005/Atom}"
SENT = Mailing.Status.SENT


def make_mailing(
    subject: str, *, kind: str = "engage", status: str = SENT, **fields: Any
) -> Mailing:
    fields.setdefault("channel", Mailing.KIND_CHANNEL.get(kind, "engage"))  # type: ignore[call-overload]
    fields.setdefault("body", f"## {subject}\n\nSome *news*.")
    fields.setdefault("slug", f"{subject.lower().replace(' ', '-')}-a1b2c3")
    return Mailing.objects.create(kind=kind, subject=subject, status=status, **fields)


@pytest.fixture
def mailings(db: Any) -> dict[str, Mailing]:
    at = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
    return {
        "engage": make_mailing(
            "Engage spring",
            summary="The spring newsletter.",
            queued_at=at,
            finished_at=at + dt.timedelta(hours=1),
        ),
        "briefing": make_mailing(
            "April briefing", kind="briefing", queued_at=at + dt.timedelta(days=30)
        ),
        "draft": make_mailing("Draft newsletter", status=Mailing.Status.DRAFT),
        "sending": make_mailing("Sending newsletter", status=Mailing.Status.SENDING, queued_at=at),
        "announcement": make_mailing("Big announcement", kind="announcement", queued_at=at),
        "invitation": make_mailing("Come along", kind="event_invitation", queued_at=at),
    }


def test_the_archive_lists_only_sent_newsletters_and_briefings_newest_first(
    client: Client, mailings: dict[str, Mailing]
) -> None:
    response = client.get(reverse("news:list"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Engage spring" in page
    assert "April briefing" in page
    assert page.index("April briefing") < page.index("Engage spring")
    assert "The spring newsletter." in page
    assert "1 March 2026" in page
    for hidden in ("Draft newsletter", "Sending newsletter", "Big announcement", "Come along"):
        assert hidden not in page
    assert f'href="{reverse("news:feed")}"' in page  # the feed is linked (and discoverable)


def test_the_archive_can_show_one_kind(client: Client, mailings: dict[str, Mailing]) -> None:
    page = client.get(reverse("news:list") + "?kind=briefing").content.decode()
    assert "April briefing" in page
    assert "Engage spring" not in page
    page = client.get(reverse("news:list") + "?kind=announcement").content.decode()
    assert "Big announcement" not in page
    assert "Engage spring" in page


def test_the_archive_query_count_does_not_grow(client: Client, db: Any) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("news:list")).status_code == 200
        return len(captured)

    make_mailing("First")
    few = queries()
    for number in range(15):
        make_mailing(f"More {number}")
    assert queries() == few


def test_a_newsletter_page(client: Client, mailings: dict[str, Mailing]) -> None:
    mailing = mailings["engage"]
    mailing.body = "## What is new\n\nA *study* reported. <script>alert(1)</script>"
    mailing.save()
    response = client.get(reverse("news:detail", args=[mailing.slug]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Engage spring" in page
    assert "Engage newsletter" in page
    assert "1 March 2026" in page  # finished_at, London time
    assert "<h2>What is new</h2>" in page
    assert "<em>study</em>" in page
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page
    assert mailing.get_absolute_url() not in page, "no staff links on a public page"


def test_a_briefing_without_finish_time_shows_when_it_was_queued(
    client: Client, mailings: dict[str, Mailing]
) -> None:
    page = client.get(reverse("news:detail", args=[mailings["briefing"].slug])).content.decode()
    assert "31 March 2026" in page


@pytest.mark.parametrize("name", ["draft", "sending", "announcement", "invitation"])
def test_other_mailings_are_not_public(
    client: Client, mailings: dict[str, Mailing], name: str
) -> None:
    assert client.get(reverse("news:detail", args=[mailings[name].slug])).status_code == 404


def test_an_unknown_slug_is_not_found(client: Client, db: Any) -> None:
    assert client.get(reverse("news:detail", args=["no-such-thing"])).status_code == 404


def test_the_atom_feed(client: Client, mailings: dict[str, Mailing]) -> None:
    response = client.get(reverse("news:feed"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)  # noqa: S314 - our own feed
    assert root.tag == f"{ATOM}feed"
    assert "newsletters and briefings" in (root.findtext(f"{ATOM}title") or "")
    entries = root.findall(f"{ATOM}entry")
    assert [entry.findtext(f"{ATOM}title") for entry in entries] == [
        "April briefing",
        "Engage spring",
    ]
    first = entries[0]
    link = first.find(f"{ATOM}link")
    assert link is not None
    assert link.get("href") == settings.SITE_URL + reverse(
        "news:detail", args=[mailings["briefing"].slug]
    )
    assert (first.findtext(f"{ATOM}id") or "").startswith("urn:uuid:")
    summary = entries[1].findtext(f"{ATOM}summary") or ""
    assert "<em>news</em>" in summary
    assert (entries[1].findtext(f"{ATOM}updated") or "").startswith("2026-03-01T")


def test_the_footer_links_to_the_archive(client: Client, db: Any) -> None:
    page = client.get("/").content.decode()
    assert f'href="{reverse("news:list")}"' in page
