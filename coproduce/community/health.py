"""How healthy each community of practice is, quarter by quarter, and whether it sustains itself.

Figures, for each calendar quarter shown (quarters end on 31 March, 30 June, 30 September and
31 December; only complete quarters are shown, so that a quarter still running is not compared
with full ones):

- **members**: associates who belonged to the community at the end of the quarter, from
  membership history (joined before the quarter ended, and had not left by then). Associates
  who never confirmed their registration do not count; erased associates count for the time
  they belonged, because erasure keeps their anonymous membership rows.
- **activities per characteristic**: activities dated in the quarter, by the four
  characteristics of a community of practice (social interaction, knowledge sharing, knowledge
  creation, identity building).
- **member-led share**: the percentage of the quarter's activities that a member (rather than
  staff) led.

**Self-sustainability indicator.** The aim of a community of practice is to keep going without
the collaboration's staff, with leadership devolved to its members. We score it from 0 to 4 over
the last four complete quarters, one point for each of these that is true:

1. *Members lead*: at least half of the activities in those four quarters were led by members.
2. *Leadership is shared*: at the end of those quarters the community was co-led by staff and
   members, or led by its members (from its leadership history; with none recorded it counts as
   staff-led).
3. *Regular activity*: it had at least one activity in at least three of the four quarters.
4. *Membership holds*: it has members, and no fewer than it had a year before.

A score of 4 reads "self-sustaining", 2 or 3 "moving towards self-sustaining", 0 or 1 "relies
on staff". Pages show which of the four are met, and the figures behind each.

Everything is worked out with three aggregated queries whatever the number of communities,
members or activities: one for members at each quarter's end, one for activity counts, one for
leadership periods.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page
from django.db.models import Count, Q
from django.utils import timezone

from coproduce.community.models import (
    Activity,
    Associate,
    CommunityOfPractice,
    LeadershipPeriod,
    Membership,
)
from coproduce.lib.charts import Chart, Link, Table, bar_chart, line_chart, stacked_bar
from coproduce.lib.periods import period_index

WINDOW = 4  # quarters the indicator looks at
QUARTER_CHOICES = (8, 12, 20)  # at least WINDOW + 1, so "a year before" is always shown
DEFAULT_QUARTERS = 8
CHARACTERISTICS = list(Activity.Characteristic)
Leadership = CommunityOfPractice.Leadership
SHARED_LEADERSHIP = (Leadership.CO_LED, Leadership.MEMBER_LED)


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int  # 1 to 4

    @classmethod
    def of(cls, day: dt.date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 3 * (self.number - 1) + 1, 1)

    @property
    def end(self) -> dt.date:
        return self.shifted(1).start - dt.timedelta(days=1)

    @property
    def label(self) -> str:
        return f"{self.year} Q{self.number}"

    def shifted(self, quarters: int) -> Quarter:
        index = self.year * 4 + (self.number - 1) + quarters
        return Quarter(index // 4, index % 4 + 1)

    def __str__(self) -> str:
        return self.label


def last_complete_quarter(on: dt.date) -> Quarter:
    """The latest quarter that has ended by the end of `on`."""
    quarter = Quarter.of(on)
    return quarter if on == quarter.end else quarter.shifted(-1)


def quarters_ending(last: Quarter, count: int) -> list[Quarter]:
    return [last.shifted(-offset) for offset in reversed(range(count))]


def _end_instant(quarter: Quarter) -> dt.datetime:
    """The first moment after the quarter, in the site's time zone."""
    return timezone.make_aware(dt.datetime.combine(quarter.shifted(1).start, dt.time.min))


def _percent(part: int, whole: int) -> int | None:
    """A whole percentage, halves rounded up; None when there is nothing to divide."""
    if whole == 0:
        return None
    return (200 * part + whole) // (2 * whole)


# --- the figures --------------------------------------------------------------------------------


