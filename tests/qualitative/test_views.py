"""The staff pages: sources in, coding blind, comparing, codebook versions, downloads."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from coproduce.audit.models import AuditEntry
from coproduce.qualitative import services
from coproduce.qualitative.models import Coding, Project, ProjectSource
from tests.qualitative.conftest import meeting

pytestmark = pytest.mark.django_db


def url(name: str, *args: Any) -> str:
    return reverse(f"qualitative:{name}", args=args)


def test_start_then_add_sources_from_the_ledger(
    member_client: Client, study: Any, consenting: Any
) -> None:
    page = member_client.get(url("project", study.slug))
    assert b"Start a qualitative project" in page.content
    assert member_client.post(url("start", study.slug)).status_code == 302
    source = meeting(study, consenting)
    empty = member_client.post(url("sources_add", study.slug), {})
    assert empty.status_code == 400
    assert b"Choose at least one record to add" in empty.content
    done = member_client.post(url("sources_add", study.slug), {"sources": [source.pk]})
    assert done.status_code == 302
    assert Project.objects.get(study=study).sources.get().source == source


def test_upload_keeps_turns_and_refuses_bad_files(
    member_client: Client, project: Project, study: Any
) -> None:
    vtt = SimpleUploadedFile(
        "talk.vtt", b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v Ann>Hello.\n"
    )
    response = member_client.post(url("upload", study.slug), {"title": "Talk", "file": vtt})
    assert response.status_code == 302
    source = project.sources.get(title="Talk")
    assert source.text == "Ann: Hello."
    assert source.turns.get().speaker == "Ann"
    page = member_client.get(response["Location"])
    assert b"00:00:01" in page.content
    bad = SimpleUploadedFile("talk.txt", "caf\xe9".encode("latin-1"))
    refused = member_client.post(url("upload", study.slug), {"title": "Bad", "file": bad})
    assert refused.status_code == 400
    assert b"saved as UTF-8" in refused.content
    assert b"nhsuk-error-summary" in refused.content


def test_coding_by_checkbox_and_by_offsets_is_blind_until_compared(
    member_client: Client,
    manager_client: Client,
    transcript: ProjectSource,
    codes: dict[str, Any],
    study: Any,
) -> None:
    code = codes["Randomisation"]
    page = url("source", study.slug, transcript.public_id)
    by_turn = member_client.post(page, {"code": code.pk, "segments": ["2"], "memo": "Stepped"})
    assert by_turn.status_code == 302
    coding = Coding.objects.get()
    assert transcript.text[coding.start : coding.end].startswith("Raj: Then we agreed")
    by_offsets = manager_client.post(page, {"code": code.pk, "start": "5", "end": "31"})
    assert by_offsets.status_code == 302
    assert b"Stepped" not in manager_client.get(page).content  # blind: only your own
    compare = manager_client.get(url("compare", study.slug, transcript.public_id))
    assert b"Stepped" in compare.content
    assert b"Disagreement" in compare.content
    nothing = member_client.post(page, {"code": code.pk})
    assert nothing.status_code == 400
    assert b"Choose the passage" in nothing.content
    reversed_span = member_client.post(page, {"code": code.pk, "start": "9", "end": "3"})
    assert b"The end must come after the start" in reversed_span.content
    keep = Coding.objects.get(coder__username="member")
    member_client.post(
        url("compare", study.slug, transcript.public_id), {"keep": [str(keep.public_id)]}
    )
    assert transcript.codings.filter(reconciled=True).count() == 1


def test_a_coder_removes_only_their_own_coding(
    member_client: Client,
    manager: Any,
    transcript: ProjectSource,
    codes: dict[str, Any],
    study: Any,
) -> None:
    theirs = services.apply_code(transcript, codes["Delivery"], start=0, end=5, by=manager)
    response = member_client.post(url("coding_delete", study.slug, theirs.public_id))
    assert response.status_code == 404
    assert Coding.objects.filter(pk=theirs.pk).exists()


def test_editing_a_definition_makes_a_version(
    member_client: Client, project: Project, codes: dict[str, Any], study: Any
) -> None:
    code = codes["Delivery"]
    form = url("code", study.slug, code.public_id)
    response = member_client.post(
        form,
        {
            "name": "Delivery",
            "parent": code.parent_id,
            "codable": "on",
            "definition": "How it is run.",
        },
    )
    assert response.status_code == 302
    assert code.versions.count() == 2
    assert b"How it is run." in member_client.get(form).content
    starter = member_client.post(url("starter", study.slug), {"starter": "i-parihs"})
    assert starter.status_code == 302
    assert project.codes.filter(name="Facilitation").exists()


def test_agreement_and_analysis_pages(
    member_client: Client,
    manager: Any,
    member: Any,
    transcript: ProjectSource,
    codes: dict[str, Any],
    study: Any,
    refusing: Any,
) -> None:
    services.apply_code(transcript, codes["Randomisation"], start=0, end=31, by=manager)
    services.apply_code(transcript, codes["Randomisation"], start=0, end=31, by=member)
    services.apply_code(transcript, codes["Delivery"], start=36, end=60, by=member)
    hidden = services.add_coproduction_sources(
        transcript.project, [meeting(study, refusing)], by=manager
    )[0]
    services.apply_code(hidden, codes["Delivery"], start=0, end=20, by=manager)
    page = member_client.get(url("agreement", study.slug))
    assert page.status_code == 200
    assert b"Randomisation" in page.content
    assert b"1.000" in page.content  # both coded randomisation identically
    analysis = member_client.get(url("analysis", study.slug))
    assert b"Withheld" in analysis.content or b"withheld" in analysis.content
    assert b"We could not randomise" in analysis.content
    download = member_client.get(url("analysis_download", study.slug, "xlsx"))
    data = b"".join(download.streaming_content)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        strings = archive.read("xl/worksheets/sheet1.xml")
    assert b"We could not randomise" in strings
    assert b"Planning meeting" not in strings  # the withheld source never leaves
    assert AuditEntry.objects.filter(action="qualitative.analysis.exported").exists()


def test_refi_qda_download_and_import_pages(
    member_client: Client, transcript: ProjectSource, codes: dict[str, Any], study: Any
) -> None:
    download = member_client.get(url("qdpx", study.slug))
    assert download.status_code == 200
    assert download["Content-Disposition"].endswith('.qdpx"')
    with zipfile.ZipFile(io.BytesIO(download.content)) as archive:
        assert "project.qde" in archive.namelist()
    codebook = member_client.get(url("qdc", study.slug))
    assert b"urn:QDA-XML:codebook:1.0" in codebook.content
    bad = SimpleUploadedFile("broken.qdpx", b"not a zip at all")
    refused = member_client.post(url("import", study.slug), {"file": bad})
    assert refused.status_code == 400
    assert b"not a zip archive" in refused.content
    wrong_name = SimpleUploadedFile("notes.txt", b"hello")
    assert (
        b"must be a .qdpx project"
        in member_client.post(url("import", study.slug), {"file": wrong_name}).content
    )


def test_strangers_see_nothing(
    outsider_client: Client, reader_client: Client, project: Project
) -> None:
    for client in (outsider_client, reader_client):
        assert client.get(url("project", project.study.slug)).status_code == 403


def test_own_codings_are_highlighted_where_they_lie(
    member_client: Client, member: Any, transcript: ProjectSource, codes: dict[str, Any], study: Any
) -> None:
    services.apply_code(transcript, codes["Delivery"], start=5, end=12, by=member)
    html = member_client.get(url("source", study.slug, transcript.public_id)).content.decode()
    assert '<mark class="cp-qual-seg" data-start="5">We coul</mark>' in html
    assert '<span class="cp-qual-seg" data-start="0">Ann: </span>' in html
