"""The CRUD contract for kinds declared outside the registry (co-production, governance...):
whatever actions a kind has, each create, edit and delete writes one audit entry; a role
without rights gets 403 on GET and POST and changes nothing; an invalid form answers with an
error summary and keeps what was typed.

Each case names its kind by namespace and key, how to make a record and its parent, valid
data, one field to change, and the role that may see the parent but not change it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.db import models
from django.test import Client

from coproduce.audit.log import action_name
from coproduce.audit.models import AuditEntry
from coproduce.coproduction import models as cm
from coproduce.governance.models import Panel, PanelMembership
from coproduce.priorities.models import Consultation, Question
from coproduce.staff.records import Kind, kind_named
from tests import factories
from tests.coproduction.conftest import make_dialogue, make_involvement
from tests.funding import scene as funding_scene

KEPT = "Kept-input-7c1e"  # typed into a valid field of an invalid form, and shown again


@dataclass(frozen=True)
class KindCase:
    namespace: str
    key: str
    make: Callable[[Any], models.Model]  # (scene) -> a record
    parent: Callable[[Any], Any]  # (scene) -> the parent a new record is added under, or None
    data: Callable[[Any], dict[str, Any]]  # (scene) -> valid form data for a new record
    edit: tuple[str, str]  # a field and a new value
    invalid: tuple[str, str]  # a required field left empty, and a field given KEPT
    allowed: str  # the client that may change these records
    refused: str  # a client that may not

    @property
    def kind(self) -> Kind:
        return kind_named(self.key, self.namespace)


def _dialogue_data(scene: Any) -> dict[str, Any]:
    return {
        "title": "Whose evidence counts",
        "date": "2011-04-01",
        "partners": "Academics and ward managers",
        "summary": "A frank talk.",
        "challenges": ["language"],
        "enablers": ["dialogical"],
        "actions": "",
    }


def _involvement_data(scene: Any) -> dict[str, Any]:
    rate = cm.PaymentRate.objects.get(name="Involvement, hourly")
    return {
        "contributor_name": "Pat Public",
        "date": "2011-02-01",
        "what": "Steering committee",
        "role": cm.InvolvementActivity.Role.STEERING,
        "hours": "2",
        "rate": str(rate.pk),
        "expenses": "0",
        "paid_on": "",
    }


def _rate_data(scene: Any) -> dict[str, Any]:
    return {
        "name": "Workshop, half day",
        "unit": cm.PaymentRate.Unit.HALF_DAY,
        "amount": "75.00",
        "guidance": "NIHR Payment guidance for members of the public (2024).",
        "active": "on",
    }


def _rate(scene: Any) -> cm.PaymentRate:
    return cm.PaymentRate.objects.create(
        name="Advisory meeting", unit="activity", amount=Decimal("40"), guidance="NIHR"
    )


def _term(scene: Any) -> PanelMembership:
    return PanelMembership.objects.create(
        panel=scene.panel, person=factories.PersonFactory(), start=dt.date(2010, 1, 1)
    )


def _member_data(scene: Any) -> dict[str, Any]:
    return {
        "person": str(factories.PersonFactory(full_name="Nia New").pk),
        "role": PanelMembership.Role.MEMBER,
        "represents": PanelMembership.Represents.CARER,
        "start": "2020-01-01",
        "end": "",
    }


def _consultation(scene: Any, slug: str = "scoping") -> Consultation:
    found = Consultation.objects.filter(slug=slug).first()
    return found or Consultation.objects.create(
        slug=slug,
        title="Scoping",
        scope="What research should we do?",
        opens=dt.date(2010, 1, 1),
        closes=dt.date(2010, 3, 31),
    )


def _consultation_data(scene: Any) -> dict[str, Any]:
    return {
        "title": "Stroke priorities",
        "slug": "stroke-priorities",
        "scope": "Life after stroke",
        "opens": "2011-01-01",
        "closes": "2011-03-31",
        "status": Consultation.Status.DRAFT,
        "reminder_days_before_close": "3",
    }


def _question(scene: Any) -> Question:
    return Question.objects.create(
        consultation=_consultation(scene), position=1, kind=Question.Kind.FREE_TEXT, text="Why?"
    )


def _question_data(scene: Any) -> dict[str, Any]:
    return {
        "position": "2",
        "kind": Question.Kind.FREE_TEXT,
        "text": "What matters most to you?",
        "hint": "",
        "scale_min": "1",
        "scale_max": "5",
    }


CASES = [
    KindCase(
        "coproduction",
        "dialogue",
        lambda scene: make_dialogue(scene.study),
        lambda scene: scene.study,
        _dialogue_data,
        ("title", "What counts as knowledge"),
        ("title", "partners"),
        "member_client",
        "reader_client",
    ),
    KindCase(
        "coproduction",
        "involvement",
        lambda scene: make_involvement(scene.study),
        lambda scene: scene.study,
        _involvement_data,
        ("what", "Advisory group"),
        ("what", "contributor_name"),
        "member_client",
        "reader_client",
    ),
    KindCase(
        "coproduction",
        "rate",
        _rate,
        lambda scene: None,
        _rate_data,
        ("guidance", "NIHR guidance (2025)"),
        ("name", "guidance"),
        "manager_client",
        "member_client",
    ),
    # A date typed wrong is kept as typed: these forms have no free-text field.
    KindCase(
        "governance",
        "member",
        _term,
        lambda scene: scene.panel,
        _member_data,
        ("role", "external_reviewer"),
        ("person", "start"),
        "manager_client",
        "member_client",
    ),
    KindCase(
        "governance",
        "membership",
        _term,
        lambda scene: scene.panel,
        _member_data,
        ("role", "external_reviewer"),
        ("role", "start"),
        "manager_client",
        "member_client",
    ),
    KindCase(
        "priorities_staff",
        "consultation",
        lambda scene: _consultation(scene, "existing"),
        lambda scene: None,
        _consultation_data,
        ("title", "Renamed consultation"),
        ("title", "scope"),
        "manager_client",
        "reader_client",
    ),
    KindCase(
        "priorities_staff",
        "question",
        _question,
        _consultation,
        _question_data,
        ("text", "What matters most?"),
        ("text", "hint"),
        "manager_client",
        "member_client",
    ),
]
CASES += funding_scene.crud_cases(KindCase)


@dataclass
class Scene:
    study: Any
    clients: dict[str, Client]

    @property
    def panel(self) -> Panel:
        return Panel.objects.get(kind=Panel.Kind.SCIENTIFIC)


@pytest.fixture(params=CASES, ids=[f"{c.namespace}:{c.key}" for c in CASES])
def case(request: pytest.FixtureRequest) -> KindCase:
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
def scene(
    study: Any, manager_client: Client, member_client: Client, reader_client: Client
) -> Scene:
    return Scene(
        study,
        {
            "manager_client": manager_client,
            "member_client": member_client,
            "reader_client": reader_client,
        },
    )


def _form_data(kind: Kind, obj: Any, **changes: Any) -> dict[str, Any]:
    """What the edit form posts for `obj` unchanged, with `changes`."""
    kwargs: dict[str, Any] = {"instance": obj}
    if kind.parent is not None and kind.parent.form_kwarg:
        kwargs[kind.parent.field] = kind.parent_of(None, obj)
    form = kind.form_class(**kwargs)
    data: dict[str, Any] = {}
    for field in form:
        value = field.value()
        if value is None or value is False:
            continue
        if value is True:
            value = "on"
        elif isinstance(value, dt.date):
            value = value.isoformat()
        elif isinstance(value, list | tuple):
            value = [str(v) for v in value]
        data[field.name] = str(value) if not isinstance(value, list) else value
    data.update(changes)
    return data


def _needs(kind: Kind, action: str) -> None:
    if action not in kind.actions:
        pytest.skip(f"{kind.key} has no generic {action} (its app's own view, or none)")


def _entries(obj: Any, verb: str) -> int:
    return AuditEntry.objects.filter(action=action_name(obj, verb), object_id=str(obj.pk)).count()


def test_create_writes_one_audit_entry(case: KindCase, scene: Scene) -> None:
    kind, client = case.kind, scene.clients[case.allowed]
    _needs(kind, "create")
    url = kind.url("create", parent=case.parent(scene))
    assert client.get(url).status_code == 200
    before = set(kind.model._default_manager.values_list("pk", flat=True))
    response = client.post(url, case.data(scene))
    assert response.status_code == 302, response.content.decode()[:2000]
    (obj,) = kind.model._default_manager.exclude(pk__in=before)
    assert _entries(obj, "created") == 1
    assert AuditEntry.objects.count() == 1


def test_edit_writes_one_audit_entry(case: KindCase, scene: Scene) -> None:
    kind, client = case.kind, scene.clients[case.allowed]
    _needs(kind, "edit")
    obj = case.make(scene)
    url = kind.url("edit", obj)
    assert client.get(url).status_code == 200
    field, value = case.edit
    response = client.post(url, _form_data(kind, obj, **{field: value}))
    assert response.status_code == 302, response.content.decode()[:2000]
    obj.refresh_from_db()
    assert str(getattr(obj, field)) == value
    assert _entries(obj, "updated") == 1
    assert AuditEntry.objects.count() == 1


def test_delete_writes_one_audit_entry(case: KindCase, scene: Scene) -> None:
    kind, client = case.kind, scene.clients[case.allowed]
    _needs(kind, "delete")
    obj = case.make(scene)
    url = kind.url("delete", obj)
    assert client.get(url).status_code == 200
    assert kind.model._default_manager.filter(pk=obj.pk).exists()  # GET deletes nothing
    assert client.post(url).status_code == 302
    assert not kind.model._default_manager.filter(pk=obj.pk).exists()
    assert AuditEntry.objects.filter(action=action_name(obj, "deleted")).count() == 1
    assert AuditEntry.objects.count() == 1


def test_a_role_without_rights_gets_403_on_get_and_post(case: KindCase, scene: Scene) -> None:
    kind, client = case.kind, scene.clients[case.refused]
    obj = case.make(scene)
    urls = [kind.url("create", parent=case.parent(scene))] if "create" in kind.actions else []
    urls += [kind.url(action, obj) for action in ("edit", "delete") if action in kind.actions]
    field, value = case.edit
    data = _form_data(kind, obj, **{field: value})
    for url in urls:
        assert client.get(url).status_code == 403, url
        assert client.post(url, data).status_code == 403, url
    assert kind.model._default_manager.filter(pk=obj.pk).exists()
    obj.refresh_from_db()
    assert str(getattr(obj, field)) != value
    assert not AuditEntry.objects.exists()


def test_an_invalid_form_shows_an_error_summary_and_keeps_the_input(
    case: KindCase, scene: Scene
) -> None:
    kind, client = case.kind, scene.clients[case.allowed]
    empty, kept = case.invalid
    obj = case.make(scene)
    forms = []
    if "create" in kind.actions:
        forms.append((kind.url("create", parent=case.parent(scene)), case.data(scene)))
    if "edit" in kind.actions:
        forms.append((kind.url("edit", obj), _form_data(kind, obj)))
    for url, data in forms:
        count = kind.model._default_manager.count()
        response = client.post(url, {**data, empty: "", kept: KEPT})
        html = response.content.decode()
        assert response.status_code in (200, 400)
        assert "nhsuk-error-summary" in html
        assert KEPT in html
        assert kind.model._default_manager.count() == count
    assert not AuditEntry.objects.exists()
