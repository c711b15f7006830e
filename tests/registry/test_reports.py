"""The studies-by-theme report (Table 1): its figures, and the page, CSV and XLSX that show them."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import Any

import openpyxl
import pytest
from django.test import Client

from coproduce.lib import exports as writer
from coproduce.registry import reports
from coproduce.registry.models import Study, Theme
from tests import factories

pytestmark = pytest.mark.django_db

ON = dt.date(2012, 6, 1)
HEADER = [
    "Theme",
    "Study",
    "Diffusion fellow posts filled",
    "Vacant posts",
    "Diffusion fellows seconded (all time)",
]


@pytest.fixture
def collaboration(db: Any) -> dict[str, Any]:
    """Two research themes and an empty cross-cutting one, on 1 June 2012.

    - Readiness (2 posts): one fellow since 2009, one who left in 2011 and was replaced in 2012.
    - PATCHWORK (1 post): nobody ever seconded, so "vacant".
    - Home visits (2 posts): one fellow in post, one agreed to start in 2013.
    """
    mental = factories.ThemeFactory(name="Mental Health", slug="mental-health", position=1)
    stroke = factories.ThemeFactory(name="Stroke Rehabilitation", slug="stroke", position=2)
    factories.ThemeFactory(name="Implementation", kind=Theme.Kind.CROSS_CUTTING, position=5)
    readiness = factories.StudyFactory(
        theme=mental, slug="readiness", title="Readiness for treatment", df_posts=2
    )
    patchwork = factories.StudyFactory(
        theme=mental,
        slug="patchwork",
        title="Group parenting programme",
        acronym="PATCHWORK",
        df_posts=1,
    )
    home_visits = factories.StudyFactory(
        theme=stroke, slug="home-visits", title="Home visits after stroke", df_posts=2
    )
    factories.SecondmentFactory(study=readiness, start=dt.date(2009, 1, 1))
    factories.SecondmentFactory(
        study=readiness, start=dt.date(2009, 1, 1), end=dt.date(2011, 12, 31)
    )
    factories.SecondmentFactory(study=readiness, start=dt.date(2012, 1, 1))
    factories.SecondmentFactory(study=home_visits, start=dt.date(2010, 4, 1))
    factories.SecondmentFactory(study=home_visits, start=dt.date(2013, 1, 1))
    return {"readiness": readiness, "patchwork": patchwork, "home_visits": home_visits}


def test_rows_count_filled_vacant_and_all_time_posts_on_the_date(
    collaboration: dict[str, Any],
) -> None:
    report = reports.studies_by_theme(ON)

    assert [(g.name, [r.study for r in g.rows]) for g in report.groups] == [
        ("Mental Health", ["Group parenting programme (PATCHWORK)", "Readiness for treatment"]),
        ("Stroke Rehabilitation", ["Home visits after stroke"]),
    ]
    by_slug = {row.study_slug: row for row in report.rows}
    # The ended secondment counts toward all time but not toward filled posts.
    assert by_slug["readiness"].cells()[2:] == [2, 0, 3]
    assert by_slug["patchwork"].cells()[2:] == ["vacant", 1, 0]
    # The secondment starting in 2013 neither fills a post nor counts as seconded yet.
    assert by_slug["home-visits"].cells()[2:] == [1, 1, 1]
    assert report.totals.cells() == ["Total", "", 3, 2, 4]


def test_the_future_secondment_counts_once_it_has_begun(collaboration: dict[str, Any]) -> None:
    report = reports.studies_by_theme(dt.date(2013, 1, 1))
    by_slug = {row.study_slug: row for row in report.rows}
    assert by_slug["home-visits"].cells()[2:] == [2, 0, 2]
    assert by_slug["readiness"].cells()[2:] == [2, 0, 3]


def test_a_study_with_no_posts_is_not_called_vacant() -> None:
    factories.StudyFactory(df_posts=0)
    (row,) = reports.studies_by_theme(ON).rows
    assert row.cells()[2:] == [0, 0, 0]


def test_the_demo_shaped_table_totals_20_filled_1_vacant_24_all_time() -> None:
    """The published table's shape: 21 funded posts, PATCHWORK vacant, 4 fellows replaced."""
    posts_filled = [2, 1, 1, 2, 1, 1, 2, 1, 1, 1, 1, 1, 1, 2, 0, 2]
    replaced = {0, 3, 6, 14}
    theme = factories.ThemeFactory()
    for n, filled in enumerate(posts_filled):
        study = factories.StudyFactory(theme=theme, df_posts=max(filled, 1))
        for _ in range(filled):
            factories.SecondmentFactory(study=study, start=dt.date(2010, 1, 1))
        if n in replaced:
            factories.SecondmentFactory(
                study=study, start=dt.date(2009, 1, 1), end=dt.date(2009, 12, 31)
            )

    totals = reports.studies_by_theme(ON).totals

    assert (totals.filled, totals.vacant, totals.all_time) == (20, 1, 24)


