"""Right of access from the register: the staff page, its JSON and PDF, the associate's own
data.json, erasure by address, and the register of processing.

The person has a row in every register table (tests/personal_data_world.py); each test checks
every register table appears, so a new rule shows up here too.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from coproduce.audit.models import AuditEntry
from coproduce.community import links
from coproduce.lib import personaldata
from tests import personal_data_world
from tests.pdftext import extract
from tests.personal_data_world import EMAIL, NAME

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db: Any) -> Any:
    return personal_data_world.build()


def _models() -> set[str]:
    return {rule.model for rule in personaldata.rules()}


def test_the_staff_page_shows_every_table(manager_client: Client, world: Any) -> None:
    response = manager_client.post(reverse("staff:personal_data"), {"email": EMAIL.upper()})
    html = response.content.decode()
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    for rule in personaldata.rules():
        assert f"{rule.verbose_name} (" in html, rule.model
    assert NAME in html
    assert AuditEntry.objects.filter(action="staff.personaldata.viewed").count() == 1


def test_the_json_download_holds_every_table(manager_client: Client, world: Any) -> None:
    response = manager_client.post(
        reverse("staff:personal_data"), {"email": EMAIL, "format": "json"}
    )
    found = json.loads(response.content)
    assert response["Content-Disposition"].startswith("attachment")
    empty = sorted(m for m in _models() if not found["tables"][m]["rows"])
    assert empty == []
    booking = found["tables"]["events.Booking"]["rows"][0]
    assert booking["access_needs"] == f"{NAME} uses a wheelchair"
    assert AuditEntry.objects.filter(action="staff.personaldata.downloaded").count() == 1


def test_the_pdf_reads_back(manager_client: Client, world: Any) -> None:
    response = manager_client.post(
        reverse("staff:personal_data"), {"email": EMAIL, "format": "pdf"}
    )
    assert response["Content-Type"] == "application/pdf"
    text = extract(response.content)
    assert NAME in text
    for rule in personaldata.rules():
        assert rule.verbose_name in text, rule.model


def test_a_wrong_address_is_an_error(manager_client: Client) -> None:
    response = manager_client.post(reverse("staff:personal_data"), {"email": "not an address"})
    assert "Enter an email address in the correct format" in response.content.decode()


def test_the_associates_own_download_has_the_same_scope(client: Client, world: Any) -> None:
    associate = world["community.Associate"]
    response = client.get(links.manage_path(associate) + "data.json")
    data = json.loads(response.content)
    assert set(data["everything_we_hold"]["tables"]) == _models()
    assert data["everything_we_hold"]["tables"]["pages.Enquiry"]["rows"][0]["email"] == EMAIL
    assert data["associate"]["full_name"] == NAME


def test_a_manager_erases_by_address(
    manager_client: Client, world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    refused = manager_client.post(reverse("staff:personal_data_erase"), {"email": EMAIL})
    assert "Confirm you have checked before erasing" in refused.content.decode()
    assert personaldata.rule_for("pages.Enquiry").model_class.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(
            reverse("staff:personal_data_erase"), {"email": EMAIL, "confirm": "on"}
        )
    assert response.status_code == 302
    assert not personaldata.rule_for("pages.Enquiry").model_class.objects.exists()
    after = personaldata.record(personaldata.subject_for(EMAIL))
    assert NAME not in json.dumps(after, ensure_ascii=False)


def test_the_export_grant_cannot_erase(reader: Any, world: Any) -> None:
    from django.contrib.auth.models import Group

    from coproduce.registry.access import PERSONAL_DATA_EXPORT

    reader.groups.add(Group.objects.get(name=PERSONAL_DATA_EXPORT))
    client = Client()
    client.force_login(reader)
    assert client.post(reverse("staff:personal_data"), {"email": EMAIL}).status_code == 200
    response = client.post(reverse("staff:personal_data_erase"), {"email": EMAIL, "confirm": "on"})
    assert response.status_code == 403


def test_the_register_of_processing_lists_every_rule(reader_client: Client) -> None:
    html = reader_client.get(reverse("staff:processing")).content.decode()
    for rule in personaldata.rules():
        assert f"({rule.model})" in html
    assert "COPRODUCE_RETENTION_OUTBOX_DAYS" in html


def test_likely_duplicates_are_found_across_roles(manager_client: Client, world: Any) -> None:
    from django.apps import apps

    associate = apps.get_model("community.Associate")
    enquiry = apps.get_model("pages.Enquiry")
    # The same mailbox spelled with a plus tag, and the same name and organisation elsewhere.
    enquiry.objects.create(
        name="Zoe Quarrington",
        email="Zoe.Quarrington+news@example.org",
        organisation="quarrington peer support",
        message="Hi",
    )
    associate.objects.create(
        full_name="ZOE QUARRINGTON",
        email="zq@home.example",
        organisation="Quarrington Peer Support!",
        role="public",
    )
    associate.objects.create(full_name="Someone Else", email="else@example.org", role="public")
    found = personaldata.duplicates()
    mailbox = [{e.email for e in g} for g in found["same_mailbox"]]
    assert {EMAIL, "zoe.quarrington+news@example.org"} in mailbox
    by_name = [{e.email for e in g} for g in found["same_name_and_organisation"]]
    assert any({EMAIL, "zq@home.example"} <= group for group in by_name)
    across = [{e.model for e in g} for g in found["across_roles"] if g[0].email == EMAIL]
    assert {"community.Associate", "events.Booking", "pages.Enquiry"} <= across[0]
    assert not any("else@example.org" in str(g) for groups in found.values() for g in groups)
    html = manager_client.get(reverse("staff:duplicates")).content.decode()
    assert "zq@home.example" in html
    assert "Different spellings of one mailbox (1)" in html


def test_the_record_has_a_timeline(manager_client: Client, world: Any) -> None:
    found = personaldata.record(personaldata.subject_for(EMAIL))
    events = personaldata.timeline(found)
    assert [e["at"] for e in events] == sorted(e["at"] for e in events)
    assert {"pages.Enquiry", "events.Booking", "community.Associate"} <= {
        e["model"] for e in events
    }
    html = manager_client.post(reverse("staff:personal_data"), {"email": EMAIL}).content.decode()
    assert "<h3>Timeline</h3>" in html
