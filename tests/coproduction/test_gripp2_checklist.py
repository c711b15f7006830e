"""GRIPP2 as published: the checklists in data/gripp2.toml against the published tables,
both forms answered, marked not reported, chosen, and exported with their item numbers.

The published numbers, headings and wording below are typed from the sources, independently of
the data file (which is read through the module under test):
- short form: Res Involv Engagem 2017;3:13, Table 2
  (researchinvolvement.biomedcentral.com/articles/10.1186/s40900-017-0062-2/tables/2);
- long form, sections 1 to 6: the reproduction in BMC Rheumatology 2023,
  doi:10.1186/s41927-023-00327-w, Table 2 (item 6's wording was not readable there).
Sections 7 to 9 of the long form could not be read: the data file must mark them unverified.
"""

from __future__ import annotations

import importlib
import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from coproduce.coproduction import gripp2
from coproduce.coproduction import models as m
from tests import factories
from tests.coproduction.conftest import make_compromise, make_involvement

PUBLISHED_SHORT = [
    ("1", "Aim", "Report the aim of PPI in the study"),
    ("2", "Methods", "Provide a clear description of the methods used for PPI in the study"),
    (
        "3",
        "Study results",
        "Outcomes—Report the results of PPI in the study, including both positive and "
        "negative outcomes",
    ),
    (
        "4",
        "Discussion and conclusions",
        "Outcomes—Comment on the extent to which PPI influenced the study overall. Describe "
        "positive and negative effects",
    ),
    (
        "5",
        "Reflections/critical perspective",
        "Comment critically on the study, reflecting on the things that went well and those "
        "that did not, so others can learn from this experience",
    ),
]

PUBLISHED_LONG_VERIFIED = [
    (
        "1",
        "Abstract of paper",
        [
            ("1a", "Aim", "Report the aim of the study"),
            (
                "1b",
                "Methods",
                "Describe the methods used by which patients and the public were involved",
            ),
            ("1c", "Results", "Report the impacts and outcomes of PPI in the study"),
            ("1d", "Conclusions", "Summarise the main conclusions of the study"),
            (
                "1e",
                "Keywords",
                "Include PPI, “patient and public involvement,” or alternative terms as keywords",
            ),
        ],
    ),
    (
        "2",
        "Background to paper",
        [
            (
                "2a",
                "Definition",
                "Report the definition of PPI used in the study and how it links to "
                "comparable studies",
            ),
            (
                "2b",
                "Theoretical underpinnings",
                "Report the theoretical rationale and any theoretical influences relating to "
                "PPI in the study",
            ),
            (
                "2c",
                "Concepts and theory development",
                "Report any conceptual or theoretical models, or influences, used in the study",
            ),
        ],
    ),
    ("3", "Aims of paper", [("3", "Aim", "Report the aim of the study")]),
    (
        "4",
        "Methods of paper",
        [
            (
                "4a",
                "Design",
                "Provide a clear description of methods by which patients and the public "
                "were involved",
            ),
            (
                "4b",
                "People involved",
                "Provide a description of patients, carers, and the public involved with the "
                "PPI activity in the study",
            ),
            (
                "4c",
                "Stages of involvement",
                "Report on how PPI is used at different stages of the study",
            ),
            (
                "4d",
                "Level or nature of involvement",
                "Report the level or nature of PPI used at various stages of the study",
            ),
        ],
    ),
    (
        "5",
        "Capture or measurement of PPI impact",
        [
            (
                "5a",
                "Qualitative evidence of impact",
                "If applicable, report the methods used to qualitatively explore the impact "
                "of PPI in the study",
            ),
            (
                "5b",
                "Quantitative evidence of impact",
                "If applicable, report the methods used to quantitatively measure or assess "
                "the impact of PPI",
            ),
            (
                "5c",
                "Robustness of measure",
                "If applicable, report the rigor of the method used to capture or measure the "
                "impact of PPI",
            ),
        ],
    ),
]
# Section 6's number, heading and item topic were readable; its wording was not.
PUBLISHED_LONG_SECTION_6 = ("6", "Economic assessment", "6", "Economic assessment")


def test_the_short_form_is_the_published_one_exactly() -> None:
    short = gripp2.checklists()["short"]
    assert short.published_items == 5
    assert [(i.number, i.topic, i.text) for i in short.items] == PUBLISHED_SHORT
    assert all(item.verified for item in short.items)
    assert [s.heading for s in short.sections] == [""]  # no section headings in the short form


