"""The annual report: the XLSX's figures against the database, the PDF's text, who may have it."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from coproduce.implementation import annual
from coproduce.implementation.models import AnnualReportPdf, Output, Recommendation, StatusEntry
from coproduce.implementation.tasks import build_annual_report_pdf
from coproduce.registry.access import STAFF_READER
from coproduce.registry.models import Study
from tests import factories
from tests.implementation.conftest import make_recommendation
from tests.implementation.test_evaluation import YEAR, add_engagement, add_fellow_work
from tests.pdftext import ARABIC, CHINESE, POLISH, assert_names_come_back, extract, shaped_letters

D = dt.date


@pytest.fixture
def year_of_work(study: Any, researcher_person: Any, impl_record: Any) -> None:
    study.start = D(YEAR - 1, 1, 1)
    study.save()
    add_fellow_work(study, 4)
    add_engagement(3)
    output = Output.objects.create(kind="policy", title="Stroke guideline", date=D(YEAR, 6, 1))
    output.studies.set([study])
    Output.objects.create(kind="research_tools", title="Last year's tool", date=D(YEAR - 1, 6, 1))
    make_recommendation(study, researcher_person, made_on=D(YEAR, 2, 1), due=D(YEAR, 3, 1))
    make_recommendation(
        study, researcher_person, made_on=D(YEAR, 2, 1), due=D(YEAR, 3, 1), status="actioned"
    )
    StatusEntry.objects.create(record=impl_record, status="embedded", date=D(YEAR, 7, 1))


def _summary(content: bytes) -> dict[tuple[str, str], Any]:
    book = load_workbook(io.BytesIO(content))
    sheet = book["Summary"]
    return {
        (row[0], row[1]): row[2]
        for row in sheet.iter_rows(min_row=5, values_only=True)
        if row[0] is not None
    }


def test_the_spreadsheet_matches_the_database(reader_client: Client, year_of_work: Any) -> None:
    url = reverse("implementation:annual_report_download", args=[YEAR, "xlsx"])
    response = reader_client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="annual-report-{YEAR}.xlsx"'
    figures = _summary(response.content)
    active = (
        Study.objects.filter(start__lte=D(YEAR, 12, 31))
        .exclude(stage__in=["proposed", "not_taken_forward"])
        .count()
    )
    assert figures[("Studies", "Studies active in the year")] == active
    assert figures[("Diffusion fellows", "Knowledge-broker activities")] == 4
    assert figures[("Diffusion fellows", "Hours of activity")] == 30.0
    assert figures[("Diffusion fellows", "Diffusion fellow posts held in the year")] == 1
    assert figures[("Events and mailings", "Confirmed bookings")] == 3
    assert figures[("Events and mailings", "Attended")] == 1
    assert figures[("Events and mailings", "Messages sent by mailings")] == 3
    assert figures[("Events and mailings", "Unsubscribes")] == 1
    assert figures[("Communities of practice and associates", "New associates in the year")] == 3
    assert figures[("Outputs", "Outputs in the year")] == 1
    assert figures[("Recommendations", "Recommendations made in the year")] == 2
    assert figures[("Recommendations", "Of those, actioned or with an outcome")] == 1
    assert figures[("Implementation", "Records reaching routine practice in the year")] == 1
    book = load_workbook(io.BytesIO(response.content))
    outputs = [row for row in book["Outputs"].iter_rows(min_row=3, values_only=True)]
    assert outputs == [
        (
            f"{YEAR}-06-01",
            "Influence on policy, practice, patients and the public",
            "Stroke guideline",
        )
    ]
    assert Recommendation.objects.count() == 2


def _pdf_tasks() -> int:
    from django_tasks_db.models import DBTaskResult

    from coproduce.implementation.tasks import build_annual_report_pdf

    return DBTaskResult.objects.filter(task_path=build_annual_report_pdf.module_path).count()


def test_the_pdf(reader_client: Client, year_of_work: Any) -> None:
    page = reverse("implementation:annual_report") + f"?year={YEAR}"
    download = reverse("implementation:annual_report_download", args=[YEAR, "pdf"])
    prepare = reverse("implementation:annual_report_prepare", args=[YEAR])
    # Nothing stored yet: the page offers to prepare it, the download leads back to the page.
    html = reader_client.get(page).content.decode()
    assert prepare in html
    assert download not in html
    assert reader_client.get(download)["Location"] == page
    assert reader_client.get(prepare).status_code == 405

    assert reader_client.post(prepare)["Location"] == page
    html = reader_client.get(page).content.decode()
    assert "Being prepared" in html
    assert "Refresh this page" in html
    assert prepare not in html
    assert reader_client.post(prepare)["Location"] == page  # already queued: not twice
    assert _pdf_tasks() == 1
    assert not AnnualReportPdf.objects.exists()

    call_command("db_worker", "--batch", verbosity=0)
    stored = AnnualReportPdf.objects.get()
    assert (stored.year, stored.requested_by.username) == (YEAR, "reader")
    html = reader_client.get(page).content.decode()
    assert download in html
    assert "Being prepared" not in html
    assert "Prepare the PDF again" in html

    response = reader_client.get(download)
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="annual-report-{YEAR}.pdf"'
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    content = annual.to_pdf(annual.build(YEAR), compress=False)
    assert content.startswith(b"%PDF")
    text = extract(content)  # embedded fonts draw glyph numbers: read the text back
    for expected in (f"Annual report {YEAR}", "Diffusion fellows", "Stroke guideline"):
        assert expected in text, expected


def test_names_in_any_script_come_back_out_of_the_pdf(year_of_work: Any) -> None:
    """A fellow's name and an output's title in Polish letters, Chinese and Arabic survive."""
    from coproduce.registry.models import Person

    Person.objects.filter(secondments__isnull=False).update(full_name=POLISH)
    # Short enough for one line of its column, so the right-to-left check sees both words.
    Output.objects.filter(title="Stroke guideline").update(title=f"{CHINESE}: {ARABIC}")
    content = annual.to_pdf(annual.build(YEAR))
    assert_names_come_back(content)
    assert "\u0627" in shaped_letters(content)  # alef alone and joined: shaped


def test_queries_do_not_grow(reader_client: Client, year_of_work: Any) -> None:
    url = reverse("implementation:annual_report_download", args=[YEAR, "xlsx"])
    with CaptureQueriesContext(connection) as small:
        reader_client.get(url)
    for _ in range(3):
        add_fellow_work(factories.StudyFactory(start=D(YEAR, 1, 1)), 3)
        add_engagement(4)
    with CaptureQueriesContext(connection) as large:
        reader_client.get(url)
    assert len(large.captured_queries) == len(small.captured_queries)


def test_staff_only(client: Client, db: Any) -> None:
    urls = [
        reverse("implementation:annual_report"),
        reverse("implementation:annual_report_download", args=[YEAR, "pdf"]),
        reverse("implementation:annual_report_download", args=[YEAR, "xlsx"]),
    ]
    for url in urls:
        assert client.get(url).status_code == 302
    client.force_login(factories.UserFactory(username="nobody"))
    for url in urls:
        assert client.get(url).status_code == 403
    staff = factories.UserFactory(username="reader2", groups=[STAFF_READER])
    client.force_login(staff)
    assert client.get(urls[0]).status_code == 200
    bad = reverse("implementation:annual_report_download", args=[YEAR, "doc"])
    assert client.get(bad).status_code == 404


def test_only_staff_prepare_and_download_the_pdf(client: Client, db: Any) -> None:
    build_annual_report_pdf.call(YEAR, None)
    assert AnnualReportPdf.objects.get().requested_by is None
    build_annual_report_pdf.call(YEAR, None)  # again: the older one goes
    assert AnnualReportPdf.objects.count() == 1
    download = reverse("implementation:annual_report_download", args=[YEAR, "pdf"])
    prepare = reverse("implementation:annual_report_prepare", args=[YEAR])
    assert client.get(download).status_code == 302
    assert "sign-in" in client.get(download)["Location"]
    assert client.post(prepare).status_code == 302
    client.force_login(factories.UserFactory(username="nobody"))
    assert client.get(download).status_code == 403
    assert client.post(prepare).status_code == 403
    assert _pdf_tasks() == 0
    client.force_login(factories.UserFactory(username="reader3", groups=[STAFF_READER]))
    response = client.get(download)
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    bad = reverse("implementation:annual_report_prepare", args=[1999])
    assert client.post(bad).status_code == 404
