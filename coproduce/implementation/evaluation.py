"""Evaluation dashboards: diffusion fellows and engagement, for a calendar year.

Every figure is counted in the database by grouped queries: the number of queries does not grow
with the number of fellows, activities, associates, bookings or messages. Each chart comes with
a table of the same numbers (`coproduce.lib.charts`). Communities of practice are evaluated by
`coproduce.community.health`, which the CoP dashboard reuses.

- **Activity by direction and kind**: knowledge-broker activities dated in the year, counted
  and their hours summed, by kind and direction (inward into the study, outward into practice).
- **Hours against expected**: for each secondment running in the year, the hours logged against
  it in the year, in days of 7.5 hours, against its expected days (FTE times the Monday-to-Friday
  days of the year it covered; `coproduction.timeuse`).
- **Organisations reached**: the distinct audiences or organisations named on each fellow's
  outward activities in the year (the activity's "audience or organisation").
- **Associates over time**: associates registered (confirmed) by the end of each quarter and not
  erased by then, and the quarter's new associates.
- **Event attendance**: confirmed bookings for events that started in the year, by kind of event:
  attended, did not attend, not recorded.
- **Mailing reach and unsubscribes**: per month, messages of mailings sent (outbox rows with
  status "sent") and associates who withdrew consent by an unsubscribe link.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Min, Q, Sum
from django.utils import timezone

from coproduce.comms.models import Mailing, OutboxMessage
from coproduce.community.health import Quarter, quarters_ending
from coproduce.community.models import Associate, ConsentRecord
from coproduce.coproduction.models import HOURS_PER_DAY, BrokerActivity
from coproduce.coproduction.timeuse import working_days
from coproduce.events.models import Booking, Event
from coproduce.lib.charts import Chart, Table, bar_chart, line_chart, stacked_bar
from coproduce.lib.periods import period_index
from coproduce.registry.models import Secondment

if TYPE_CHECKING:
    from django.core.paginator import Page

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


CHART_TEMPLATE = "community/staff_cops/includes/chart.html"


def earliest_year() -> int | None:
    """The first calendar year with anything to evaluate: a secondment starting, an associate
    confirming or a mailing finishing (three aggregate queries); None when there is nothing."""
    found = [
        Secondment.objects.aggregate(first=Min("start"))["first"],
        Associate.objects.aggregate(first=Min("confirmed"))["first"],
        Mailing.objects.aggregate(first=Min("finished_at"))["first"],
    ]
    years = [value.year for value in found if value is not None]
    return min(years) if years else None


def year_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def _instant(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def quiet_if_empty(charts: list[Chart]) -> list[Chart]:
    """A chart with no data draws empty mark groups that assistive technology would announce
    as unlabelled graphics: keep its marks out of the accessibility tree (the container's label
    and the table say what there is)."""
    for chart in charts:
        data = chart.spec.get("data", {})
        if isinstance(data, dict) and not data.get("values"):
            chart.spec.setdefault("config", {}).setdefault("mark", {})["aria"] = False
    return charts


def _days(hours: Decimal | None) -> Decimal:
    return ((hours or Decimal("0")) / HOURS_PER_DAY).quantize(Decimal("0.1"))


# --- diffusion fellows -------------------------------------------------------------------------


def activity_by_kind(year: int) -> dict[tuple[str, str], tuple[int, Decimal]]:
    """(kind, direction) -> (activities, hours) in the year: one grouped query."""
    start, end = year_bounds(year)
    rows = (
        BrokerActivity.objects.filter(date__gte=start, date__lte=end)
        .order_by()
        .values("kind", "direction")
        .annotate(n=Count("pk"), hours=Sum("hours"))
    )
    return {(r["kind"], r["direction"]): (r["n"], r["hours"] or Decimal("0")) for r in rows}


def activity_chart(year: int) -> Chart:
    counts = activity_by_kind(year)
    kinds = list(BrokerActivity.Kind)
    directions = list(BrokerActivity.Direction)
    data = [
        {
            "kind": kind.label,
            "direction": direction.label,
            "hours": float(counts.get((kind, direction), (0, Decimal("0")))[1]),
        }
        for kind in kinds
        for direction in directions
    ]
    rows: list[list[Any]] = []
    totals: list[Any] = [0, Decimal("0"), 0, Decimal("0")]
    for kind in kinds:
        inward = counts.get((kind, BrokerActivity.Direction.INWARD), (0, Decimal("0")))
        outward = counts.get((kind, BrokerActivity.Direction.OUTWARD), (0, Decimal("0")))
        values: list[Any] = [inward[0], inward[1], outward[0], outward[1]]
        totals = [a + b for a, b in zip(totals, values, strict=True)]
        rows.append([kind.label, *values, inward[0] + outward[0], inward[1] + outward[1]])
    activities, hours = totals[0] + totals[2], totals[1] + totals[3]
    summary = (
        f"Stacked bar chart of hours of knowledge-broker activity in {year} by kind, split into "
        f"inward and outward: {activities} activities, {hours} hours in all "
        f"({totals[1]} inward, {totals[3]} outward). The table below has the same numbers."
    )
    spec = stacked_bar(
        data,
        x="kind",
        y="hours",
        stack="direction",
        title=f"Hours of activity by kind and direction, {year}",
        x_title="Kind of activity",
        y_title="Hours",
        stack_title="Direction",
        x_order=[k.label for k in kinds],
        stack_order=[d.label for d in directions],
        description=summary,
    )
    return Chart(
        key="df-activity",
        title="Activity by direction and kind",
        spec=spec,
        summary=summary,
        table=Table(
            caption=f"Knowledge-broker activities and hours by kind and direction, {year}",
            columns=[
                "Kind",
                "Inward activities",
                "Inward hours",
                "Outward activities",
                "Outward hours",
                "All activities",
                "All hours",
            ],
            rows=rows,
            numeric=frozenset(range(1, 7)),
            footer=["All kinds", *totals, activities, hours],
        ),
    )


@dataclass(frozen=True)
class PostTime:
    secondment: Secondment
    expected_days: Decimal
    logged_days: Decimal
    hours: Decimal

    @property
    def percent(self) -> int | None:
        if not self.expected_days:
            return None
        return round(self.logged_days / self.expected_days * 100)


def posts(year: int) -> list[PostTime]:
    """Secondments running in the year with hours logged in it: one aggregated query."""
    start, end = year_bounds(year)
    secondments = (
        Secondment.objects.filter(start__lte=end)
        .filter(Q(end__isnull=True) | Q(end__gte=start))
        .select_related("person", "study", "home_organisation")
        .annotate(
            hours_in_year=Sum(
                "broker_activities__hours",
                filter=Q(broker_activities__date__gte=start, broker_activities__date__lte=end),
            )
        )
        .order_by("person__full_name", "start", "pk")
    )
    result = []
    for secondment in secondments:
        first = max(secondment.start, start)
        last = min(secondment.end, end) if secondment.end else end
        expected = (secondment.fte * working_days(first, last)).quantize(Decimal("0.1"))
        hours = secondment.hours_in_year or Decimal("0")
        result.append(PostTime(secondment, expected, _days(hours), hours))
    return result


def hours_chart(
    year: int, post_times: list[PostTime] | None = None, page: Page[PostTime] | None = None
) -> Chart:
    """One bar and one row per secondment. With `page` (a page of `post_times`), the bars and
    the rows are that page's secondments; the summary and the footer stay over them all."""
    post_times = posts(year) if post_times is None else post_times
    shown = post_times if page is None else list(page.object_list)
    labels = [f"{p.secondment.person} ({p.secondment.study})" for p in shown]
    data = [
        {"post": label, "percent": p.percent or 0} for label, p in zip(labels, shown, strict=True)
    ]
    expected = sum((p.expected_days for p in post_times), Decimal("0"))
    logged = sum((p.logged_days for p in post_times), Decimal("0"))
    overall = round(logged / expected * 100) if expected else None
    summary = (
        f"Bar chart of the share of expected time logged in {year} by each of {len(post_times)} "
        f"secondments: {logged} of {expected} expected days in all"
        + (f" ({overall}%)" if overall is not None else "")
        + f". The table below gives each secondment's days{_part(page, 'secondments')}."
    )
    spec = bar_chart(
        data,
        category="post",
        value="percent",
        title=f"Time logged against expected, {year}",
        category_title="Secondment",
        value_title="Logged, % of expected",
        category_order=labels,
        description=summary,
    )
    rows = [
        [
            str(p.secondment.person),
            str(p.secondment.study),
            str(p.secondment.home_organisation),
            p.secondment.fte,
            p.expected_days,
            p.logged_days,
            "No expected time" if p.percent is None else p.percent,
        ]
        for p in shown
    ]
    return Chart(
        key="df-hours",
        title="Hours against expected",
        spec=spec,
        summary=summary,
        table=Table(
            caption=f"Days logged against expected days per secondment, {year} (7.5 hours a day)"
            f"{_part(page, 'secondments')}",
            columns=[
                "Fellow",
                "Study",
                "Home organisation",
                "FTE",
                "Expected days",
                "Logged days",
                "Logged (%)",
            ],
            rows=rows,
            numeric=frozenset({3, 4, 5, 6}),
            footer=["All secondments", "", "", "", expected, logged, overall or ""],
        ),
    )


