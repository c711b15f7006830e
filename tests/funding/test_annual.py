"""The annual report's finance and capacity sections: each figure equals a direct sum or count
over the rows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Sum

from coproduce.funding.models import Attendance, Contribution, FurtherFunding, TrainingSession
from coproduce.implementation import annual
from tests import factories
from tests.funding.test_ledger import _books, _direct_in_kind_time

pytestmark = pytest.mark.django_db
D = dt.date


def test_finance_figures_equal_direct_sums() -> None:
    books = _books()
    FurtherFunding.objects.create(
        funder="NIHR", title="In the year", amount=Decimal("100.10"), start=D(2012, 2, 1)
    )
    FurtherFunding.objects.create(
        funder="NIHR", title="Another year", amount=Decimal("5"), start=D(2013, 2, 1)
    )
    report = annual.build(2012)
    section = "Finance and matched funding (2012/13)"
    cash = Contribution.objects.filter(year=2012, kind="cash", currency="GBP").aggregate(
        s=Sum("amount")
    )["s"]
    in_kind = Contribution.objects.filter(year=2012, kind="in_kind", currency="GBP").aggregate(
        s=Sum("amount")
    )["s"] + sum(_direct_in_kind_time(org, 2012) for org in books.values())
    assert report.figure(section, "Matched funding in cash (£)") == cash
    assert report.figure(section, "Matched funding in kind (£)") == in_kind
    assert report.figure(section, "Matched funding in all (£)") == cash + in_kind
    assert report.figure(section, "Partners contributing") == 2
    assert report.figure(section, "Further funding won in the year (£)") == Decimal("100.10")
    assert report.figure(section, "Further funding awards won in the year") == 1
    assert annual.to_xlsx(report)[:2] == b"PK"


def test_capacity_figures_equal_direct_counts() -> None:
    inside = TrainingSession.objects.create(title="In", kind="coproduction", date=D(2012, 6, 1))
    outside = TrainingSession.objects.create(title="Out", kind="coproduction", date=D(2013, 1, 2))
    people = [factories.PersonFactory() for _ in range(3)]
    for person in people:
        Attendance.objects.create(session=inside, person=person, role="clinician")
    Attendance.objects.create(session=outside, person=people[0], role="clinician")
    report = annual.build(2012)
    direct_sessions = TrainingSession.objects.filter(date__year=2012).count()
    direct_people = (
        Attendance.objects.filter(session__date__year=2012).values("person").distinct().count()
    )
    assert report.figure("Capacity building", "Training sessions") == direct_sessions == 1
    assert report.figure("Capacity building", "People trained") == direct_people == 3
