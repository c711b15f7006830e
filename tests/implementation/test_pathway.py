"""A study's pathway from priority to impact, and the collaboration's pathways."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from coproduce.governance.models import ProtocolVersion
from coproduce.implementation.models import ImplementationRecord, Output
from coproduce.priorities import models as pm
from tests import factories
from tests.coproduction.conftest import make_compromise
from tests.implementation.conftest import make_recommendation
from tests.pdftext import CHINESE, POLISH, extract

pytestmark = pytest.mark.django_db

D = dt.date


def _consultation(slug: str = "scoping") -> pm.Consultation:
    return pm.Consultation.objects.create(
        slug=slug,
        title=f"Scoping review {slug}",
        scope="What should we study?",
        opens=D(2008, 10, 1),
        closes=D(2008, 11, 30),
    )


def _full_pathway(study: Any, consultation: pm.Consultation, n: int) -> None:
    workshop = pm.Workshop.objects.create(
        consultation=consultation, title=f"Workshop {n}", held_on=D(2009, 1, 1)
    )
    person = factories.PersonFactory()
    for i in range(n):
        question = pm.IndicativeQuestion.objects.create(
            consultation=consultation, text=f"How to return to work {i}?"
        )
        pm.Priority.objects.create(
            workshop=workshop, position=i + 1, question=question, study=study, outcome="new_study"
        )
        ProtocolVersion.objects.create(
            study=study,
            label=f"{consultation.slug}-{i}.0",
            stored_name=f"{uuid.uuid4()}.pdf",
            original_name="p.pdf",
            file_format="pdf",
            size=1,
            sha256="0" * 64,
        )
        make_compromise(study, summary=f"Compromise {i}")
        ImplementationRecord.objects.create(
            study=study,
            title=f"Service {i}",
            meaning="organisation",
            status="embedded",
            site=factories.OrganisationFactory(),
        )
        make_recommendation(study, person, text=f"Recommendation {i}", partner=None)
        Output.objects.create(
            kind="policy", title=f"Guideline {i}", date=D(2012, 1, 1), what_changed="Wards ask."
        ).studies.set([study])


def test_the_pathway_links_every_stage(reader_client: Client, study: Any) -> None:
    _full_pathway(study, _consultation(), 1)
    page = reader_client.get(reverse("pathway:study", args=[study.slug])).content.decode()
    for text in (
        "How to return to work 0?",
        "Protocol version scoping-0.0",
        "Compromise 0",
        "Service 0",
        "Recommendation 0",
        "Guideline 0",
        "What changed: Wards ask.",
    ):
        assert text in page
    output = Output.objects.get()
    assert f'href="{output.get_absolute_url()}"' in page
    assert "<svg" in page
    assert "<h2>The pathway as a list</h2>" in page


def test_an_empty_pathway_says_so(reader_client: Client, study: Any) -> None:
    page = reader_client.get(reverse("pathway:study", args=[study.slug])).content.decode()
    assert "No agreed priority names this study." in page
    assert "No output is recorded." in page


def test_pathway_queries_do_not_grow(
    reader_client: Client, study: Any, django_assert_max_num_queries: Any
) -> None:
    consultation = _consultation()
    _full_pathway(study, consultation, 1)
    url = reverse("pathway:study", args=[study.slug])
    with django_assert_max_num_queries(40) as few:
        reader_client.get(url)
    _full_pathway(study, _consultation("second"), 6)
    with django_assert_max_num_queries(len(few.captured_queries)):
        reader_client.get(url)


def test_collaboration_counts_and_filters_pathways(
    reader_client: Client, study: Any, django_assert_max_num_queries: Any
) -> None:
    scoping = _consultation()
    _full_pathway(study, scoping, 1)
    halfway = factories.StudyFactory(title="Halfway study")
    workshop = pm.Workshop.objects.create(consultation=scoping, title="W", held_on=D(2009, 1, 1))
    pm.Priority.objects.create(
        workshop=workshop,
        position=1,
        question=pm.IndicativeQuestion.objects.create(consultation=scoping, text="Q"),
        study=halfway,
    )
    factories.StudyFactory(title="Unrelated study")
    url = reverse("pathway:collaboration")
    with django_assert_max_num_queries(20):
        page = reader_client.get(url + "?consultation=scoping&reached=change").content.decode()
    assert study.title in page
    assert "Halfway study" not in page
    assert "Unrelated study" not in page
    page = reader_client.get(url + "?consultation=scoping").content.decode()
    assert "Halfway study" in page
    assert "Unrelated study" not in page
    assert "2 studies shown" in page
    page = reader_client.get(url).content.decode()
    assert "Unrelated study" in page


def test_impact_case_study_draft_in_markdown_and_pdf(reader_client: Client, study: Any) -> None:
    _full_pathway(study, _consultation(), 1)
    Output.objects.create(
        kind="publications",
        title=f"Return to work for {POLISH}",
        date=D(2013, 5, 1),
        date_precision="month",
        authors=f"Wąsowska, Łucja\n{CHINESE}",
        container="BMJ Open",
        doi="10.1136/bmjopen-2013-000001",
    ).studies.set([study])
    md = reader_client.get(reverse("pathway:impact_case_markdown", args=[study.slug]))
    assert md["Content-Type"].startswith("text/markdown")
    text = md.content.decode()
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings == [
        "## 1. Summary of the impact",
        "## 2. Underpinning research",
        "## 3. References to the research",
        "## 4. Details of the impact",
        "## 5. Sources to corroborate the impact",
    ]
    assert "Wards ask." in text  # what changed, from the output
    assert "priority 1: “How to return to work 0?”" in text
    assert f"1. Wąsowska, Ł., & {CHINESE}. (2013). Return to work for {POLISH}." in text
    assert "Service 0 at " in text
    pdf = reader_client.get(reverse("pathway:impact_case_pdf", args=[study.slug]))
    assert pdf["Content-Type"] == "application/pdf"
    read = extract(pdf.content)
    assert "5. Sources to corroborate the impact" in read
    assert POLISH in read
    assert CHINESE in read
