"""Implementation's plain records in the staff area, declared once each (`staff.records`).

Records of a study (implementation records, barriers and facilitators, recommendations,
administrations, measures, outputs) are added under the study's address and may be changed by
whoever may change the study; a measure's data points and PDSA cycles likewise by the measure's
study; an instrument item's wording by managers alone. Their pages (a record, a measure, an
administration) and the workflows (status changes, transitions, imports, scores) are views.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from coproduce.implementation import forms as f
from coproduce.implementation.models import (
    Administration,
    DataPoint,
    Determinant,
    ImplementationRecord,
    Item,
    Measure,
    Output,
    PDSACycle,
    Recommendation,
)
from coproduce.implementation.outputs_forms import OutputForm
from coproduce.registry.access import can_edit_study, require_manager, require_staff
from coproduce.staff.records import PARENT_DECIDES, Kind, Parent, ParentDecides, study_parent


def study_url(study: Any) -> str:
    return reverse("implementation:study", args=[study.slug])


def require_edit(user: Any, study: Any) -> None:
    require_staff(user)
    if not can_edit_study(user, study):
        raise PermissionDenied("You can only change the studies you work on.")


def measure_for(user: Any, public_id: Any, *, write: bool = False) -> Measure:
    require_staff(user)
    obj = get_object_or_404(Measure.objects.select_related("study", "record"), public_id=public_id)
    if write:
        require_edit(user, obj.study)
    return obj


def _measure_check(user: Any, measure: Measure, write: bool) -> None:
    require_staff(user)
    if write:
        require_edit(user, measure.study)


STUDY = study_parent(study_url)
MEASURE = Parent(
    field="measure",
    segment="measures",
    get=lambda user, key, write: measure_for(user, key, write=write),
    check=_measure_check,
    url=lambda measure: measure.get_absolute_url(),
    caption=lambda measure: f"{measure.study.title}: {measure.name}",
    kwarg="public_id",
    converter="uuid",
    key="public_id",
    form_kwarg=True,
)


def _today(field: str) -> Any:
    return lambda request, parent: {field: timezone.localdate()}


def _recommendation_initial(request: HttpRequest, study: Any) -> dict[str, Any]:
    initial: dict[str, Any] = {"made_on": timezone.localdate()}
    person = getattr(request.user, "person", None)
    if person is not None:
        initial["made_by"] = person.pk
    return initial


# --- outputs: of one or more studies (many-to-many), changed by any of their teams ------------


def _editable_study(user: Any, output: Output) -> Any:
    cached = getattr(output, "_editable_study", None)
    if cached is None:
        editable = [study for study in output.studies.all() if can_edit_study(user, study)]
        if not editable:
            raise PermissionDenied("You can only change outputs of studies you work on.")
        cached = output._editable_study = editable[0]  # type: ignore[attr-defined]
    return cached


class OutputPolicy(ParentDecides):
    """Any staff member reads an output (as they read the register); the teams of its studies
    and managers change it."""

    def get(self, kind: Kind, user: Any, key: Any, *, write: bool, scope: dict[str, Any]) -> Any:
        require_staff(user)
        obj = get_object_or_404(Output, public_id=key)
        if write:
            _editable_study(user, obj)
        return obj


def _check_studies(form: Any, user: Any) -> None:
    for study in form.cleaned_data.get("studies", []):
        if not can_edit_study(user, study):
            form.add_error("studies", f"You cannot add outputs to {study.title}")


# --- instrument items: their wording, managers' alone --------------------------------------------


class ItemPolicy(ParentDecides):
    def get(self, kind: Kind, user: Any, key: Any, *, write: bool, scope: dict[str, Any]) -> Any:
        require_manager(user)
        return get_object_or_404(
            kind.queryset(), construct__instrument__slug=scope["slug"], public_id=key
        )


CONSTRUCT = Parent(
    field="construct",
    segment="instruments",
    get=lambda user, key, write: None,  # items are not added here
    check=lambda user, construct, write: require_manager(user),
    url=lambda construct: construct.instrument.get_absolute_url(),
    caption=lambda construct: f"{construct.instrument.name}: {construct.name}",
    key="instrument.slug",
)


_IN_IMPLEMENTATION: dict[str, Any] = {
    "namespace": "implementation",
    "section": "implementation",
    "crumb": ("Implementation", "implementation:overview"),
    "key_kwarg": "public_id",
    "policy": PARENT_DECIDES,
}

KINDS: tuple[Kind, ...] = (
    Kind(
        key="record",
        model=ImplementationRecord,
        form_class=f.RecordForm,
        segment="records",
        parent=STUDY,
        select_related=("study", "site"),
        actions=("create", "edit"),
        names={"create": "record_add", "edit": "record_edit"},
        create_heading="Add an implementation record",
        edit_heading="Edit {obj.title}",
        intro="Where and how the study's findings are being put into practice.",
        created="Implementation record added.",
        saved="Implementation record saved.",
        **_IN_IMPLEMENTATION,
    ),
    Kind(
        key="determinant",
        model=Determinant,
        form_class=f.DeterminantForm,
        segment="barriers-and-facilitators",
        parent=STUDY,
        select_related=("study",),
        actions=("create", "edit"),
        names={"create": "determinant_add", "edit": "determinant_edit"},
        paths={"edit": "barriers-and-facilitators/<uuid:public_id>/"},
        create_heading="Record a barrier or facilitator",
        edit_heading="Edit a barrier or facilitator",
        initial=_today("date"),
        created=lambda obj: f"{obj.get_kind_display()} recorded.",
        saved="Saved.",
        return_to="parent",
        **_IN_IMPLEMENTATION,
    ),
    Kind(
        key="recommendation",
        model=Recommendation,
        form_class=f.RecommendationForm,
        segment="recommendations",
        parent=STUDY,
        select_related=("study", "made_by", "partner", "contact", "record"),
        actions=("create",),
        names={"create": "recommendation_add"},
        create_heading="Make a recommendation",
        intro="A recommendation to the study team or a partner, followed up until acted on.",
        initial=_recommendation_initial,
        created="Recommendation made.",
        **_IN_IMPLEMENTATION,
    ),
    Kind(
        key="administration",
        model=Administration,
        form_class=f.AdministrationForm,
        segment="administrations",
        parent=STUDY,
        select_related=("study", "instrument"),
        actions=("create",),
        names={"create": "administration_add"},
        create_heading="Add an administration",
        intro="One round of a survey instrument given to the people of this study.",
        initial=_today("date"),
        created="Administration added. Enter or import the scores.",
        **_IN_IMPLEMENTATION,
    ),
    Kind(
        key="measure",
        model=Measure,
        form_class=f.MeasureForm,
        segment="measures",
        parent=STUDY,
        select_related=("study", "record"),
        actions=("create", "edit"),
        names={"create": "measure_add", "edit": "measure_edit"},
        form_kwargs=lambda user: {"actor": user},
        paths={"edit": "measures/<uuid:public_id>/edit/"},
        create_heading="Add a measure",
        edit_heading="Edit the measure",
        intro="A measure that PDSA cycles aim to improve, charted as a run chart (and, from "
        "12 points, a control chart).",
        created="Measure added.",
        saved="Measure saved.",
        return_to="object",
        **_IN_IMPLEMENTATION,
    ),
    Kind(
        key="point",
        model=DataPoint,
        form_class=f.DataPointForm,
        segment="points",
        parent=MEASURE,
        actions=("create",),
        names={"create": "point_add"},
        create_heading="Add a data point",
        created="Data point added.",
        return_to="parent",
        **_IN_IMPLEMENTATION,
    ),
    Kind(
        key="cycle",
        model=PDSACycle,
        form_class=f.CycleForm,
        segment="cycles",
        parent=dataclasses.replace(MEASURE, form_kwarg=False),
        actions=("create",),
        names={"create": "cycle_add"},
        create_heading="Add a PDSA cycle",
        intro="Plan, do, study, act: one test of a change, aimed at this measure.",
        created="PDSA cycle added.",
        return_to="parent",
        **_IN_IMPLEMENTATION,
    ),
    Kind(
        key="output",
        model=Output,
        form_class=OutputForm,
        segment="outputs",
        parent=dataclasses.replace(STUDY, field="", form_kwarg=False),
        parent_of_user=_editable_study,
        actions=("create", "edit"),
        names={"create": "output_add", "edit": "output_edit"},
        paths={"edit": "outputs/<uuid:public_id>/edit/"},
        detail_page="output",
        create_heading="Add an output",
        edit_heading="Edit an output",
        intro="Outcomes and impact: what came of the work, and which implementations it came from.",
        initial=lambda request, study: {"studies": [study.pk], "date": timezone.localdate()},
        validate=_check_studies,
        created="Output added.",
        saved="Output saved.",
        return_to="object",
        **{**_IN_IMPLEMENTATION, "policy": OutputPolicy()},
    ),
    Kind(
        key="item",
        model=Item,
        form_class=f.ItemTextForm,
        segment="items",
        parent=CONSTRUCT,
        select_related=("construct__instrument",),
        actions=("edit",),
        names={"edit": "item_edit"},
        paths={"edit": "instruments/<slug:slug>/items/<uuid:public_id>/"},
        edit_heading="Wording of {obj.code}",
        intro="Enter the wording from your licensed copy of the instrument. It is shown to "
        "people entering scores.",
        saved=lambda item: f"Wording of {item.code} saved.",
        return_to="parent",
        **{**_IN_IMPLEMENTATION, "policy": ItemPolicy()},
    ),
)

KIND = {kind.key: kind for kind in KINDS}