def _part(page: Page[Any] | None, what: str) -> str:
    """ ", secondments 51 to 100 of 230" when the chart shows one page of several."""
    if page is None or page.paginator.num_pages < 2:
        return ""
    return f" ({what} {page.start_index()} to {page.end_index()} of {page.paginator.count})"


def reach(year: int) -> dict[str, list[str]]:
    """Fellow's name -> the distinct organisations reached by outward activity: one query."""
    start, end = year_bounds(year)
    rows = (
        BrokerActivity.objects.filter(
            date__gte=start, date__lte=end, direction=BrokerActivity.Direction.OUTWARD
        )
        .exclude(audience="")
        .order_by("person__full_name", "person_id", "audience")
        .values_list("person__full_name", "audience")
        .distinct()
    )
    reached: dict[str, list[str]] = defaultdict(list)
    for name, audience in rows:
        if audience not in reached[name]:
            reached[name].append(audience)
    return dict(reached)


def reach_chart(
    year: int,
    reached: dict[str, list[str]] | None = None,
    page: Page[str] | None = None,
) -> Chart:
    """One bar and one row per fellow. With `page` (a page of the fellows' names), the bars
    and the rows are that page's fellows; the summary and the footer stay over them all."""
    reached = reach(year) if reached is None else reached
    names = list(reached) if page is None else list(page.object_list)
    data = [{"fellow": name, "organisations": len(reached[name])} for name in names]
    everyone = sorted({org for orgs in reached.values() for org in orgs})
    summary = (
        f"Bar chart of how many organisations each of {len(reached)} fellows reached by "
        f"outward activity in {year}: {len(everyone)} different organisations in all. The "
        f"table below names them{_part(page, 'fellows')}."
    )
    spec = bar_chart(
        data,
        category="fellow",
        value="organisations",
        title=f"Organisations reached, {year}",
        category_title="Fellow",
        value_title="Organisations reached",
        category_order=names,
        integer=True,
        description=summary,
    )
    return Chart(
        key="df-reach",
        title="Organisations reached",
        spec=spec,
        summary=summary,
        table=Table(
            caption=f"Organisations reached by each fellow's outward activity, {year}"
            f"{_part(page, 'fellows')}",
            columns=["Fellow", "Organisations reached", "Which"],
            rows=[[name, len(reached[name]), "; ".join(reached[name])] for name in names],
            numeric=frozenset({1}),
            footer=["All fellows", len(everyone), ""],
        ),
    )


