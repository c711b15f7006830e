"""The diffusion fellow's lifecycle: recruitment to a vacant post (advertised → nominated →
agreed, or withdrawn), the agreement that makes the secondment, and the five-year cap.

A fellow may be seconded for up to `COPRODUCE_DF_CAP_YEARS` years (5) counted from the start of
their first secondment, across renewals; `COPRODUCE_DF_CAP_WARNING_MONTHS` (6) before the cap
is reached the governance dashboard warns, so that a renewal ends in time or a replacement is
recruited. Every step writes one audit entry (`staff.editing.audit_saved`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from coproduce.audit.log import snapshot
from coproduce.funding.models import FellowEvent, Vacancy
from coproduce.registry.models import Organisation, Person, Secondment
from coproduce.staff.editing import audit_saved


class StepError(Exception):
    """A step that cannot be taken from the vacancy's status; `field` is the form field."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def cap_years() -> int:
    return int(getattr(settings, "COPRODUCE_DF_CAP_YEARS", 5))


def warning_months() -> int:
    return int(getattr(settings, "COPRODUCE_DF_CAP_WARNING_MONTHS", 6))


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class CapStatus:
    person: Person
    secondment: Secondment  # the current one
    first_start: dt.date
    cap_date: dt.date  # the last day they may be seconded

    def days_left(self, today: dt.date) -> int:
        return (self.cap_date - today).days

    def is_past(self, today: dt.date) -> bool:
        return today > self.cap_date


def cap_date(first_start: dt.date) -> dt.date:
    return add_months(first_start, cap_years() * 12) - dt.timedelta(days=1)


def near_cap(today: dt.date | None = None) -> list[CapStatus]:
    """Current fellows within the warning months of their cap, or past it (2 queries)."""
    today = today or timezone.localdate()
    firsts = dict(
        Secondment.objects.values("person_id")
        .annotate(first=Min("start"))
        .values_list("person_id", "first")
    )
    warn_from = add_months(today, warning_months())
    found = []
    for secondment in (
        Secondment.objects.active_on(today)
        .select_related("person", "study")
        .order_by("person__full_name", "start")
    ):
        first = firsts[secondment.person_id]
        capped = cap_date(first)
        if capped <= warn_from:
            found.append(CapStatus(secondment.person, secondment, first, capped))
    return found


def open_vacancies() -> list[Vacancy]:
    return list(
        Vacancy.objects.filter(status__in=Vacancy.OPEN)
        .select_related("study", "nominee", "nominated_by")
        .order_by("advertised_on")
    )


def _step(vacancy: Vacancy, status: str) -> dict[str, list[Any]]:
    """Move to `status`; the change for the audit entry (the workflow's fields are not
    editable in forms, so the snapshot does not see them)."""
    change = {"status": [vacancy.status, status]}
    vacancy.status = status
    return change


def _locked(vacancy: Vacancy) -> Vacancy:
    return Vacancy.objects.select_for_update().get(pk=vacancy.pk)


def nominate(
    vacancy: Vacancy, actor: Any, *, nominated_by: Organisation, nominee: Person, on: dt.date
) -> Vacancy:
    with transaction.atomic():
        vacancy = _locked(vacancy)
        if vacancy.status not in Vacancy.OPEN:
            raise StepError(f"This post is {vacancy.get_status_display().lower()} already.")
        if on < vacancy.advertised_on:
            raise StepError(
                "The nomination cannot be before the post was advertised", "nominated_on"
            )
        before = snapshot(vacancy)
        step = _step(vacancy, Vacancy.Status.NOMINATED)
        vacancy.nominated_by, vacancy.nominee, vacancy.nominated_on = nominated_by, nominee, on
        vacancy.save()
        step.update(
            nominated_by=[None, str(nominated_by)],
            nominee=[None, str(nominee)],
            nominated_on=[None, on.isoformat()],
        )
        audit_saved(actor, vacancy, before, also=step)
    return vacancy