@dataclass
class Series:
    """Quarterly figures for one community, or summed over several."""

    quarters: list[Quarter]
    members: list[int]
    # characteristic value -> activities per quarter
    activities: dict[str, list[int]]
    member_led: list[int]

    @classmethod
    def empty(cls, quarters: list[Quarter]) -> Series:
        size = len(quarters)
        return cls(
            quarters=quarters,
            members=[0] * size,
            activities={c.value: [0] * size for c in CHARACTERISTICS},
            member_led=[0] * size,
        )

    @property
    def totals(self) -> list[int]:
        return [sum(column) for column in zip(*self.activities.values(), strict=True)]

    @property
    def shares(self) -> list[int | None]:
        return [
            _percent(led, total) for led, total in zip(self.member_led, self.totals, strict=True)
        ]

    def add(self, other: Series) -> None:
        self.members = [a + b for a, b in zip(self.members, other.members, strict=True)]
        self.member_led = [a + b for a, b in zip(self.member_led, other.member_led, strict=True)]
        for key, values in other.activities.items():
            self.activities[key] = [
                a + b for a, b in zip(self.activities[key], values, strict=True)
            ]


@dataclass(frozen=True)
class Criterion:
    key: str
    met: bool
    detail: str

    @property
    def name(self) -> str:
        return CRITERIA[self.key][0]

    @property
    def label(self) -> str:
        return CRITERIA[self.key][1]


@dataclass(frozen=True)
class Indicator:
    window: list[Quarter]
    criteria: list[Criterion]
    leadership: str

    @property
    def score(self) -> int:
        return sum(criterion.met for criterion in self.criteria)

    @property
    def verdict(self) -> str:
        if self.score == len(self.criteria):
            return VERDICTS[0]
        if self.score >= 2:
            return VERDICTS[1]
        return VERDICTS[2]

    def met(self, key: str) -> bool:
        return next(c.met for c in self.criteria if c.key == key)


VERDICTS = ("Self-sustaining", "Moving towards self-sustaining", "Relies on staff")

# key: (short name, what it means in plain English)
CRITERIA = {
    "member_led": (
        "Members lead",
        "At least half of the activities in the last four quarters were led by members",
    ),
    "leadership": (
        "Leadership is shared",
        "The community is co-led by staff and members, or led by its members",
    ),
    "regular": ("Regular activity", "It had activity in at least 3 of the last 4 quarters"),
    "members": ("Membership holds", "It has members, and no fewer than a year before"),
}


def _indicator(series: Series, leadership: str) -> Indicator:
    quarters = series.quarters
    window = quarters[-WINDOW:]
    totals = series.totals[-WINDOW:]
    led = sum(series.member_led[-WINDOW:])
    total = sum(totals)
    share = _percent(led, total)
    active = sum(1 for count in totals if count)
    now, before = series.members[-1], series.members[-1 - WINDOW]
    year_before = quarters[-1 - WINDOW]
    led_detail = (
        f"{led} of {total} activities led by members ({share}%)"
        if total
        else "No activities in the last four quarters"
    )
    criteria = [
        Criterion("member_led", total > 0 and 2 * led >= total, led_detail),
        Criterion(
            "leadership",
            leadership in SHARED_LEADERSHIP,
            f"{Leadership(leadership).label} at the end of {window[-1]}",
        ),
        Criterion(
            "regular",
            active >= 3,
            f"Activity in {active} of the last 4 quarters",
        ),
        Criterion(
            "members",
            now > 0 and now >= before,
            f"{now} members at the end of {window[-1]}; {before} at the end of {year_before}",
        ),
    ]
    return Indicator(window=window, criteria=criteria, leadership=leadership)


@dataclass
class CopHealth:
    cop: CommunityOfPractice
    series: Series
    indicator: Indicator


