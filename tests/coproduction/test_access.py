"""Every co-production URL, from the resolver, against every role: the expected status.

A URL added to coproduce/coproduction/urls.py without a row here fails
`test_every_url_is_in_the_table`, so no page goes untested.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from coproduce.coproduction import importer
from coproduce.coproduction import models as m
from tests import factories
from tests.coproduction.conftest import (
    make_compromise,
    make_dialogue,
    make_involvement,
    make_source,
)

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "outsider", "member", "df", "manager", "reader")
ALL = {"outsider": 200, "member": 200, "df": 200, "manager": 200, "reader": 200}
STAFF = {"outsider": 200, "member": 200, "df": 403, "manager": 200, "reader": 200}
TEAM = {"outsider": 403, "member": 200, "df": 403, "manager": 200, "reader": 403}
MANAGER = {"outsider": 403, "member": 403, "df": 403, "manager": 200, "reader": 403}
BROKER = {"outsider": 403, "member": 403, "df": 200, "manager": 403, "reader": 403}
# The fellow's own activity: they or a manager change it.
OWNER_OR_MANAGER = {"outsider": 403, "member": 403, "df": 200, "manager": 200, "reader": 403}
NOBODY = {"outsider": 403, "member": 403, "df": 403, "manager": 403, "reader": 403}

# Status a GET gets, per role; anonymous visitors are always sent to sign in (302).
TABLE: dict[str, dict[str, int]] = {
    "home": ALL,
    "broker_log": BROKER,
    "broker_activities": MANAGER,
    "broker_edit": OWNER_OR_MANAGER,
    "broker_delete": OWNER_OR_MANAGER,
    "time_used": STAFF,
    "analysis": STAFF,
    "rates": STAFF,
    "rate_add": MANAGER,
    "rate_edit": MANAGER,
    "payments_csv": MANAGER,
    "payments_xlsx": MANAGER,
    # The journal belongs to a researcher in residence none of these roles is.
    "journal": NOBODY,
    "journal_add": NOBODY,
    "journal_shared": ALL,
    "journal_edit": NOBODY,
    "journal_summary": NOBODY,
    "journal_supervisors": NOBODY,
    "study": STAFF,
    "compromises": STAFF,
    "compromise_add": TEAM,
    "compromise": STAFF,
    "compromise_edit": TEAM,
    "sources": TEAM,
    "meeting_add": TEAM,
    "document_add": TEAM,
    "email_import": TEAM,
    "export_sources": TEAM,
    "export_compromises": TEAM,
    "source": TEAM,
    "source_edit": TEAM,
    "source_delete": TEAM,
    "attachment": TEAM,
    "participants": TEAM,
    "consent": TEAM,
    "dialogues": STAFF,
    "dialogue_add": TEAM,
    "dialogue_edit": TEAM,
    "dialogue_delete": TEAM,
    "involvement": STAFF,
    "involvement_add": TEAM,
    "involvement_edit": TEAM,
    "involvement_delete": TEAM,
    "gripp2": STAFF,
    "gripp2_md": STAFF,
    "gripp2_pdf": STAFF,
}


def coproduction_patterns() -> list[URLPattern]:
    for entry in get_resolver().url_patterns:
        if isinstance(entry, URLResolver) and entry.namespace == "coproduction":
            return [p for p in entry.url_patterns if isinstance(p, URLPattern)]
    raise AssertionError("the coproduction URLs are not included")


def test_every_url_is_in_the_table() -> None:
    names = {pattern.name for pattern in coproduction_patterns()}
    assert names - set(TABLE) == set(), "add these URLs to TABLE"
    assert set(TABLE) - names == set(), "these TABLE rows have no URL"


@pytest.fixture
def objects(study: Any, df: Any, manager: Any) -> dict[str, Any]:
    compromise = make_compromise(study)
    source = make_source(study, ["granted"])
    attachment_name = importer.store_bytes(b"data")
    attachment = m.Attachment.objects.create(
        source=source, original_name="a.txt", stored_name=attachment_name, size=4
    )
    secondment = df.person.secondments.get()
    activity = m.BrokerActivity.objects.create(
        person=df.person,
        secondment=secondment,
        study=study,
        date=dt.date(2024, 2, 1),
        hours=Decimal("1"),
        direction="inward",
        kind="other",
        mobilisation="horizontal",
    )
    resident = factories.PersonFactory(full_name="Res Ident")
    placement = factories.PlacementFactory(person=resident)
    entry = m.JournalEntry.objects.create(
        placement=placement, date=dt.date(2024, 1, 1), title="Private", text="Private text"
    )
    return {
        "study": study,
        "compromise": compromise,
        "source": source,
        "attachment": attachment,
        "participant": source.participants.first(),
        "activity": activity,
        "rate": m.PaymentRate.objects.first(),
        "placement": placement,
        "entry": entry,
        "dialogue": make_dialogue(study),
        "involvement": make_involvement(study),
    }


def url_for(pattern: URLPattern, objects: dict[str, Any]) -> str:
    name = pattern.name
    params = set(pattern.pattern.converters)
    kwargs: dict[str, Any] = {}
    if "slug" in params:
        kwargs["slug"] = objects["study"].slug
    if "attachment_id" in params:
        kwargs["attachment_id"] = objects["attachment"].public_id
    if "public_id" in params:
        key = {
            "broker_edit": "activity",
            "broker_delete": "activity",
            "source_edit": "source",
            "source_delete": "source",
            "dialogue_edit": "dialogue",
            "dialogue_delete": "dialogue",
            "involvement_edit": "involvement",
            "involvement_delete": "involvement",
            "rate_edit": "rate",
            "journal_edit": "entry",
            "journal_summary": "placement",
            "journal_supervisors": "placement",
            "compromise": "compromise",
            "compromise_edit": "compromise",
            "source": "source",
            "attachment": "source",
            "consent": "participant",
        }[str(name)]
        kwargs["public_id"] = objects[key].public_id
    return reverse(f"coproduction:{name}", kwargs=kwargs)


def test_every_url_answers_every_role_as_expected(
    objects: dict[str, Any],
    client: Client,
    outsider_client: Client,
    member_client: Client,
    df_client: Client,
    manager_client: Client,
    reader_client: Client,
) -> None:
    clients = {
        "anonymous": client,
        "outsider": outsider_client,
        "member": member_client,
        "df": df_client,
        "manager": manager_client,
        "reader": reader_client,
    }
    wrong = []
    for pattern in coproduction_patterns():
        url = url_for(pattern, objects)
        expected = {"anonymous": 302, **TABLE[str(pattern.name)]}
        for role in ROLES:
            status = clients[role].get(url).status_code
            if status != expected[role]:
                wrong.append(f"{role} GET {url}: {status}, expected {expected[role]}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("compromise_add", {}),
        ("dialogue_add", {}),
        ("involvement_add", {}),
        ("meeting_add", {}),
    ],
)
def test_changes_are_refused_to_staff_off_the_research_team(
    objects: dict[str, Any], reader_client: Client, outsider_client: Client, name: str, data: Any
) -> None:
    url = reverse(f"coproduction:{name}", args=[objects["study"].slug])
    assert reader_client.post(url, data).status_code == 403
    assert outsider_client.post(url, data).status_code == 403


def test_only_managers_change_rates(objects: dict[str, Any], member_client: Client) -> None:
    url = reverse("coproduction:rate_edit", args=[objects["rate"].public_id])
    response = member_client.post(
        url, {"name": "x", "unit": "hour", "amount": "1", "guidance": "g"}
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("source_edit", "source"),
        ("source_delete", "source"),
        ("dialogue_edit", "dialogue"),
        ("dialogue_delete", "dialogue"),
        ("involvement_edit", "involvement"),
        ("involvement_delete", "involvement"),
    ],
)
def test_edits_and_deletes_are_refused_to_staff_off_the_research_team(
    objects: dict[str, Any], reader_client: Client, outsider_client: Client, name: str, key: str
) -> None:
    url = reverse(f"coproduction:{name}", args=[objects["study"].slug, objects[key].public_id])
    for client in (reader_client, outsider_client):
        assert client.post(url, {}).status_code == 403
    assert type(objects[key]).objects.filter(pk=objects[key].pk).exists()


def test_broker_changes_are_refused_to_anyone_but_the_owner_and_managers(
    objects: dict[str, Any], member_client: Client, reader_client: Client
) -> None:
    activity = objects["activity"]
    for name in ("broker_edit", "broker_delete"):
        url = reverse(f"coproduction:{name}", args=[activity.public_id])
        for client in (member_client, reader_client):
            assert client.post(url, {}).status_code == 403
    assert m.BrokerActivity.objects.filter(pk=activity.pk).exists()
