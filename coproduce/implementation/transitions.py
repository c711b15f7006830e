"""The one place that says how a recommendation's status may change.

    open -> accepted -> actioned -> outcome recorded
    open or accepted -> declined (a reason is required)

Everything else is refused with `TransitionError`, whose message says what is allowed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from coproduce.audit.log import record as audit
from coproduce.implementation.models import Recommendation, RecommendationStep

Status = Recommendation.Status

ALLOWED: dict[str, tuple[str, ...]] = {
    Status.OPEN: (Status.ACCEPTED, Status.DECLINED),
    Status.ACCEPTED: (Status.ACTIONED, Status.DECLINED),
    Status.ACTIONED: (Status.OUTCOME,),
    Status.OUTCOME: (),
    Status.DECLINED: (),
}
# Recommendations still waiting for someone to act: these can be overdue.
PENDING = (Status.OPEN, Status.ACCEPTED)


class TransitionError(ValueError):
    """A status change that the workflow does not allow, or that lacks what it needs.

    `field` names the form field the message belongs to ("to", "reason", "outcome").
    """

    def __init__(self, message: str, field: str = "to") -> None:
        super().__init__(message)
        self.field = field


def allowed_from(status: str) -> tuple[str, ...]:
    return ALLOWED.get(status, ())


def _label(status: str) -> str:
    return str(Status(status).label).lower()


def check(recommendation: Recommendation, to: str, *, reason: str = "", outcome: str = "") -> None:
    """Raise TransitionError unless `recommendation` may move to `to` with these details."""
    if to not in Status.values:
        raise TransitionError(f"“{to}” is not a status a recommendation can have.")
    current = recommendation.status
    if to not in allowed_from(current):
        nexts = allowed_from(current)
        if nexts:
            options = " or ".join(_label(status) for status in nexts)
            hint = f"From {_label(current)} it can only become {options}."
        else:
            hint = f"It is {_label(current)}, which is final."
        raise TransitionError(
            f"A recommendation that is {_label(current)} cannot become {_label(to)}. {hint}"
        )
    if to == Status.DECLINED and not reason.strip():
        raise TransitionError("Give the reason the recommendation was declined.", "reason")
    if to == Status.OUTCOME and not outcome.strip():
        raise TransitionError("Describe the outcome.", "outcome")


def move(
    recommendation: Recommendation,
    to: str,
    *,
    by: Any = None,
    on: dt.date | None = None,
    reason: str = "",
    outcome: str = "",
    note: str = "",
) -> RecommendationStep:
    """Change the status (checked by `check`), keep the step as history, write the audit entry.

    The row is locked first, so two people moving it at once cannot both succeed from the
    same status.
    """
    on = on or timezone.localdate()
    with transaction.atomic():
        locked = Recommendation.objects.select_for_update().get(pk=recommendation.pk)
        check(locked, to, reason=reason, outcome=outcome)
        before = locked.status
        locked.status = to
        locked.status_changed_on = on
        changes: dict[str, list[Any]] = {"status": [before, to]}
        if to == Status.DECLINED:
            changes["decline_reason"] = [locked.decline_reason, reason.strip()]
            locked.decline_reason = reason.strip()
        if to == Status.OUTCOME:
            changes["outcome"] = [locked.outcome, outcome.strip()]
            locked.outcome = outcome.strip()
        locked.save(update_fields=["status", "status_changed_on", "decline_reason", "outcome"])
        step = RecommendationStep.objects.create(
            recommendation=locked,
            from_status=before,
            to_status=to,
            date=on,
            note=(note or reason or outcome).strip(),
            by=by if getattr(by, "is_authenticated", False) else None,
        )
        audit(by, "implementation.recommendation.status_changed", locked, changes)
    for name in ("status", "status_changed_on", "decline_reason", "outcome"):
        setattr(recommendation, name, getattr(locked, name))
    return step
