"""The outputs register: the staff form's identifier checks, the reference-file import (all or
nothing, duplicates listed), the export order, the public list and the study page."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from coproduce.audit.models import AuditEntry
from coproduce.implementation import outcomes
from coproduce.implementation.models import Output
from tests import factories
from tests.lib.test_references import RIS

pytestmark = pytest.mark.django_db


def _import(client: Client, study: Any, name: str, text: str, **extra: Any) -> Any:
    upload = SimpleUploadedFile(name, text.encode(), content_type="application/octet-stream")
    return client.post(
        reverse("implementation:outputs_import", args=[study.slug]), {"file": upload, **extra}
    )


def test_ris_import_saves_publications_with_one_audit_entry_each(
    member_client: Client, study: Any
) -> None:
    response = _import(member_client, study, "refs.ris", RIS)
    assert response.status_code == 302
    article, book = Output.objects.order_by("date")
    assert (article.kind, article.subtype) == ("publications", "Journal article or review")
    assert article.authors == "Smith, Jane A\nÓ Brien, Łukasz"
    assert (article.doi, article.pmid, article.date) == (
        "10.1136/bmjopen-2018-012345",
        "30826712",
        dt.date(2019, 3, 2),
    )
    assert (book.subtype, book.isbn, book.date_precision) == ("Book", "9780306406157", "year")
    assert list(book.studies.all()) == [study]
    assert AuditEntry.objects.filter(action="implementation.output.created").count() == 2


def test_one_bad_reference_and_nothing_is_saved(member_client: Client, study: Any) -> None:
    bad = RIS.replace("SN  - 978-0-306-40615-7", "SN  - 978-0-306-40615-8")
    response = _import(member_client, study, "refs.ris", bad)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nothing was imported: the file has 1 problem" in page
    assert "Reference 2 (line 14) ISBN" in page
    assert "does not match the others" in page
    assert not Output.objects.exists()


def test_duplicates_are_listed_and_left_out_only_when_asked(
    member_client: Client, study: Any
) -> None:
    Output.objects.create(
        kind="publications",
        title="CO-PRODUCTION in Practice!",
        date=dt.date(2020, 1, 1),
    )
    twice = RIS + RIS.split("\n\n")[0].replace("Knowledge brokers", "Other title") + "\n"
    response = _import(member_client, study, "refs.ris", twice)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Reference 2 (line 14) has the same title as “CO-PRODUCTION in Practice!”" in page
    assert "Reference 3 (line 21) has the same DOI as Reference 1 (line 1)" in page
    assert Output.objects.count() == 1
    response = _import(member_client, study, "refs.ris", twice, leave_out_duplicates="on")
    assert response.status_code == 302
    assert Output.objects.count() == 2


def test_bibtex_and_csl_json_import(member_client: Client, study: Any) -> None:
    bib = "@article{a, title={Brokers}, author={Smith, Jane}, year={2018}, pmid={123}}"
    assert _import(member_client, study, "a.bib", bib).status_code == 302
    csl = '[{"type": "report", "title": "Annual report", "issued": {"date-parts": [[2021, 5]]}}]'
    assert _import(member_client, study, "b.json", csl).status_code == 302
    assert set(Output.objects.values_list("subtype", "date")) == {
        ("Journal article or review", dt.date(2018, 1, 1)),
        ("Technical report", dt.date(2021, 5, 1)),
    }


def test_import_refuses_other_files_and_other_studies(member_client: Client, study: Any) -> None:
    response = _import(member_client, study, "refs.txt", RIS)
    assert "must be a .ris, .bib or .json file" in response.content.decode()
    other = factories.StudyFactory()
    assert _import(member_client, other, "refs.ris", RIS).status_code == 403


def _form(study: Any, **extra: Any) -> dict[str, Any]:
    return {
        "kind": "publications",
        "title": "Brokers",
        "date": "2019-03-02",
        "studies": [study.pk],
        **extra,
    }


def test_form_checks_identifiers_with_nhs_style_messages(member_client: Client, study: Any) -> None:
    url = reverse("implementation:output_add", args=[study.slug])
    response = member_client.post(
        url, _form(study, doi="bmj.123", pmid="PMID 12x", isbn="0-306-40615-3")
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Enter a DOI in the correct format, starting 10. like 10.1136/bmj.j3453" in page
    assert "Enter a PubMed ID (PMID) of up to 8 digits" in page
    assert "The ISBN&#x27;s last character does not match the others" in page
    response = member_client.post(url, _form(study, doi="https://doi.org/10.1136/bmj.j3453"))
    assert response.status_code == 302
    assert Output.objects.get().doi == "10.1136/bmj.j3453"
    response = member_client.post(url, _form(study, title="Again", doi="10.1136/BMJ.J3453"))
    assert "DOI 10.1136/BMJ.J3453 is already recorded, on “Brokers”" in response.content.decode()


def test_form_keeps_only_the_chosen_types_fields(member_client: Client, study: Any) -> None:
    url = reverse("implementation:output_add", args=[study.slug])
    data = _form(
        study,
        kind="collaborations",
        detail_partner_organisation="Peakside Trust",
        detail_funder="Not a collaboration field",
        detail_sector="Charity",
        subtype_choice="publications:Book",
    )
    response = member_client.post(url, data)
    assert "Choose a sub-type of the chosen type" in response.content.decode()
    del data["subtype_choice"]
    assert member_client.post(url, data).status_code == 302
    output = Output.objects.get()
    assert output.details == {"partner_organisation": "Peakside Trust", "sector": "Charity"}


def test_export_columns_follow_the_types_order(manager_client: Client, study: Any) -> None:
    for kind, title in (("further_funding", "Grant"), ("publications", "Paper")):
        Output.objects.create(
            kind=kind, title=title, date=dt.date(2020, 1, 1), details={"funder": "NIHR"}
        ).studies.set([study])
    response = manager_client.get(reverse("implementation:output_export", args=["csv"]))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:3] == ["Outcome type", "Sub-type", "Title"]
    assert [row[2] for row in rows[1:]] == ["Paper", "Grant"]
    assert rows[2][rows[0].index("Funder")] == "NIHR"
    assert rows[1][rows[0].index("Studies")] == study.title


def test_public_list_filters_and_study_page(client: Client, study: Any) -> None:
    other = factories.StudyFactory(title="Falls prevention")
    shown = Output.objects.create(
        kind="policy",
        subtype="Change in practice or services",
        title="Return to work pro forma",
        date=dt.date(2020, 2, 1),
        authors="Smith, Jane",
        public=True,
        what_changed="Every stroke ward now asks about work.",
        what_changed_public=True,
    )
    shown.studies.set([study])
    hidden_change = Output.objects.create(
        kind="publications",
        title="Paper about falls",
        date=dt.date(2021, 2, 1),
        public=True,
        what_changed="Secret draft change",
    )
    hidden_change.studies.set([other])
    Output.objects.create(kind="publications", title="Unpublished", date=dt.date(2021, 1, 1))
    page = client.get(reverse("outputs:list")).content.decode()
    assert "Return to work pro forma" in page
    assert "Paper about falls" in page
    assert "Unpublished" not in page
    assert "Secret draft change" not in page
    assert "Every stroke ward now asks about work." in page
    page = client.get(reverse("outputs:list") + f"?study={other.slug}").content.decode()
    assert "Paper about falls" in page
    assert "Return to work pro forma" not in page
    page = client.get(reverse("outputs:list") + f"?theme={study.theme.slug}").content.decode()
    assert "Return to work pro forma" in page
    assert "Paper about falls" not in page
    page = client.get(reverse("outputs:list") + "?kind=policy").content.decode()
    assert "Paper about falls" not in page
    study_page = client.get(reverse("registry:study", args=[study.slug])).content.decode()
    assert "What changed" in study_page
    assert "Every stroke ward now asks about work." in study_page
    assert "Smith, J. (2020, February 1). <i>Return to work pro forma</i>." in study_page


def test_public_list_queries_do_not_grow(
    client: Client, study: Any, django_assert_max_num_queries: Any
) -> None:
    def add(n: int) -> None:
        for i in range(n):
            o = Output.objects.create(
                kind="publications", title=f"P{i}", date=dt.date(2020, 1, 1), public=True
            )
            o.studies.set([study, factories.StudyFactory()])

    add(2)
    with django_assert_max_num_queries(12) as first:
        client.get(reverse("outputs:list"))
    add(10)
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(reverse("outputs:list"))


def test_every_type_has_fields_declared() -> None:
    assert set(outcomes.FIELDS) == set(outcomes.OutcomeType.values)
    assert len(outcomes.OutcomeType.values) == 16  # the 15 current types and the former "other"


def test_the_published_kinds_of_policy_influence_come_first_in_their_order() -> None:
    # Researchfish Common Question Set help page (first five) and RCUK's v1.2 (the rest).
    published = [
        "Implementation circular, rapid advice or letter (e.g. to a ministry of health)",
        "Influenced training of practitioners or researchers",
        "Citation in clinical guidelines",
        "Citation in clinical reviews",
        "Citation in other policy documents",
        "Citation in systematic reviews",
        "Membership of a guideline committee",
        "Participation in a national consultation",
        "Participation in an advisory committee",
        "Gave evidence to a government review",
    ]
    policy = list(outcomes.subtypes(outcomes.OutcomeType.POLICY))
    assert policy[: len(published)] == published
    # The former kinds of output still have their sub-types, and "Other" is last.
    legacy = {sub for kind, sub in outcomes.LEGACY.values() if kind == outcomes.OutcomeType.POLICY}
    assert legacy <= set(policy)
    assert policy[-1] == "Other"


def test_every_sub_type_fits_the_field() -> None:
    longest = Output._meta.get_field("subtype").max_length
    for kind in outcomes.OutcomeType.values:
        for sub in outcomes.subtypes(kind):
            assert len(sub) <= longest, sub
