"""What the staff area manages, described once per object kind.

The generic views in `views.py` and the templates under `staff/` read these descriptions; adding
a kind is a new `Kind(...)` here and a ModelForm in `forms.py`, not another set of views.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.db import models
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from coproduce.registry import access
from coproduce.registry.models import (
    Area,
    Organisation,
    Person,
    Placement,
    RoleAssignment,
    Secondment,
    Study,
    Theme,
)
from coproduce.staff import forms as staff_forms

# --- list columns ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column of a list: a dotted attribute path; fields with choices show their label."""

    label: str
    path: str

    def value(self, obj: Any) -> Any:
        *parents, name = self.path.split(".")
        target = obj
        for part in parents:
            target = getattr(target, part)
            if target is None:
                return None
        display = getattr(target, f"get_{name}_display", None)
        if callable(display):
            return display()
        return getattr(target, name)


# --- list filters ------------------------------------------------------------------------------


class Filter:
    """A list filter: a form field in the filter form and the query it applies."""

    name: str
    label: str

    def form_field(self) -> forms.Field:
        raise NotImplementedError

    def apply(self, queryset: models.QuerySet[Any], value: Any) -> models.QuerySet[Any]:
        raise NotImplementedError


@dataclass(frozen=True)
class ChoiceFilter(Filter):
    """Filter on a fixed set of choices; `where` turns a chosen value into a query."""

    name: str
    label: str
    choices: Sequence[tuple[str, str]]
    where: Callable[[str], Q] | None = None

    def form_field(self) -> forms.Field:
        return forms.ChoiceField(
            label=self.label, choices=[("", "All"), *self.choices], required=False
        )

    def apply(self, queryset: models.QuerySet[Any], value: Any) -> models.QuerySet[Any]:
        query = self.where(value) if self.where else Q(**{self.name: value})
        return queryset.filter(query)


@dataclass(frozen=True)
class RelatedFilter(Filter):
    """Filter on a foreign key, chosen by the related object's slug (never its database id)."""

    name: str
    label: str
    queryset: Callable[[], models.QuerySet[Any]]

    def form_field(self) -> forms.Field:
        return forms.ModelChoiceField(
            label=self.label,
            queryset=self.queryset(),
            to_field_name="slug",
            empty_label="All",
            required=False,
        )

    def apply(self, queryset: models.QuerySet[Any], value: Any) -> models.QuerySet[Any]:
        return queryset.filter(**{self.name: value})


def _dated_status(value: str) -> Q:
    """Rows with start and end dates, by where today falls."""
    today = timezone.localdate()
    if value == "current":
        return Q(start__lte=today) & (Q(end__isnull=True) | Q(end__gte=today))
    if value == "ended":
        return Q(end__lt=today)
    return Q(start__gt=today)


DATED_STATUS = ChoiceFilter(
    "status",
    "Status",
    [("current", "Current"), ("ended", "Ended"), ("future", "Not started yet")],
    _dated_status,
)


def _partner(value: str) -> Q:
    return Q(partner_since__isnull=value != "yes")


# --- who may do what ---------------------------------------------------------------------------


class ManagersEdit:
    """Every staff member reads; only managers create, change and delete."""

    def get(self, kind: Kind, user: Any, key: Any, *, write: bool) -> Any:
        access.require_staff(user)
        obj = get_object_or_404(kind.queryset(), **{kind.lookup: key})
        if write:
            access.require_manager(user)
        return obj

    def can_edit(self, user: Any, obj: Any) -> bool:
        return access.is_manager(user)

    def can_create(self, user: Any) -> bool:
        return access.is_manager(user)

    def can_delete(self, user: Any, obj: Any) -> bool:
        return access.is_manager(user)

    def require_create(self, user: Any) -> None:
        access.require_manager(user)

    def require_delete(self, user: Any, obj: Any) -> None:
        access.require_manager(user)