# The page


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_report_page_shows_the_table_with_totals(
    client: Client, collaboration: dict[str, Any], settings: Any
) -> None:
    settings.COPRODUCE_PUBLISHED_TABLE = "Table 1 of the paper"
    response = client.get("/reports/studies-by-theme/?on=2012-06-01")

    assert response.status_code == 200
    html = response.content.decode()
    text = _text(html)
    assert html.count("<h1") == 1
    # The published table's date (COPRODUCE_PUBLISHED_TABLE_AS_AT): the caption says "as at".
    assert "Diffusion fellow posts by theme and study as at 1 June 2012" in text
    assert "Group parenting programme (PATCHWORK) vacant 1 0" in text
    assert "Readiness for treatment 2 0 3" in text
    assert "Home visits after stroke 1 1 1" in text
    assert "Total 3 2 4" in text
    assert "Implementation" not in text.split("Diffusion fellow posts by theme")[1]
    assert 'href="/reports/studies-by-theme.csv?on=2012-06-01"' in html
    assert 'href="/reports/studies-by-theme.xlsx?on=2012-06-01"' in html


def test_report_page_defaults_to_today(client: Client) -> None:
    factories.SecondmentFactory(study=factories.StudyFactory(df_posts=2))
    html = client.get("/reports/studies-by-theme/").content.decode()
    assert "(today)" in html
    assert "Total 1 1 1" in _text(html)
    assert 'href="/reports/studies-by-theme.csv"' in html


def test_report_page_links_to_the_published_tables_date(client: Client, settings: Any) -> None:
    settings.COPRODUCE_PUBLISHED_TABLE = "Table 1 of the paper"
    settings.COPRODUCE_PUBLISHED_TABLE_AS_AT = "2012-06-01"
    factories.StudyFactory()
    text = _text(client.get("/reports/studies-by-theme/?on=2013-01-07").content.decode())
    assert "Table 1 of the paper shows these figures as at 1 June 2012." in text
    assert "See the figures as at 1 June 2012" in text
    assert "study on 7 January 2013" in text
    settings.COPRODUCE_PUBLISHED_TABLE = ""
    html = client.get("/reports/studies-by-theme/?on=2013-01-07").content.decode()
    assert "as at 1 June 2012" not in html


def test_an_ended_study_has_no_vacancy(client: Client) -> None:
    study = factories.StudyFactory(df_posts=2, start=dt.date(2009, 4, 1), end=dt.date(2013, 12, 31))
    factories.SecondmentFactory(study=study, start=dt.date(2009, 4, 1), end=dt.date(2013, 12, 31))
    during = Study.objects.with_df_counts(dt.date(2012, 6, 1)).get(pk=study.pk)
    after = Study.objects.with_df_counts(dt.date(2014, 1, 1)).get(pk=study.pk)
    assert (during.df_posts_filled, during.df_posts_vacant) == (1, 1)  # type: ignore[attr-defined]
    assert (after.df_posts_filled, after.df_posts_vacant) == (0, 0)  # type: ignore[attr-defined]
    text = _text(client.get("/reports/studies-by-theme/?on=2014-01-01").content.decode())
    assert "vacant" not in text.split("Diffusion fellow posts by theme")[1].split("How the")[0]


def test_report_page_with_a_bad_date_shows_an_error(client: Client) -> None:
    factories.StudyFactory()
    response = client.get("/reports/studies-by-theme/?on=2012-02-30")
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert 'href="#id_on"' in html
    assert "Enter a real date" in html
    assert "(today)" in html


def test_report_page_when_there_are_no_studies(client: Client) -> None:
    html = client.get("/reports/studies-by-theme/").content.decode()
    assert "There are no studies to report yet." in html


# Downloads


