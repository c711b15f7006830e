"""Every kind: a manager lists, adds, edits and deletes; each change writes one audit entry."""

from __future__ import annotations

from typing import Any

from django.db.models import PROTECT
from django.test import Client

from coproduce.audit.models import AuditEntry
from tests.staff.conftest import Case, form_data


def test_it_lists_records(manager_client: Client, case: Case) -> None:
    obj = case.make()
    response = manager_client.get(case.base())
    assert response.status_code == 200
    html = response.content.decode()
    assert case.url(obj) in html
    assert f'href="{case.base()}new/"' in html


def test_it_shows_a_detail_page_with_edit_and_delete_buttons(
    manager_client: Client, case: Case
) -> None:
    obj = case.make()
    response = manager_client.get(case.url(obj))
    assert response.status_code == 200
    html = response.content.decode()
    assert str(obj) in html
    assert case.url(obj, "edit") in html
    assert case.url(obj, "delete") in html


def test_it_creates_a_record_and_audits_it(manager_client: Client, case: Case) -> None:
    data = case.create_data()
    response = manager_client.get(f"{case.base()}new/")
    assert response.status_code == 200
    if "start" in data or "partner_since" in data:
        assert 'type="date"' in response.content.decode()

    response = manager_client.post(f"{case.base()}new/", data)

    assert response.status_code == 302
    model = case.kind.model
    obj = model.objects.order_by("-pk").first()
    assert response["Location"] == case.url(obj)
    entry = AuditEntry.objects.get(action=f"registry.{model._meta.model_name}.created")
    assert entry.object_id == str(obj.pk)
    assert entry.actor_label == "manager"
    assert all(before is None for before, _ in entry.changes.values())
    assert entry.changes  # the values it was created with


def test_it_edits_a_record_and_records_before_and_after(manager_client: Client, case: Case) -> None:
    obj = case.make()
    before = str(getattr(obj, case.edit_field))
    response = manager_client.get(case.url(obj, "edit"))
    assert response.status_code == 200

    response = manager_client.post(
        case.url(obj, "edit"), form_data(obj, **{case.edit_field: case.edit_value})
    )

    assert response.status_code == 302, response.content.decode()
    obj.refresh_from_db()
    assert str(getattr(obj, case.edit_field)) == case.edit_value
    entry = AuditEntry.objects.get()
    assert entry.action == f"registry.{obj._meta.model_name}.updated"
    assert entry.changes == {case.edit_field: [before, case.edit_value]}


def test_saving_without_changes_writes_no_audit_entry(manager_client: Client, case: Case) -> None:
    obj = case.make()
    response = manager_client.post(case.url(obj, "edit"), form_data(obj), follow=True)
    assert response.status_code == 200
    assert "Nothing was changed." in response.content.decode()
    assert not AuditEntry.objects.exists()


def _remove_protecting_rows(obj: Any) -> None:
    """Other apps may attach protected rows on creation (a study's community, say)."""
    for relation in obj._meta.related_objects:
        if relation.on_delete is PROTECT:
            relation.related_model._default_manager.filter(**{relation.field.name: obj}).delete()


def test_it_deletes_after_confirmation_and_audits_it(manager_client: Client, case: Case) -> None:
    obj = case.make()
    _remove_protecting_rows(obj)
    model = type(obj)
    response = manager_client.get(case.url(obj, "delete"))
    assert response.status_code == 200
    assert "Are you sure" in response.content.decode()
    assert model.objects.filter(pk=obj.pk).exists()  # GET deletes nothing

    response = manager_client.post(case.url(obj, "delete"))

    assert response.status_code == 302
    assert response["Location"] == case.base()
    assert not model.objects.filter(pk=obj.pk).exists()
    entry = AuditEntry.objects.get()
    assert entry.action == f"registry.{model._meta.model_name}.deleted"
    assert entry.object_id == str(obj.pk)
    assert all(after is None for _, after in entry.changes.values())


def test_the_history_shows_who_changed_what(manager_client: Client, case: Case) -> None:
    obj = case.make()
    manager_client.post(case.url(obj, "edit"), form_data(obj, **{case.edit_field: case.edit_value}))
    obj.refresh_from_db()
    html = manager_client.get(case.url(obj)).content.decode()
    history = html.split('id="history"', 1)[1]
    assert "manager changed the" in history  # a sentence, by name (the fixture has no full name)
    assert case.kind.model._meta.label_lower in history  # the raw code, for auditors
    assert case.edit_value in history
    assert "→" in history


def test_unknown_keys_are_not_found(manager_client: Client, case: Case, db: Any) -> None:
    key = "no-such-thing" if case.kind.lookup == "slug" else "00000000-0000-4000-8000-000000000000"
    assert manager_client.get(f"{case.base()}{key}/").status_code == 404
    assert manager_client.get(f"{case.base()}{key}/edit/").status_code == 404
