"""Every spreadsheet export goes through the one writer (`coproduce/lib/exports.py`).

The export URLs are found in the resolver (a route ending in .csv or .xlsx, a format in the
URL, or a name saying export, download, csv or xlsx); each must have a row in EXPORTS (or in
NOT_SPREADSHEETS, saying what else it serves), so a new export fails
`test_every_export_url_is_in_the_table` until it is added here. For every export and every
hostile text below, the test puts the text in the records the export reads, downloads the file
as a manager and checks the file itself: the text reached it, every cell holding it was guarded
with a leading apostrophe, and no workbook holds a formula or a text cell not typed as a
string. The check of a cell is written out here, independently of the writer's own rule.
`tests/security/test_authz_matrix.py` adds the other direction: any URL that answers with a
CSV or XLSX file must be in EXPORTS.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import get_resolver, reverse
from django.utils import timezone

from coproduce.community.models import CommunityOfPractice
from coproduce.funding.models import Contribution, StaffTime
from coproduce.implementation.models import Output
from coproduce.priorities.models import Answer, Consultation, Question, Response
from tests import factories
from tests.community import helpers
from tests.coproduction.conftest import make_compromise, make_involvement, make_source

pytestmark = pytest.mark.django_db

MARK = "ZQX"  # finds the hostile text in the file
PAYLOADS = {
    "equals": "=cmd|' /C calc'!A0 " + MARK,
    "tab": "\t=1+1 " + MARK,
    "space-at": " @SUM(1+1) " + MARK,
    "plus": "+1+2 " + MARK,
    "minus": "-1+2 " + MARK,
    "carriage-return": "\r=2+2 " + MARK,
    "line-feed": "\n=3+3 " + MARK,
    "no-break-space-minus": "\u00a0-4+4 " + MARK,
    "ideographic-space-equals": "\u3000=5+5 " + MARK,
    "zero-width-space-at": "\u200b@6 " + MARK,
    "full-width-equals": "\uff1dHYPERLINK(7) " + MARK,
    "control-plus": "\x01+8 " + MARK,
}
# XML 1.0 cannot hold these, so a workbook drops them (and then guards what is left).
NOT_IN_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


# --- the records each export reads; each returns the URL's arguments ---------------------------


def _study(text: str) -> dict[str, Any]:
    theme = factories.ThemeFactory(name=text)
    factories.StudyFactory(theme=theme, title=text)
    return {}


def _associates(text: str) -> dict[str, Any]:
    helpers.associate(full_name=text, organisation=text, email="hostile@example.org")
    return {}


def _payments(text: str) -> dict[str, Any]:
    study = factories.StudyFactory(title=text)
    make_involvement(study, name=text, what=text)
    return {}


def _sources(text: str) -> dict[str, Any]:
    study = factories.StudyFactory()
    make_source(study, ["granted"], title=text, notes=text)
    return {"slug": study.slug}


def _compromises(text: str) -> dict[str, Any]:
    study = factories.StudyFactory()
    make_compromise(study, summary=text, rationale=text)
    return {"slug": study.slug}


def _consultation(text: str) -> dict[str, Any]:
    consultation = Consultation.objects.create(
        slug="hostile",
        title="Hostile",
        scope="Anything",
        opens=dt.date(2010, 1, 1),
        closes=dt.date(2099, 1, 1),
        status=Consultation.Status.OPEN,
    )
    question = Question.objects.create(
        consultation=consultation, position=1, kind=Question.Kind.FREE_TEXT, text=text
    )
    response = Response.objects.create(
        consultation=consultation, group="other", submitted_at=timezone.now()
    )
    Answer.objects.create(response=response, question=question, value=text)
    return {"slug": consultation.slug}


def _annual(text: str) -> dict[str, Any]:
    cop = helpers.community("hostile-community")
    CommunityOfPractice.objects.filter(pk=cop.pk).update(name=text)
    return {"year": timezone.localdate().year}


def _qualitative(text: str) -> dict[str, Any]:
    from coproduce.qualitative import codebooks, services, transcripts

    study = factories.StudyFactory()
    user = factories.UserFactory()
    project = services.start_project(study, by=user)
    source = services.add_transcript(
        project, title=text, parsed=transcripts.parse(text.encode()), by=user
    )
    code = codebooks.add_code(project, name=text, by=user)
    services.apply_code(source, code, start=0, end=len(source.text), by=user)
    return {"slug": study.slug}


def _statement(text: str) -> dict[str, Any]:
    partner = factories.OrganisationFactory(name=text, slug="hostile-partner")
    Contribution.objects.create(
        organisation=partner, year=2011, kind="cash", amount=Decimal("10"), description=text
    )
    StaffTime.objects.create(
        organisation=partner,
        description=text,
        fte=Decimal("0.1"),
        start=dt.date(2011, 4, 1),
        end=dt.date(2011, 6, 30),
    )
    return {"slug": partner.slug, "year": 2011}


def _outputs(text: str) -> dict[str, Any]:
    output = Output.objects.create(
        kind="collaborations",
        subtype=text,
        title=text,
        date=dt.date(2011, 1, 1),
        authors=text,
        container=text,
        description=text,
        what_changed=text,
        details={"partner_organisation": text},
    )
    output.studies.set([factories.StudyFactory(title=text)])
    return {}


# key -> (how to fill the records, the formats it serves).
EXPORTS: dict[str, tuple[Callable[[str], dict[str, Any]], tuple[str, ...]]] = {
    "associates_staff:export_csv": (_associates, ("csv",)),
    "associates_staff:export_xlsx": (_associates, ("xlsx",)),
    "coproduction:export_compromises": (_compromises, ("csv",)),
    "coproduction:export_sources": (_sources, ("csv",)),
    "coproduction:payments_csv": (_payments, ("csv",)),
    "coproduction:payments_xlsx": (_payments, ("xlsx",)),
    "funding:statement_download": (_statement, ("xlsx",)),  # its PDF is no spreadsheet
    "implementation:annual_report_download": (_annual, ("xlsx",)),  # its PDF is no spreadsheet
    "implementation:output_export": (_outputs, ("csv", "xlsx")),
    "priorities_staff:export": (_consultation, ("csv", "xlsx")),
    "qualitative:analysis_download": (_qualitative, ("csv", "xlsx")),
    "registry:report_studies_by_theme_download": (_study, ("csv", "xlsx")),
}
# URLs the resolver test picks up that serve no spreadsheet.
NOT_SPREADSHEETS = {
    "governance:protocol_download": "a protocol version's PDF or DOCX",
    "staff:contact_download": "a contact's record as JSON or PDF (no spreadsheet)",
}
FORMAT_PARAMS = ("fmt", "extension")


def export_like_patterns() -> dict[str, Any]:
    """key -> pattern for every URL pattern that looks like a download of a table."""
    found: dict[str, Any] = {}

    def walk(patterns: list[Any], prefix: str, namespace: str) -> None:
        for entry in patterns:
            route = prefix + str(entry.pattern)
            if hasattr(entry, "url_patterns"):
                inner = namespace
                if entry.namespace:
                    inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
                walk(entry.url_patterns, route, inner)
                continue
            key = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name or route
            looks = re.search(r"\.(csv|xlsx)\$?$|\.<str:\w+>", route) or re.search(
                r"export|download|csv|xlsx", entry.name or ""
            )
            if looks:
                found[key] = entry

    walk(get_resolver().url_patterns, "", "")
    return found


def test_every_export_url_is_in_the_table() -> None:
    found = set(export_like_patterns())
    missing = sorted(found - set(EXPORTS) - set(NOT_SPREADSHEETS))
    assert not missing, "add these export URLs to EXPORTS (or NOT_SPREADSHEETS):\n" + "\n".join(
        missing
    )
    stale = sorted((set(EXPORTS) | set(NOT_SPREADSHEETS)) - found)
    assert not stale, "rows whose URL pattern no longer exists:\n" + "\n".join(stale)


# --- reading the file back ---------------------------------------------------------------------


def _body(response: Any) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return bytes(response.content)


def csv_cells(content: bytes) -> list[str]:
    text = content.decode("utf-8")
    assert text.startswith("\ufeff"), "a CSV export starts with a byte order mark"
    rows = csv.reader(io.StringIO(text[1:], newline=""))
    return [cell for row in rows for cell in row]


def xlsx_cells(content: bytes) -> list[str]:
    from openpyxl import load_workbook

    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                xml = archive.read(name)
                assert not re.search(rb"<f[ >/]", xml), f"a formula in {name}"
    cells = []
    for sheet in load_workbook(io.BytesIO(content)).worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    assert cell.data_type == "s", (sheet.title, cell.coordinate, cell.data_type)
                    cells.append(cell.value)
    return cells


FORMULA_FIRST = "=+-@\uff1d\uff0b\uff0d\uff20"
UNSEEN = " \t\r\n\x00\x01\u00a0\u3000\u200b"


def starts_a_formula(cell: str) -> bool:
    """Written out apart from the writer's rule, for the hostile texts above."""
    return cell[:1] in ("\t", "\r", "\n", "\x00") or cell.lstrip(UNSEEN)[:1] in FORMULA_FIRST