@dataclass
class Report:
    """Health of the given communities over the same quarters, and their sum."""

    until: dt.date
    quarters: list[Quarter]
    communities: list[CopHealth]
    total: Series = field(init=False)

    def __post_init__(self) -> None:
        self.total = Series.empty(self.quarters)
        for health in self.communities:
            self.total.add(health.series)

    @property
    def window(self) -> list[Quarter]:
        return self.quarters[-WINDOW:]

    def count_meeting(self, key: str) -> int:
        return sum(1 for health in self.communities if health.indicator.met(key))

    def count_scoring(self, score: int) -> int:
        return sum(1 for health in self.communities if health.indicator.score == score)

    def verdict_counts(self) -> list[tuple[str, int]]:
        verdicts = [health.indicator.verdict for health in self.communities]
        return [(verdict, verdicts.count(verdict)) for verdict in VERDICTS]


def _members(cop_ids: list[int], quarters: list[Quarter]) -> dict[int, list[int]]:
    """Members at the end of each quarter, per community: one grouped query."""
    ends = [_end_instant(quarter) for quarter in quarters]
    counts = {
        f"q{index}": Count(
            "pk", filter=Q(joined__lt=end) & (Q(left__isnull=True) | Q(left__gte=end))
        )
        for index, end in enumerate(ends)
    }
    rows = (
        Membership.objects.filter(cop_id__in=cop_ids, joined__lt=ends[-1])
        .filter(Q(left__isnull=True) | Q(left__gte=ends[0]))
        .exclude(associate__status=Associate.Status.PENDING)
        .order_by()
        .values("cop_id")
        .annotate(**counts)
    )
    return {row["cop_id"]: [row[f"q{i}"] for i in range(len(quarters))] for row in rows}


def _activities(cop_ids: list[int], quarters: list[Quarter]) -> dict[int, list[dict[str, Any]]]:
    """Activity counts per community, quarter (its position in `quarters`) and characteristic:
    one grouped query, the quarter worked out by the database (lib/periods.py)."""
    bounds = [(quarter.start, quarter.shifted(1).start) for quarter in quarters]
    rows = (
        Activity.objects.filter(
            cop_id__in=cop_ids, date__gte=quarters[0].start, date__lte=quarters[-1].end
        )
        .order_by()
        .values("cop_id", "characteristic", quarter=period_index("date", bounds))
        .annotate(
            total=Count("pk"),
            member_led=Count("pk", filter=Q(led_by=Activity.LedBy.MEMBER)),
        )
    )
    grouped: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        grouped[row["cop_id"]].append(row)
    return grouped


def _leadership_on(cop_ids: list[int], on: dt.date) -> dict[int, str]:
    """Each community's leadership model on a day, from its leadership history."""
    rows = (
        LeadershipPeriod.objects.filter(cop_id__in=cop_ids, start__lte=on)
        .order_by("cop_id", "start", "pk")
        .values_list("cop_id", "model")
    )
    # Ordered by start, so the last period seen for a community is the one in force.
    return dict(rows)


def assess(
    cops: Iterable[CommunityOfPractice],
    *,
    until: dt.date | None = None,
    quarters: int = DEFAULT_QUARTERS,
) -> Report:
    """Figures and indicator for each community over `quarters` complete quarters to `until`."""
    if quarters < WINDOW + 1:
        raise ValueError(f"Show at least {WINDOW + 1} quarters to compare with a year before.")
    until = until or timezone.localdate()
    cops = list(cops)
    shown = quarters_ending(last_complete_quarter(until), quarters)
    cop_ids = [cop.pk for cop in cops]
    members = _members(cop_ids, shown) if cop_ids else {}
    activities = _activities(cop_ids, shown) if cop_ids else {}
    leadership = _leadership_on(cop_ids, shown[-1].end) if cop_ids else {}
    communities = []
    for cop in cops:
        series = Series.empty(shown)
        series.members = members.get(cop.pk, series.members)
        for row in activities.get(cop.pk, []):
            position = row["quarter"]
            series.activities[row["characteristic"]][position] += row["total"]
            series.member_led[position] += row["member_led"]
        model = leadership.get(cop.pk, Leadership.STAFF_LED)
        communities.append(CopHealth(cop, series, _indicator(series, model)))
    return Report(until=until, quarters=shown, communities=communities)


# --- charts, each with its table ---------------------------------------------------------------


