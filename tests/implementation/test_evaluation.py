"""Evaluation dashboards: the figures against the database, and query counts that do not grow."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from coproduce.comms.models import Mailing, OutboxMessage
from coproduce.community.models import Associate, ConsentRecord
from coproduce.coproduction.models import BrokerActivity
from coproduce.events.models import Booking, Event
from coproduce.implementation import evaluation
from tests import factories

YEAR = timezone.localdate().year - 1
D = dt.date


def _at(month: int, day: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime(YEAR, month, day, 12))


def add_fellow_work(study: Any, count: int) -> Any:
    secondment = factories.SecondmentFactory(study=study, start=D(YEAR, 1, 1), fte=Decimal("0.2"))
    for i in range(count):
        BrokerActivity.objects.create(
            person=secondment.person,
            secondment=secondment,
            study=study,
            date=D(YEAR, 2, 1 + i % 20),
            hours=Decimal("7.5"),
            direction="outward" if i % 2 else "inward",
            kind="dissemination",
            mobilisation="horizontal",
            audience=f"Trust {i % 3}",
        )
    return secondment


def add_engagement(count: int) -> None:
    event = Event.objects.create(
        slug=f"event-{Event.objects.count()}",
        kind="seminar",
        title="Seminar",
        starts=_at(3),
        ends=_at(3) + dt.timedelta(hours=2),
    )
    mailing = Mailing.objects.create(
        kind="engage",
        channel="engage",
        subject=f"Engage {Mailing.objects.count()}",
        body="Hello",
        status="sent",
        finished_at=_at(4),
    )
    for i in range(count):
        n = Associate.objects.count()
        associate = Associate.objects.create(
            full_name=f"Associate {n}",
            email=f"a{n}@example.org",
            role="clinician",
            status="active",
            confirmed=_at(2),
        )
        Booking.objects.create(
            event=event,
            associate=associate,
            full_name=associate.full_name,
            email=associate.email,
            status="confirmed",
            attended=[True, False, None][i % 3],
        )
        OutboxMessage.objects.create(
            key=OutboxMessage.mailing_key(mailing.pk, associate.pk),
            mailing=mailing,
            associate=associate,
            to_email=associate.email,
            channel="engage",
            status="sent",
            sent_at=_at(4),
        )
        if i % 3 == 0:
            ConsentRecord.objects.create(
                associate=associate,
                channel="engage",
                granted=False,
                method="unsubscribe",
                at=_at(5),
            )


def test_fellow_figures(study: Any) -> None:
    secondment = add_fellow_work(study, 6)
    counts = evaluation.activity_by_kind(YEAR)
    assert counts[("dissemination", "inward")] == (3, Decimal("22.5"))
    assert counts[("dissemination", "outward")] == (3, Decimal("22.5"))
    (post,) = evaluation.posts(YEAR)
    assert post.secondment == secondment
    assert post.hours == Decimal("45")
    assert post.logged_days == Decimal("6.0")
    # 0.2 FTE over every Monday-to-Friday of the year.
    days = evaluation.working_days(D(YEAR, 1, 1), D(YEAR, 12, 31))
    assert post.expected_days == (Decimal("0.2") * days).quantize(Decimal("0.1"))
    # Outward activities (odd ones) name Trust 1, Trust 0, Trust 2.
    assert evaluation.reach(YEAR) == {str(secondment.person): ["Trust 0", "Trust 1", "Trust 2"]}


def test_engagement_figures(db: Any) -> None:
    add_engagement(6)
    figures = evaluation.attendance(YEAR)["seminar"]
    assert (figures["events"], figures["booked"], figures["Attended"]) == (1, 6, 2)
    assert (figures["Did not attend"], figures["Not recorded"]) == (2, 2)
    mailings, messages, unsubscribed = evaluation.mailing_months(YEAR)
    assert (sum(mailings), mailings[3]) == (1, 1)
    assert (sum(messages), messages[3]) == (6, 6)
    assert (sum(unsubscribed), unsubscribed[4]) == (2, 2)
    at_end, new = evaluation.associates_by_quarter(
        [evaluation.Quarter(YEAR, q) for q in (1, 2, 3, 4)]
    )
    assert at_end == [6, 6, 6, 6]
    assert new == [6, 0, 0, 0]
    chart = evaluation.mailing_chart(YEAR)
    assert chart.table.footer == [str(YEAR), 1, 6, 2, "333.3"]


PAGES = ["evaluation_fellows", "evaluation_cops", "evaluation_engagement"]


@pytest.mark.parametrize("name", PAGES)
def test_dashboards_have_charts_with_tables(reader_client: Client, study: Any, name: str) -> None:
    add_fellow_work(study, 4)
    add_engagement(3)
    factories_cop(study)
    response = reader_client.get(reverse(f"implementation:{name}") + f"?year={YEAR}")
    assert response.status_code == 200
    html = response.content.decode()
    charts = response.context["charts"]
    assert charts
    for chart in charts:
        assert f'id="{chart.spec_id}"' in html
        assert escape(chart.table.caption) in html


def factories_cop(study: Any) -> Any:
    from coproduce.community.models import CommunityOfPractice

    cop, _ = CommunityOfPractice.objects.get_or_create(
        study=study, defaults={"slug": f"cop-{study.pk}", "name": f"CoP {study.pk}"}
    )
    return cop


@pytest.mark.parametrize("name", PAGES)
def test_dashboard_queries_do_not_grow_with_rows(
    reader_client: Client, study: Any, name: str
) -> None:
    url = reverse(f"implementation:{name}") + f"?year={YEAR}"
    add_fellow_work(study, 2)
    add_engagement(2)
    factories_cop(study)
    with CaptureQueriesContext(connection) as small:
        assert reader_client.get(url).status_code == 200
    for _ in range(3):
        add_fellow_work(factories.StudyFactory(), 5)
        add_engagement(5)
        factories_cop(factories.StudyFactory())
    with CaptureQueriesContext(connection) as large:
        assert reader_client.get(url).status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)


def test_the_cop_dashboard_links_to_community_health(reader_client: Client, study: Any) -> None:
    cop = factories_cop(study)
    html = reader_client.get(reverse("implementation:evaluation_cops")).content.decode()
    assert reverse("community_staff:health", args=[cop.slug]) in html
    assert reverse("community_staff:health_all") in html


def test_a_year_that_makes_no_sense_falls_back(reader_client: Client) -> None:
    response = reader_client.get(reverse("implementation:evaluation_fellows") + "?year=abc")
    assert response.context["year"] == timezone.localdate().year


def test_months_are_the_local_calendars_as_trunc_month_gives(db: Any) -> None:
    """mailing_months buckets by comparisons in SQL (lib/periods.py), not Django's TruncMonth
    (a Python function per row on SQLite): the same months as TruncMonth, at the edges too
    (local midnight in summer time, the first and last instants of the year)."""
    from django.db.models.functions import TruncMonth

    add_engagement(3)  # one unsubscribe in May, at noon
    associate = Associate.objects.first()
    london = timezone.get_current_timezone()
    edges = [
        dt.datetime(YEAR, 1, 1, 0, 0, tzinfo=london),  # the year's first instant
        dt.datetime(YEAR, 5, 31, 23, 59, tzinfo=london),  # BST: 22:59 UTC, still May
        dt.datetime(YEAR, 6, 1, 0, 30, tzinfo=london),  # BST: 23:30 UTC on 31 May, June here
        dt.datetime(YEAR, 12, 31, 23, 59, 59, tzinfo=london),  # the year's last second
        dt.datetime(YEAR + 1, 1, 1, 0, 0, tzinfo=london),  # next year: not counted
    ]
    for at in edges:
        ConsentRecord.objects.create(
            associate=associate, channel="engage", granted=False, method="unsubscribe", at=at
        )
    _mailings, _messages, unsubscribed = evaluation.mailing_months(YEAR)
    assert unsubscribed == [1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 1]
    expected = [0] * 12
    for row in (
        ConsentRecord.objects.filter(method="unsubscribe", at__year=YEAR)
        .annotate(month=TruncMonth("at"))
        .values("month")
        .annotate(n=Count("associate", distinct=True))
    ):
        expected[row["month"].month - 1] = row["n"]
    assert unsubscribed == expected


def test_the_fellows_dashboard_pages_its_secondments_and_fellows(
    reader_client: Client, study: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A row per secondment and per fellow, a page of each: the other page holds the other
    rows, each list keeps its own page in the address, and the totals stay over them all."""
    monkeypatch.setattr(evaluation, "FELLOWS_PAGE_SIZE", 2)
    made = [add_fellow_work(factories.StudyFactory(), 2) for _ in range(3)]
    url = reverse("implementation:evaluation_fellows") + f"?year={YEAR}"

    def rows(query: str, key: str) -> list[list[Any]]:
        response = reader_client.get(url + query)
        assert response.status_code == 200
        chart = next(chart for chart in response.context["charts"] if chart.key == key)
        assert chart.table.footer[0].startswith("All")
        return [list(row) for row in chart.table.rows]

    first, second = rows("", "df-hours"), rows("&page=2", "df-hours")
    assert len(first) == 2
    assert len(second) == 1
    names = sorted(row[0] for row in first + second)
    assert names == sorted(str(secondment.person) for secondment in made)
    # The fellows' list is paged on its own: page 2 of secondments, page 1 of fellows.
    assert len(rows("&page=2", "df-reach")) == 2
    assert len(rows("&page=2&reach_page=2", "df-reach")) == 1
    html = reader_client.get(url).content.decode()
    assert 'aria-label="Pages of secondments"' in html
    assert "reach_page=2" in html
    # Totals over every secondment, whichever page.
    response = reader_client.get(url + "&page=2")
    hours = next(chart for chart in response.context["charts"] if chart.key == "df-hours")
    assert "each of 3 secondments" in hours.summary
    assert "secondments 3 to 3 of 3" in hours.table.caption