def fellow_charts(year: int) -> list[Chart]:
    return quiet_if_empty([activity_chart(year), hours_chart(year), reach_chart(year)])


FELLOWS_PAGE_SIZE = 50  # secondments, and fellows, in their chart and table, a page


@dataclass(frozen=True)
class Fellows:
    """A year's diffusion-fellow figures, worked out once for every page of them."""

    activity: Chart
    posts: list[PostTime]
    reached: dict[str, list[str]]


def fellows(year: int) -> Fellows:
    return Fellows(activity_chart(year), posts(year), reach(year))


def fellows_sizes(year: int) -> tuple[int, int]:
    """How many secondments and fellows the year's per-row charts hold (for their pages)."""
    from coproduce import figures

    report: Fellows = figures.current("evaluation.fellows_report", year)
    return len(report.posts), len(report.reached)


@dataclass(frozen=True)
class FellowsPage:
    """One page of the fellows' evaluation: the activity chart, a page of secondments' hours
    and a page of fellows' reach, each drawn."""

    charts: list[Chart]
    drawn: list[tuple[str, str]]  # (chart key, its HTML)


def fellows_page(year: int, posts_page: int, reach_page: int) -> FellowsPage:
    from django.core.paginator import Paginator

    from coproduce import figures

    report: Fellows = figures.current("evaluation.fellows_report", year)
    charts = quiet_if_empty(
        [
            report.activity,
            hours_chart(
                year,
                report.posts,
                Paginator(report.posts, FELLOWS_PAGE_SIZE).get_page(posts_page),
            ),
            reach_chart(
                year,
                report.reached,
                Paginator(list(report.reached), FELLOWS_PAGE_SIZE).get_page(reach_page),
            ),
        ]
    )
    done = drawn(charts)
    return FellowsPage(charts, [(c.key, html) for c, html in zip(charts, done.html, strict=True)])


