"""Exporting the directory's filtered list as CSV and XLSX: content, filters, formula
injection, audit, permissions, and a query count that does not grow with rows."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coproduce.audit.models import AuditEntry
from coproduce.community.exports import HEADER
from coproduce.community.importer import import_file
from coproduce.community.models import Associate
from coproduce.registry.access import PERSONAL_DATA_EXPORT, STAFF_READER
from tests import factories
from tests.community import helpers

CSV = reverse("associates_staff:export_csv")
XLSX = reverse("associates_staff:export_xlsx")


@pytest.fixture
def exporter_client(db: Any) -> Client:
    """A staff reader also given the personal data export grant (managers have it anyway)."""
    client = Client()
    client.force_login(
        factories.UserFactory(username="exporter", groups=[STAFF_READER, PERSONAL_DATA_EXPORT])
    )
    return client


@pytest.fixture
def people(db: Any) -> dict[str, Any]:
    rtw = helpers.community("return-to-work")
    home = helpers.community("home-visits")
    stroke = helpers.theme("stroke-rehabilitation")
    return {
        "ada": helpers.associate(
            full_name="Ada Lovelace",
            email="ada@example.org",
            organisation="Nottingham University Hospitals",
            role=Associate.Role.SERVICE_USER,
            consents={"engage": True, "events": True},
            cops=[rtw, home],
            interests=[stroke],
        ),
        "mallory": helpers.associate(
            full_name='=HYPERLINK("http://evil.example","Click")',
            email="mallory@example.org",
            organisation="+44 115 000 0000",
            role=Associate.Role.PUBLIC,
            cops=[home],
        ),
        "bob": helpers.associate(
            full_name="@SUM(A1:A2)",
            email="bob@example.org",
            organisation="-1+2",
            role=Associate.Role.CARER,
        ),
    }


def read_csv(response: Any) -> list[dict[str, str]]:
    assert response.streaming
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def read_xlsx(response: Any) -> tuple[list[dict[str, str]], Any]:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook.worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    header = [str(cell) for cell in values[0]]
    return [dict(zip(header, row, strict=True)) for row in values[1:]], sheet


def test_csv_has_every_column(exporter_client: Client, people: Any) -> None:
    response = exporter_client.get(CSV)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = {row["email"]: row for row in read_csv(response)}
    assert list(rows["ada@example.org"]) == HEADER
    ada = rows["ada@example.org"]
    assert ada["full_name"] == "Ada Lovelace"
    assert ada["organisation"] == "Nottingham University Hospitals"
    assert ada["role"] == "Service user"
    assert ada["status"] == "Active"
    assert ada["cops"] == "home-visits; return-to-work"
    assert ada["interests"] == "stroke-rehabilitation"
    assert (ada["engage"], ada["briefing"], ada["events"]) == ("yes", "no", "yes")
    assert ada["joined"] == people["ada"].joined.date().isoformat()


def test_csv_neutralises_formulas(exporter_client: Client, people: Any) -> None:
    rows = {row["email"]: row for row in read_csv(exporter_client.get(CSV))}
    assert rows["mallory@example.org"]["full_name"].startswith("'=HYPERLINK")
    assert rows["mallory@example.org"]["organisation"] == "'+44 115 000 0000"
    assert rows["bob@example.org"]["full_name"] == "'@SUM(A1:A2)"
    assert rows["bob@example.org"]["organisation"] == "'-1+2"


def test_the_filter_applies_to_the_export(exporter_client: Client, people: Any) -> None:
    rows = read_csv(exporter_client.get(CSV, {"cop": "home-visits", "role": "public"}))
    assert [row["email"] for row in rows] == ["mallory@example.org"]
    entry = AuditEntry.objects.get(action="community.associate.exported")
    assert entry.changes["filter"] == [None, {"cop": "home-visits", "role": "public"}]
    assert entry.changes["rows"] == [None, 1]
    assert entry.changes["format"] == [None, "csv"]


def test_xlsx_export(exporter_client: Client, people: Any) -> None:
    response = exporter_client.get(XLSX, {"status": "active"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows, sheet = read_xlsx(response)
    by_email = {row["email"]: row for row in rows}
    assert set(by_email) == {"ada@example.org", "mallory@example.org", "bob@example.org"}
    assert by_email["ada@example.org"]["cops"] == "home-visits; return-to-work"
    assert by_email["ada@example.org"]["engage"] == "yes"
    assert by_email["bob@example.org"]["full_name"] == "'@SUM(A1:A2)"
    # No cell is a formula: every value was written as text.
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    entry = AuditEntry.objects.get(action="community.associate.exported")
    assert entry.changes["format"] == [None, "xlsx"]
    assert entry.changes["rows"] == [None, 3]


def test_control_characters_do_not_break_the_workbook(exporter_client: Client, db: Any) -> None:
    helpers.associate(full_name="\x01=1+1", email="ctl@example.org")
    rows, _ = read_xlsx(exporter_client.get(XLSX))
    assert rows[0]["full_name"] == "'=1+1"


def test_an_export_can_be_imported_again_without_changes(
    exporter_client: Client, people: Any
) -> None:
    content = b"".join(exporter_client.get(CSV).streaming_content)
    before = helpers.counts()
    result = import_file(io.BytesIO(content), "export.csv", by=None)
    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (0, 0, 3)
    assert helpers.counts() == before
    assert Associate.objects.get(email="bob@example.org").full_name == "@SUM(A1:A2)"


def test_the_query_count_does_not_grow_with_rows(exporter_client: Client, people: Any) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            response = exporter_client.get(CSV)
            b"".join(response.streaming_content)
        return len(context.captured_queries)

    few = queries()
    for _ in range(40):
        helpers.associate(cops=[people["ada"].memberships.first().cop], consents={"engage": True})
    assert queries() == few


def test_a_mistyped_filter_exports_nothing(exporter_client: Client, people: Any) -> None:
    response = exporter_client.get(CSV, {"cop": "no-such-community"})
    assert response.status_code == 400
    assert not AuditEntry.objects.filter(action="community.associate.exported").exists()


def test_who_may_export(client: Client, db: Any) -> None:
    assert client.get(CSV).status_code == 302
    plain = Client()
    plain.force_login(factories.UserFactory(username="plain"))
    assert plain.get(CSV).status_code == 403
    assert plain.get(XLSX).status_code == 403
    # The grant alone, without a staff role, opens nothing.
    granted_only = Client()
    granted_only.force_login(factories.UserFactory(username="g", groups=[PERSONAL_DATA_EXPORT]))
    assert granted_only.get(CSV).status_code == 403
    assert not AuditEntry.objects.exists()


def test_staff_without_the_grant_may_look_but_not_export(
    reader_client: Client, outsider_client: Client, manager_client: Client, people: Any
) -> None:
    directory = reverse("associates_staff:directory")
    for staff in (reader_client, outsider_client):  # a staff reader, a researcher
        page = staff.get(directory)
        assert page.status_code == 200
        assert CSV not in page.content.decode()  # no download link offered
        assert staff.get(CSV).status_code == 403
        assert staff.get(XLSX).status_code == 403
    assert not AuditEntry.objects.filter(action="community.associate.exported").exists()
    page = manager_client.get(directory)
    assert CSV in page.content.decode()
    assert manager_client.get(CSV).status_code == 200