def test_the_long_form_matches_every_published_item_that_could_be_read() -> None:
    long_ = gripp2.checklists()["long"]
    assert long_.published_items == 34
    sections = list(long_.sections)
    verified = [
        (s.number, s.heading, [(i.number, i.topic, i.text) for i in s.items])
        for s in sections[: len(PUBLISHED_LONG_VERIFIED)]
    ]
    assert verified == PUBLISHED_LONG_VERIFIED
    assert all(i.verified for s in sections[:5] for i in s.items)
    six = sections[5]
    assert (six.number, six.heading, six.items[0].number, six.items[0].topic) == (
        PUBLISHED_LONG_SECTION_6
    )
    assert len(six.items) == 1
    # Everything not read from a source says so.
    assert [i.number for i in long_.unverified] == ["6", "7", "8", "9"]
    assert [s.heading for s in sections[6:]] == [
        "Study results",
        "Discussion and conclusions",
        "Reflections/critical perspective",
    ]
    numbers = [i.number for i in long_.items]
    assert len(numbers) == len(set(numbers))


def _long_post(client: Client, url: str, **answers: str) -> Any:
    form = client.get(url + "?form=long").context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data = {k: v for k, v in data.items() if not (k.startswith("nr_") and v is False)}
    data.update(answers)
    return client.post(url, data)


@pytest.mark.django_db
def test_long_form_is_chosen_answered_and_exported_with_every_number(
    study: Any, member_client: Client
) -> None:
    make_involvement(study)
    make_compromise(study)
    url = reverse("coproduction:gripp2", args=[study.slug])
    page = member_client.get(url + "?form=long")
    assert page.context["kind"] == "long"
    form = page.context["form"]
    assert "1 public contributors took part" in form["item_4a"].value()
    assert "Roles held" not in form["item_4a"].value()
    assert "hours of public involvement" in form["item_6"].value()
    assert "negotiated compromises" in form["item_7"].value()
    response = _long_post(
        member_client,
        url,
        item_5b="We counted changes to the protocol.",
        nr_5c="on",
        item_1e="PPI; co-production",
    )
    assert response.status_code == 302
    report = m.Gripp2Report.objects.get()
    assert report.form == "long"
    assert report.long_form["5b"] == "We counted changes to the protocol."
    assert report.not_reported == ["long:5c"]
    assert report.methods  # the short form's prefilled answers are kept

    markdown = member_client.get(reverse("coproduction:gripp2_md", args=[study.slug]))
    text = markdown.content.decode()  # the saved choice (long) is the default export
    assert markdown["Content-Disposition"].endswith('-gripp2-long.md"')
    for item in gripp2.checklists()["long"].items:
        assert f"### {item.label}\n" in text
    for section in gripp2.checklists()["long"].sections:
        assert f"## Section {section.number}: {section.heading}\n" in text
    assert "### 5b: Quantitative evidence of impact\n\n*If applicable" in text
    assert "impact of PPI*\n\nWe counted changes to the protocol." in text
    assert "the impact of PPI*\n\nNot reported." in text  # 5c, marked
    assert "[provisional: not checked against the source]" in text

    pdf = member_client.get(reverse("coproduction:gripp2_pdf", args=[study.slug]))
    reader = PdfReader(io.BytesIO(pdf.content))
    extracted = " ".join(page.extract_text() for page in reader.pages)
    for item in gripp2.checklists()["long"].items:
        assert f"{item.number}: {item.topic}" in extracted
    for section in gripp2.checklists()["long"].sections:
        assert f"Section {section.number}: {section.heading}" in extracted
    assert "We counted changes to the protocol." in extracted

    short = member_client.get(reverse("coproduction:gripp2_md", args=[study.slug]) + "?form=short")
    short_text = short.content.decode()
    for number, topic, _ in PUBLISHED_SHORT:
        assert f"## {number}: {topic}\n" in short_text
    assert "Section 1" not in short_text


