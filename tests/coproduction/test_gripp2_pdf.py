"""The GRIPP2 PDF keeps names in any script: Polish letters, Chinese and Arabic (read back with
pypdf; see tests/pdftext.py for what extraction gives for Arabic)."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from coproduce.coproduction import gripp2
from tests.pdftext import ARABIC, CHINESE, NAMES, POLISH, assert_names_come_back, shaped_letters


def test_names_in_any_script_come_back_out_of_the_pdf(study: Any, member_client: Client) -> None:
    study.title = f"Care at home with {POLISH}"
    study.save()
    report = gripp2.report_for(study)
    report.aim = f"Led with {POLISH}, {CHINESE} and {ARABIC}."
    report.long_form["people"] = "\n".join(NAMES)
    report.save()
    response = member_client.get(reverse("coproduction:gripp2_pdf", args=[study.slug]))
    assert response["Content-Type"] == "application/pdf"
    text = assert_names_come_back(response.content)
    assert f"GRIPP2 report: Care at home with {POLISH}" in text
    assert "\u0627" in shaped_letters(response.content)  # alef alone and joined: shaped