class StudyTeamEdits(ManagersEdit):
    """Studies: researchers with a current research role on a study may also edit its record."""

    def get(self, kind: Kind, user: Any, key: Any, *, write: bool) -> Any:
        return access.get_study_for(user, key, write=write)

    def can_edit(self, user: Any, obj: Any) -> bool:
        return access.can_edit_study(user, obj)


MANAGERS_EDIT = ManagersEdit()
STUDY_TEAM_EDITS = StudyTeamEdits()


# --- the kinds ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Related:
    """Records of another kind that point at this object, listed on its detail page."""

    kind: str
    field: str
    heading: str


@dataclass(frozen=True)
class Kind:
    key: str  # URL names are staff:<key>_list, _create, _detail, _edit, _delete
    model: type[models.Model]
    form_class: type[forms.ModelForm[Any]]
    segment: str  # the URL path segment, like "studies"
    lookup: str  # "slug" or "public_id": what URLs carry
    columns: tuple[Column, ...]
    search_fields: tuple[str, ...]
    search_help: str
    filters: tuple[Filter, ...] = ()
    select_related: tuple[str, ...] = ()
    related: tuple[Related, ...] = ()
    policy: ManagersEdit = field(default=MANAGERS_EDIT)

    @property
    def singular(self) -> str:
        return str(self.model._meta.verbose_name)

    @property
    def plural(self) -> str:
        return str(self.model._meta.verbose_name_plural)

    @property
    def add_label(self) -> str:
        article = "an" if self.singular[0] in "aeiou" else "a"
        return f"Add {article} {self.singular}"

    @property
    def lookup_converter(self) -> str:
        return "uuid" if self.lookup == "public_id" else "slug"

    def queryset(self) -> models.QuerySet[Any]:
        return self.model._default_manager.select_related(*self.select_related)

    def search(self, queryset: models.QuerySet[Any], text: str) -> models.QuerySet[Any]:
        query = Q()
        for name in self.search_fields:
            query |= Q(**{f"{name}__icontains": text})
        return queryset.filter(query)

    def key_of(self, obj: Any) -> Any:
        return getattr(obj, self.lookup)

    def url(self, view: str, obj: Any = None) -> str:
        args = [self.key_of(obj)] if obj is not None else []
        return reverse(f"staff:{self.key}_{view}", args=args)


