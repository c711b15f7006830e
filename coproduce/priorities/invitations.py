"""Invitation emails and reminders, queued through the outbox (idempotent by key).

- `consultation-invite:<invitation pk>:v<link_version>`: one invitation per invitee and link
  version (issuing a new link lets the invitation be sent again with the new link).
- `consultation-reminder:<invitation pk>`: at most one reminder, queued by the worker's clock
  `reminder_days_before_close` days before the consultation closes, only to invitees who have
  not submitted.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from coproduce.comms import outbox
from coproduce.priorities import links
from coproduce.priorities.models import Consultation, Invitation


def _queue(key: str, invitation: Invitation, subject: str, template: str) -> bool:
    consultation = invitation.consultation
    context: dict[str, Any] = {
        "invitation": invitation,
        "consultation": consultation,
        "first_name": (invitation.full_name.split() or ["there"])[0],
        "link": links.invitation_url(invitation),
        "closes": consultation.closes,
        "collaboration_name": settings.COLLABORATION_NAME,
        "subject": subject,
    }
    text = render_to_string(f"priorities/email/{template}.txt", context).strip() + "\n"
    text = re.sub(r"\n{3,}", "\n\n", text)
    html = render_to_string("events/email/message.html", {**context, "body": text})
    return outbox.queue_message(key, invitation.email, subject, text, html) is not None


def send_invitations(consultation: Consultation, *, now: dt.datetime | None = None) -> int:
    """Queue an invitation to every invitee not yet invited with their current link."""
    now = now or timezone.now()
    queued = 0
    subject = f"Your views, please: {consultation.title}"
    pending = consultation.invitations.select_related("consultation").filter(
        invited_at__isnull=True
    )
    with transaction.atomic():
        for invitation in pending:
            key = f"consultation-invite:{invitation.pk}:v{invitation.link_version}"
            queued += int(_queue(key, invitation, subject, "invitation"))
            invitation.invited_at = now
            invitation.save(update_fields=["invited_at"])
    return queued


def new_link(invitation: Invitation) -> None:
    """Kill the invitee's earlier links; the next send goes out with the new one."""
    invitation.link_version += 1
    invitation.invited_at = None
    invitation.save(update_fields=["link_version", "invited_at"])


def queue_due_reminders(now: dt.datetime | None = None) -> int:
    """Clock job: reminders to invitees who have not submitted, once, when due."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    queued = 0
    due = Consultation.objects.filter(
        status=Consultation.Status.OPEN,
        reminder_days_before_close__isnull=False,
        closes__gte=today,
    )
    for consultation in due:
        assert consultation.reminder_days_before_close is not None
        if today < consultation.closes - dt.timedelta(days=consultation.reminder_days_before_close):
            continue
        invitees = consultation.invitations.select_related("consultation").filter(
            Q(response__isnull=True) | Q(response__submitted_at__isnull=True),
            invited_at__isnull=False,
        )
        subject = f"Reminder: {consultation.title} closes on {consultation.closes:%-d %B %Y}"
        for invitation in invitees:
            with transaction.atomic():
                queued += int(
                    _queue(f"consultation-reminder:{invitation.pk}", invitation, subject,
                           "reminder")
                )  # fmt: skip
    return queued