def _span(quarters: Sequence[Quarter]) -> str:
    return f"{quarters[0]} to {quarters[-1]}"


def members_chart(series: Series, key: str = "members") -> Chart:
    quarters = [q.label for q in series.quarters]
    title = "Members at the end of each quarter"
    rows = [
        {"quarter": label, "members": count}
        for label, count in zip(quarters, series.members, strict=True)
    ]
    peak = max(series.members)
    peak_at = quarters[series.members.index(peak)]
    figures = (
        f"{series.members[0]} at the end of {quarters[0]}, {series.members[-1]} at the end of "
        f"{quarters[-1]}, highest {peak} in {peak_at}"
        if peak
        else "no members at the end of any quarter"
    )
    summary = (
        f"Line chart of members at the end of each quarter, {_span(series.quarters)}: "
        f"{figures}. The table below gives every figure."
    )
    spec = line_chart(
        rows,
        x="quarter",
        y="members",
        title=title,
        x_title="Quarter",
        y_title="Members",
        x_order=quarters,
        integer=True,
        description=summary,
    )
    table = Table(
        caption=f"Members at the end of each quarter, {_span(series.quarters)}",
        columns=["Quarter", "Members"],
        rows=[[row["quarter"], row["members"]] for row in rows],
        numeric=frozenset({1}),
    )
    return Chart(key=key, title=title, spec=spec, summary=summary, table=table)


def activities_chart(series: Series, key: str = "activities") -> Chart:
    quarters = [q.label for q in series.quarters]
    labels = [c.label for c in CHARACTERISTICS]
    title = "Activities per quarter, by characteristic"
    rows = [
        {"quarter": quarter, "characteristic": c.label, "activities": counts[position]}
        for c in CHARACTERISTICS
        for counts in [series.activities[c.value]]
        for position, quarter in enumerate(quarters)
    ]
    totals = series.totals
    by_characteristic = ", ".join(
        f"{c.label.lower()} {sum(series.activities[c.value])}" for c in CHARACTERISTICS
    )
    busiest = max(totals)
    summary = (
        f"Stacked bar chart of activities per quarter, {_span(series.quarters)}: "
        f"{sum(totals)} in all ({by_characteristic})"
        + (
            f"; the busiest quarter was {quarters[totals.index(busiest)]} with {busiest}"
            if busiest
            else ""
        )
        + ". The table below gives every figure."
    )
    spec = stacked_bar(
        rows,
        x="quarter",
        y="activities",
        stack="characteristic",
        title=title,
        x_title="Quarter",
        y_title="Activities",
        stack_title="Characteristic",
        x_order=quarters,
        stack_order=labels,
        integer=True,
        description=summary,
    )
    table = Table(
        caption=f"Activities per quarter by characteristic, {_span(series.quarters)}",
        columns=["Quarter", *labels, "Total"],
        rows=[
            [
                quarter,
                *(series.activities[c.value][position] for c in CHARACTERISTICS),
                totals[position],
            ]
            for position, quarter in enumerate(quarters)
        ],
        numeric=frozenset(range(1, len(labels) + 2)),
    )
    return Chart(key=key, title=title, spec=spec, summary=summary, table=table)


def member_led_chart(series: Series, key: str = "member-led") -> Chart:
    quarters = [q.label for q in series.quarters]
    totals, shares = series.totals, series.shares
    title = "Share of activities led by members, per quarter"
    # Quarters without activities have no share: they are left out of the line, not drawn as 0.
    rows = [
        {"quarter": quarter, "share": share}
        for quarter, share in zip(quarters, shares, strict=True)
        if share is not None
    ]
    led, total = sum(series.member_led), sum(totals)
    overall = _percent(led, total)
    summary = (
        f"Line chart of the percentage of activities led by members each quarter, "
        f"{_span(series.quarters)}: "
        + (
            f"{led} of {total} activities ({overall}%) over the period"
            + (f"; {rows[-1]['share']}% in {rows[-1]['quarter']}" if rows else "")
            if total
            else "no activities in the period"
        )
        + ". The table below gives every figure."
    )
    spec = line_chart(
        rows,
        x="quarter",
        y="share",
        title=title,
        x_title="Quarter",
        y_title="Led by members (%)",
        x_order=quarters,
        y_domain=[0, 100],
        description=summary,
    )
    table = Table(
        caption=f"Activities led by members per quarter, {_span(series.quarters)}",
        columns=["Quarter", "Activities", "Led by members", "Share led by members (%)"],
        rows=[
            [
                quarter,
                totals[i],
                series.member_led[i],
                "No activities" if shares[i] is None else shares[i],
            ]
            for i, quarter in enumerate(quarters)
        ],
        numeric=frozenset({1, 2, 3}),
    )
    return Chart(key=key, title=title, spec=spec, summary=summary, table=table)


