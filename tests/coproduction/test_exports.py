"""Research exports leave out material from people without consent; the payments export."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from coproduce.coproduction import models as m
from tests.coproduction.conftest import make_compromise, make_involvement, make_source

pytestmark = pytest.mark.django_db


def _csv(response: Any) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_sources_export_excludes_material_from_people_without_consent(
    study: Any, member_client: Client
) -> None:
    ok = make_source(study, ["granted", "granted"], title="All consented")
    make_source(study, ["granted", "not_recorded"], title="One not recorded")
    make_source(study, ["refused"], title="Refused")
    make_source(study, ["withdrawn", "granted"], title="Withdrawn")
    make_source(study, [], title="Nobody linked")
    response = member_client.get(reverse("coproduction:export_sources", args=[study.slug]))
    assert response.status_code == 200
    rows = _csv(response)
    titles = {row[3] for row in rows[1:]}
    assert titles == {"All consented", "Nobody linked"}
    assert str(ok.public_id) in {row[0] for row in rows[1:]}


def test_compromise_export_drops_links_to_excluded_sources(
    study: Any, member_client: Client
) -> None:
    good = make_source(study, ["granted"], title="good")
    bad = make_source(study, ["not_recorded"], title="bad")
    item = make_compromise(study, summary="=HYPERLINK(evil)")
    item.sources.set([good, bad])
    rows = _csv(member_client.get(reverse("coproduction:export_compromises", args=[study.slug])))
    [row] = rows[1:]
    assert row[3] == "'=HYPERLINK(evil)"  # formula neutralised
    assert row[-1] == str(good.public_id)


def test_withdrawing_consent_removes_a_source_from_the_next_export(
    study: Any, member_client: Client
) -> None:
    source = make_source(study, ["granted"], title="Meeting")
    url = reverse("coproduction:export_sources", args=[study.slug])
    assert len(_csv(member_client.get(url))) == 2
    participant = source.participants.get()
    response = member_client.post(
        reverse("coproduction:consent", args=[study.slug, participant.public_id]),
        {"full_name": participant.full_name, "consent": "withdrawn", "consent_date": "2012-01-01"},
    )
    assert response.status_code == 302
    assert len(_csv(member_client.get(url))) == 1


def test_payments_export_for_finance_csv_and_xlsx(study: Any, manager_client: Client) -> None:
    make_involvement(study, name="=cmd|' /C calc'!A0")
    make_involvement(study, name="Sam Declined", payment_declined=True)
    rows = _csv(manager_client.get(reverse("coproduction:payments_csv")))
    header, *body = rows
    assert header[:3] == ["date", "study", "contributor"]
    by_name = {row[2]: dict(zip(header, row, strict=True)) for row in body}
    assert "'=cmd|' /C calc'!A0" in by_name
    paid = by_name["'=cmd|' /C calc'!A0"]
    assert paid["fee"] == "50.00"
    assert paid["total_to_pay"] == "55.50"
    assert "NIHR" in paid["guidance"]
    declined = by_name["Sam Declined"]
    assert declined["fee"] == "0.00"
    assert declined["total_to_pay"] == "5.50"
    assert declined["payment_declined"] == "yes"

    from openpyxl import load_workbook

    response = manager_client.get(reverse("coproduction:payments_xlsx"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook["Payments"]
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][2] == "contributor"
    assert "'=cmd|' /C calc'!A0" in {row[2] for row in values[1:]}
    assert m.InvolvementActivity.objects.count() == 2
