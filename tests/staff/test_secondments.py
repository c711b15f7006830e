"""Secondments: diffusion fellows, current or ended; dates and FTE checked."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import Client
from django.utils import timezone

from coproduce.audit.models import AuditEntry
from coproduce.registry.models import Secondment
from tests import factories
from tests.staff.conftest import CASE_BY_KEY, error_summary, form_data

CASE = CASE_BY_KEY["secondment"]
LIST = "/staff/secondments/"


def test_current_ended_and_all(manager_client: Client, db: Any) -> None:
    current = factories.SecondmentFactory()
    ended = factories.SecondmentFactory(end=dt.date(2011, 8, 31))
    future = factories.SecondmentFactory(start=timezone.localdate() + dt.timedelta(days=30))

    html = manager_client.get(f"{LIST}?status=current").content.decode()
    assert CASE.url(current) in html
    assert CASE.url(ended) not in html
    assert CASE.url(future) not in html

    html = manager_client.get(f"{LIST}?status=ended").content.decode()
    assert CASE.url(ended) in html
    assert CASE.url(current) not in html

    html = manager_client.get(f"{LIST}?status=future").content.decode()
    assert CASE.url(future) in html
    assert CASE.url(current) not in html

    html = manager_client.get(LIST).content.decode()
    for secondment in (current, ended, future):
        assert CASE.url(secondment) in html


def test_filters_by_study(manager_client: Client, db: Any) -> None:
    here = factories.SecondmentFactory(study__slug="patchwork")
    other = factories.SecondmentFactory()
    html = manager_client.get(f"{LIST}?study=patchwork").content.decode()
    assert CASE.url(here) in html
    assert CASE.url(other) not in html


def test_an_end_before_the_start_keeps_what_was_typed(manager_client: Client, db: Any) -> None:
    secondment = factories.SecondmentFactory()
    response = manager_client.post(
        CASE.url(secondment, "edit"),
        form_data(secondment, end="2008-12-31", in_kind_value="12000"),
    )
    html = response.content.decode()
    summary = error_summary(html)
    assert "The end date must be on or after the start date." in summary
    assert "<title>Error: Edit secondment" in html
    assert 'value="2008-12-31"' in html
    assert 'value="12000"' in html
    secondment.refresh_from_db()
    assert secondment.end is None
    assert not AuditEntry.objects.exists()


def test_fte_must_be_between_a_hundredth_and_one(manager_client: Client, db: Any) -> None:
    data = {**CASE.create_data(), "fte": "1.5"}
    html = manager_client.post("/staff/secondments/new/", data).content.decode()
    assert "Ensure this value is less than or equal to 1.00" in error_summary(html)
    assert not Secondment.objects.exists()


def test_ending_a_secondment_is_audited_with_its_date(manager_client: Client, db: Any) -> None:
    secondment = factories.SecondmentFactory()
    manager_client.post(CASE.url(secondment, "edit"), form_data(secondment, end="2013-03-31"))
    entry = AuditEntry.objects.get(action="registry.secondment.updated")
    assert entry.changes == {"end": [None, "2013-03-31"]}
    html = manager_client.get(CASE.url(secondment)).content.decode()
    assert "Not set" in html.split('id="history"')[1]