# --- engagement --------------------------------------------------------------------------------


def associates_by_quarter(quarters: list[Quarter]) -> tuple[list[int], list[int]]:
    """Associates at each quarter's end, and new in each quarter: one aggregated query."""
    counts: dict[str, Any] = {}
    for i, quarter in enumerate(quarters):
        end = _instant(quarter.shifted(1).start)
        begin = _instant(quarter.start)
        counts[f"at{i}"] = Count(
            "pk",
            filter=Q(confirmed__lt=end) & (Q(erased__isnull=True) | Q(erased__gte=end)),
        )
        counts[f"new{i}"] = Count("pk", filter=Q(confirmed__gte=begin, confirmed__lt=end))
    row = Associate.objects.exclude(confirmed=None).aggregate(**counts)
    return (
        [row[f"at{i}"] for i in range(len(quarters))],
        [row[f"new{i}"] for i in range(len(quarters))],
    )


def associates_chart(year: int) -> Chart:
    quarters = quarters_ending(Quarter(year, 4), 8)
    at_end, new = associates_by_quarter(quarters)
    labels = [q.label for q in quarters]
    data = [{"quarter": q, "associates": n} for q, n in zip(labels, at_end, strict=True)]
    summary = (
        f"Line chart of associates at the end of each quarter, {labels[0]} to {labels[-1]}: "
        f"{at_end[0]} at the end of {labels[0]}, {at_end[-1]} at the end of {labels[-1]}. "
        "The table below gives every figure."
    )
    spec = line_chart(
        data,
        x="quarter",
        y="associates",
        title="Associates at the end of each quarter",
        x_title="Quarter",
        y_title="Associates",
        x_order=labels,
        integer=True,
        description=summary,
    )
    return Chart(
        key="associates",
        title="Associates over time",
        spec=spec,
        summary=summary,
        table=Table(
            caption=f"Associates at the end of each quarter and new in it, {labels[0]} to "
            f"{labels[-1]}",
            columns=["Quarter", "New associates", "Associates at the end"],
            rows=[[q, n, a] for q, n, a in zip(labels, new, at_end, strict=True)],
            numeric=frozenset({1, 2}),
        ),
    )


