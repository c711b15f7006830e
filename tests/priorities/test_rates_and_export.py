"""Response rates, and the export's tidy columns (CSV and XLSX parsed back)."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.test import Client
from django.urls import reverse

from coproduce.priorities import services
from coproduce.priorities.models import Invitation, StakeholderGroup


def test_response_rate_overall_and_by_group(consultation: Any) -> None:
    # 34 invited, 26 responded: 76% (76.47 rounded half up), as in CLAHRC-NDL.
    plan = [("commissioner", 8, 6), ("clinician", 10, 8), ("service_user_carer", 8, 6),
            ("manager", 5, 4), ("researcher", 3, 2)]  # fmt: skip
    n = 0
    for group, invited, responded in plan:
        for i in range(invited):
            n += 1
            inv = Invitation.objects.create(
                consultation=consultation, full_name=f"P {n}", email=f"p{n}@example.org",
                group=group,
            )  # fmt: skip
            if i < responded:
                services.save_response(consultation, {}, invitation=inv, submit=True)
            elif i == responded:
                services.save_response(consultation, {}, invitation=inv)  # started only
    services.save_response(consultation, {}, group="other", submit=True)  # open link
    rates = services.response_rates(consultation)
    assert (rates.overall.invited, rates.overall.responded, rates.overall.percent) == (34, 26, 76)
    assert rates.overall.in_progress == 5
    assert rates.overall.open_link == 1
    by = {r.label: r for r in rates.groups}
    assert by["Commissioner"].percent == 75
    assert by["Clinician"].percent == 80
    assert by["Researcher"].percent == 67  # 2/3 = 66.7
    assert by["Other"].invited == 0
    assert by["Other"].percent is None


def test_rate_rounds_half_up() -> None:
    assert services.Rate("", invited=8, responded=1).percent == 13  # 12.5
    assert services.Rate("", invited=0).percent is None


def _answers(consultation: Any, questions: Any) -> None:
    def invite(name: str) -> Invitation:
        return Invitation.objects.create(
            consultation=consultation, full_name=name, email=f"{name}@example.org",
            group=StakeholderGroup.CLINICIAN,
        )  # fmt: skip

    q = questions
    services.save_response(
        consultation,
        {q[1].pk: "Yes", q[2].pk: "=HYPERLINK(\"x\")", q[3].pk: ["Stroke", "Children"],
         q[4].pk: 5, q[5].pk: ["Cost", "Experience"]},
        invitation=invite("one"), submit=True,
    )  # fmt: skip
    # Second respondent: q1 No, so q2 skipped by condition; nothing else answered.
    services.save_response(consultation, {q[1].pk: "No", q[4].pk: 2}, invitation=invite("two"))


HEADER_TAIL = [
    "q1 Any concerns?",
    "q2 What concerns?",
    "q3 Which themes? [Mental health]",
    "q3 Which themes? [Stroke]",
    "q3 Which themes? [Children]",
    "q4 How important?",
    "q5 Rank outcomes [rank: Experience]",
    "q5 Rank outcomes [rank: Outcomes]",
    "q5 Rank outcomes [rank: Cost]",
]


def test_csv_export_has_one_column_per_question_and_stays_tidy(
    reader_client: Client, consultation: Any, questions: Any
) -> None:
    _answers(consultation, questions)
    response = reader_client.get(
        reverse("priorities_staff:export", args=[consultation.slug, "csv"])
    )
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][5:] == HEADER_TAIL
    assert all(len(row) == len(rows[0]) for row in rows)
    one, two = rows[1], rows[2]
    assert one[3] == "submitted"
    assert two[3] == "in progress"
    assert one[5:] == ["Yes", '\'=HYPERLINK("x")', "0", "1", "1", "5", "2", "", "1"]
    # Skipped by condition: empty cells in q2's own column; nothing shifted.
    assert two[5:] == ["No", "", "", "", "", "2", "", "", ""]


def test_xlsx_export_matches(reader_client: Client, consultation: Any, questions: Any) -> None:
    from openpyxl import load_workbook

    _answers(consultation, questions)
    response = reader_client.get(
        reverse("priorities_staff:export", args=[consultation.slug, "xlsx"])
    )
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = [list(row) for row in workbook["Responses"].iter_rows(values_only=True)]
    assert rows[0][5:] == HEADER_TAIL
    assert all(len(row) == len(rows[0]) for row in rows)
    empty = (None, "")
    one, two = rows[1], rows[2]
    assert one[5] == "Yes"
    assert one[6] == '\'=HYPERLINK("x")'
    assert one[7:] == [0, 1, 1, 5, 2, None, 1] or one[7:] == [0, 1, 1, 5, 2, "", 1]
    assert two[5] == "No"
    assert two[6] in empty
    assert two[10] == 2
    assert all(cell in empty for cell in two[7:10] + two[11:])


def test_unknown_export_format_is_404(reader_client: Client, consultation: Any) -> None:
    url = reverse("priorities_staff:export", args=[consultation.slug, "pdf"])
    assert reader_client.get(url).status_code == 404
