"""Exports of personal data are audited with who made them: the staff directory export, and an
associate's download of their own data."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from coproduce.audit.models import AuditEntry
from coproduce.community import links
from coproduce.registry.access import PERSONAL_DATA_EXPORT
from tests.community import helpers


def test_the_directory_export_is_audited_with_its_actor(reader: Any, reader_client: Client) -> None:
    reader.groups.add(Group.objects.get(name=PERSONAL_DATA_EXPORT))  # the grant to export
    helpers.associate(email="ada@example.org")
    for name in ("associates_staff:export_csv", "associates_staff:export_xlsx"):
        response = reader_client.get(reverse(name))
        assert response.status_code == 200
        b"".join(response.streaming_content)
    entries = AuditEntry.objects.filter(action="community.associate.exported")
    assert [(e.actor, e.changes["rows"]) for e in entries] == [(reader, [None, 1])] * 2


def test_an_associates_own_data_download_is_audited(client: Client, db: Any) -> None:
    associate = helpers.associate(email="ada@example.org")
    response = client.get(links.manage_path(associate) + "data.json")
    assert json.loads(response.content)["associate"]["email"] == "ada@example.org"
    entry = AuditEntry.objects.get(action="community.associate.downloaded")
    assert entry.actor is None
    assert entry.actor_label == "the associate (own link)"
    assert entry.via == "self-service"
    assert entry.object_id == str(associate.pk)
    # Named by public id only: the log outlives erasure. (Not "no 'ada' anywhere": a random
    # public id is hex and holds "ada" now and then.)
    assert entry.object_repr == f"Associate {associate.public_id}"