ATTENDANCE = ("Attended", "Did not attend", "Not recorded")


def attendance(year: int) -> dict[str, dict[str, int]]:
    """Event kind -> events, confirmed bookings and attendance in the year: one grouped query."""
    start, end = year_bounds(year)
    confirmed = Q(bookings__status=Booking.Status.CONFIRMED)
    rows = (
        Event.objects.filter(
            starts__gte=_instant(start), starts__lt=_instant(end + dt.timedelta(days=1))
        )
        .exclude(status=Event.Status.DRAFT)
        .order_by()
        .values("kind")
        .annotate(
            events=Count("pk", distinct=True),
            booked=Count("bookings", filter=confirmed),
            attended=Count("bookings", filter=confirmed & Q(bookings__attended=True)),
            absent=Count("bookings", filter=confirmed & Q(bookings__attended=False)),
        )
    )
    return {
        r["kind"]: {
            "events": r["events"],
            "booked": r["booked"],
            "Attended": r["attended"],
            "Did not attend": r["absent"],
            "Not recorded": r["booked"] - r["attended"] - r["absent"],
        }
        for r in rows
    }


def attendance_chart(year: int) -> Chart:
    figures = attendance(year)
    kinds = list(Event.Kind)
    empty = {"events": 0, "booked": 0, **dict.fromkeys(ATTENDANCE, 0)}
    data = [
        {"kind": kind.label, "attendance": what, "people": figures.get(kind, empty)[what]}
        for kind in kinds
        for what in ATTENDANCE
    ]
    rows = []
    totals = [0] * 5
    for kind in kinds:
        f = figures.get(kind, empty)
        values = [f["events"], f["booked"], *(f[what] for what in ATTENDANCE)]
        totals = [a + b for a, b in zip(totals, values, strict=True)]
        recorded = f["Attended"] + f["Did not attend"]
        rate = round(100 * f["Attended"] / recorded) if recorded else "No record"
        rows.append([kind.label, *values, rate])
    recorded = totals[2] + totals[3]
    overall = round(100 * totals[2] / recorded) if recorded else "No record"
    summary = (
        f"Stacked bar chart of confirmed bookings for events in {year} by kind of event, split "
        f"by attendance: {totals[1]} bookings for {totals[0]} events, {totals[2]} attended, "
        f"{totals[3]} did not, {totals[4]} not recorded. The table below has the same numbers."
    )
    spec = stacked_bar(
        data,
        x="kind",
        y="people",
        stack="attendance",
        title=f"Event attendance, {year}",
        x_title="Kind of event",
        y_title="Confirmed bookings",
        stack_title="Attendance",
        x_order=[k.label for k in kinds],
        stack_order=list(ATTENDANCE),
        integer=True,
        description=summary,
    )
    return Chart(
        key="attendance",
        title="Event attendance",
        spec=spec,
        summary=summary,
        table=Table(
            caption=f"Events, confirmed bookings and attendance by kind of event, {year}",
            columns=[
                "Kind of event",
                "Events",
                "Confirmed bookings",
                *ATTENDANCE,
                "Attended, of those recorded (%)",
            ],
            rows=rows,
            numeric=frozenset(range(1, 7)),
            footer=["All events", *totals, overall],
        ),
    )


