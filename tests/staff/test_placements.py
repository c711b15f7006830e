"""Placements: researchers in residence, by host organisation and status."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import Client

from coproduce.registry.models import Placement
from tests import factories
from tests.staff.conftest import CASE_BY_KEY, error_summary

CASE = CASE_BY_KEY["placement"]
LIST = "/staff/placements/"


def test_filters_by_host_and_status(manager_client: Client, db: Any) -> None:
    council = factories.OrganisationFactory(slug="council")
    hosted = factories.PlacementFactory(host_organisation=council)
    ended = factories.PlacementFactory(host_organisation=council, end=dt.date(2012, 1, 1))
    other = factories.PlacementFactory()

    html = manager_client.get(f"{LIST}?host_organisation=council").content.decode()
    assert CASE.url(hosted) in html
    assert CASE.url(ended) in html
    assert CASE.url(other) not in html

    html = manager_client.get(f"{LIST}?host_organisation=council&status=current").content.decode()
    assert CASE.url(hosted) in html
    assert CASE.url(ended) not in html


def test_search_by_focus(manager_client: Client, db: Any) -> None:
    found = factories.PlacementFactory(focus="Falls prevention in care homes")
    other = factories.PlacementFactory(focus="Diabetes")
    html = manager_client.get(f"{LIST}?q=falls").content.decode()
    assert CASE.url(found) in html
    assert CASE.url(other) not in html


def test_an_end_before_the_start_is_refused(manager_client: Client, db: Any) -> None:
    data = {**CASE.create_data(), "end": "2010-12-31"}
    html = manager_client.post("/staff/placements/new/", data).content.decode()
    assert "The end date must be on or after the start date." in error_summary(html)
    assert 'value="Embedding evaluation in social care"' in html
    assert not Placement.objects.exists()


def test_the_placement_links_its_organisations(manager_client: Client, db: Any) -> None:
    placement = factories.PlacementFactory()
    html = manager_client.get(CASE.url(placement)).content.decode()
    organisation = CASE_BY_KEY["organisation"]
    assert organisation.url(placement.host_organisation) in html
    assert organisation.url(placement.academic_affiliation) in html
