"""Health of communities of practice: quarterly figures, the indicator, charts and their tables."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from coproduce.community import health
from coproduce.community.health import Quarter
from coproduce.community.models import (
    Activity,
    Associate,
    CommunityOfPractice,
    LeadershipPeriod,
    Membership,
    quarter_of,
)
from tests import factories

C = Activity.Characteristic
MEMBER, STAFF = Activity.LedBy.MEMBER, Activity.LedBy.STAFF
Leadership = CommunityOfPractice.Leadership
UNTIL = dt.date(2012, 7, 15)  # last complete quarter: 2012 Q2
QUARTERS = [
    "2010 Q3",
    "2010 Q4",
    "2011 Q1",
    "2011 Q2",
    "2011 Q3",
    "2011 Q4",
    "2012 Q1",
    "2012 Q2",
]


def at(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime(year, month, day, hour, minute))


def associate(name: str, status: str = Associate.Status.ACTIVE) -> Associate:
    return Associate.objects.create(
        full_name=name, email=f"{name.lower()}@example.net", role="carer", status=status
    )


def belong(
    cop: CommunityOfPractice, who: Associate, joined: dt.datetime, left: dt.datetime | None = None
) -> None:
    Membership.objects.create(associate=who, cop=cop, joined=joined, left=left)


def activity(
    cop: CommunityOfPractice, day: dt.date, characteristic: str, led_by: str = MEMBER
) -> Activity:
    return Activity.objects.create(
        cop=cop,
        date=day,
        title=f"{characteristic} on {day}",
        characteristic=characteristic,
        led_by=led_by,
    )


@pytest.fixture
def cop(study: Any) -> CommunityOfPractice:
    """A community with a constructed history (see the expected figures in each test)."""
    cop = CommunityOfPractice.objects.get(study=study)
    belong(cop, associate("Ann"), at(2010, 1, 10))  # always a member
    belong(cop, associate("Bob"), at(2010, 11, 5), at(2011, 5, 20))  # 2010 Q4 to 2011 Q1
    belong(cop, associate("Cat"), at(2011, 3, 31, 23, 30))  # from 2011 Q1, at its last moment
    belong(cop, associate("Dan"), at(2011, 7, 1, 0, 0))  # from 2011 Q3, at its first moment
    belong(cop, associate("Eve", Associate.Status.PENDING), at(2010, 1, 1))  # never confirmed
    # Left at the first moment of 2012: still a member at the end of 2011 Q4.
    belong(cop, associate("Fay"), at(2011, 9, 1), at(2012, 1, 1, 0, 0))
    # Erased in 2012 Q1: counted while a member.
    belong(cop, associate("", Associate.Status.ERASED), at(2010, 8, 1), at(2012, 2, 10))

    activity(cop, dt.date(2010, 5, 1), C.KNOWLEDGE_SHARING)  # before the quarters shown
    activity(cop, dt.date(2010, 12, 1), C.KNOWLEDGE_SHARING, STAFF)
    activity(cop, dt.date(2011, 7, 1), C.KNOWLEDGE_SHARING, MEMBER)
    activity(cop, dt.date(2011, 8, 15), C.KNOWLEDGE_SHARING, STAFF)
    activity(cop, dt.date(2011, 9, 30), C.SOCIAL_INTERACTION, MEMBER)
    activity(cop, dt.date(2012, 2, 1), C.KNOWLEDGE_CREATION, STAFF)
    activity(cop, dt.date(2012, 6, 30), C.IDENTITY_BUILDING, MEMBER)
    activity(cop, dt.date(2012, 7, 10), C.IDENTITY_BUILDING, MEMBER)  # quarter not complete

    LeadershipPeriod.objects.create(cop=cop, model=Leadership.STAFF_LED, start=dt.date(2010, 1, 1))
    LeadershipPeriod.objects.create(cop=cop, model=Leadership.CO_LED, start=dt.date(2012, 3, 1))
    # After the quarters assessed: not counted for them.
    LeadershipPeriod.objects.create(cop=cop, model=Leadership.STAFF_LED, start=dt.date(2012, 8, 1))
    return cop


@pytest.fixture
def quiet(db: Any) -> CommunityOfPractice:
    """A community with a member elsewhere, and nothing of its own."""
    quiet = CommunityOfPractice.objects.get(study=factories.StudyFactory(slug="quiet"))
    return quiet


def assess(*cops: CommunityOfPractice) -> health.Report:
    return health.assess(cops, until=UNTIL, quarters=8)


# --- quarters ----------------------------------------------------------------------------------


def test_quarters_know_their_days_and_labels() -> None:
    q = Quarter.of(dt.date(2012, 5, 17))
    assert (q.year, q.number, q.label) == (2012, 2, "2012 Q2")
    assert q.label == quarter_of(dt.date(2012, 5, 17))
    assert (q.start, q.end) == (dt.date(2012, 4, 1), dt.date(2012, 6, 30))
    assert Quarter(2012, 4).end == dt.date(2012, 12, 31)
    assert Quarter(2012, 4).shifted(1) == Quarter(2013, 1)
    assert Quarter(2012, 1).shifted(-5) == Quarter(2010, 4)
    assert health.last_complete_quarter(dt.date(2012, 7, 15)) == Quarter(2012, 2)
    assert health.last_complete_quarter(dt.date(2012, 6, 30)) == Quarter(2012, 2)
    assert health.last_complete_quarter(dt.date(2012, 6, 29)) == Quarter(2012, 1)
    labels = [q.label for q in health.quarters_ending(Quarter(2012, 2), 8)]
    assert labels == QUARTERS


# --- figures -----------------------------------------------------------------------------------


def test_members_are_counted_at_the_end_of_each_quarter(
    cop: CommunityOfPractice, quiet: CommunityOfPractice
) -> None:
    # Someone in another community counts only there.
    belong(quiet, Associate.objects.get(full_name="Ann"), at(2011, 1, 1))

    report = assess(cop, quiet)

    ours, theirs = report.communities
    assert [q.label for q in ours.series.quarters] == QUARTERS
    assert ours.series.members == [2, 3, 4, 3, 5, 5, 3, 3]
    assert theirs.series.members == [0, 0, 1, 1, 1, 1, 1, 1]
    assert report.total.members == [2, 3, 5, 4, 6, 6, 4, 4]


def test_activities_are_counted_per_characteristic_and_quarter(cop: CommunityOfPractice) -> None:
    series = assess(cop).communities[0].series

    assert series.activities == {
        C.SOCIAL_INTERACTION: [0, 0, 0, 0, 1, 0, 0, 0],
        C.KNOWLEDGE_SHARING: [0, 1, 0, 0, 2, 0, 0, 0],
        C.KNOWLEDGE_CREATION: [0, 0, 0, 0, 0, 0, 1, 0],
        C.IDENTITY_BUILDING: [0, 0, 0, 0, 0, 0, 0, 1],
    }
    assert series.totals == [0, 1, 0, 0, 3, 0, 1, 1]
    assert series.member_led == [0, 0, 0, 0, 2, 0, 0, 1]
    assert series.shares == [None, 0, None, None, 67, None, 0, 100]


def test_the_indicator_scores_each_criterion(cop: CommunityOfPractice) -> None:
    indicator = assess(cop).communities[0].indicator

    assert [q.label for q in indicator.window] == QUARTERS[-4:]
    criteria = {c.key: c for c in indicator.criteria}
    assert criteria["member_led"].met
    assert criteria["member_led"].detail == "3 of 5 activities led by members (60%)"
    assert criteria["leadership"].met
    assert criteria["leadership"].detail == "Co-led by staff and members at the end of 2012 Q2"
    assert criteria["regular"].met
    assert criteria["regular"].detail == "Activity in 3 of the last 4 quarters"
    assert criteria["members"].met
    assert criteria["members"].detail == (
        "3 members at the end of 2012 Q2; 3 at the end of 2011 Q2"
    )
    assert indicator.score == 4
    assert indicator.verdict == "Self-sustaining"


def test_each_criterion_fails_on_its_own_terms(cop: CommunityOfPractice) -> None:
    # Staff lead more; a quarter goes quiet; leadership stays with staff; a member leaves.
    Activity.objects.filter(date__in=[dt.date(2011, 7, 1), dt.date(2012, 6, 30)]).update(
        led_by=STAFF
    )
    Activity.objects.filter(date=dt.date(2012, 2, 1)).delete()
    LeadershipPeriod.objects.filter(model=Leadership.CO_LED).update(model=Leadership.STAFF_LED)
    Membership.objects.filter(associate__full_name="Dan").update(left=at(2012, 6, 1))

    indicator = assess(cop).communities[0].indicator

    criteria = {c.key: c for c in indicator.criteria}
    assert not criteria["member_led"].met
    assert criteria["member_led"].detail == "1 of 4 activities led by members (25%)"
    assert not criteria["leadership"].met
    assert not criteria["regular"].met
    assert criteria["regular"].detail == "Activity in 2 of the last 4 quarters"
    assert not criteria["members"].met
    assert criteria["members"].detail == (
        "2 members at the end of 2012 Q2; 3 at the end of 2011 Q2"
    )
    assert indicator.score == 0
    assert indicator.verdict == "Relies on staff"


def test_half_led_by_members_is_enough(cop: CommunityOfPractice) -> None:
    Activity.objects.filter(date=dt.date(2012, 6, 30)).update(led_by=STAFF)
    Activity.objects.filter(date=dt.date(2012, 2, 1)).update(led_by=MEMBER)
    activity(cop, dt.date(2012, 4, 2), C.KNOWLEDGE_SHARING, STAFF)  # 3 of 6

    indicator = assess(cop).communities[0].indicator

    criterion = next(c for c in indicator.criteria if c.key == "member_led")
    assert criterion.met
    assert criterion.detail == "3 of 6 activities led by members (50%)"


def test_a_community_with_nothing_scores_nothing(quiet: CommunityOfPractice) -> None:
    indicator = assess(quiet).communities[0].indicator

    assert indicator.score == 0
    assert [c.met for c in indicator.criteria] == [False, False, False, False]
    members = health.members_chart(assess(quiet).communities[0].series)
    assert "no members at the end of any quarter" in members.summary
    details = [c.detail for c in indicator.criteria]
    assert details[0] == "No activities in the last four quarters"
    assert details[1] == "Staff-led at the end of 2012 Q2"
    assert details[3] == "0 members at the end of 2012 Q2; 0 at the end of 2011 Q2"


def test_figures_take_three_queries_however_many_communities_and_rows(
    cop: CommunityOfPractice, quiet: CommunityOfPractice
) -> None:
    cops = [cop, quiet]
    for _ in range(10):
        extra = CommunityOfPractice.objects.get(study=factories.StudyFactory())
        activity(extra, dt.date(2011, 8, 1), C.KNOWLEDGE_SHARING)
        belong(extra, associate(f"Extra{extra.pk}"), at(2011, 1, 1))
        cops.append(extra)
    with CaptureQueriesContext(connection) as queries:
        report = health.assess(cops, until=UNTIL, quarters=20)
    assert len(queries) == 3
    assert len(report.communities) == 12
    assert len(report.quarters) == 20


def test_too_few_quarters_are_refused(cop: CommunityOfPractice) -> None:
    with pytest.raises(ValueError, match="at least 5 quarters"):
        health.assess([cop], until=UNTIL, quarters=4)


# --- charts and tables -------------------------------------------------------------------------


def _table_values(chart: health.Chart) -> list[list[Any]]:
    return [[str(cell) for cell in row] for row in chart.table.rows]


def test_each_chart_holds_the_same_numbers_as_its_table(cop: CommunityOfPractice) -> None:
    series = assess(cop).communities[0].series
    members, activities, shares = health.series_charts(series)

    spec = json.loads(json.dumps(members.spec))
    assert spec["$schema"].endswith("vega-lite/v5.json")
    assert [[v["quarter"], v["members"]] for v in spec["data"]["values"]] == [
        [label, count] for label, count in zip(QUARTERS, [2, 3, 4, 3, 5, 5, 3, 3], strict=True)
    ]
    assert members.table.rows == [[v["quarter"], v["members"]] for v in spec["data"]["values"]]
    assert spec["encoding"]["x"]["scale"]["domain"] == QUARTERS

    spec = json.loads(json.dumps(activities.spec))
    by_cell = {(v["quarter"], v["characteristic"]): v["activities"] for v in spec["data"]["values"]}
    labels = activities.table.columns[1:-1]
    assert labels == [c.label for c in C]
    for row in activities.table.rows:
        quarter, counts, total = row[0], row[1:-1], row[-1]
        assert counts == [by_cell[(quarter, label)] for label in labels]
        assert total == sum(counts)
    assert activities.table.rows[4] == ["2011 Q3", 1, 2, 0, 0, 3]

    spec = json.loads(json.dumps(shares.spec))
    assert [[v["quarter"], v["share"]] for v in spec["data"]["values"]] == [
        ["2010 Q4", 0],
        ["2011 Q3", 67],
        ["2012 Q1", 0],
        ["2012 Q2", 100],
    ]
    assert shares.table.rows[4] == ["2011 Q3", 3, 2, 67]
    assert shares.table.rows[0] == ["2010 Q3", 0, 0, "No activities"]
    assert spec["encoding"]["y"]["scale"]["domain"] == [0, 100]


def test_chart_summaries_describe_the_figures(cop: CommunityOfPractice) -> None:
    members, activities, shares = health.series_charts(assess(cop).communities[0].series)
    assert (
        "2 at the end of 2010 Q3, 3 at the end of 2012 Q2, highest 5 in 2011 Q3" in members.summary
    )
    assert "6 in all" in activities.summary
    assert "knowledge sharing 3" in activities.summary
    assert "busiest quarter was 2011 Q3 with 3" in activities.summary
    assert "3 of 6 activities (50%) over the period; 100% in 2012 Q2" in shares.summary


def _spec_from_page(html: str, spec_id: str) -> dict[str, Any]:
    match = re.search(rf'<script id="{spec_id}" type="application/json">(.*?)</script>', html, re.S)
    assert match, spec_id
    return dict(json.loads(match.group(1)))


def test_the_health_page_shows_indicator_charts_and_tables(
    reader_client: Client, cop: CommunityOfPractice
) -> None:
    response = reader_client.get(f"/staff/communities/{cop.slug}/health/?until=2012-07-15")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Self-sustainability: 4 out of 4, self-sustaining" in html
    assert "3 of 5 activities led by members (60%)" in html
    assert "How the self-sustainability score works" in html
    for chart in response.context["charts"]:
        spec = _spec_from_page(html, chart.spec_id)
        assert spec == json.loads(json.dumps(chart.spec))
        assert f'data-vega-spec="{chart.spec_id}"' in html
        assert 'role="img"' in html
        assert f'aria-label="{chart.summary}"' in html
        assert (
            f'<caption class="nhsuk-table__caption nhsuk-table__caption--s">{chart.table.caption}</caption>'
            in html
        )
    assert '<th class="nhsuk-table__header" scope="row">2011 Q3</th>' in html
    # Charts are drawn by the vendored scripts only.
    sources = re.findall(r'<script[^>]* src="([^"]+)"', html)
    assert "/static/vendor/vega/vega-embed.min.js" in sources
    assert "/static/js/charts.js" in sources
    assert all(src.startswith("/static/") for src in sources)
    assert "cdn" not in html.lower()


def test_the_health_page_shows_its_form_errors_and_falls_back_to_today(
    reader_client: Client, cop: CommunityOfPractice
) -> None:
    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    response = reader_client.get(
        f"/staff/communities/{cop.slug}/health/", {"until": future, "quarters": "7"}
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert "The date must be today or in the past" in html
    assert "Choose a number of quarters from the list" in html
    report = response.context["report"]
    assert report.until == timezone.localdate()
    assert len(report.quarters) == health.DEFAULT_QUARTERS


def test_the_health_pages_need_a_staff_role(client: Client, cop: CommunityOfPractice) -> None:
    for url in (f"/staff/communities/{cop.slug}/health/", "/staff/communities/health/"):
        assert client.get(url).status_code == 302
    client.force_login(factories.UserFactory(username="nobody"))
    assert client.get("/staff/communities/health/").status_code == 403


def test_the_overview_has_a_row_per_community_and_totals(
    outsider_client: Client, cop: CommunityOfPractice, quiet: CommunityOfPractice
) -> None:
    response = outsider_client.get("/staff/communities/health/?until=2012-07-15&quarters=12")

    assert response.status_code == 200
    report = response.context["report"]
    assert len(report.quarters) == 12
    scores = response.context["scores"]
    rows = {str(row[0]): row for row in scores.table.rows}
    assert set(rows) == {cop.name, quiet.name}
    assert rows[cop.name][1:6] == [4, "Yes", "Yes", "Yes", "Yes"]
    assert rows[cop.name][6:] == [3, 5, 60]
    assert rows[quiet.name][1:] == [0, "No", "No", "No", "No", 0, 0, "No activities"]
    assert scores.table.footer == [
        "All communities",
        "",
        "1 of 2",
        "1 of 2",
        "1 of 2",
        "1 of 2",
        3,
        5,
        60,
    ]
    html = response.content.decode()
    spec = _spec_from_page(html, scores.spec_id)
    assert {v["community"]: v["score"] for v in spec["data"]["values"]} == {
        cop.name: 4,
        quiet.name: 0,
    }
    assert f'href="/staff/communities/{cop.slug}/health/?until=2012-07-15&amp;quarters=12"' in html
    assert "<tfoot>" in html
    assert "Self-sustaining" in html
    # The combined charts add up every community.
    members = response.context["charts"][0]
    assert [row[1] for row in members.table.rows][-8:] == [2, 3, 4, 3, 5, 5, 3, 3]


def test_the_overview_runs_the_same_queries_for_2_or_20_communities(
    reader_client: Client, cop: CommunityOfPractice
) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert reader_client.get("/staff/communities/health/").status_code == 200
        return len(queries)

    factories.StudyFactory()
    few = count()
    for _ in range(18):
        extra = CommunityOfPractice.objects.get(study=factories.StudyFactory())
        activity(extra, timezone.localdate() - dt.timedelta(days=200), C.KNOWLEDGE_SHARING)
    assert CommunityOfPractice.objects.count() == 20
    assert count() == few
