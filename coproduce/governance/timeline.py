"""A study's governance history, read from the audit log: uploads, submissions, decisions,
releases, responses, conditions met and annual reviews.

Entries about a round's recommendation are shown only to those who may see that round's reviews
(access.can_see_reviews), so the timeline never tells the study team a decision before release,
nor a conflicted reviewer anything of their round.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from coproduce.audit.describe import actor_name
from coproduce.audit.models import AuditEntry
from coproduce.governance import access
from coproduce.governance.models import (
    AnnualReview,
    Condition,
    ProtocolVersion,
    Recommendation,
    ReviewRound,
)
from coproduce.registry.models import Study

DECISIONS = dict(Recommendation.Decision.choices)


@dataclass
class Event:
    at: Any
    actor: str
    text: str
    url: str = ""


def _after(entry: AuditEntry, name: str) -> Any:
    value = entry.changes.get(name)
    return value[1] if isinstance(value, list) and len(value) == 2 else None


def for_study(user: Any, study: Study) -> list[Event]:
    rounds = {
        r.pk: r
        for r in ReviewRound.objects.filter(study=study).select_related(
            "panel", "protocol_version", "study"
        )
    }
    recommendations = dict(
        Recommendation.objects.filter(round__study=study).values_list("pk", "round_id")
    )
    conditions = dict(Condition.objects.filter(round__study=study).values_list("pk", "round_id"))
    versions = list(ProtocolVersion.objects.filter(study=study).values_list("pk", flat=True))
    schedule = AnnualReview.objects.filter(study=study).values_list("pk", flat=True).first()

    def ids(values: Any) -> list[str]:
        return [str(v) for v in values]

    where = (
        Q(object_type="governance.reviewround", object_id__in=ids(rounds))
        | Q(object_type="governance.recommendation", object_id__in=ids(recommendations))
        | Q(object_type="governance.condition", object_id__in=ids(conditions))
        | Q(object_type="governance.protocolversion", object_id__in=ids(versions))
    )
    if schedule:
        where |= Q(object_type="governance.annualreview", object_id=str(schedule))
    # Not who read what; who acted by name, read at display time.
    entries = AuditEntry.objects.changes().filter(where).select_related("actor")
    visible: dict[int, bool] = {}

    def sees(round_id: int) -> bool:
        if round_id not in visible:
            visible[round_id] = access.can_see_reviews(user, rounds[round_id])
        return visible[round_id]

    events: list[Event] = []
    for entry in entries.order_by("at", "id"):
        kind, oid = entry.object_type, int(entry.object_id)
        if kind == "governance.protocolversion":
            events.append(
                Event(
                    entry.at,
                    actor_name(entry),
                    f"Protocol version {_after(entry, 'label')} uploaded",
                )
            )
        elif kind == "governance.reviewround":
            r = rounds[oid]
            url = r.get_absolute_url() if access.can_view_round(user, r) else ""
            if entry.action.endswith(".submitted"):
                text = f"Version {r.protocol_version.label} submitted to the {r.panel}"
            elif entry.action.endswith(".released"):
                decision = DECISIONS.get(_after(entry, "decision") or "", "")
                text = f"{r.panel} review released to the study team: {decision}"
            elif entry.action.endswith(".responded"):
                text = f"Study team responded to the {r.panel}"
            else:
                continue
            events.append(Event(entry.at, actor_name(entry), text, url))
        elif kind == "governance.recommendation":
            round_id = recommendations[oid]
            if not sees(round_id):
                continue
            r = rounds[round_id]
            decision = DECISIONS.get(_after(entry, "decision") or "", "")
            events.append(
                Event(
                    entry.at,
                    actor_name(entry),
                    f"{r.panel} recommendation recorded: {decision}",
                    r.get_absolute_url(),
                )
            )
        elif kind == "governance.condition":
            round_id = conditions[oid]
            if not sees(round_id):
                continue
            r = rounds[round_id]
            events.append(
                Event(
                    entry.at,
                    actor_name(entry),
                    f"Condition of the {r.panel} met",
                    r.get_absolute_url() + "#conditions",
                )
            )
        elif kind == "governance.annualreview":
            events.append(
                Event(
                    entry.at,
                    actor_name(entry),
                    f"Annual scientific review done; next due {_after(entry, 'next_due')}",
                )
            )
    return events
