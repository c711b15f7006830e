"""Links as data: a compromise names the governance protocol version it changed (free text kept
for old records) and is linked from implementation records and outputs; each link is edited
with an audit entry and shown on both ends."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from coproduce.audit.models import AuditEntry
from coproduce.governance.models import ProtocolVersion
from coproduce.implementation.models import ImplementationRecord, Output
from tests import factories
from tests.coproduction.conftest import make_compromise

pytestmark = pytest.mark.django_db


def _version(study: Any, label: str) -> ProtocolVersion:
    return ProtocolVersion.objects.create(
        study=study,
        label=label,
        stored_name=f"{uuid.uuid4()}.pdf",
        original_name="p.pdf",
        file_format="pdf",
        size=1,
        sha256="0" * 64,
    )


def _compromise_data(**extra: Any) -> dict[str, Any]:
    return {
        "summary": "Recruit at six weeks",
        "date": "2010-07-01",
        "topic": "recruitment",
        "agreed": "At six weeks",
        "direction": "practice",
        "positions-TOTAL_FORMS": "0",
        "positions-INITIAL_FORMS": "0",
        "positions-MIN_NUM_FORMS": "0",
        "positions-MAX_NUM_FORMS": "8",
        **extra,
    }


def test_a_compromise_links_a_protocol_version_of_its_own_study(
    study: Any, member_client: Client
) -> None:
    version = _version(study, "2.0")
    elsewhere = _version(factories.StudyFactory(), "9.9")
    url = reverse("coproduction:compromise_add", args=[study.slug])
    response = member_client.post(url, _compromise_data(protocol=elsewhere.pk))
    assert "Choose a protocol version of this study" in response.content.decode()
    assert not version.compromises.exists()
    response = member_client.post(url, _compromise_data(protocol=version.pk))
    assert response.status_code == 302
    assert version.compromises.count() == 1
    entry = AuditEntry.objects.get(action="coproduction.compromise.created")
    assert "protocol" in entry.changes
    detail = member_client.get(response["Location"]).content.decode()
    assert "Version 2.0" in detail


def test_old_free_text_is_still_shown(study: Any, reader_client: Client) -> None:
    item = make_compromise(study, protocol_version="1.3 (old)")
    page = reader_client.get(reverse("coproduction:compromise", args=[study.slug, item.public_id]))
    assert "1.3 (old)" in page.content.decode()


def test_records_and_outputs_link_compromises_shown_on_both_ends(
    study: Any, member_client: Client
) -> None:
    compromise = make_compromise(study, summary="Use the one-page pro forma")
    other = make_compromise(factories.StudyFactory(), summary="Someone else's")
    record = ImplementationRecord.objects.create(study=study, title="Ward", meaning="science")
    url = reverse("implementation:record_edit", args=[record.public_id])
    response = member_client.post(
        url, {"meaning": "science", "title": "Ward", "compromises": [compromise.pk]}
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert list(record.compromises.all()) == [compromise]
    add = reverse("implementation:output_add", args=[study.slug])
    data = {
        "kind": "policy",
        "title": "Pro forma adopted",
        "date": "2012-01-01",
        "studies": [study.pk],
        "compromises": [other.pk],
    }
    assert (
        "Choose compromises of the chosen studies" in member_client.post(add, data).content.decode()
    )
    data["compromises"] = [compromise.pk]
    assert member_client.post(add, data).status_code == 302
    output = Output.objects.get()
    entry = AuditEntry.objects.get(action="implementation.output.created")
    assert "compromises" in entry.changes
    page = member_client.get(
        reverse("coproduction:compromise", args=[study.slug, compromise.public_id])
    ).content.decode()
    assert "Pro forma adopted" in page
    assert "Ward" in page
    record_page = member_client.get(record.get_absolute_url()).content.decode()
    assert "Use the one-page pro forma" in record_page
    pathway = member_client.get(reverse("pathway:study", args=[study.slug])).content.decode()
    assert output.title in pathway


def test_the_pathway_names_the_linked_protocol_version(study: Any, reader_client: Client) -> None:
    make_compromise(study, protocol=_version(study, "3.1"), date=dt.date(2012, 1, 1))
    page = reader_client.get(reverse("pathway:study", args=[study.slug])).content.decode()
    assert "changed protocol version 3.1" in page