def agree(
    vacancy: Vacancy,
    actor: Any,
    *,
    agreed_on: dt.date,
    start: dt.date,
    end: dt.date | None,
    fte: Decimal,
    in_kind_value: Decimal | None,
) -> Secondment:
    """Sign the agreement: make the secondment (from the nominating partner to the study),
    record the nomination and agreement as fellowship events, and end the one replaced."""
    with transaction.atomic():
        vacancy = _locked(vacancy)
        if vacancy.status != Vacancy.Status.NOMINATED:
            raise StepError("Record the nomination before the agreement.")
        assert vacancy.nominee is not None
        assert vacancy.nominated_by is not None
        if vacancy.nominated_on and agreed_on < vacancy.nominated_on:
            raise StepError("The agreement cannot be signed before the nomination", "agreed_on")
        secondment = Secondment(
            person=vacancy.nominee,
            study=vacancy.study,
            home_organisation=vacancy.nominated_by,
            start=start,
            end=end,
            fte=fte,
            in_kind_value=in_kind_value,
        )
        secondment.full_clean()
        secondment.save()
        audit_saved(actor, secondment)
        before = snapshot(vacancy)
        step = _step(vacancy, Vacancy.Status.AGREED)
        vacancy.agreed_on = agreed_on
        vacancy.secondment = secondment
        vacancy.save()
        step.update(agreed_on=[None, agreed_on.isoformat()], secondment=[None, str(secondment)])
        audit_saved(actor, vacancy, before, also=step)
        assert vacancy.nominated_on is not None
        for kind, day in (
            (FellowEvent.Kind.NOMINATED, vacancy.nominated_on),
            (FellowEvent.Kind.AGREED, agreed_on),
        ):
            event = FellowEvent.objects.create(
                secondment=secondment, kind=kind, date=day, note="Recruited to a vacant post"
            )
            audit_saved(actor, event)
        replaced = vacancy.replaces
        if replaced is not None:
            event = FellowEvent.objects.create(
                secondment=replaced,
                kind=FellowEvent.Kind.REPLACED,
                date=start,
                note=f"Replaced by {vacancy.nominee}",
            )
            audit_saved(actor, event)
    return secondment


def withdraw(vacancy: Vacancy, actor: Any) -> Vacancy:
    with transaction.atomic():
        vacancy = _locked(vacancy)
        if vacancy.status not in Vacancy.OPEN:
            raise StepError(f"This post is {vacancy.get_status_display().lower()} already.")
        before = snapshot(vacancy)
        step = _step(vacancy, Vacancy.Status.WITHDRAWN)
        vacancy.save()
        audit_saved(actor, vacancy, before, also=step)
    return vacancy


@dataclass(frozen=True)
class PlacementTime:
    placement: Any
    fte: Decimal | None
    expected_days: Decimal | None
    used_days: Decimal


def placement_time(until: dt.date) -> list[PlacementTime]:
    """Each placement's agreed time (FTE × working days from its start to its end or `until`)
    and the time used (broker activity hours logged on it up to `until`, at 7.5 hours a day),
    in 2 queries."""
    from django.db.models import Q, Sum

    from coproduce.coproduction.models import HOURS_PER_DAY
    from coproduce.coproduction.timeuse import working_days
    from coproduce.registry.models import Placement

    placements = (
        Placement.objects.select_related("person", "host_organisation", "agreement")
        .annotate(
            hours=Sum("broker_activities__hours", filter=Q(broker_activities__date__lte=until))
        )
        .order_by("start", "pk")
    )
    rows = []
    for placement in placements:
        agreement = getattr(placement, "agreement", None)
        used = ((placement.hours or Decimal("0")) / HOURS_PER_DAY).quantize(Decimal("0.1"))
        expected = None
        if agreement is not None:
            end = min(placement.end, until) if placement.end else until
            days = working_days(placement.start, end)
            expected = (agreement.fte * days).quantize(Decimal("0.1"))
        rows.append(PlacementTime(placement, agreement.fte if agreement else None, expected, used))
    return rows