def cases() -> list[Any]:
    return [
        pytest.param(key, fmt, name, id=f"{key}-{fmt}-{name}")
        for key, (_, formats) in EXPORTS.items()
        for fmt in formats
        for name in PAYLOADS
    ]


@pytest.mark.parametrize(("key", "fmt", "payload"), cases())
def test_every_export_guards_every_formula_start(
    manager_client: Client, key: str, fmt: str, payload: str
) -> None:
    text = PAYLOADS[payload]
    build, _ = EXPORTS[key]
    kwargs = build(text)
    pattern = export_like_patterns()[key]
    for param in FORMAT_PARAMS:
        if param in pattern.pattern.regex.groupindex:
            kwargs[param] = fmt
    response = manager_client.get(reverse(key, kwargs=kwargs))
    assert response.status_code == 200, response.content[:300]
    content_type = response["Content-Type"]
    content = _body(response)
    if fmt == "csv":
        assert content_type.startswith("text/csv"), content_type
        cells, written = csv_cells(content), text
    else:
        assert content_type.startswith("application/vnd.openxmlformats"), content_type
        # A carriage return survives as itself when the writer escapes it (openpyxl with lxml
        # writes &#13;), or is read back as a line feed (XML end-of-line handling, without lxml).
        cells, written = xlsx_cells(content), NOT_IN_XML.sub("", text)
        cells = [cell.replace("\r", "\n") for cell in cells]
        written = written.replace("\r", "\n")
    hits = [cell for cell in cells if MARK in cell]
    assert hits, "the hostile text never reached the file"
    forms = {"'" + written, "'" + written.replace("\r", "\n")}
    assert forms & set(hits), (written, hits)
    unguarded = [cell for cell in hits if starts_a_formula(cell)]
    assert not unguarded, unguarded


