"""The scientific committee's annual review of each active study's methodology.

`queue_annual_review_reminders` is a scheduler job (registered in apps.py, run by the worker's
clock): for each active study whose review falls due within `REMIND_DAYS` (or is overdue), one
email per person to the study team and to the scientific committee's current members, through
the outbox. The key names the study, the due date and the person, so a tick that runs again (or
on two workers) queues nothing more, and a new due date starts a new round of reminders.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from coproduce.governance.models import ACTIVE_STAGES, AnnualReview, Panel, PanelMembership
from coproduce.registry.models import Person, RoleAssignment

REMIND_DAYS = 30


def schedules() -> QuerySet[AnnualReview]:
    return AnnualReview.objects.filter(study__stage__in=ACTIVE_STAGES).select_related(
        "study", "study__theme"
    )


def overdue(today: dt.date | None = None) -> QuerySet[AnnualReview]:
    return schedules().filter(next_due__lt=today or timezone.localdate())


def _site() -> str:
    return str(settings.SITE_URL)


def queue_annual_review_reminders(today: dt.date | None = None) -> int:
    """Queue the reminders that are due; return how many new messages were queued."""
    from coproduce.comms.outbox import queue_message
    from coproduce.governance.services import ensure_schedules

    today = today or timezone.localdate()
    ensure_schedules(today)
    due = list(schedules().filter(next_due__lte=today + dt.timedelta(days=REMIND_DAYS)))
    if not due:
        return 0
    team: dict[int, dict[int, Person]] = defaultdict(dict)
    roles = (
        RoleAssignment.objects.active_on(today)
        .filter(study__in=[s.study_id for s in due], role__in=RoleAssignment.EDITING_ROLES)
        .exclude(person__email="")
        .select_related("person")
    )
    for role in roles:
        team[role.study_id][role.person_id] = role.person
    committee = {
        m.person_id: m.person
        for m in PanelMembership.objects.active_on(today)
        .filter(panel__kind=Panel.Kind.SCIENTIFIC)
        .exclude(person__email="")
        .select_related("person")
    }
    queued = 0
    for schedule in due:
        study = schedule.study
        when = f"{schedule.next_due.day} {schedule.next_due:%B %Y}"
        overdue_now = schedule.next_due < today
        subject = (
            f"Annual scientific review overdue: {study}"
            if overdue_now
            else f"Annual scientific review due {when}: {study}"
        )
        link = _site() + reverse("governance:study", args=[study.slug])
        for person in {**team[study.pk], **committee}.values():
            body = (
                f"Dear {person.full_name},\n\n"
                f"The scientific committee's annual review of the methodology of “{study}” "
                f"{'was due on' if overdue_now else 'is due on'} {when}.\n\n"
                "The study team submits the current protocol version to the scientific "
                "committee; the committee assesses it and records its recommendation.\n\n"
                f"Study governance page: {link}\n"
            )
            row = queue_message(
                f"annual-review:{study.pk}:{schedule.next_due.isoformat()}:{person.pk}",
                person.email,
                subject,
                body,
            )
            queued += row is not None
    return queued
