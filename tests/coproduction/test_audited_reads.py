"""Opening a reflective journal, downloading a source document and the payments export are
audited reads."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import Client
from django.urls import reverse

from coproduce.audit.models import AuditEntry
from coproduce.coproduction import importer
from coproduce.coproduction import models as m
from tests import factories
from tests.coproduction.conftest import make_involvement, make_source


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_downloading_a_source_document_is_audited(
    member: Any, member_client: Client, study: Any
) -> None:
    source = make_source(study, ["granted"])
    attachment = m.Attachment.objects.create(
        source=source, original_name="notes.txt", stored_name=importer.store_bytes(b"x"), size=1
    )
    url = reverse(
        "coproduction:attachment", args=[study.slug, source.public_id, attachment.public_id]
    )
    response = member_client.get(url)
    assert response.status_code == 200
    b"".join(response.streaming_content)
    entry = AuditEntry.objects.get(action="coproduction.source.downloaded")
    assert entry.actor == member
    assert (entry.object_type, entry.object_id) == ("coproduction.source", str(source.pk))
    assert entry.changes == {"file": [None, "notes.txt"]}


def test_opening_a_journal_is_audited_for_the_author_and_the_supervisor(
    resident: Any, resident_client: Client
) -> None:
    placement = resident.person.placements.get()
    entry = m.JournalEntry.objects.create(
        placement=placement, date=dt.date(2024, 1, 1), title="Shared", text="t", shared=True
    )
    supervisor = factories.UserFactory(username="supervisor", groups=["researcher"])
    person = factories.PersonFactory(full_name="Sue Pervisor", user=supervisor)
    m.JournalSupervisor.objects.create(placement=placement, supervisor=person)

    edit = reverse("coproduction:journal_edit", args=[entry.public_id])
    assert resident_client.get(edit).status_code == 200
    read = AuditEntry.objects.get(action="coproduction.journalentry.viewed")
    assert (read.actor, read.object_id) == (resident, str(entry.pk))

    summary = reverse("coproduction:journal_summary", args=[placement.public_id])
    assert _client(supervisor).get(summary).status_code == 200
    read = AuditEntry.objects.get(action="coproduction.journal.viewed", actor=supervisor)
    assert read.object_id == str(placement.pk)
    assert read.changes == {"entries": [None, 1]}

    assert _client(supervisor).get(reverse("coproduction:journal_shared")).status_code == 200
    assert (
        AuditEntry.objects.filter(action="coproduction.journal.viewed", actor=supervisor).count()
        == 2
    )

    # Someone refused sees nothing, and nothing is recorded as read.
    other = factories.UserFactory(username="other", groups=["researcher"])
    factories.PersonFactory(full_name="Oth Er", user=other)
    assert _client(other).get(summary).status_code == 403
    assert _client(other).get(reverse("coproduction:journal_shared")).status_code == 200
    assert not AuditEntry.objects.filter(actor=other).exists()


def test_the_payments_export_is_audited(study: Any, manager: Any, manager_client: Client) -> None:
    make_involvement(study)
    for name in ("coproduction:payments_csv", "coproduction:payments_xlsx"):
        response = manager_client.get(reverse(name))
        assert response.status_code == 200
        b"".join(response.streaming_content)
    entries = AuditEntry.objects.filter(action="coproduction.payments.exported", actor=manager)
    assert entries.count() == 2