# --- the writer's rule on its own ---------------------------------------------------------------


@pytest.mark.parametrize("text", [*PAYLOADS.values(), "=", "@", "\t", "\r", "\n", "\x00x", "-2"])
def test_text_that_starts_a_formula_is_guarded_and_comes_back(text: str) -> None:
    from coproduce.lib.exports import needs_guard, neutralise, unguard

    assert needs_guard(text)
    assert neutralise(text) == "'" + text
    assert unguard(neutralise(text)) == text


@pytest.mark.parametrize("text", ["", "plain", "a=b", "  John Smith", "O'Brien", "'quoted", "3"])
def test_ordinary_text_is_left_alone(text: str) -> None:
    from coproduce.lib.exports import neutralise, unguard

    assert neutralise(text) == text
    assert unguard(text) == text


def test_numbers_and_dates_stay_what_they_are() -> None:
    from decimal import Decimal

    from openpyxl import Workbook

    from coproduce.lib.exports import append_row, csv_bytes

    assert csv_bytes([[-1, Decimal("-2.50"), None, "-3"]]) == "\ufeff-1,-2.50,,'-3\r\n".encode()
    sheet = Workbook().active
    append_row(sheet, [-1, Decimal("2.5"), dt.date(2011, 1, 2), "=x"])
    (cells,) = sheet.iter_rows()
    assert [cell.value for cell in cells[:2]] == [-1, 2.5]
    assert [cell.data_type for cell in cells] == ["n", "n", "d", "s"]
    assert cells[3].value == "'=x"
