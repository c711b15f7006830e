"""The registry's staff forms: one ModelForm per kind declared in `records.py`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model

from coproduce.lib.identifiers import normalise_email
from coproduce.registry.models import (
    Organisation,
    Person,
    Placement,
    RoleAssignment,
    Secondment,
    Study,
    Theme,
)
from coproduce.staff.forms import WEB_ADDRESS_NAME, SluggedForm, StaffModelForm


def _slug_taken(kind: str) -> dict[str, dict[str, str]]:
    return {"slug": {"unique": f"Another {kind} already uses this web address name."}}


class OrganisationForm(SluggedForm):
    website = forms.URLField(
        required=False,
        max_length=200,
        assume_scheme="https",
        help_text="Like https://www.example.org",
    )

    class Meta:
        model = Organisation
        fields = ["name", "slug", "kind", "area", "partner_since", "website"]
        labels = {"kind": "Type of organisation", "slug": WEB_ADDRESS_NAME}
        error_messages = _slug_taken("organisation")


class ThemeForm(SluggedForm):
    class Meta:
        model = Theme
        fields = ["name", "slug", "kind", "summary", "position"]
        labels = {"kind": "Type of theme", "slug": WEB_ADDRESS_NAME}
        widgets = {"kind": forms.RadioSelect}
        error_messages = _slug_taken("theme")


class StudyForm(SluggedForm):
    slug_source = "title"

    class Meta:
        model = Study
        fields = [
            "title",
            "acronym",
            "slug",
            "theme",
            "design",
            "stage",
            "summary",
            "partners",
            "df_posts",
            "start",
            "end",
        ]
        labels = {
            "partners": "Partner organisations",
            "df_posts": "Diffusion fellow posts",
            "slug": WEB_ADDRESS_NAME,
        }
        widgets = {"partners": forms.CheckboxSelectMultiple}
        error_messages = _slug_taken("study")


class UserChoiceField(forms.ModelChoiceField[Any]):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.get_username())


class PersonForm(StaffModelForm):
    user = UserChoiceField(
        queryset=get_user_model().objects.order_by("username"),
        required=False,
        label="Sign-in account",
        error_messages={"unique": "This sign-in account already belongs to another person."},
        help_text="Link the person to their sign-in account to give them their study roles' rights.",
    )

    class Meta:
        model = Person
        fields = ["full_name", "email", "organisation", "job_title", "orcid", "user", "bio"]
        labels = {"full_name": "Full name", "email": "Email address"}

    def clean_email(self) -> str:
        # The duplicate check itself is Person.clean (case-insensitive), so it holds everywhere.
        return normalise_email(self.cleaned_data.get("email"))


class DatedForm(StaffModelForm):
    """Start and end dates; Dated.clean puts an end-before-start error on the end field."""


class RoleAssignmentForm(DatedForm):
    class Meta:
        model = RoleAssignment
        fields = ["person", "study", "role", "start", "end"]


class SecondmentForm(DatedForm):
    class Meta:
        model = Secondment
        fields = ["person", "study", "home_organisation", "fte", "in_kind_value", "start", "end"]
        labels = {"person": "Diffusion fellow"}


class PlacementForm(DatedForm):
    class Meta:
        model = Placement
        fields = [
            "person",
            "host_organisation",
            "academic_affiliation",
            "study",
            "focus",
            "start",
            "end",
        ]
        labels = {"person": "Researcher in residence"}
