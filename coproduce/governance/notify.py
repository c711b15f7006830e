"""Emails to lay reviewers: service users and carers on a panel (a membership that represents
one of `PanelMembership.LAY`), who have no staff home to look at and may not sign in often.

- When assigned to a round: what is asked of them, and the link to the round.
- When a round they reviewed is released to the study team: that the panel's recommendation
  has gone, and the link to read it.

Each goes through the outbox (coproduce/comms/outbox.py), queued in the transaction of the step
that causes it, keyed so that the same step never emails twice. Links start with SITE_URL.
Staff reviewers are not emailed: their staff home lists their reviews.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from coproduce.governance.models import PanelMembership, ReviewerAssignment, ReviewRound


def _link(review_round: ReviewRound) -> str:
    return str(settings.SITE_URL) + review_round.get_absolute_url()


def _lay_person_ids(review_round: ReviewRound, person_ids: list[int]) -> set[int]:
    """Which of these people sit on the round's panel as a service user or carer."""
    return set(
        PanelMembership.objects.active_on(timezone.localdate())
        .filter(
            panel_id=review_round.panel_id,
            person_id__in=person_ids,
            represents__in=PanelMembership.LAY,
        )
        .values_list("person_id", flat=True)
    )


def assigned(assignment: ReviewerAssignment) -> bool:
    """Queue the "you are asked to review" email if the reviewer is a lay member with an email
    address; True when one was queued."""
    from coproduce.comms.outbox import queue_message

    person, review_round = assignment.person, assignment.round
    if not person.email or not _lay_person_ids(review_round, [person.pk]):
        return False
    subject = f"You are asked to review: {review_round.study}"
    body = (
        f"Dear {person.full_name},\n\n"
        f"The {review_round.panel} would like you to review the protocol of "
        f"“{review_round.study}” (version {review_round.protocol_version.label}).\n\n"
        "First, say whether you have any conflict of interest. If you have none, you can read "
        "the protocol and give your assessment: what works for service users and carers, and "
        "what does not. Your view counts as much as anyone's on the panel.\n\n"
        f"Open the review: {_link(review_round)}\n\n"
        "If you cannot do it, please tell the panel's chair.\n"
    )
    row = queue_message(f"governance-assigned:{assignment.pk}", person.email, subject, body)
    return row is not None


def released(review_round: ReviewRound) -> int:
    """Queue the "the review has been released" email to each lay reviewer of the round;
    returns how many were queued."""
    from coproduce.comms.outbox import queue_message

    assignments = list(
        ReviewerAssignment.objects.filter(round=review_round)
        .exclude(person__email="")
        .select_related("person")
    )
    lay = _lay_person_ids(review_round, [a.person_id for a in assignments])
    queued = 0
    for assignment in assignments:
        person = assignment.person
        if person.pk not in lay:
            continue
        body = (
            f"Dear {person.full_name},\n\n"
            f"The {review_round.panel} has released its review of “{review_round.study}” "
            f"(version {review_round.protocol_version.label}) to the study team, with the "
            "panel's recommendation. Thank you for your part in it.\n\n"
            f"Read the review and, later, the study team's response: {_link(review_round)}\n"
        )
        row = queue_message(
            f"governance-released:{review_round.pk}:{person.pk}",
            person.email,
            f"Review released: {review_round.study}",
            body,
        )
        queued += row is not None
    return queued
