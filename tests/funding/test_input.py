"""Bad input is refused with NHS.UK field errors: money in pounds and pence (no more than 2
decimal places, never negative), dates inside their financial year, a partner for every
contribution; nothing is saved and nothing audited."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from coproduce.audit.models import AuditEntry
from coproduce.funding.models import AwardAmount, Contribution
from tests import factories
from tests.funding import scene

pytestmark = pytest.mark.django_db


def _valid(partner: object) -> dict[str, str]:
    return {
        "organisation": str(partner.pk),  # type: ignore[attr-defined]
        "year": "2010",
        "kind": "cash",
        "amount": "1200.50",
        "currency": "GBP",
        "description": "Evaluation",
        "received_on": "2010-06-01",
    }


def _field_error(html: str, field: str) -> str:
    """The NHS.UK error message shown with the field, and its link in the error summary."""
    assert f'href="#id_{field}"' in html, field
    found = re.search(
        rf'id="id_{field}-error"[^>]*>\s*<span class="nhsuk-u-visually-hidden">Error:\s*</span>\s*([^<]+)',
        html,
    )
    assert found, f"no error message for {field}"
    return found.group(1).strip()


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("12.345", "Enter the amount in pounds and pence: no more than 2 decimal places"),
        ("-5", "The amount cannot be negative"),
        ("twelve", "Enter the amount as a number, for example 12500.50"),
        ("", "Enter the amount"),
    ],
)
def test_money_must_be_pounds_and_pence_and_not_negative(
    manager_client: Client, amount: str, message: str
) -> None:
    partner = factories.OrganisationFactory()
    response = manager_client.post(
        reverse("funding:contribution_create"), {**_valid(partner), "amount": amount}
    )
    assert response.status_code == 400
    assert _field_error(response.content.decode(), "amount") == message
    assert not Contribution.objects.exists()
    assert not AuditEntry.objects.exists()


def test_a_contribution_without_a_partner_is_refused(manager_client: Client) -> None:
    partner = factories.OrganisationFactory()
    response = manager_client.post(
        reverse("funding:contribution_create"), {**_valid(partner), "organisation": ""}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert _field_error(html, "organisation") == "Choose the partner that made the contribution"
    assert not Contribution.objects.exists()


def test_an_organisation_that_is_not_a_partner_cannot_be_chosen(manager_client: Client) -> None:
    outsider = factories.OrganisationFactory(partner_since=None)
    response = manager_client.post(reverse("funding:contribution_create"), _valid(outsider))
    assert response.status_code == 400
    assert "organisation" in response.context["form"].errors
    assert not Contribution.objects.exists()


def test_the_date_received_must_be_in_the_financial_year(manager_client: Client) -> None:
    partner = factories.OrganisationFactory()
    response = manager_client.post(
        reverse("funding:contribution_create"),
        {**_valid(partner), "received_on": "2011-04-01"},  # 2011/12, not 2010/11
    )
    assert response.status_code == 400
    assert _field_error(response.content.decode(), "received_on") == (
        "The date must be in the financial year 2010/11 (1 April 2010 to 31 March 2011)."
    )
    # The last day of the year is inside it.
    ok = manager_client.post(
        reverse("funding:contribution_create"), {**_valid(partner), "received_on": "2011-03-31"}
    )
    assert ok.status_code == 302
    saved = Contribution.objects.get()
    assert saved.amount == Decimal("1200.50")
    assert saved.currency == "GBP"
    (entry,) = AuditEntry.objects.all()
    assert entry.action == "funding.contribution.created"


def test_currency_defaults_to_pounds(manager_client: Client) -> None:
    page = manager_client.get(reverse("funding:contribution_create"))
    assert re.search(r'<option value="GBP"[^>]*selected', page.content.decode())


def test_an_award_amount_must_be_in_a_year_the_award_runs(manager_client: Client) -> None:
    award = scene.award()  # October 2008 to September 2013: 2008/09 to 2013/14
    url = reverse("funding:awardamount_create", args=[award.public_id])
    response = manager_client.post(url, {"year": "2015", "amount": "10"})
    assert response.status_code == 400
    assert _field_error(response.content.decode(), "year") == (
        "Choose a financial year the award runs in: 2008/09 to 2013/14"
    )
    assert manager_client.post(url, {"year": "2013", "amount": "10"}).status_code == 302
    # The same year twice is refused on the field too.
    again = manager_client.post(url, {"year": "2013", "amount": "11"})
    assert again.status_code == 400
    assert AwardAmount.objects.get().amount == Decimal("10")


def test_staff_time_ending_before_it_starts_is_refused(manager_client: Client) -> None:
    partner = factories.OrganisationFactory()
    response = manager_client.post(
        reverse("funding:stafftime_create"),
        {
            "organisation": partner.pk,
            "person": "",
            "description": "Analyst",
            "fte": "0.2",
            "start": "2011-04-01",
            "end": "2011-03-01",
        },
    )
    assert response.status_code == 400
    assert _field_error(response.content.decode(), "end") == (
        "The end date must be on or after the start date."
    )


def test_an_edit_is_audited_with_what_changed(manager_client: Client) -> None:
    contribution = scene.contribution()
    data = {**_valid(contribution.organisation), "amount": "5000.00", "description": "New"}
    data["year"], data["received_on"] = "2010", ""
    url = reverse("funding:contribution_edit", args=[contribution.public_id])
    assert manager_client.post(url, data).status_code == 302
    (entry,) = AuditEntry.objects.all()
    assert entry.action == "funding.contribution.updated"
    assert set(entry.changes) == {"description"}
    assert dt.date  # the module's import is used by the scene helpers
