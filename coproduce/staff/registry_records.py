"""The registry's records in the staff area: organisations, themes, studies, people, roles,
secondments and placements, each declared once (see `coproduce.staff.records`)."""

from __future__ import annotations

from django.db.models import Q

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
from coproduce.staff import registry_forms as forms
from coproduce.staff.records import (
    DATED_STATUS,
    STUDY_TEAM_EDITS,
    ChoiceFilter,
    Column,
    Kind,
    Related,
    RelatedFilter,
)


def _partner(value: str) -> Q:
    return Q(partner_since__isnull=value != "yes")


KINDS: tuple[Kind, ...] = (
    Kind(
        key="organisation",
        model=Organisation,
        form_class=forms.OrganisationForm,
        segment="organisations",
        invalid_status=200,  # as the registry pages always answered an invalid form
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
        form_class=forms.ThemeForm,
        segment="themes",
        invalid_status=200,  # as the registry pages always answered an invalid form
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
        form_class=forms.StudyForm,
        segment="studies",
        invalid_status=200,  # as the registry pages always answered an invalid form
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
        form_class=forms.PersonForm,
        segment="people",
        invalid_status=200,  # as the registry pages always answered an invalid form
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
        form_class=forms.RoleAssignmentForm,
        segment="roles",
        invalid_status=200,  # as the registry pages always answered an invalid form
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
        form_class=forms.SecondmentForm,
        segment="secondments",
        invalid_status=200,  # as the registry pages always answered an invalid form
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
        form_class=forms.PlacementForm,
        segment="placements",
        invalid_status=200,  # as the registry pages always answered an invalid form
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
