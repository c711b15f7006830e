"""The governance dashboard's rules. Each breach says what is wrong and links to the fix.

Every rule is a fixed number of queries whatever the number of studies or rounds.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from coproduce.governance.models import (
    ACTIVE_STAGES,
    AnnualReview,
    Condition,
    Panel,
    PanelMembership,
    ProtocolVersion,
    ReviewRound,
)
from coproduce.registry.models import Study, StudyQuerySet

REVIEWED = (ReviewRound.Status.RELEASED, ReviewRound.Status.RESPONDED)


def condition_days() -> int:
    return int(getattr(settings, "COPRODUCE_CONDITION_DAYS", 60))


@dataclass
class Breach:
    subject: str
    detail: str
    fix_url: str
    fix_text: str


@dataclass
class Rule:
    key: str
    title: str
    breaches: list[Breach] = field(default_factory=list)


def _active() -> StudyQuerySet:
    return Study.objects.filter(stage__in=ACTIVE_STAGES)


def steering_without_service_user(today: dt.date) -> Rule:
    rule = Rule(
        "steering", "Active studies without a service user or carer on the steering committee"
    )
    lay = PanelMembership.objects.active_on(today).filter(
        panel__kind=Panel.Kind.STEERING,
        panel__study=OuterRef("pk"),
        represents__in=PanelMembership.LAY,
    )
    committees = dict(
        Panel.objects.filter(kind=Panel.Kind.STEERING).values_list("study_id", "slug")
    )
    for study in _active().annotate(has_lay=Exists(lay)).filter(has_lay=False).order_by("title"):
        slug = committees.get(study.pk)
        if slug:
            url = reverse("governance:member_add", args=[slug])
            detail, fix = (
                "The steering committee has no current service user or carer member.",
                "Add a member",
            )
        else:
            url = reverse("governance:study", args=[study.slug]) + "#steering"
            detail, fix = (
                "The study has no steering committee yet.",
                "Set up the steering committee",
            )
        rule.breaches.append(Breach(str(study), detail, url, f"{fix} for {study}"))
    return rule


def no_filled_df_post(today: dt.date) -> Rule:
    rule = Rule("df", "Active studies without a filled diffusion fellow post")
    studies = _active().with_df_counts(on=today).order_by("title")
    url = reverse("staff:secondment_create")
    for study in studies:
        if study.df_posts_filled:  # type: ignore[attr-defined]
            continue
        rule.breaches.append(
            Breach(
                str(study),
                f"{study.df_posts} funded post(s), none filled today.",
                url,
                f"Add a diffusion fellow secondment for {study}",
            )
        )
    return rule


def not_reviewed_by_all_panels(today: dt.date) -> Rule:
    rule = Rule("panels", "Protocols not reviewed by all three panels")
    names = dict(Panel.Kind.choices)
    reviewed: dict[int, set[str]] = defaultdict(set)
    for study_id, kind in (
        ReviewRound.objects.filter(status__in=REVIEWED)
        .values_list("study_id", "panel__kind")
        .distinct()
    ):
        reviewed[study_id].add(kind)
    with_protocol = set(ProtocolVersion.objects.values_list("study_id", flat=True).distinct())
    for study in _active().order_by("title"):
        missing = [names[k] for k in Panel.REVIEWING if k not in reviewed[study.pk]]
        if not missing:
            continue
        if study.pk in with_protocol:
            detail = "No released review yet from: " + ", ".join(missing) + "."
            text = f"Submit the protocol of {study}"
        else:
            detail = "No protocol version has been uploaded."
            text = f"Upload a protocol for {study}"
        url = reverse("governance:study", args=[study.slug]) + "#protocols"
        rule.breaches.append(Breach(str(study), detail, url, text))
    return rule


def conditions_unmet(today: dt.date) -> Rule:
    days = condition_days()
    rule = Rule("conditions", f"Conditions unmet more than {days} days after release")
    cutoff = timezone.now() - dt.timedelta(days=days)
    rows = (
        Condition.objects.filter(met_at__isnull=True, round__released_at__lt=cutoff)
        .select_related("round__study", "round__panel")
        .order_by("round__released_at", "position")
    )
    for condition in rows:
        review_round = condition.round
        age = (timezone.now() - review_round.released_at).days if review_round.released_at else 0
        rule.breaches.append(
            Breach(
                str(review_round.study),
                f"{review_round.panel}: “{condition.text[:100]}” unmet after {age} days.",
                review_round.get_absolute_url() + "#conditions",
                f"Review the conditions of {review_round.study}",
            )
        )
    return rule


def annual_review_overdue(today: dt.date) -> Rule:
    rule = Rule("annual", "Annual scientific reviews overdue")
    rows = (
        AnnualReview.objects.filter(study__stage__in=ACTIVE_STAGES, next_due__lt=today)
        .select_related("study")
        .order_by("next_due")
    )
    for schedule in rows:
        rule.breaches.append(
            Breach(
                str(schedule.study),
                f"Due {schedule.next_due.day} {schedule.next_due:%B %Y}, "
                f"{(today - schedule.next_due).days} days ago.",
                reverse("governance:study", args=[schedule.study.slug]) + "#protocols",
                f"Submit {schedule.study} to the scientific committee",
            )
        )
    return rule


# Rules other apps add from their AppConfig.ready (funding: fellows near the five-year cap,
# posts being recruited), so the dashboard shows them without governance importing those apps.
_REGISTERED: dict[str, Callable[[dt.date], Rule]] = {}


def register(rule: Callable[[dt.date], Rule]) -> None:
    """Add a rule to the dashboard (a function of today's date); registering again replaces."""
    _REGISTERED[f"{rule.__module__}.{rule.__qualname__}"] = rule


def all_rules(today: dt.date | None = None) -> list[Rule]:
    today = today or timezone.localdate()
    return [
        steering_without_service_user(today),
        no_filled_df_post(today),
        not_reviewed_by_all_panels(today),
        conditions_unmet(today),
        annual_review_overdue(today),
        *(rule(today) for rule in _REGISTERED.values()),
    ]


@dataclass
class Summary:
    """A rule's count of breaches and the first of them (the staff home and the dashboard)."""

    key: str
    title: str
    count: int
    first: list[Breach]


SUMMARY_SHOWN = 50  # the dashboard's breaches per rule; the rule's own page has them all


def summarise(rules: list[Rule]) -> list[Summary]:
    return [
        Summary(rule.key, rule.title, len(rule.breaches), rule.breaches[:SUMMARY_SHOWN])
        for rule in rules
    ]


def define_figures() -> None:
    """Every rule over every study takes seconds at national scale: a stored figure
    (coproduce/figures), and its summary (the counts and first breaches, a few kilobytes
    where the rules are a megabyte) for the pages that show no more. Both are kept ready for
    today by the worker's clock."""
    from coproduce import figures

    def today() -> list[tuple[dt.date]]:
        return [(timezone.localdate(),)]

    figures.define("governance.rules", all_rules, defaults=today)
    figures.define(
        "governance.summary",
        lambda day: summarise(figures.current("governance.rules", day)),
        defaults=today,
    )