def mailing_months(year: int) -> tuple[list[int], list[int], list[int]]:
    """Per month: mailings finished, messages sent, associates unsubscribing. Three queries."""
    start, end = year_bounds(year)
    since, until = _instant(start), _instant(end + dt.timedelta(days=1))
    # Each local month's first instant to the next's, bucketed by the database (lib/periods.py).
    firsts = [_instant(dt.date(year, month, 1)) for month in range(1, 13)] + [until]
    months = list(pairwise(firsts))
    mailings, messages, unsubscribed = [0] * 12, [0] * 12, [0] * 12
    for row in (
        Mailing.objects.filter(
            status=Mailing.Status.SENT, finished_at__gte=since, finished_at__lt=until
        )
        .annotate(month=period_index("finished_at", months))
        .order_by()
        .values("month")
        .annotate(n=Count("pk"))
    ):
        mailings[row["month"]] = row["n"]
    for row in (
        OutboxMessage.objects.filter(
            mailing__isnull=False,
            status=OutboxMessage.Status.SENT,
            sent_at__gte=since,
            sent_at__lt=until,
        )
        .annotate(month=period_index("sent_at", months))
        .order_by()
        .values("month")
        .annotate(n=Count("pk"))
    ):
        messages[row["month"]] = row["n"]
    for row in (
        ConsentRecord.objects.filter(
            method=ConsentRecord.Method.UNSUBSCRIBE, granted=False, at__gte=since, at__lt=until
        )
        .annotate(month=period_index("at", months))
        .order_by()
        .values("month")
        .annotate(n=Count("associate", distinct=True))
    ):
        unsubscribed[row["month"]] = row["n"]
    return mailings, messages, unsubscribed


def mailing_chart(year: int) -> Chart:
    mailings, messages, unsubscribed = mailing_months(year)
    labels = [f"{m} {year}" for m in MONTHS]
    data = [
        {"month": label, "series": series, "count": value}
        for series, values in (("Messages sent", messages), ("Unsubscribes", unsubscribed))
        for label, value in zip(labels, values, strict=True)
    ]
    sent, gone = sum(messages), sum(unsubscribed)
    summary = (
        f"Line chart of messages sent by mailings and of associates unsubscribing, per month of "
        f"{year}: {sum(mailings)} mailings reached {sent} inboxes; {gone} unsubscribes. The "
        "table below has every month."
    )
    spec = line_chart(
        data,
        x="month",
        y="count",
        series="series",
        title=f"Mailing reach and unsubscribes, {year}",
        x_title="Month",
        y_title="Count",
        x_order=labels,
        integer=True,
        series_order=["Messages sent", "Unsubscribes"],
        description=summary,
    )

    def per_thousand(gone: int, sent: int) -> Any:
        return f"{1000 * gone / sent:.1f}" if sent else "No messages"

    return Chart(
        key="mailings",
        title="Mailing reach and unsubscribes",
        spec=spec,
        summary=summary,
        table=Table(
            caption=f"Mailings sent, messages sent and unsubscribes per month, {year}",
            columns=[
                "Month",
                "Mailings sent",
                "Messages sent",
                "Unsubscribes",
                "Unsubscribes per 1,000 messages",
            ],
            rows=[
                [
                    label,
                    mailings[i],
                    messages[i],
                    unsubscribed[i],
                    per_thousand(unsubscribed[i], messages[i]),
                ]
                for i, label in enumerate(labels)
            ],
            numeric=frozenset({1, 2, 3, 4}),
            footer=[str(year), sum(mailings), sent, gone, per_thousand(gone, sent)],
        ),
    )


def mailing_reach(year: int) -> list[tuple[Mailing, int]]:
    """Each mailing finished in the year with the messages it sent: one grouped query."""
    start, end = year_bounds(year)
    mailings = (
        Mailing.objects.filter(
            status=Mailing.Status.SENT,
            finished_at__gte=_instant(start),
            finished_at__lt=_instant(end + dt.timedelta(days=1)),
        )
        .annotate(reached=Count("outbox", filter=Q(outbox__status=OutboxMessage.Status.SENT)))
        .order_by("finished_at", "pk")
    )
    return [(m, m.reached) for m in mailings]


