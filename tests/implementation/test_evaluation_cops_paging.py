"""The communities' evaluation page: a page of 50 communities in the score chart and its table,
the counts over every community, the NHS.UK pagination keeping the year, an out-of-range page
giving the last page (as the project's other paged lists)."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coproduce.community.models import CommunityOfPractice
from coproduce.implementation.views import EVALUATION_PAGE_SIZE
from tests import factories

URL = reverse("implementation:evaluation_cops")


def _communities(count: int) -> list[Any]:
    theme = factories.ThemeFactory()
    return CommunityOfPractice.objects.bulk_create(
        CommunityOfPractice(slug=f"cop-{n:03}", name=f"Community {n:03}", theme=theme)
        for n in range(count)
    )


def _scores(response: Any) -> Any:
    (chart,) = [chart for chart in response.context["charts"] if chart.key == "scores"]
    return chart


def test_the_page_shows_50_communities_and_counts_them_all(reader_client: Client) -> None:
    _communities(EVALUATION_PAGE_SIZE + 5)
    everyone = CommunityOfPractice.objects.count()
    response = reader_client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    chart = _scores(response)
    assert len(chart.table.rows) == EVALUATION_PAGE_SIZE
    assert len(chart.spec["data"]["values"]) == EVALUATION_PAGE_SIZE  # one bar a row shown
    assert f"communities 1 to {EVALUATION_PAGE_SIZE} of {everyone}" in chart.table.caption
    assert f"communities 1 to {EVALUATION_PAGE_SIZE} of {everyone}" in chart.summary
    assert f"of {everyone}" in chart.table.footer[2]  # criteria met: over every community
    assert reverse("community_staff:health", args=["cop-000"]) in html
    assert reverse("community_staff:health", args=["cop-054"]) not in html
    assert 'class="nhsuk-pagination"' in html
    assert "?page=2" in html
    # Every chart keeps its table of the same figures.
    for shown in response.context["charts"]:
        assert f'id="{shown.spec_id}"' in html
        assert shown.table.rows

    second = reader_client.get(URL + "?year=2026&page=2")
    chart = _scores(second)
    assert len(chart.table.rows) == everyone - EVALUATION_PAGE_SIZE
    assert "Community 054" in [row[0].text for row in chart.table.rows]
    html = second.content.decode()
    assert "?year=2026&amp;page=1" in html  # the pagination keeps the year

    beyond = reader_client.get(URL + "?page=99")
    assert beyond.status_code == 200
    assert beyond.context["page"].number == 2


def test_one_page_of_communities_has_no_pagination(reader_client: Client) -> None:
    _communities(3)
    response = reader_client.get(URL)
    html = response.content.decode()
    assert 'class="nhsuk-pagination"' not in html
    chart = _scores(response)
    assert len(chart.table.rows) == 3
    assert "communities 1 to" not in chart.table.caption


def test_the_query_count_does_not_grow_with_pages(reader_client: Client) -> None:
    _communities(EVALUATION_PAGE_SIZE + 5)
    counts = []
    for page in (1, 2):
        with CaptureQueriesContext(connection) as ctx:
            assert reader_client.get(URL + f"?page={page}").status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
