"""Governance's panels on the staff home (registered in apps.py, see staff/navigation.py):

- "Your reviews", for anyone assigned as a reviewer in a round not yet released: what is left
  to do (declare interests, then assess);
- "Reviews of your studies", for a study team: rounds released and awaiting the team's
  response, and annual scientific reviews due within a month or overdue;
- "Governance rules broken", for managers: the dashboard's breaches, rule by rule.

Each panel runs a fixed number of queries, however many rounds or studies there are.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone

from coproduce import figures
from coproduce.governance.annual import REMIND_DAYS, schedules
from coproduce.governance.models import ReviewerAssignment, ReviewRound
from coproduce.registry.access import editable_study_ids, is_manager
from coproduce.staff.navigation import HomePanel, WorkRow

SHOWN = 8  # rows per panel; the panel links to the rest
OPEN = (ReviewRound.Status.SUBMITTED, ReviewRound.Status.RECOMMENDED)


def _when(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def your_reviews(user: Any) -> HomePanel | None:
    assignments = list(
        ReviewerAssignment.objects.filter(person__user=user, round__status__in=OPEN)
        .select_related("round__study", "round__panel", "round__protocol_version", "assessment")
        .order_by("round__submitted_at")[: SHOWN + 1]
    )
    if not assignments:
        return None
    rows = []
    for assignment in assignments[:SHOWN]:
        review_round = assignment.round
        assessment = getattr(assignment, "assessment", None)
        if not assignment.has_declared:
            todo = "Declare any conflict of interest, then assess"
        elif assignment.has_conflict:
            todo = "You declared a conflict: nothing more to do"
        elif assessment is None or not assessment.is_submitted:
            todo = "Assess the protocol"
        else:
            todo = "Assessment sent; waiting for the panel's recommendation"
        rows.append(
            WorkRow(
                f"{review_round.study} ({review_round.panel})",
                review_round.get_absolute_url(),
                f"{todo}. Submitted {_when(timezone.localdate(review_round.submitted_at))}.",
            )
        )
    return HomePanel(
        "Your reviews",
        rows,
        more_label="All your panels" if len(assignments) > SHOWN else "Your panels",
        more_url=reverse("governance:panels"),
        order=15,
    )


def reviews_of_your_studies(user: Any) -> HomePanel | None:
    studies = editable_study_ids(user)
    if not studies:
        return None
    today = timezone.localdate()
    released = list(
        ReviewRound.objects.filter(study_id__in=studies, status=ReviewRound.Status.RELEASED)
        .select_related("study", "panel", "protocol_version")
        .order_by("released_at")[:SHOWN]
    )
    due = list(
        schedules()
        .filter(study_id__in=studies, next_due__lte=today + dt.timedelta(days=REMIND_DAYS))
        .order_by("next_due")[:SHOWN]
    )
    rows = [
        WorkRow(
            f"Respond to the {review_round.panel}: {review_round.study}",
            review_round.get_absolute_url(),
            "Released to your team; the panel waits for your response.",
        )
        for review_round in released
    ]
    rows += [
        WorkRow(
            f"Annual scientific review of {schedule.study}",
            reverse("governance:study", args=[schedule.study.slug]),
            ("Overdue since " if schedule.next_due < today else "Due ") + _when(schedule.next_due),
        )
        for schedule in due
    ]
    return HomePanel(
        "What your studies need from governance",
        rows,
        empty="No reviews wait for your team.",
        more_label="Governance",
        more_url=reverse("governance:dashboard"),
        order=20,
    )


def rules_broken(user: Any) -> HomePanel | None:
    if not is_manager(user):
        return None
    rows = [
        WorkRow(
            f"{rule.title}: {rule.count}",
            reverse("governance:dashboard") + f"#rule-{rule.key}",
            "; ".join(breach.subject for breach in rule.first[:3])
            + ("…" if rule.count > 3 else ""),
        )
        for rule in figures.value("governance.summary", timezone.localdate())
        if rule.count
    ]
    return HomePanel(
        "Governance rules broken",
        rows,
        empty="Every study meets the governance rules.",
        more_label="Governance dashboard",
        more_url=reverse("governance:dashboard"),
        order=45,
    )