KINDS: dict[str, Kind] = {
    kind.key: kind
    for kind in (
        Kind(
            key="organisation",
            model=Organisation,
            form_class=staff_forms.OrganisationForm,
            segment="organisations",
            lookup="slug",
            columns=(
                Column("Name", "name"),
                Column("Type", "kind"),
                Column("Area", "area"),
                Column("Partner since", "partner_since"),
            ),
            search_fields=("name", "website"),
            search_help="Name or website.",
            filters=(
                ChoiceFilter("kind", "Type", Organisation.Kind.choices),
                RelatedFilter("area", "Area", Area.objects.all),
                ChoiceFilter(
                    "partner", "Partner", [("yes", "Partners"), ("no", "Not partners")], _partner
                ),
            ),
            select_related=("area",),
            related=(
                Related("person", "organisation", "People"),
                Related("secondment", "home_organisation", "Secondments from here"),
                Related("placement", "host_organisation", "Placements hosted"),
                Related("placement", "academic_affiliation", "Placements affiliated"),
            ),
        ),
        Kind(
            key="theme",
            model=Theme,
            form_class=staff_forms.ThemeForm,
            segment="themes",
            lookup="slug",
            columns=(
                Column("Name", "name"),
                Column("Type", "kind"),
                Column("Order", "position"),
            ),
            search_fields=("name", "summary"),
            search_help="Name or summary.",
            filters=(ChoiceFilter("kind", "Type", Theme.Kind.choices),),
            related=(Related("study", "theme", "Studies"),),
        ),
        Kind(
            key="study",
            model=Study,
            form_class=staff_forms.StudyForm,
            segment="studies",
            lookup="slug",
            columns=(
                Column("Title", "title"),
                Column("Acronym", "acronym"),
                Column("Theme", "theme"),
                Column("Stage", "stage"),
                Column("Start", "start"),
            ),
            search_fields=("title", "acronym", "summary"),
            search_help="Title, acronym or summary.",
            filters=(
                RelatedFilter("theme", "Theme", Theme.objects.all),
                ChoiceFilter("stage", "Stage", Study.Stage.choices),
                ChoiceFilter("design", "Design", Study.Design.choices),
            ),
            select_related=("theme",),
            related=(
                Related("role", "study", "Roles"),
                Related("secondment", "study", "Secondments"),
                Related("placement", "study", "Placements"),
            ),
            policy=STUDY_TEAM_EDITS,
        ),
        Kind(
            key="person",
            model=Person,
            form_class=staff_forms.PersonForm,
            segment="people",
            lookup="public_id",
            columns=(
                Column("Name", "full_name"),
                Column("Email", "email"),
                Column("Organisation", "organisation"),
                Column("Job title", "job_title"),
            ),
            search_fields=("full_name", "email", "job_title", "orcid"),
            search_help="Name, email, job title or ORCID iD.",
            filters=(RelatedFilter("organisation", "Organisation", Organisation.objects.all),),
            select_related=("organisation",),
            related=(
                Related("role", "person", "Roles"),
                Related("secondment", "person", "Secondments"),
                Related("placement", "person", "Placements"),
            ),
        ),
        Kind(
            key="role",
            model=RoleAssignment,
            form_class=staff_forms.RoleAssignmentForm,
            segment="roles",
            lookup="public_id",
            columns=(
                Column("Person", "person"),
                Column("Role", "role"),
                Column("Study", "study"),
                Column("Start", "start"),
                Column("End", "end"),
            ),
            search_fields=("person__full_name", "study__title", "study__acronym"),
            search_help="Person's name, or the study's title or acronym.",
            filters=(
                RelatedFilter("study", "Study", Study.objects.all),
                ChoiceFilter("role", "Role", RoleAssignment.Role.choices),
                DATED_STATUS,
            ),
            select_related=("person", "study"),
        ),
        Kind(
            key="secondment",
            model=Secondment,
            form_class=staff_forms.SecondmentForm,
            segment="secondments",
            lookup="public_id",
            columns=(
                Column("Diffusion fellow", "person"),
                Column("Study", "study"),
                Column("Home organisation", "home_organisation"),
                Column("FTE", "fte"),
                Column("Start", "start"),
                Column("End", "end"),
            ),
            search_fields=(
                "person__full_name",
                "study__title",
                "study__acronym",
                "home_organisation__name",
            ),
            search_help="Person's name, study, or home organisation.",
            filters=(
                DATED_STATUS,
                RelatedFilter("study", "Study", Study.objects.all),
                RelatedFilter("home_organisation", "Home organisation", Organisation.objects.all),
            ),
            select_related=("person", "study", "home_organisation"),
        ),
        Kind(
            key="placement",
            model=Placement,
            form_class=staff_forms.PlacementForm,
            segment="placements",
            lookup="public_id",
            columns=(
                Column("Researcher in residence", "person"),
                Column("Host organisation", "host_organisation"),
                Column("Academic affiliation", "academic_affiliation"),
                Column("Study", "study"),
                Column("Start", "start"),
                Column("End", "end"),
            ),
            search_fields=(
                "person__full_name",
                "host_organisation__name",
                "academic_affiliation__name",
                "focus",
            ),
            search_help="Person's name, organisation or focus.",
            filters=(
                DATED_STATUS,
                RelatedFilter("host_organisation", "Host organisation", Organisation.objects.all),
            ),
            select_related=("person", "host_organisation", "academic_affiliation", "study"),
        ),
    )
}

KIND_BY_MODEL: dict[type[models.Model], Kind] = {kind.model: kind for kind in KINDS.values()}
