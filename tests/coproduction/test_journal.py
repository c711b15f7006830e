"""The researcher-in-residence journal is private: only supervisors the author chose see it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from coproduce.coproduction import models as m
from tests import factories

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_entries_are_private_until_shared_and_only_with_chosen_supervisors(
    resident: Any, resident_client: Client, manager_client: Client, member_client: Client
) -> None:
    placement = resident.person.placements.get()
    chosen_user = factories.UserFactory(username="chosen", groups=["researcher"])
    chosen = factories.PersonFactory(full_name="Chosen Supervisor", user=chosen_user)
    other_user = factories.UserFactory(username="other", groups=["researcher"])
    factories.PersonFactory(full_name="Not Chosen", user=other_user)

    # The author writes two entries, sharing one.
    new = reverse("coproduction:journal_add")
    for title, shared in (("Kept to myself", False), ("For my supervisor", True)):
        data = {
            "placement": placement.pk,
            "date": "2011-01-05",
            "title": title,
            "text": f"{title} text",
            "challenges": ["embedding", "identity"],
            "strategies": "Joined handovers",
        }
        if shared:
            data["shared"] = "on"
        assert resident_client.post(new, data).status_code == 302
    assert m.JournalEntry.objects.count() == 2
    # The audit log names the entry but holds none of its text.
    from coproduce.audit.models import AuditEntry

    assert all(
        "text" not in entry.changes
        for entry in AuditEntry.objects.filter(action__startswith="coproduction.journalentry")
    )

    # The author chooses a supervisor.
    url = reverse("coproduction:journal_supervisors", args=[placement.public_id])
    assert resident_client.post(url, {"supervisors": [chosen.pk]}).status_code == 302

    summary = reverse("coproduction:journal_summary", args=[placement.public_id])
    author_view = resident_client.get(summary).content.decode()
    assert "2 entries" in author_view

    chosen_client = _client(chosen_user)
    supervisor_view = chosen_client.get(summary)
    assert supervisor_view.status_code == 200
    assert "1 shared entry" in supervisor_view.content.decode()
    shared = chosen_client.get(reverse("coproduction:journal_shared")).content.decode()
    assert "For my supervisor text" in shared
    assert "Kept to myself" not in shared

    # Nobody else: not a manager, not another researcher, not a supervisor not chosen.
    for client in (manager_client, member_client, _client(other_user)):
        assert client.get(summary).status_code == 403
        assert (
            "For my supervisor"
            not in client.get(reverse("coproduction:journal_shared")).content.decode()
        )
    entry = m.JournalEntry.objects.first()
    assert entry is not None
    edit = reverse("coproduction:journal_edit", args=[entry.public_id])
    assert chosen_client.get(edit).status_code == 403
    assert resident_client.get(edit).status_code == 200


def test_a_resident_cannot_write_into_someone_elses_placement(
    resident: Any, resident_client: Client
) -> None:
    other = factories.PlacementFactory()
    response = resident_client.post(
        reverse("coproduction:journal_add"),
        {"placement": other.pk, "date": "2011-01-05", "title": "x", "text": "y"},
    )
    assert response.status_code == 200  # the form again, with an error
    assert not m.JournalEntry.objects.exists()


def test_summary_counts_challenges_per_placement(resident: Any, resident_client: Client) -> None:
    placement = resident.person.placements.get()
    for challenges in (["focus"], ["focus", "identity"]):
        m.JournalEntry.objects.create(
            placement=placement,
            date=dt.date(2011, 1, 1),
            title="t",
            text="x",
            challenges=challenges,
            strategies="s",
        )
    response = resident_client.get(
        reverse("coproduction:journal_summary", args=[placement.public_id])
    )
    rows = dict(response.context["counts"])
    assert rows["Preserving focus"] == 2
    assert rows["Academic identity"] == 1
    assert rows["Relationships"] == 0