@pytest.mark.django_db
def test_short_form_pdf_has_every_number_and_a_marked_item_is_not_reported(
    study: Any, member_client: Client
) -> None:
    url = reverse("coproduction:gripp2", args=[study.slug])
    form = member_client.get(url).context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data = {k: v for k, v in data.items() if not k.startswith("nr_")}
    data.update(item_1="An aim we will not report", nr_1="on")
    assert member_client.post(url, data).status_code == 302
    report = m.Gripp2Report.objects.get()
    assert report.form == "short"
    assert report.aim == "An aim we will not report"
    assert report.not_reported == ["short:1"]
    text = member_client.get(reverse("coproduction:gripp2_md", args=[study.slug])).content
    assert b"An aim we will not report" not in text
    assert b"in the study*\n\nNot reported." in text
    pdf = member_client.get(reverse("coproduction:gripp2_pdf", args=[study.slug]))
    extracted = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    for number, topic, _ in PUBLISHED_SHORT:
        assert f"{number}: {topic}" in extracted
    # Unticking brings the answer back.
    form = member_client.get(url).context["form"]
    assert form["nr_1"].value() is True
    data.pop("nr_1")
    assert member_client.post(url, data).status_code == 302
    assert m.Gripp2Report.objects.get().not_reported == []


@pytest.mark.django_db
def test_a_post_for_the_other_form_than_shown_is_refused(study: Any, member_client: Client) -> None:
    url = reverse("coproduction:gripp2", args=[study.slug])
    response = member_client.post(url, {"form": "neither", "item_1": "x"})
    assert response.status_code == 200  # form=neither falls back to the short form ...
    assert response.context["form"].errors  # ... whose hidden kind does not match
    assert not m.Gripp2Report.objects.exists()


def test_the_migration_rekeys_old_long_form_answers_without_losing_any() -> None:
    migration = importlib.import_module(
        "coproduce.coproduction.migrations.0003_gripp2_published_checklists"
    )
    old = {
        "abstract": "A",
        "definition": "D",
        "aim": "Aim",
        "people": "Roles",
        "economic": "Hours",
        "results": "R",
        "impacts": "I",
        "assessment": "",
        "discussion": "Disc",
        "conclusions": "Conc",
        "reflections": "Ref",
        "custom": "kept",
    }
    new = migration.rekey(old, migration.OLD_TO_NEW)
    assert new == {
        "1a": "A",
        "2a": "D",
        "3": "Aim",
        "4d": "Roles",
        "6": "Hours",
        "7": "R\n\nI",
        "8": "Disc\n\nConc",
        "9": "Ref",
        "custom": "kept",
    }
    long_numbers = {i.number for i in gripp2.checklists()["long"].items}
    assert set(migration.OLD_TO_NEW.values()) <= long_numbers


@pytest.mark.django_db
def test_staff_outside_the_team_read_the_chosen_form_with_its_numbers(
    study: Any, reader_client: Client
) -> None:
    url = reverse("coproduction:gripp2", args=[study.slug])
    page = reader_client.get(url + "?form=long")
    assert page.status_code == 200
    assert page.context["form"] is None
    html = page.content.decode()
    for section in gripp2.checklists()["long"].sections:
        assert f"<h2>Section {section.number}: {section.heading}</h2>" in html
    for item in gripp2.checklists()["long"].items:
        assert f"<h3>{item.number}: " in html
    assert "are provisional" in html
    short = reader_client.get(url).content.decode()
    assert "<h3>5: Reflections/critical perspective</h3>" in short
    assert "are provisional" not in short


# serialized_rollback: the flush after it must keep the rows migrations made (content types,
# groups) for the later transactional tests on this worker, as every other such test does.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_migrating_a_saved_report_keeps_its_answers_under_the_new_numbers() -> None:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before = [("coproduction", "0002_default_payment_rates")]
    after = [("coproduction", "0003_gripp2_published_checklists")]
    study = factories.StudyFactory(slug="old", title="Old study")
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    Report = executor.loader.project_state(before).apps.get_model("coproduction", "Gripp2Report")
    Report.objects.create(
        study_id=study.pk,
        aim="Short aim",
        long_form={"aim": "Long aim", "results": "R", "impacts": "I", "reflections": "Ref"},
    )
    executor = MigrationExecutor(connection)
    try:
        executor.migrate(after)
        report = m.Gripp2Report.objects.get(study__slug="old")
        assert report.aim == "Short aim"
        assert report.form == "short"
        assert report.not_reported == []
        assert report.long_form == {"3": "Long aim", "7": "R\n\nI", "9": "Ref"}
    finally:
        # Going back to 0002 also unapplied every later migration that depends on it (other
        # apps' too): bring the whole schema back to the latest, for the tests after this one.
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
