"""The matched-funding ledger and statement: financial years, in-kind time from secondments and
staff time, and a statement whose totals equal direct sums over the rows."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.test import Client
from django.urls import reverse

from coproduce.audit.models import AuditEntry
from coproduce.funding import fy, ledger
from coproduce.funding.models import Award, AwardAmount, Contribution, StaffTime
from coproduce.registry.models import Secondment
from tests import factories
from tests.pdftext import extract as pdf_text

pytestmark = pytest.mark.django_db
D = dt.date


def test_financial_years_run_april_to_march() -> None:
    assert fy.year_of(D(2010, 3, 31)) == 2009
    assert fy.year_of(D(2010, 4, 1)) == 2010
    assert fy.label(2009) == "2009/10"
    assert fy.label(2099) == "2099/00"
    assert fy.bounds(2012) == (D(2012, 4, 1), D(2013, 3, 31))
    assert fy.overlap(D(2012, 1, 1), None, 2012) == (D(2012, 4, 1), D(2013, 3, 31))
    assert fy.overlap(D(2012, 1, 1), D(2012, 3, 31), 2012) is None


def test_a_secondment_is_valued_by_fte_working_days_and_the_day_value(settings: object) -> None:
    settings.COPRODUCE_DF_DAY_VALUE = 250  # type: ignore[attr-defined]
    # 2012/13: 1 April 2012 (a Sunday) to 31 March 2013 (a Sunday): 52 weeks and 1 day.
    # Counted by hand: 365 days, 104 weekend days + the extra Sunday = 105, so 260 weekdays.
    value = ledger.time_value(Decimal("0.20"), D(2011, 6, 1), None, 2012)
    assert value == Decimal("0.20") * 260 * 250 == Decimal("13000.00")
    # Starting mid-year: only the days inside the year count (Mon 1 Oct 2012 to Sun 31 Mar 2013).
    assert ledger.time_value(Decimal("1"), D(2012, 10, 1), None, 2012) == Decimal(130 * 250)
    assert ledger.time_value(Decimal("1"), D(2014, 1, 1), None, 2012) == Decimal("0.00")


def _books() -> dict[str, object]:
    partner = factories.OrganisationFactory(slug="trentside", name="Trentside NHS Trust")
    other = factories.OrganisationFactory(slug="highmoor", name="High Moor Health")
    Contribution.objects.create(
        organisation=partner, year=2012, kind="cash", amount=Decimal("1000.50"), description="A"
    )
    Contribution.objects.create(
        organisation=partner, year=2012, kind="in_kind", amount=Decimal("250.25"), description="B"
    )
    Contribution.objects.create(  # another year, another partner, another currency
        organisation=partner, year=2013, kind="cash", amount=Decimal("9"), description="C"
    )
    Contribution.objects.create(
        organisation=other, year=2012, kind="cash", amount=Decimal("7"), description="D"
    )
    Contribution.objects.create(
        organisation=partner,
        year=2012,
        kind="cash",
        amount=Decimal("99"),
        currency="EUR",
        description="E",
    )
    factories.SecondmentFactory(
        home_organisation=partner, start=D(2011, 9, 1), end=D(2012, 12, 31), fte=Decimal("0.2")
    )
    factories.SecondmentFactory(home_organisation=partner, start=D(2012, 7, 2), fte=Decimal("0.4"))
    factories.SecondmentFactory(home_organisation=other, start=D(2012, 7, 2))
    StaffTime.objects.create(
        organisation=partner,
        description="Finance officer",
        fte=Decimal("0.1"),
        start=D(2012, 1, 1),
        end=D(2012, 5, 31),
    )
    return {"partner": partner, "other": other}


def _direct_in_kind_time(organisation: object, year: int) -> Decimal:
    """Written out apart from the ledger: day by day over the financial year."""
    first, last = fy.bounds(year)
    rows = [
        (s.fte, s.start, s.end) for s in Secondment.objects.filter(home_organisation=organisation)
    ]
    rows += [(t.fte, t.start, t.end) for t in StaffTime.objects.filter(organisation=organisation)]
    total = Decimal("0")
    for fte, start, end in rows:
        days = 0
        day = first
        while day <= last:
            if start <= day and (end is None or day <= end) and day.weekday() < 5:
                days += 1
            day += dt.timedelta(days=1)
        total += (fte * days * ledger.day_value()).quantize(Decimal("0.01"))
    return total


def test_the_statement_reconciles_to_the_ledger() -> None:
    books = _books()
    partner = books["partner"]
    found = ledger.statement(partner, 2012)  # type: ignore[arg-type]

    def recorded(kind: str, currency: str = "GBP") -> Decimal:
        return Contribution.objects.filter(
            organisation=partner, year=2012, kind=kind, currency=currency
        ).aggregate(s=Sum("amount"))["s"] or Decimal("0")

    assert found.total("cash") == recorded("cash") == Decimal("1000.50")
    assert found.total("in_kind") == recorded("in_kind") + _direct_in_kind_time(partner, 2012)
    assert found.total() == found.total("cash") + found.total("in_kind")
    assert found.total("cash", "EUR") == recorded("cash", "EUR") == Decimal("99")
    sources = sorted(line.source for line in found.lines)
    assert sources == ["Recorded", "Recorded", "Recorded", "Secondment", "Secondment", "Staff time"]
    # The year's ledger holds the same statement for the partner, and sums the partners.
    year = ledger.year_ledger(2012)
    by_org = {s.organisation.slug: s for s in year.statements}
    assert by_org["trentside"].total() == found.total()
    assert year.matched == found.total() + by_org["highmoor"].total()


def test_the_award_amount_for_the_year_is_on_the_ledger() -> None:
    award = Award.objects.create(
        funder="NIHR", reference="CLAHRC-1", start=D(2008, 10, 1), end=D(2013, 9, 30)
    )
    AwardAmount.objects.create(award=award, year=2010, amount=Decimal("2000000"))
    assert ledger.year_ledger(2010).award == Decimal("2000000")
    assert ledger.year_ledger(2011).award == Decimal("0")


def test_the_statement_page_and_downloads_show_the_same_totals(manager_client: Client) -> None:
    from openpyxl import load_workbook

    books = _books()
    partner = books["partner"]
    found = ledger.statement(partner, 2012)  # type: ignore[arg-type]
    page = manager_client.get(reverse("funding:statement", args=["trentside", 2012]))
    assert page.status_code == 200
    html = page.content.decode()
    assert f'data-total="total-GBP">{found.total()}<' in html

    xlsx = manager_client.get(
        reverse("funding:statement_download", args=["trentside", 2012, "xlsx"])
    )
    assert xlsx.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)))
    rows = list(workbook.active.iter_rows(values_only=True))
    totals = {(row[0], row[6]): row[5] for row in rows if str(row[0]).startswith("Total")}
    assert Decimal(str(totals[("Total", "GBP")])) == found.total()
    assert Decimal(str(totals[("Total cash", "GBP")])) == found.total("cash")

    pdf = manager_client.get(reverse("funding:statement_download", args=["trentside", 2012, "pdf"]))
    assert pdf["Content-Type"] == "application/pdf"
    text = pdf_text(pdf.content)
    assert "Trentside NHS Trust" in text
    assert str(found.total()) in text
    assert AuditEntry.objects.filter(action="funding.statement.exported").count() == 2


def test_the_overview_lists_partners_for_the_year(reader_client: Client) -> None:
    _books()
    response = reader_client.get(reverse("funding:overview") + "?year=2012")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Trentside NHS Trust" in html
    assert "2012/13" in html
