"""Importing associates from CSV and XLSX: all or nothing, every problem with its row and
column, idempotent, consent only where the file states it, erased addresses never re-added."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from coproduce.audit.models import AuditEntry
from coproduce.community import importer, services
from coproduce.community.importer import import_file
from coproduce.community.models import (
    Associate,
    CommunityOfPractice,
    ConsentRecord,
    Membership,
    SuppressedAddress,
)
from tests.community import helpers

IMPORT = reverse("associates_staff:import")
HEADER = ["full_name", "email", "organisation", "role", "cops", "interests"]
HEADER += ["engage", "briefing", "events", "consent_date"]


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    return {
        "rtw": helpers.community("return-to-work"),
        "home": helpers.community("home-visits"),
        "stroke": helpers.theme("stroke-rehabilitation"),
        "mood": helpers.theme("mental-health"),
    }


def run(name: str, by: Any = None) -> importer.ImportResult:
    with (helpers.FILES / name).open("rb") as handle:
        return import_file(handle, name, by=by)


def csv_bytes(rows: list[list[str]], header: list[str] = HEADER) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def upload(client: Client, name: str, content: bytes | None = None) -> Any:
    if content is None:
        content = (helpers.FILES / name).read_bytes()
    return client.post(IMPORT, {"file": SimpleUploadedFile(name, content)})


# --- the happy path ------------------------------------------------------------------------------


def _check_imported(world: dict[str, Any]) -> None:
    ada = Associate.objects.get(email="ada.lovelace@example.org")
    assert ada.full_name == "Ada Lovelace"
    assert ada.organisation == "Nottingham University Hospitals NHS Trust"
    assert ada.role == Associate.Role.CLINICIAN
    assert ada.status == Associate.Status.ACTIVE
    assert ada.confirmed is not None
    assert ada.consents() == {"engage": True, "briefing": False, "events": False}
    # "no" for someone new changes nothing, and blank records nothing: one record only.
    (grant,) = ConsentRecord.objects.filter(associate=ada)
    assert (grant.channel, grant.granted, grant.method) == ("engage", True, "import")
    assert grant.wording_version == 1
    assert len(grant.wording_sha256) == 64
    assert timezone.localtime(grant.at).date() == dt.date(2020, 1, 15)
    assert list(ada.memberships.values_list("cop__slug", flat=True)) == ["return-to-work"]
    assert list(ada.interests.values_list("slug", flat=True)) == ["stroke-rehabilitation"]

    ben = Associate.objects.get(email="ben.okafor@example.org")
    assert ben.role == Associate.Role.SERVICE_USER  # the label is understood too
    assert ben.consents() == {"engage": True, "briefing": True, "events": True}
    assert ben.memberships.count() == 2
    assert ben.interests.count() == 2

    cara = Associate.objects.get(email="cara.singh@example.org")
    assert cara.consents() == {"engage": False, "briefing": False, "events": False}
    assert not ConsentRecord.objects.filter(associate=cara).exists()

    world["rtw"].refresh_from_db()
    assert world["rtw"].member_count == 2


def test_it_imports_a_csv_file(world: Any, manager: Any) -> None:
    result = run("associates.csv", by=manager)
    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged, result.suppressed) == (3, 0, 0, 0)
    assert result.consent_records == 4
    _check_imported(world)
    assert ConsentRecord.objects.filter(recorded_by=manager).count() == 4
    entry = AuditEntry.objects.get(action="community.associate.imported")
    assert entry.changes["created"] == [None, 3]
    assert entry.changes["file"] == [None, "associates.csv"]
    assert entry.actor == manager


def test_it_imports_an_xlsx_file(world: Any) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(HEADER)
    # Dates and yes/no as Excel types, as people type them into a spreadsheet.
    sheet.append(
        [
            "Ada Lovelace",
            "Ada.Lovelace@Example.org",
            "Nottingham University Hospitals NHS Trust",
            "clinician",
            "return-to-work",
            "stroke-rehabilitation",
            True,
            False,
            None,
            dt.datetime(2020, 1, 15),
        ]
    )
    sheet.append(
        [
            "Ben Okafor",
            "ben.okafor@example.org",
            None,
            "Service user",
            "return-to-work;home-visits",
            "stroke-rehabilitation; mental-health",
            "yes",
            "YES",
            "Yes",
            None,
        ]
    )
    sheet.append(
        ["Cara Singh", "cara.singh@example.org", "Derbyshire County Council", "commissioner"]
    )
    sheet.append([None] * 10)  # the empty rows a spreadsheet leaves after the data
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    result = import_file(buffer, "associates.xlsx", by=None)
    assert result.ok, result.errors
    assert result.created == 3
    _check_imported(world)


def test_it_imports_through_the_page(manager_client: Client, world: Any) -> None:
    assert manager_client.get(IMPORT).status_code == 200
    response = upload(manager_client, "associates.csv")
    assert response.status_code == 200
    page = response.content.decode()
    assert "associates.csv was imported" in page
    assert "New associates" in page
    assert Associate.objects.count() == 3


def test_importing_the_same_file_again_adds_nothing(world: Any) -> None:
    assert run("associates.csv").created == 3
    before = helpers.counts()
    again = run("associates.csv")
    assert again.ok
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert (again.memberships_added, again.interests_added, again.consent_records) == (0, 0, 0)
    assert helpers.counts() == before


def test_a_known_address_is_updated_and_only_stated_consent_changes(world: Any) -> None:
    known = helpers.associate(
        full_name="Ben O.",
        email="Ben.Okafor@example.org",
        organisation="Old place",
        status=Associate.Status.PENDING,
        consents={"briefing": True, "events": True},
        cops=[world["rtw"]],
    )
    data = csv_bytes(
        [["Ben Okafor", "ben.okafor@example.org", "", "", "home-visits", "", "yes", "", "no", ""]]
    )
    result = import_file(io.BytesIO(data), "update.csv", by=None)
    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
    known.refresh_from_db()
    assert known.full_name == "Ben Okafor"
    assert known.organisation == "Old place"  # blank keeps what is there
    assert known.role == Associate.Role.CLINICIAN
    assert known.status == Associate.Status.ACTIVE
    assert known.confirmed is not None
    assert known.consents() == {"engage": True, "briefing": True, "events": False}
    imported = ConsentRecord.objects.filter(associate=known, method="import")
    assert {(r.channel, r.granted) for r in imported} == {("engage", True), ("events", False)}
    # Additive: still in the old community, now in the new one too.
    assert set(known.memberships.values_list("cop__slug", flat=True)) == {
        "return-to-work",
        "home-visits",
    }


def test_a_decision_made_after_the_consent_date_stands(world: Any) -> None:
    person = helpers.associate(email="dee@example.org", consents={"engage": True})
    services.record_consent(person, "engage", False, ConsentRecord.Method.UNSUBSCRIBE)
    data = csv_bytes([["Dee", "dee@example.org", "", "", "", "", "yes", "", "", "2015-06-01"]])
    result = import_file(io.BytesIO(data), "old-list.csv", by=None)
    assert result.ok
    assert result.consent_kept_newer == 1
    person.refresh_from_db()
    assert person.consent_engage is False
    assert not ConsentRecord.objects.filter(associate=person, method="import").exists()


def test_erased_addresses_are_skipped_and_never_re_added(world: Any) -> None:
    gone = helpers.associate(email="cara.singh@example.org")
    services.erase(gone)
    assert SuppressedAddress.objects.count() == 1
    result = run("associates.csv")
    assert result.ok
    assert (result.created, result.suppressed) == (2, 1)
    assert not Associate.objects.filter(email="cara.singh@example.org").exists()
    assert run("associates.csv").suppressed == 1


def test_an_exported_formula_guard_is_taken_off(world: Any) -> None:
    data = csv_bytes([["'=Ada", "ada@example.org", "'+44 115 000", "", "", "", "", "", "", ""]])
    assert import_file(io.BytesIO(data), "guarded.csv", by=None).ok
    ada = Associate.objects.get(email="ada@example.org")
    assert (ada.full_name, ada.organisation) == ("=Ada", "+44 115 000")


def test_five_thousand_rows(world: Any) -> None:
    rows = [
        [
            f"Person {number}",
            f"person{number}@example.org",
            "Somewhere",
            "public",
            "return-to-work" if number % 2 else "",
            "mental-health",
            "yes" if number % 3 == 0 else "",
            "no",
            "",
            "",
        ]
        for number in range(5000)
    ]
    result = import_file(io.BytesIO(csv_bytes(rows)), "big.csv", by=None)
    assert result.ok, result.errors[:3]
    assert result.created == 5000
    assert result.memberships_added == 2500
    assert result.interests_added == 5000
    assert result.consent_records == 1667
    assert Associate.objects.filter(consent_engage=True).count() == 1667
    world["rtw"].refresh_from_db()
    assert world["rtw"].member_count == 2500
    again = import_file(io.BytesIO(csv_bytes(rows)), "big.csv", by=None)
    assert (again.created, again.unchanged) == (0, 5000)


# --- problems ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("bad_email.csv", [(3, "email"), (4, "email")]),
        ("unknown_cop.csv", [(2, "cops")]),
        ("duplicate_email.csv", [(4, "email")]),
        ("latin1.csv", [(3, "full_name")]),
        ("bad_header.csv", [(1, "Name"), (1, "Email address"), (1, "full_name"), (1, "email")]),
        ("not_really.xlsx", [(0, "")]),
        ("empty.csv", [(0, "")]),
        (
            "bad_values.csv",
            [
                (2, "full_name"),
                (3, "role"),
                (4, "interests"),
                (5, "engage"),
                (6, "consent_date"),
                (7, "consent_date"),
            ],
        ),
    ],
)
def test_every_problem_is_found_and_nothing_is_written(
    world: Any, name: str, expected: list[tuple[int, str]]
) -> None:
    helpers.associate(email="ada@example.org", full_name="Ada Before")
    before = helpers.counts()
    result = run(name)
    assert not result.ok
    assert [(error.row, error.column) for error in result.errors] == expected
    assert all(error.message for error in result.errors)
    assert helpers.counts() == before
    assert Associate.objects.get(email="ada@example.org").full_name == "Ada Before"
    assert not AuditEntry.objects.filter(action="community.associate.imported").exists()


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("bad_email.csv", "“not-an-email” is not an email address"),
        ("unknown_cop.csv", "no community of practice with the short name “no-such-community”"),
        ("duplicate_email.csv", "is also on row 2"),
        ("latin1.csv", "CSV UTF-8"),
        ("bad_header.csv", "The email column is missing"),
        ("not_really.xlsx", "not an Excel workbook"),
        ("empty.csv", "The file is empty"),
        ("bad_values.csv", "“astronaut” is not a role"),
    ],
)
def test_the_page_shows_each_problem_with_row_and_column(
    manager_client: Client, world: Any, name: str, words: str
) -> None:
    before = helpers.counts()
    response = upload(manager_client, name)
    assert response.status_code == 200
    page = response.content.decode()
    assert "nhsuk-error-summary" in page
    assert "so nothing was imported" in page
    assert words in page
    assert helpers.counts() == before


def test_the_page_shows_the_row_and_column(manager_client: Client, world: Any) -> None:
    page = upload(manager_client, "unknown_cop.csv").content.decode()
    row = page[page.index('<td class="nhsuk-table__cell">2</td>') :]
    assert row.index("cops") < row.index("no-such-community")


def test_only_the_first_hundred_problems_are_listed(manager_client: Client, world: Any) -> None:
    rows = [[f"P{n}", f"bad-address-{n}", "", "", "", "", "", "", "", ""] for n in range(150)]
    page = upload(manager_client, "many.csv", csv_bytes(rows)).content.decode()
    assert "The file has 150 problems" in page
    assert page.count("is not an email address") == 100
    assert "And 50 more problems" in page


def test_too_many_rows(world: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importer, "MAX_ROWS", 2)
    rows = [[f"P{n}", f"p{n}@example.org", "", "", "", "", "", "", "", ""] for n in range(3)]
    result = import_file(io.BytesIO(csv_bytes(rows)), "long.csv", by=None)
    assert [(error.row, error.message) for error in result.errors] == [
        (0, "The file has more than 2 rows. Split it into parts.")
    ]
    assert not Associate.objects.exists()


def test_a_broken_quotation_is_placed(world: Any) -> None:
    data = b'full_name,email\nAda,ada@example.org\n"Ben, ben@example.org\n'
    result = import_file(io.BytesIO(data), "quotes.csv", by=None)
    assert [(error.row, error.column) for error in result.errors] == [(3, "")]
    assert "quotation marks" in result.errors[0].message
    assert not Associate.objects.exists()


def test_a_header_without_people(world: Any) -> None:
    result = import_file(io.BytesIO(csv_bytes([])), "header-only.csv", by=None)
    assert [error.row for error in result.errors] == [0]


def test_a_file_of_another_kind_is_refused(manager_client: Client, world: Any) -> None:
    response = upload(manager_client, "people.pdf", b"%PDF-1.4")
    assert "must be a CSV file" in response.content.decode()
    assert not Associate.objects.exists()


def test_only_managers_import(reader_client: Client, member_client: Client, client: Client) -> None:
    assert reader_client.get(IMPORT).status_code == 403
    assert upload(reader_client, "associates.csv").status_code == 403
    assert upload(member_client, "associates.csv").status_code == 403
    assert upload(client, "associates.csv").status_code == 302
    assert not Associate.objects.exists()


def test_membership_counts_ignore_nothing_else(world: Any) -> None:
    """Imported memberships are real memberships: the community's count includes them."""
    run("associates.csv")
    counts = dict(CommunityOfPractice.objects.values_list("slug", "member_count"))
    assert counts == {"return-to-work": 2, "home-visits": 1}
    assert Membership.objects.filter(left__isnull=True).count() == 3


