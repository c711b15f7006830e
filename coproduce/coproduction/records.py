"""Co-production's plain records in the staff area, declared once each (`staff.records`).

A study's reflexive dialogues and public involvement are added under the study's address and
changed by whoever may change the study (`coproduction.access`: its research team and
managers); a record is found only through its own study. Payment rates are managers' alone.
Their lists, and the workflows (compromises with their positions, sources and their imports,
consent, GRIPP2, broker activity, the journal), are views.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from coproduce.coproduction import forms as f
from coproduce.coproduction import models as m
from coproduce.staff.records import Kind, ParentDecides, study_parent


class InStudy(ParentDecides):
    """A study's record, through the study in its address: 403 if the user may not see (or
    change) the study, then 404 if the record is not this study's."""

    def get(self, kind: Kind, user: Any, key: Any, *, write: bool, scope: dict[str, Any]) -> Any:
        assert kind.parent is not None
        study = kind.parent.get(user, scope[kind.parent.kwarg], write)
        return get_object_or_404(kind.queryset(), study=study, **{kind.lookup: key})


def _study_list(name: str) -> Any:
    """A study as parent, whose page for these records is the app's list `name`."""
    return study_parent(lambda study: reverse(f"coproduction:{name}", args=[study.slug]))


def _paid(activity: m.InvolvementActivity) -> str:
    said = "The fee is worked out again only if you change the rate or the hours."
    if activity.paid_on:
        said += f" This activity was paid on {activity.paid_on:%-d %B %Y}."
    return said


S = "studies/<slug:slug>/"
_COPRODUCTION: dict[str, Any] = {
    "namespace": "coproduction",
    "section": "coproduction",
    "crumb": ("Co-production", "coproduction:home"),
    "key_kwarg": "public_id",
    "invalid_status": 200,  # as these pages always answered an invalid form
}
_IN_STUDY: dict[str, Any] = {**_COPRODUCTION, "policy": InStudy(), "return_to": "parent"}

KINDS: tuple[Kind, ...] = (
    Kind(
        key="dialogue",
        model=m.ReflexiveDialogue,
        form_class=f.DialogueForm,
        segment="dialogues",
        parent=dataclasses.replace(_study_list("dialogues"), form_kwarg=False),
        actions=("create", "edit", "delete"),
        names={"create": "dialogue_add", "edit": "dialogue_edit", "delete": "dialogue_delete"},
        paths={
            "edit": S + "dialogues/<uuid:public_id>/edit/",
            "delete": S + "dialogues/<uuid:public_id>/delete/",
        },
        create_heading="Record a reflexive dialogue",
        edit_heading="Edit a reflexive dialogue",
        delete_heading="Delete this dialogue?",
        initial=lambda request, study: {"date": timezone.localdate()},
        created="Dialogue recorded.",
        saved=lambda dialogue: f"Dialogue saved: {dialogue.title}.",
        **_IN_STUDY,
    ),
    Kind(
        key="involvement",
        model=m.InvolvementActivity,
        form_class=f.InvolvementForm,
        segment="involvement",
        parent=dataclasses.replace(_study_list("involvement"), form_kwarg=False),
        select_related=("contributor", "rate"),
        # Deleting is the ledger's own view: a paid activity must stay as finance has it.
        actions=("create", "edit"),
        names={"create": "involvement_add", "edit": "involvement_edit"},
        paths={"edit": S + "involvement/<uuid:public_id>/edit/"},
        create_heading="Record public involvement",
        edit_heading="Edit public involvement",
        edit_intro=_paid,
        initial=lambda request, study: {"date": timezone.localdate(), "hours": Decimal("2")},
        created=lambda activity: f"Involvement recorded: £{activity.total} to pay.",
        saved=lambda activity: f"Involvement saved: £{activity.total} to pay.",
        **_IN_STUDY,
    ),
    Kind(
        key="rate",
        model=m.PaymentRate,
        form_class=f.PaymentRateForm,
        segment="rates",
        actions=("create", "edit"),
        names={"create": "rate_add", "edit": "rate_edit"},
        paths={"edit": "rates/<uuid:public_id>/"},
        list_page="rates",
        create_heading="Add a rate",
        edit_heading="Edit rate: {obj.name}",
        created=lambda rate: f"Rate added: {rate}.",
        saved=lambda rate: f"Rate saved: {rate}.",
        **_COPRODUCTION,  # managers change rates (the default policy)
    ),
)
