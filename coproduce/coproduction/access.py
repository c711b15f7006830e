"""Who may see and change co-production records. Built on coproduce.registry.access.

- Any staff role reads compromises, dialogues, the involvement ledger, GRIPP2 reports and the
  time-used report; managers and the study's research team (`can_edit_study`) change them.
- Sources, participants and their consent, and research exports: the study's research team
  and managers only (`require_research_team`); a staff reader or another study's researcher
  gets 403.
- Knowledge-broker activity: anyone signed in whose person record has a secondment (diffusion
  fellow) or a placement (researcher in residence) logs their own; no staff role is needed.
- Journal: the author (the researcher in residence of the placement) only; a supervisor the
  author chose reads the entries the author shared. Managers have no way in.
- Payment rates and the payments export for finance: managers only.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from coproduce.registry.access import (
    can_edit_study,
    get_study_for,
    is_manager,
    is_staff_member,
)
from coproduce.registry.models import Person, Placement, Secondment, Study


def person_of(user: Any) -> Person | None:
    if not getattr(user, "is_authenticated", False):
        return None
    cached: Any = getattr(user, "_coproduction_person", False)
    if cached is False:
        cached = Person.objects.filter(user=user).first()
        user._coproduction_person = cached
    return cached


def secondments_of(person: Person | None) -> QuerySet[Secondment]:
    if person is None:
        return Secondment.objects.none()
    return Secondment.objects.filter(person=person).select_related("study").order_by("-start")


def placements_of(person: Person | None) -> QuerySet[Placement]:
    if person is None:
        return Placement.objects.none()
    return (
        Placement.objects.filter(person=person)
        .select_related("host_organisation", "study")
        .order_by("-start")
    )


def is_broker(user: Any) -> bool:
    person = person_of(user)
    return secondments_of(person).exists() or placements_of(person).exists()


def require_broker(user: Any) -> Person:
    person = person_of(user)
    if person is None or not is_broker(user):
        raise PermissionDenied(
            "Only diffusion fellows and researchers in residence log knowledge-broker work."
        )
    return person


def require_staff_or_broker(user: Any) -> None:
    if not (is_staff_member(user) or is_broker(user)):
        raise PermissionDenied("You need a staff role, a secondment or a placement.")


def require_research_team(user: Any, slug: str) -> Study:
    """The study, if the user is on its research team or a manager: sources live here."""
    study = get_study_for(user, slug)
    if not can_edit_study(user, study):
        raise PermissionDenied("Only the study's research team and managers see its sources.")
    return study


def require_resident(user: Any) -> Person:
    person = person_of(user)
    if person is None or not placements_of(person).exists():
        raise PermissionDenied("The journal is for researchers in residence.")
    return person


__all__ = [
    "can_edit_study",
    "get_study_for",
    "is_broker",
    "is_manager",
    "person_of",
    "placements_of",
    "require_broker",
    "require_research_team",
    "require_resident",
    "require_staff_or_broker",
    "secondments_of",
]
