from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import IntegrityError, transaction

from coproduce.coproduction import models as m
from coproduce.coproduction.timeuse import time_used, with_hours, working_days
from coproduce.registry.models import Secondment
from tests import factories

pytestmark = pytest.mark.django_db


def test_working_days_counts_monday_to_friday() -> None:
    assert working_days(dt.date(2024, 1, 1), dt.date(2024, 1, 7)) == 5  # Mon to Sun
    assert working_days(dt.date(2024, 1, 6), dt.date(2024, 1, 7)) == 0  # a weekend
    assert working_days(dt.date(2024, 1, 1), dt.date(2024, 12, 31)) == 262
    assert working_days(dt.date(2024, 1, 5), dt.date(2024, 1, 4)) == 0


def _log(secondment: Secondment, day: dt.date, hours: str) -> m.BrokerActivity:
    return m.BrokerActivity.objects.create(
        person=secondment.person,
        secondment=secondment,
        study=secondment.study,
        date=day,
        hours=Decimal(hours),
        direction="inward",
        kind="advising_design",
        mobilisation="horizontal",
    )


def test_time_used_sums_hours_against_fte_times_working_days(study: Any) -> None:
    secondment = factories.SecondmentFactory(study=study, start=dt.date(2024, 1, 1))
    other = factories.SecondmentFactory(start=dt.date(2024, 1, 1))
    _log(secondment, dt.date(2024, 1, 2), "7.5")
    _log(secondment, dt.date(2024, 1, 9), "3.75")
    _log(secondment, dt.date(2024, 2, 1), "7.5")  # after the day asked about
    _log(other, dt.date(2024, 1, 3), "7.5")  # someone else's
    until = dt.date(2024, 1, 14)  # two working weeks: 10 days
    row = time_used(with_hours(Secondment.objects.filter(pk=secondment.pk), until).get(), until)
    assert row.working_days == 10
    assert row.expected_days == Decimal("2.0")  # 0.2 FTE x 10
    assert row.hours == Decimal("11.25")
    assert row.used_days == Decimal("1.5")
    assert row.percent == 75
    # Not annotated: the same figures from a query of its own.
    assert time_used(secondment, until).hours == Decimal("11.25")


def test_time_used_stops_at_the_secondment_end(study: Any) -> None:
    secondment = factories.SecondmentFactory(
        study=study, start=dt.date(2024, 1, 1), end=dt.date(2024, 1, 5), fte=Decimal("0.5")
    )
    row = time_used(secondment, dt.date(2024, 6, 1))
    assert row.working_days == 5
    assert row.expected_days == Decimal("2.5")
    assert row.percent == 0


def test_an_activity_needs_a_secondment_or_a_placement(study: Any) -> None:
    person = factories.PersonFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        m.BrokerActivity.objects.create(
            person=person,
            study=study,
            date=dt.date(2024, 1, 2),
            hours=Decimal("1"),
            direction="inward",
            kind="other",
            mobilisation="feedback",
        )


def test_default_rates_name_the_guidance_they_follow() -> None:
    rates = list(m.PaymentRate.objects.all())
    assert len(rates) >= 3
    assert all("NIHR" in rate.guidance for rate in rates)


@pytest.mark.parametrize(
    ("unit", "hours", "fee"),
    [
        ("hour", "2.5", "62.50"),
        ("half_day", "3", "75.00"),
        ("half_day", "5", "150.00"),
        ("day", "6", "150.00"),
        ("activity", "9", "25.00"),
    ],
)
def test_fee_for_each_unit(unit: str, hours: str, fee: str) -> None:
    amount = {"hour": "25", "half_day": "75", "day": "150", "activity": "25"}[unit]
    rate = m.PaymentRate(name="r", unit=unit, amount=Decimal(amount), guidance="g")
    assert rate.fee_for(Decimal(hours)) == Decimal(fee)


def test_declined_payment_totals_expenses_only(study: Any) -> None:
    from tests.coproduction.conftest import make_involvement

    paid = make_involvement(study)
    declined = make_involvement(study, name="Sam", payment_declined=True)
    assert paid.total == Decimal("55.50")
    assert declined.total == Decimal("5.50")


def test_participant_email_is_normalised_and_unique_per_study(study: Any) -> None:
    m.Participant.objects.create(study=study, full_name="A", email=" A@Example.ORG ")
    assert m.Participant.objects.get().email == "a@example.org"
    with pytest.raises(IntegrityError), transaction.atomic():
        m.Participant.objects.create(study=study, full_name="B", email="a@example.org")
    m.Participant.objects.create(
        study=factories.StudyFactory(), full_name="A", email="a@example.org"
    )
