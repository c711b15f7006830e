"""Compromises by study, topic and direction over time: Vega-Lite charts, each with its table.

Two grouped queries whatever the number of compromises: counts by (year, topic, direction) and
by (study, direction).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Count, QuerySet
from django.db.models.functions import ExtractYear
from django.urls import reverse

from coproduce.coproduction.models import Compromise
from coproduce.lib.charts import Chart, Link, Table, bar_chart, stacked_bar

DIRECTIONS = [str(label) for _, label in Compromise.Direction.choices]
TOPICS = [str(label) for _, label in Compromise.Topic.choices]


def charts(queryset: QuerySet[Compromise]) -> list[Chart]:
    direction_label = dict(Compromise.Direction.choices)
    topic_label = dict(Compromise.Topic.choices)
    by_year = list(
        queryset.annotate(year=ExtractYear("date"))
        .values("year", "topic", "direction")
        .annotate(n=Count("pk"))
        .order_by("year", "topic", "direction")
    )
    by_study = list(
        queryset.values("study__slug", "study__title", "direction")
        .annotate(n=Count("pk"))
        .order_by("study__title", "direction")
    )
    years = sorted({row["year"] for row in by_year})
    year_names = [str(year) for year in years]

    # 1. Direction of concession over time.
    direction_year: dict[tuple[str, str], int] = defaultdict(int)
    topic_totals: dict[str, int] = defaultdict(int)
    topic_direction: dict[tuple[str, str], int] = defaultdict(int)
    for row in by_year:
        direction = str(direction_label.get(row["direction"], row["direction"]))
        topic = str(topic_label.get(row["topic"], row["topic"]))
        direction_year[(str(row["year"]), direction)] += row["n"]
        topic_totals[topic] += row["n"]
        topic_direction[(topic, direction)] += row["n"]
    rows_time = [
        {"Year": year, "Direction": direction, "Compromises": direction_year[(year, direction)]}
        for year in year_names
        for direction in DIRECTIONS
    ]
    time_chart = Chart(
        key="direction-over-time",
        title="Direction of concession, year by year",
        spec=stacked_bar(
            rows_time,
            x="Year",
            y="Compromises",
            stack="Direction",
            title="Compromises by direction of concession and year",
            x_order=year_names,
            stack_order=DIRECTIONS,
            integer=True,
        ),
        summary="Stacked bar chart of compromises per year, split by direction of concession. "
        "The table below gives the same figures.",
        table=Table(
            caption="Compromises by year and direction of concession",
            columns=["Year", *DIRECTIONS, "Total"],
            rows=[
                [
                    year,
                    *(direction_year[(year, d)] for d in DIRECTIONS),
                    sum(direction_year[(year, d)] for d in DIRECTIONS),
                ]
                for year in year_names
            ],
            numeric=frozenset(range(1, len(DIRECTIONS) + 2)),
        ),
    )

    # 2. Topic, split by direction.
    rows_topic = [
        {"Topic": topic, "Direction": direction, "Compromises": topic_direction[(topic, direction)]}
        for topic in TOPICS
        for direction in DIRECTIONS
    ]
    topic_chart = Chart(
        key="by-topic",
        title="What was compromised on",
        spec=stacked_bar(
            rows_topic,
            x="Topic",
            y="Compromises",
            stack="Direction",
            title="Compromises by topic and direction of concession",
            x_order=TOPICS,
            stack_order=DIRECTIONS,
            integer=True,
        ),
        summary="Stacked bar chart of compromises per topic, split by direction of concession. "
        "The table below gives the same figures.",
        table=Table(
            caption="Compromises by topic and direction of concession",
            columns=["Topic", *DIRECTIONS, "Total"],
            rows=[
                [topic, *(topic_direction[(topic, d)] for d in DIRECTIONS), topic_totals[topic]]
                for topic in TOPICS
            ],
            numeric=frozenset(range(1, len(DIRECTIONS) + 2)),
        ),
    )

    # 3. Studies.
    study_direction: dict[tuple[str, str], int] = defaultdict(int)
    study_titles: dict[str, str] = {}
    for row in by_study:
        study_titles[row["study__slug"]] = row["study__title"]
        direction = str(direction_label.get(row["direction"], row["direction"]))
        study_direction[(row["study__slug"], direction)] += row["n"]
    slugs = list(study_titles)
    totals = [
        {"Study": study_titles[s], "Compromises": sum(study_direction[(s, d)] for d in DIRECTIONS)}
        for s in slugs
    ]
    study_chart = Chart(
        key="by-study",
        title="Compromises in each study",
        spec=bar_chart(
            totals,
            category="Study",
            value="Compromises",
            title="Compromises recorded per study",
            category_order=[study_titles[s] for s in slugs],
            integer=True,
        ),
        summary="Bar chart of the number of compromises recorded in each study. "
        "The table below gives the same figures, by direction of concession.",
        table=Table(
            caption="Compromises by study and direction of concession",
            columns=["Study", *DIRECTIONS, "Total"],
            rows=[
                [
                    Link(study_titles[s], reverse("coproduction:compromises", args=[s])),
                    *(study_direction[(s, d)] for d in DIRECTIONS),
                    sum(study_direction[(s, d)] for d in DIRECTIONS),
                ]
                for s in slugs
            ],
            numeric=frozenset(range(1, len(DIRECTIONS) + 2)),
        ),
    )
    return [time_chart, topic_chart, study_chart]


def total(charts_: list[Chart]) -> int:
    table: Any = charts_[0].table
    return sum(row[-1] for row in table.rows)
