"""The matched-funding ledger: what each partner gave in each financial year.

Three sources make a partner's matched funding in a year:
- contributions recorded by hand (`Contribution`: cash, or in kind), in their own currency;
- its diffusion fellows' secondments (registry `Secondment`, home organisation): in kind,
  FTE × working days of the secondment inside the year × the day value
  (`COPRODUCE_DF_DAY_VALUE`, pounds);
- other staff time it gives (`StaffTime`): valued the same way.
Working days are Monday to Friday (`coproduction.timeuse.working_days`, the same count the
diffusion fellow evaluation uses). Computed lines are in pounds sterling.

`statement()` and `year_ledger()` read a fixed number of queries whatever the number of rows.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db.models import Q, Sum
from django.utils import timezone

from coproduce.coproduction.timeuse import working_days
from coproduce.funding import fy
from coproduce.funding.models import (
    AwardAmount,
    Contribution,
    Currency,
    FurtherFunding,
    StaffTime,
)
from coproduce.registry.models import Organisation, Secondment

PENNY = Decimal("0.01")
CASH, IN_KIND = Contribution.Kind.CASH, Contribution.Kind.IN_KIND


def day_value() -> Decimal:
    return Decimal(str(getattr(settings, "COPRODUCE_DF_DAY_VALUE", "300")))


def time_value(fte: Decimal, start: dt.date, end: dt.date | None, year: int) -> Decimal:
    """FTE × working days inside the year × the day value, to the penny."""
    inside = fy.overlap(start, end, year)
    if inside is None:
        return Decimal("0.00")
    days = working_days(*inside)
    return (fte * days * day_value()).quantize(PENNY, rounding=ROUND_HALF_UP)


def _text(value: str) -> str:
    """Line endings as XML reads them (CR LF and CR become LF), so the page, the PDF and the
    spreadsheet show the same text."""
    return value.replace("\r\n", "\n").replace("\r", "\n")


@dataclass(frozen=True)
class Line:
    kind: str  # cash or in_kind
    source: str  # "Recorded", "Secondment", "Staff time"
    description: str
    amount: Decimal
    currency: str = Currency.GBP
    days: int | None = None  # working days, for computed lines
    fte: Decimal | None = None

    @property
    def kind_label(self) -> str:
        return Contribution.Kind(self.kind).label


@dataclass
class Statement:
    organisation: Organisation
    year: int
    lines: list[Line] = field(default_factory=list)

    @property
    def label(self) -> str:
        return fy.label(self.year)

    def total(self, kind: str | None = None, currency: str = Currency.GBP) -> Decimal:
        return sum(
            (
                line.amount
                for line in self.lines
                if line.currency == currency and (kind is None or line.kind == kind)
            ),
            Decimal("0.00"),
        )

    @property
    def currencies(self) -> list[str]:
        return sorted({line.currency for line in self.lines} | {Currency.GBP})

    def totals(self) -> list[dict[str, Any]]:
        """Per currency: cash, in kind and the total."""
        return [
            {
                "currency": code,
                "cash": self.total(CASH, code),
                "in_kind": self.total(IN_KIND, code),
                "total": self.total(None, code),
            }
            for code in self.currencies
        ]


def _overlapping(year: int) -> Q:
    first, last = fy.bounds(year)
    return Q(start__lte=last) & (Q(end__isnull=True) | Q(end__gte=first))


def _lines(year: int, organisations: list[Organisation]) -> dict[int, list[Line]]:
    """Every ledger line of the year for these organisations, by organisation id (3 queries)."""
    ids = [org.pk for org in organisations]
    lines: dict[int, list[Line]] = defaultdict(list)
    for c in Contribution.objects.filter(year=year, organisation_id__in=ids).order_by("pk"):
        lines[c.organisation_id].append(
            Line(c.kind, "Recorded", _text(c.description), c.amount, c.currency)
        )
    secondments = (
        Secondment.objects.filter(_overlapping(year), home_organisation_id__in=ids)
        .select_related("person", "study")
        .order_by("start", "pk")
    )
    for s in secondments:
        inside = fy.overlap(s.start, s.end, year)
        assert inside is not None
        lines[s.home_organisation_id].append(
            Line(
                IN_KIND,
                "Secondment",
                f"{s.person}, diffusion fellow on {s.study.acronym or s.study.title}",
                time_value(s.fte, s.start, s.end, year),
                days=working_days(*inside),
                fte=s.fte,
            )
        )
    staff = (
        StaffTime.objects.filter(_overlapping(year), organisation_id__in=ids)
        .select_related("person")
        .order_by("start", "pk")
    )
    for t in staff:
        inside = fy.overlap(t.start, t.end, year)
        assert inside is not None
        who = f"{t.person}: " if t.person else ""
        lines[t.organisation_id].append(
            Line(
                IN_KIND,
                "Staff time",
                _text(f"{who}{t.description}"),
                time_value(t.fte, t.start, t.end, year),
                days=working_days(*inside),
                fte=t.fte,
            )
        )
    return lines


def statement(organisation: Organisation, year: int) -> Statement:
    """One partner's matched funding in one financial year, line by line."""
    return Statement(organisation, year, _lines(year, [organisation])[organisation.pk])


def partners() -> list[Organisation]:
    return list(Organisation.objects.filter(partner_since__isnull=False).order_by("name"))


@dataclass
class YearLedger:
    year: int
    award: Decimal
    statements: list[Statement]

    @property
    def label(self) -> str:
        return fy.label(self.year)

    def total(self, kind: str | None = None) -> Decimal:
        """Pounds sterling across partners (lines in other currencies are left out)."""
        return sum((s.total(kind) for s in self.statements), Decimal("0.00"))

    @property
    def cash(self) -> Decimal:
        return self.total(CASH)

    @property
    def in_kind(self) -> Decimal:
        return self.total(IN_KIND)

    @property
    def matched(self) -> Decimal:
        return self.total()


def year_ledger(year: int) -> YearLedger:
    """Every partner's statement for the year (those with nothing are left out) and the
    award's amount for it (in pounds)."""
    orgs = partners()
    lines = _lines(year, orgs)
    award = AwardAmount.objects.filter(year=year, award__currency=Currency.GBP).aggregate(
        total=Sum("amount")
    )["total"] or Decimal("0.00")
    statements = [Statement(org, year, lines[org.pk]) for org in orgs if lines.get(org.pk)]
    return YearLedger(year, award, statements)


def years() -> list[int]:
    """The financial years the ledger has anything for, or the current one."""
    found: set[int] = set(AwardAmount.objects.values_list("year", flat=True))
    found |= set(Contribution.objects.values_list("year", flat=True))
    for start, end in Secondment.objects.values_list("start", "end"):
        found.add(fy.year_of(start))
        if end is not None:
            found.add(fy.year_of(end))
    if not found:
        return [fy.year_of(timezone.localdate())]
    return list(range(min(found), max(found) + 1))


def further_funding_won(start: dt.date, end: dt.date) -> list[FurtherFunding]:
    """Further funding that started between the dates (1 query)."""
    return list(FurtherFunding.objects.filter(start__gte=start, start__lte=end).order_by("start"))
