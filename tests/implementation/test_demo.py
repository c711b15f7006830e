"""The demo: idempotent, and every page has something to show."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from coproduce.demo.loader import implementation as demo
from coproduce.implementation.models import (
    Administration,
    DataPoint,
    Determinant,
    ImplementationRecord,
    Measure,
    Output,
    Recommendation,
    Score,
    StatusEntry,
)

MODELS = [
    ImplementationRecord,
    StatusEntry,
    Determinant,
    Recommendation,
    Administration,
    Score,
    Measure,
    DataPoint,
    Output,
]


def test_demo_loads_once_and_every_page_shows_something(db: Any, manager_client: Client) -> None:
    call_command("loaddemo", verbosity=0)
    counts = {model: model.objects.count() for model in MODELS}
    assert all(counts.values()), counts
    assert demo.load().line() == "  implementation: nothing new"
    assert counts == {model: model.objects.count() for model in MODELS}

    slug = "return-to-work-after-stroke"
    kinds = set(Recommendation.objects.values_list("status", flat=True))
    assert kinds == set(Recommendation.Status.values)
    # The demo's seven former kinds became four Researchfish outcome types.
    assert {"publications", "policy", "research_tools", "further_funding"} <= set(
        Output.objects.values_list("kind", flat=True)
    )
    pages = {
        reverse("implementation:overview"): "Return to work after stroke",
        reverse("implementation:matrix"): "barrier",
        reverse("implementation:study", args=[slug]): "Vocational rehabilitation",
        reverse("implementation:study_matrix", args=[slug]): "1 barrier",
        reverse("implementation:recommendations") + "?status=overdue": "Overdue",
        reverse("implementation:outputs"): "Return to work pro forma",
        reverse("implementation:instruments"): "NoMAD",
        reverse("implementation:trend", args=[slug, "nomad"]): "Two years",
        Measure.objects.get().get_absolute_url(): "Shift",
    }
    for url, text in pages.items():
        response = manager_client.get(url)
        assert response.status_code == 200, url
        assert text in response.content.decode(), (url, text)
