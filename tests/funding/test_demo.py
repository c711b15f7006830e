"""The demo's funding and capacity: loaded once, the PATCHWORK post being recruited, five
years of matched funding, and pages with something to show."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from coproduce.demo.loader import funding as demo
from coproduce.funding import capacity, ledger
from coproduce.funding.models import (
    Attendance,
    AwardAmount,
    Contribution,
    FellowEvent,
    FurtherFunding,
    PlacementAgreement,
    TrainingSession,
    Vacancy,
)

MODELS = [
    AwardAmount,
    Contribution,
    FellowEvent,
    FurtherFunding,
    TrainingSession,
    Attendance,
    PlacementAgreement,
]


def test_the_demo_loads_once_and_the_pages_show_it(db: Any, manager_client: Client) -> None:
    call_command("loaddemo", verbosity=0)
    counts = {model: model.objects.count() for model in MODELS}
    assert all(counts.values()), counts
    assert demo.load().line() == "  funding and capacity: nothing new"
    assert counts == {model: model.objects.count() for model in MODELS}

    (vacancy,) = Vacancy.objects.all()
    assert vacancy.study.slug == "patchwork"
    assert vacancy.status == Vacancy.Status.NOMINATED
    assert vacancy.replaces is not None
    assert vacancy.replaces.end is not None

    years = set(Contribution.objects.values_list("year", flat=True))
    assert years == {2009, 2010, 2011, 2012, 2013}
    for year in years:
        found = ledger.year_ledger(year)
        assert found.matched > found.cash > 0
    assert capacity.people_trained() > 0
    assert capacity.fellows_who_won_funding()

    pages = {
        reverse("funding:overview") + "?year=2010": "Trentside University",
        reverse("funding:statement", args=["mapleford-pct", 2010]): "120000.00",
        reverse("funding:fellows"): "PATCHWORK",
        reverse("funding:vacancy", args=[vacancy.public_id]): "Rachel Ingoldby",
        reverse("funding:capacity"): "Knowledge brokering",
        reverse("governance:dashboard"): "Diffusion fellow posts being recruited (1)",
    }
    for url, text in pages.items():
        response = manager_client.get(url)
        assert response.status_code == 200, url
        assert text in response.content.decode(), url