def _yes_no(met: bool) -> str:
    return "Yes" if met else "No"


def scores_chart(
    report: Report,
    urls: dict[int, str] | None = None,
    key: str = "scores",
    page: Page[CopHealth] | None = None,
) -> Chart:
    """One bar per community: its indicator score; the table adds each criterion.

    With `page` (a page of `report.communities`), the bars and the table's rows are that
    page's communities only, and the caption says so; the counts in the summary and the
    table's footer stay over every community."""
    urls = urls or {}
    title = "Self-sustainability score of each community (0 to 4)"
    shown = report.communities if page is None else list(page.object_list)
    everyone = len(report.communities)
    names = [health.cop.name for health in shown]
    rows = [{"community": health.cop.name, "score": health.indicator.score} for health in shown]
    counts = ", ".join(
        f"{report.count_scoring(score)} scored {score}" for score in range(len(CRITERIA), -1, -1)
    )
    part = ""
    if page is not None and page.paginator.num_pages > 1:
        part = (
            f" (communities {page.start_index()} to {page.end_index()} of {everyone}, "
            "in name order)"
        )
    summary = (
        f"Bar chart of the self-sustainability score of {everyone} communities over "
        f"{_span(report.window)}: {counts}. The chart and the table below give each "
        f"community's score{part}; the table also gives which criteria it meets."
    )
    spec = bar_chart(
        rows,
        category="community",
        value="score",
        title=title,
        category_title="Community",
        value_title="Score",
        category_order=names,
        value_domain=[0, len(CRITERIA)],
        integer=True,
        description=summary,
    )
    window = report.window
    table_rows = []
    for health in shown:
        indicator, series = health.indicator, health.series
        url = urls.get(health.cop.pk, "")
        table_rows.append(
            [
                Link(health.cop.name, url) if url else health.cop.name,
                indicator.score,
                *(_yes_no(c.met) for c in indicator.criteria),
                series.members[-1],
                sum(series.totals[-WINDOW:]),
                _share_text(sum(series.member_led[-WINDOW:]), sum(series.totals[-WINDOW:])),
            ]
        )
    total = report.total
    footer = [
        "All communities",
        "",
        *(f"{report.count_meeting(criterion)} of {everyone}" for criterion in CRITERIA),
        total.members[-1],
        sum(total.totals[-WINDOW:]),
        _share_text(sum(total.member_led[-WINDOW:]), sum(total.totals[-WINDOW:])),
    ]
    table = Table(
        caption=f"Self-sustainability of each community over {_span(window)}{part}",
        columns=[
            "Community",
            "Score (0 to 4)",
            *(name for name, _ in CRITERIA.values()),
            f"Members at the end of {window[-1]}",
            "Activities in the last four quarters",
            "Led by members (%)",
        ],
        rows=table_rows,
        numeric=frozenset({1, 6, 7, 8}),
        footer=footer,
    )
    return Chart(key=key, title=title, spec=spec, summary=summary, table=table)


def _share_text(led: int, total: int) -> int | str:
    share = _percent(led, total)
    return "No activities" if share is None else share


def series_charts(series: Series) -> list[Chart]:
    return [members_chart(series), activities_chart(series), member_led_chart(series)]
