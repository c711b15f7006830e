"""Exporting a consultation's responses (personal data) is audited with who exported them."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from coproduce.audit.models import AuditEntry


def test_a_response_export_is_audited(
    reader: Any, reader_client: Client, consultation: Any
) -> None:
    for fmt in ("csv", "xlsx"):
        response = reader_client.get(
            reverse("priorities_staff:export", args=[consultation.slug, fmt])
        )
        assert response.status_code == 200
        b"".join(response.streaming_content)
    entries = AuditEntry.objects.filter(action="priorities.consultation.exported")
    assert [(e.actor, e.object_id, e.changes) for e in entries.order_by("id")] == [
        (reader, str(consultation.pk), {"format": [None, "csv"]}),
        (reader, str(consultation.pk), {"format": [None, "xlsx"]}),
    ]
