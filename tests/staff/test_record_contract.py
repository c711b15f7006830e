"""The contract of every declared kind of record (`coproduce.staff.records.register`).

Whatever app declares it, a kind's create, edit and delete each write exactly one audit entry;
a role without the right is refused (403) on GET and on POST, and changes nothing; an invalid
form answers with an error summary and keeps what was typed. A kind declared without a case
here fails `test_every_declared_kind_has_a_contract_case`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import models

from coproduce.audit.models import AuditEntry
from coproduce.implementation.models import (
    Construct,
    ImplementationRecord,
    Instrument,
    Item,
    Measure,
    Output,
)
from coproduce.staff.records import Kind, kind_named, registered
from tests import factories
from tests.staff.conftest import CASE_BY_KEY, error_summary

Ctx = dict[str, Any]  # the study fixture and the clients, for the makers below
Make = Callable[[Ctx], Any]


@dataclass(frozen=True)
class Contract:
    key: str  # namespace:key
    refused: str  # the client fixture of a role without the right
    valid: Callable[[Ctx], dict[str, Any]]  # create data (with the parent in ctx["parent"])
    blank: str  # the field left empty to make the form invalid
    kept: str  # a field whose typed value the invalid form must show again ("" for none)
    parent: Make | None = None  # the parent records are created under
    existing: Make | None = None  # a record to edit and delete
    edit: tuple[str, str] | None = None  # a field and its new value

    @property
    def kind(self) -> Kind:
        namespace, key = self.key.split(":")
        return kind_named(key, namespace)


def _registry(key: str, refused: str, blank: str, kept: str) -> Contract:
    case = CASE_BY_KEY[key]
    return Contract(
        key=f"staff:{key}",
        refused=refused,
        valid=lambda ctx: case.create_data(),
        blank=blank,
        kept=kept,
        existing=lambda ctx: case.make(),
        edit=(case.edit_field, case.edit_value),
    )


def _impl_record(ctx: Ctx) -> ImplementationRecord:
    return ImplementationRecord.objects.create(
        study=ctx["study"], meaning="organisation", title="Ward pathway"
    )


def _measure(ctx: Ctx) -> Measure:
    return Measure.objects.create(study=ctx["study"], name="Offered assessment", unit="%")


def _output(ctx: Ctx) -> Output:
    output = Output.objects.create(
        kind="research_tools", title="Pro forma", date=dt.date(2011, 1, 1)
    )
    output.studies.set([ctx["study"]])
    return output


def _item(ctx: Ctx) -> Item:
    instrument = Instrument.objects.create(slug="test-survey", name="Test survey", kind="survey")
    construct = Construct.objects.create(instrument=instrument, key="care", name="Care")
    return Item.objects.create(construct=construct, code="CA1", text="Old wording")


def _survey(ctx: Ctx) -> int:
    return Instrument.objects.create(slug="survey-two", name="Survey two", kind="survey").pk


CONTRACTS = [
    _registry("organisation", "reader_client", "name", "website"),
    _registry("theme", "reader_client", "name", "summary"),
    _registry("study", "reader_client", "title", "summary"),
    _registry("person", "reader_client", "full_name", "job_title"),
    _registry("role", "reader_client", "person", "start"),
    _registry("secondment", "reader_client", "person", "end"),
    _registry("placement", "reader_client", "person", "focus"),
    Contract(
        key="implementation:record",
        refused="outsider_client",
        parent=lambda ctx: ctx["study"],
        valid=lambda ctx: {
            "meaning": "organisation",
            "title": "Clinic pathway",
            "site": "",
            "description": "A new referral route.",
        },
        blank="title",
        kept="description",
        existing=_impl_record,
        edit=("title", "Renamed pathway"),
    ),
    Contract(
        key="implementation:determinant",
        refused="outsider_client",
        parent=lambda ctx: ctx["study"],
        valid=lambda ctx: {
            "kind": "barrier",
            "level": "team",
            "category": "cultural",
            "description": "Staff turnover.",
            "source": "Interviews",
            "date": "2010-05-01",
            "record": "",
        },
        blank="description",
        kept="source",
        existing=lambda ctx: ctx["study"].determinants.create(
            kind="barrier",
            level="organisation",
            category="resources",
            description="No protected time.",
            source="Minutes",
            date=dt.date(2010, 5, 1),
        ),
        edit=("source", "Survey"),
    ),
    Contract(
        key="implementation:recommendation",
        refused="outsider_client",
        parent=lambda ctx: ctx["study"],
        valid=lambda ctx: {
            "text": "Train the ward staff.",
            "made_by": factories.PersonFactory(full_name="Rec Maker").pk,
            "addressee": "study_team",
            "partner": "",
            "contact": "",
            "made_on": "2011-01-01",
            "due": "2011-06-01",
            "record": "",
        },
        blank="text",
        kept="due",
    ),
    Contract(
        key="implementation:administration",
        refused="outsider_client",
        parent=lambda ctx: ctx["study"],
        valid=lambda ctx: {
            "instrument": _survey(ctx),
            "date": "2011-01-01",
            "label": "Baseline round",
            "notes": "",
        },
        blank="date",
        kept="label",
    ),
    Contract(
        key="implementation:measure",
        refused="outsider_client",
        parent=lambda ctx: ctx["study"],
        valid=lambda ctx: {
            "name": "Offered assessment",
            "unit": "%",
            "direction": "up",
            "definition": "Share offered an assessment.",
            "record": "",
            "rules": "ihi",
            "baseline_end": "",
            "target": "",
        },
        blank="name",
        kept="definition",
        existing=_measure,
        edit=("rules", "anhoj"),
    ),
    Contract(
        key="implementation:point",
        refused="outsider_client",
        parent=_measure,
        valid=lambda ctx: {"date": "2011-01-01", "value": "5", "note": "First month"},
        blank="value",
        kept="note",
    ),
    Contract(
        key="implementation:cycle",
        refused="outsider_client",
        parent=_measure,
        valid=lambda ctx: {
            "title": "Reminder card",
            "start": "2011-01-01",
            "end": "",
            "plan": "Plan the card.",
            "do": "",
            "study_notes": "",
            "act": "",
        },
        blank="title",
        kept="plan",
    ),
    Contract(
        key="implementation:output",
        refused="outsider_client",
        parent=lambda ctx: ctx["study"],
        valid=lambda ctx: {
            "kind": "research_tools",
            "title": "Assessment pro forma",
            "date": "2011-01-01",
            "studies": [ctx["study"].pk],
            "description": "A form for the ward.",
            "link": "",
        },
        blank="title",
        kept="description",
        existing=_output,
        edit=("title", "Renamed pro forma"),
    ),
    Contract(
        key="implementation:item",
        refused="outsider_client",
        valid=lambda ctx: {},
        blank="text",
        kept="",
        existing=_item,
        edit=("text", "New wording"),
    ),
]
CONTRACT_BY_KEY = {contract.key: contract for contract in CONTRACTS}


def test_every_declared_kind_has_a_contract_case() -> None:
    """Every registered kind is proven by a contract: the registry's and implementation's
    here, co-production, governance, priorities' and funding's in test_crud_kinds.py; none
    twice."""
    from tests.staff.test_crud_kinds import CASES as DOMAIN_CASES

    covered = [*CONTRACT_BY_KEY, *(f"{case.namespace}:{case.key}" for case in DOMAIN_CASES)]
    assert len(covered) == len(set(covered))
    declared = {f"{kind.namespace}:{kind.key}" for kind in registered()}
    assert declared == set(covered)


def _having(action: str) -> Any:
    """Parametrise over the contracts of kinds that have `action`."""
    chosen = [c for c in CONTRACTS if action in c.kind.actions]
    return pytest.mark.parametrize("contract", chosen, ids=[c.key for c in chosen])


@pytest.fixture(params=CONTRACTS, ids=[contract.key for contract in CONTRACTS])
def contract(request: pytest.FixtureRequest) -> Contract:
    result: Contract = request.param
    return result


@pytest.fixture
def ctx(study: Any, request: pytest.FixtureRequest, contract: Contract) -> Ctx:
    values: Ctx = {"study": study}
    values["refused"] = request.getfixturevalue(contract.refused)
    values["manager"] = request.getfixturevalue("manager_client")
    return values


def _parent(contract: Contract, ctx: Ctx) -> Any:
    if "parent" not in ctx:
        ctx["parent"] = contract.parent(ctx) if contract.parent else None
    return ctx["parent"]


def _form_data(kind: Kind, obj: Any, parent: Any, **changes: Any) -> dict[str, Any]:
    """What the edit form posts for `obj` unchanged, with `changes` applied."""
    kwargs: dict[str, Any] = {"instance": obj}
    if kind.parent is not None and kind.parent.form_kwarg:
        kwargs[kind.parent.field] = parent
    data: dict[str, Any] = {}
    for field in kind.form_class(**kwargs):
        value = field.value()
        if isinstance(value, dt.date):
            value = value.isoformat()
        elif isinstance(value, list | tuple):
            value = [str(v.pk if isinstance(v, models.Model) else v) for v in value]
        elif value is None:
            value = ""
        data[field.name] = value
    data.update(changes)
    return data


def _mark() -> int:
    """The newest audit entry so far (entries are append-only): count what comes after."""
    return AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _changes_since(mark: int) -> list[AuditEntry]:
    return list(AuditEntry.objects.changes().filter(pk__gt=mark).order_by("pk"))


def _existing(contract: Contract, ctx: Ctx) -> tuple[Any, Any]:
    assert contract.existing is not None
    obj = contract.existing(ctx)
    kind = contract.kind
    if kind.parent_of_user is not None:  # decided by who asks (an output: a study of theirs)
        parent = ctx["study"]
    else:
        parent = kind.parent_of(None, obj) if kind.parent is not None else None
    return obj, parent


@_having("create")
def test_create_writes_one_audit_entry(contract: Contract, ctx: Ctx) -> None:
    kind = contract.kind
    url = kind.url("create", parent=_parent(contract, ctx))
    assert ctx["manager"].get(url).status_code == 200
    mark = _mark()

    response = ctx["manager"].post(url, contract.valid(ctx))

    assert response.status_code == 302, error_summary(response.content.decode())
    entries = _changes_since(mark)
    assert [entry.action for entry in entries] == [f"{kind.model._meta.label_lower}.created"]
    assert kind.model._default_manager.filter(pk=entries[0].object_id).exists()


@_having("edit")
def test_edit_writes_one_audit_entry(contract: Contract, ctx: Ctx) -> None:
    kind = contract.kind
    assert contract.edit is not None
    obj, parent = _existing(contract, ctx)
    url = kind.url("edit", obj, parent)
    assert ctx["manager"].get(url).status_code == 200
    mark = _mark()
    name, value = contract.edit

    response = ctx["manager"].post(url, _form_data(kind, obj, parent, **{name: value}))

    assert response.status_code == 302, error_summary(response.content.decode())
    obj.refresh_from_db()
    assert str(getattr(obj, name)) == value
    entries = _changes_since(mark)
    assert [entry.action for entry in entries] == [f"{kind.model._meta.label_lower}.updated"]
    assert list(entries[0].changes) == [name]


@_having("delete")
def test_delete_writes_one_audit_entry(contract: Contract, ctx: Ctx) -> None:
    kind = contract.kind
    obj, parent = _existing(contract, ctx)
    for relation in obj._meta.related_objects:  # rows other apps attach (a study's community)
        if relation.on_delete is models.PROTECT:
            relation.related_model._default_manager.filter(**{relation.field.name: obj}).delete()
    mark = _mark()

    response = ctx["manager"].post(kind.url("delete", obj, parent))

    assert response.status_code == 302
    assert not kind.model._default_manager.filter(pk=obj.pk).exists()
    entries = _changes_since(mark)
    assert [entry.action for entry in entries] == [f"{kind.model._meta.label_lower}.deleted"]


def test_a_role_without_the_right_is_refused_on_get_and_post(contract: Contract, ctx: Ctx) -> None:
    kind = contract.kind
    urls = []
    if "create" in kind.actions:
        urls.append((kind.url("create", parent=_parent(contract, ctx)), contract.valid(ctx)))
    if contract.existing is not None:
        obj, parent = _existing(contract, ctx)
        if "edit" in kind.actions and contract.edit is not None:
            name, value = contract.edit
            data = _form_data(kind, obj, parent, **{name: value})
            urls.append((kind.url("edit", obj, parent), data))
        if "delete" in kind.actions:
            urls.append((kind.url("delete", obj, parent), {}))
    assert urls
    count = kind.model._default_manager.count()
    mark = _mark()
    for url, data in urls:
        assert ctx["refused"].get(url).status_code == 403, url
        assert ctx["refused"].post(url, data).status_code == 403, url
    assert kind.model._default_manager.count() == count
    assert _changes_since(mark) == []


def test_an_invalid_form_shows_an_error_summary_and_keeps_the_input(
    contract: Contract, ctx: Ctx
) -> None:
    kind = contract.kind
    if "create" in kind.actions:
        url = kind.url("create", parent=_parent(contract, ctx))
        data = contract.valid(ctx)
    else:
        obj, parent = _existing(contract, ctx)
        url = kind.url("edit", obj, parent)
        data = _form_data(kind, obj, parent)
    data[contract.blank] = ""
    count = kind.model._default_manager.count()
    mark = _mark()

    response = ctx["manager"].post(url, data)

    assert response.status_code == kind.invalid_status
    html = response.content.decode()
    summary = error_summary(html)
    assert "There is a problem" in summary
    assert f'href="#id_{contract.blank}"' in summary
    assert "<title>Error: " in html
    if contract.kept:
        assert str(data[contract.kept]) in html
    assert kind.model._default_manager.count() == count
    assert _changes_since(mark) == []