def engagement_charts(year: int) -> list[Chart]:
    return quiet_if_empty([associates_chart(year), attendance_chart(year), mailing_chart(year)])


COMMUNITIES_PAGE_SIZE = 50  # communities in the score chart and its table, a page


@dataclass(frozen=True)
class CommunitiesPage:
    """One page of the communities' evaluation: its charts (the page's scores, the series
    over every community), each drawn, and what the page says of the report."""

    charts: list[Chart]
    drawn: list[tuple[str, str]]  # (chart key, its HTML)
    last_quarter: Any


def communities_page(until: dt.date, number: int) -> CommunitiesPage:
    """A page of the score chart (in name order) beside the series charts over them all,
    from the stored report (so the report is worked out once for every page)."""
    from django.core.paginator import Paginator
    from django.urls import reverse

    from coproduce import figures
    from coproduce.community import health

    report, series = figures.current("evaluation.communities", until)
    page = Paginator(report.communities, COMMUNITIES_PAGE_SIZE).get_page(number)
    urls = {
        result.cop.pk: reverse("community_staff:health", args=[result.cop.slug])
        for result in page.object_list
    }
    scores = health.scores_chart(report, urls, page=page)
    charts = [*quiet_if_empty([scores]), *series]
    done = drawn(charts)
    return CommunitiesPage(
        charts,
        [(chart.key, html) for chart, html in zip(charts, done.html, strict=True)],
        report.quarters[-1] if report.quarters else None,
    )


def communities(until: dt.date) -> tuple[Any, list[Chart]]:
    """CoP health over every community up to `until`, and its series charts."""
    from coproduce.community import health
    from coproduce.community.models import CommunityOfPractice

    cops = list(CommunityOfPractice.objects.only("pk", "slug", "name").order_by("name"))
    report = health.assess(cops, until=until)
    return report, quiet_if_empty(health.series_charts(report.total))


@dataclass(frozen=True)
class Drawn:
    """Charts, and each one's HTML (chart and table) as the staff pages show it: a year's
    charts hold a row per secondment or community, and drawing them costs more than working
    them out, so the stored figure keeps both."""

    charts: list[Chart]
    html: list[str]


def drawn(charts: list[Chart]) -> Drawn:
    from django.template.loader import render_to_string
    from django.utils.safestring import mark_safe

    return Drawn(
        charts,
        [
            mark_safe(render_to_string(CHART_TEMPLATE, {"chart": chart}))  # noqa: S308 - our template's own output
            for chart in charts
        ],
    )


def define_figures() -> None:
    """The evaluation dashboards' figures (seconds at national scale) as stored figures
    (coproduce/figures): this year's are kept ready by the worker's clock."""
    from coproduce import figures

    def this_year() -> list[tuple[int]]:
        return [(timezone.localdate().year,)]

    # `version`: raised whenever what a figure's function returns changes shape.
    # The oldest dates of three tables (no index on when associates confirmed: a scan of them).
    figures.define("evaluation.earliest_year", earliest_year, defaults=lambda: [()])
    figures.define("evaluation.fellows_report", fellows, defaults=this_year)
    figures.define("evaluation.fellows_sizes", fellows_sizes, defaults=this_year)
    figures.define(
        "evaluation.fellows_page",
        fellows_page,
        defaults=lambda: [(timezone.localdate().year, 1, 1)],
    )
    figures.define(
        "evaluation.engagement",
        lambda year: drawn(engagement_charts(year)),
        defaults=this_year,
        version=2,
    )
    figures.define("evaluation.mailing_reach", mailing_reach, defaults=this_year)
    figures.define(
        "evaluation.communities", communities, defaults=lambda: [(timezone.localdate(),)]
    )
    figures.define(
        "evaluation.communities_page",
        communities_page,
        defaults=lambda: [(timezone.localdate(), 1)],
    )
