"""The demo's pathways: four studies with a full pathway from priority to impact, and
publications imported from the RIS file shipped with the demo."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from coproduce.demo import data
from coproduce.demo import loader as demo
from coproduce.implementation import pathway
from coproduce.implementation.models import Output
from coproduce.lib import references

pytestmark = pytest.mark.django_db


def test_the_shipped_ris_file_reads_without_a_fault() -> None:
    entries = references.read_ris((data.DATA / "outputs.ris").read_text(encoding="utf-8"))
    for entry in entries:
        references.check_item(entry)
        assert entry.errors == []
    assert len(entries) == 6


def test_four_studies_have_full_pathways_and_a_rerun_adds_nothing(
    manager_client: Client, client: Client
) -> None:
    loaded = demo.load()
    assert loaded.pathways.created["publications"] == 6
    rows = list(pathway.pathways())
    full = [s.slug for s in rows if all(getattr(s, f"reached_{key}") for key, _ in pathway.STAGES)]
    assert len(full) >= 4, full
    counts = Output.objects.count()
    assert demo.load().pathways.line() == "  pathways: nothing new"
    assert Output.objects.count() == counts
    page = client.get(reverse("outputs:list")).content.decode()
    assert "Vocational rehabilitation became part of the community stroke service" in page
    assert "https://doi.org/10.5555/demo.rtw.2012.001" in page
    slug = data.slug("rtw")
    study_page = manager_client.get(reverse("pathway:study", args=[slug])).content.decode()
    assert "changed protocol version 1.0" in study_page
    scoping = manager_client.get(
        reverse("pathway:collaboration") + "?consultation=" + _scoping() + "&reached=change"
    ).content.decode()
    assert data.studies()["mood"]["title"] in scoping


def _scoping() -> str:
    from coproduce.demo.loader.priorities import SCOPING_SLUG

    return SCOPING_SLUG


def test_the_demo_data_names_known_studies() -> None:
    spec: dict[str, Any] = data.part("pathways")
    keys = set(data.studies())
    named = {r["study"] for r in spec["impacts"] + spec["compromises"] + spec["protocols"]}
    assert named <= keys
