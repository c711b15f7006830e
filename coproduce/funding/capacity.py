"""Capacity building: who was trained (by partner and by role), and what diffusion fellows went
on to do (lead a project as chief investigator, or win further funding).

Each figure is one function with a fixed number of queries; tests compare each with a direct
count of the rows.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery

from coproduce.funding.models import Attendance, FurtherFunding, TrainingSession
from coproduce.registry.models import Person, RoleAssignment, Secondment


def _attendances(start: dt.date | None, end: dt.date | None) -> QuerySet[Attendance]:
    rows = Attendance.objects.all()
    if start is not None:
        rows = rows.filter(session__date__gte=start)
    if end is not None:
        rows = rows.filter(session__date__lte=end)
    return rows


def _who(row: Mapping[str, Any]) -> tuple[str, object]:
    if row["person_id"] is not None:
        return ("person", row["person_id"])
    return ("associate", row["associate_id"])


def people_trained(start: dt.date | None = None, end: dt.date | None = None) -> int:
    """Distinct people (registry people or associates) at any session between the dates."""
    rows = _attendances(start, end).values("person_id", "associate_id")
    return len({_who(row) for row in rows})


def trained_by_partner(
    start: dt.date | None = None, end: dt.date | None = None
) -> list[tuple[str, int]]:
    """Distinct people trained per organisation they came from ("No organisation" last)."""
    rows = _attendances(start, end).values("person_id", "associate_id", "organisation__name")
    seen: dict[str, set[tuple[str, object]]] = {}
    for row in rows:
        name = str(row["organisation__name"] or "No organisation")
        seen.setdefault(name, set()).add(_who(row))
    named = sorted((n, len(s)) for n, s in seen.items() if n != "No organisation")
    if "No organisation" in seen:
        named.append(("No organisation", len(seen["No organisation"])))
    return named


def trained_by_role(
    start: dt.date | None = None, end: dt.date | None = None
) -> list[tuple[str, int]]:
    """Distinct people trained per role they came in."""
    labels = dict(Attendance.Role.choices)
    rows = _attendances(start, end).values("person_id", "associate_id", "role")
    seen: dict[str, set[tuple[str, object]]] = {}
    for row in rows:
        seen.setdefault(str(row["role"]), set()).add(_who(row))
    return [(labels[key], len(seen[key])) for key in labels if key in seen]


def sessions_by_kind(start: dt.date | None = None, end: dt.date | None = None) -> Counter[str]:
    sessions = TrainingSession.objects.all()
    if start is not None:
        sessions = sessions.filter(date__gte=start)
    if end is not None:
        sessions = sessions.filter(date__lte=end)
    labels = dict(TrainingSession.Kind.choices)
    return Counter(
        {
            labels[row["kind"]]: row["n"]
            for row in sessions.values("kind").annotate(n=Count("pk")).order_by()
        }
    )


def fellows() -> QuerySet[Person]:
    """Everyone ever seconded as a diffusion fellow."""
    return Person.objects.filter(Exists(Secondment.objects.filter(person=OuterRef("pk"))))


def _with_first_start() -> QuerySet[Person]:
    """Fellows with the start of their first secondment as `first_start`."""
    first = Secondment.objects.filter(person=OuterRef("pk")).order_by("start").values("start")
    return fellows().annotate(first_start=Subquery(first[:1]))


def fellows_who_led_a_project() -> list[Person]:
    """Fellows who became chief investigator of a study on or after their first secondment
    began."""
    led = RoleAssignment.objects.filter(
        person=OuterRef("pk"),
        role=RoleAssignment.Role.CHIEF_INVESTIGATOR,
        start__gte=OuterRef("first_start"),
    )
    return list(_with_first_start().filter(Exists(led)).order_by("full_name"))


def fellows_who_won_funding() -> list[Person]:
    """Fellows named on further funding that started on or after their first secondment."""
    won = FurtherFunding.objects.filter(
        Q(people=OuterRef("pk")), start__gte=OuterRef("first_start")
    )
    return list(_with_first_start().filter(Exists(won)).order_by("full_name"))