def test_csv_download_has_the_same_rows_as_the_page(
    client: Client, collaboration: dict[str, Any]
) -> None:
    response = client.get("/reports/studies-by-theme.csv?on=2012-06-01")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        response["Content-Disposition"] == 'attachment; filename="studies-by-theme-2012-06-01.csv"'
    )
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert lines == [
        HEADER,
        ["Mental Health", "Group parenting programme (PATCHWORK)", "vacant", "1", "0"],
        ["Mental Health", "Readiness for treatment", "2", "0", "3"],
        ["Stroke Rehabilitation", "Home visits after stroke", "1", "1", "1"],
        ["Total", "", "3", "2", "4"],
    ]


def test_xlsx_download_has_the_same_rows_as_the_page(
    client: Client, collaboration: dict[str, Any]
) -> None:
    response = client.get("/reports/studies-by-theme.xlsx?on=2012-06-01")

    assert response.status_code == 200
    assert (
        response["Content-Type"]
        == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert (
        response["Content-Disposition"] == 'attachment; filename="studies-by-theme-2012-06-01.xlsx"'
    )
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = workbook.active
    assert sheet.title == "Studies by theme"
    assert [list(row) for row in sheet.iter_rows(values_only=True)] == [
        HEADER,
        ["Mental Health", "Group parenting programme (PATCHWORK)", "vacant", 1, 0],
        ["Mental Health", "Readiness for treatment", 2, 0, 3],
        ["Stroke Rehabilitation", "Home visits after stroke", 1, 1, 1],
        ["Total", None, 3, 2, 4],
    ]


@pytest.mark.parametrize("fmt", ["pdf", "json", "xls", "CSV", "csv.exe"])
def test_other_download_formats_are_not_found(client: Client, fmt: str) -> None:
    assert client.get(f"/reports/studies-by-theme.{fmt}").status_code == 404


def test_download_with_a_bad_date_is_refused(client: Client) -> None:
    response = client.get("/reports/studies-by-theme.csv?on=yesterday")
    assert response.status_code == 400


# Formula injection: text that a spreadsheet would run must arrive as text.

DANGEROUS = [
    '=HYPERLINK("http://example.com","Click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
]


@pytest.mark.parametrize("title", DANGEROUS)
def test_csv_neutralises_formulas(client: Client, title: str) -> None:
    theme = factories.ThemeFactory(name="=cmd theme")
    factories.StudyFactory(theme=theme, title=title)

    body = client.get("/reports/studies-by-theme.csv").content.decode("utf-8-sig")

    (_, row, _) = list(csv.reader(io.StringIO(body)))
    assert row[0] == "'=cmd theme"
    assert row[1] == "'" + title


@pytest.mark.parametrize("title", DANGEROUS)
def test_xlsx_keeps_formulas_as_plain_text(client: Client, title: str) -> None:
    theme = factories.ThemeFactory(name="=cmd theme")
    factories.StudyFactory(theme=theme, title=title)

    content = client.get("/reports/studies-by-theme.xlsx").content

    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    # Guarded as in the CSV (OWASP ASVS 1.2.10 asks the same of XLSX), and typed as text.
    for cell, expected in ((sheet["A2"], "'=cmd theme"), (sheet["B2"], "'" + title)):
        assert cell.value == expected
        assert cell.data_type == "s"
    assert b"<f>" not in _sheet_xml(content)


def _sheet_xml(content: bytes) -> bytes:
    import zipfile

    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return archive.read("xl/worksheets/sheet1.xml")


def test_ordinary_text_is_left_alone() -> None:
    assert writer.neutralise("Return to work") == "Return to work"
    assert writer.csv_cell(3) == 3


# Query counts


@pytest.mark.parametrize("studies", [2, 20])
@pytest.mark.parametrize(
    "url",
    [
        "/reports/studies-by-theme/",
        "/reports/studies-by-theme.csv",
        "/reports/studies-by-theme.xlsx",
    ],
)
def test_report_query_count_does_not_grow_with_studies(
    client: Client, django_assert_num_queries: Any, studies: int, url: str
) -> None:
    for study in factories.StudyFactory.create_batch(studies):
        factories.SecondmentFactory(study=study)
        factories.SecondmentFactory(study=study, end=dt.date(2009, 6, 1))
    with django_assert_num_queries(1):
        assert client.get(url).status_code == 200