def test_rows_shorter_or_longer_than_the_header_and_columns_in_any_order(world: Any) -> None:
    header = ["email", "engage", "full_name", "cops", "organisation"]
    data = csv_bytes(
        [
            ["ada@example.org", "yes", "Ada Short"],  # the last two columns left off
            ["bea@example.org", "", "Bea Long", "return-to-work", "Trust", "", ""],  # blank extras
            ["cy@example.org", "no", "Cy Full", "home-visits", "Board"],
        ],
        header=header,
    )
    result = import_file(io.BytesIO(data), "shapes.csv", by=None)
    assert result.ok, result.errors
    people = {
        a.email: a
        for a in Associate.objects.filter(
            email__in=["ada@example.org", "bea@example.org", "cy@example.org"]
        )
    }
    assert [
        (people[e].full_name, people[e].organisation, people[e].consent_engage)
        for e in sorted(people)
    ] == [
        ("Ada Short", "", True),
        ("Bea Long", "Trust", False),
        ("Cy Full", "Board", False),
    ]
    assert set(Membership.objects.values_list("associate__email", "cop__slug")) >= {
        ("bea@example.org", "return-to-work"),
        ("cy@example.org", "home-visits"),
    }
    assert not Membership.objects.filter(associate=people["ada@example.org"]).exists()

    longer = csv_bytes([["dee@example.org", "", "Dee", "", "", "", "surplus"]], header=header)
    refused = import_file(io.BytesIO(longer), "longer.csv", by=None)
    assert [(e.row, e.column) for e in refused.errors] == [(2, "")]
    assert "more cells than the first row" in refused.errors[0].message
    assert not Associate.objects.filter(email="dee@example.org").exists()
