"""Staff-area test helpers: one case per object kind, and form data built from a saved object."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import models
from django.test import Client

from coproduce.registry.models import Organisation, RoleAssignment, Study, Theme
from coproduce.staff.records import kind_named, registered
from tests import factories


@dataclass(frozen=True)
class Case:
    """What the parametrised tests need to know about one kind."""

    key: str
    make: Callable[..., models.Model]
    create_data: Callable[[], dict[str, Any]]
    edit_field: str
    edit_value: str

    @property
    def kind(self) -> Any:
        return kind_named(self.key)

    def base(self) -> str:
        return f"/staff/{self.kind.segment}/"

    def url(self, obj: Any, action: str = "") -> str:
        key = getattr(obj, self.kind.lookup)
        return f"{self.base()}{key}/" + (f"{action}/" if action else "")


def _organisation_data() -> dict[str, Any]:
    area = factories.AreaFactory(name="Lincolnshire", slug="lincolnshire")
    return {
        "name": "Lincoln Carers Network",
        "slug": "",
        "kind": Organisation.Kind.CHARITY,
        "area": area.pk,
        "partner_since": "2009-04-01",
        "website": "https://carers.example.org",
    }


def _theme_data() -> dict[str, Any]:
    return {
        "name": "Stroke Rehabilitation",
        "slug": "stroke",
        "kind": Theme.Kind.RESEARCH,
        "summary": "Getting back to life after stroke.",
        "position": "3",
    }


def _study_data() -> dict[str, Any]:
    theme = factories.ThemeFactory(name="Children and Young People")
    partner = factories.OrganisationFactory(name="Nottingham University")
    return {
        "title": "Steps to Active Kids",
        "acronym": "STAK",
        "slug": "",
        "theme": theme.pk,
        "design": Study.Design.FEASIBILITY_RCT,
        "stage": Study.Stage.SET_UP,
        "summary": "A school-based activity programme.",
        "partners": [partner.pk],
        "df_posts": "2",
        "start": "2010-09-01",
        "end": "",
    }


def _person_data() -> dict[str, Any]:
    organisation = factories.OrganisationFactory(name="Derbyshire Healthcare")
    return {
        "full_name": "Asha Patel",
        "email": "  Asha.Patel@Example.NHS.uk ",
        "organisation": organisation.pk,
        "job_title": "Occupational therapist",
        "orcid": "0000-0002-1825-0097",
        "user": "",
        "bio": "",
    }


def _role_data() -> dict[str, Any]:
    return {
        "person": factories.PersonFactory(full_name="Chris Lead").pk,
        "study": factories.StudyFactory(title="Home visits after stroke").pk,
        "role": RoleAssignment.Role.CHIEF_INVESTIGATOR,
        "start": "2009-01-01",
        "end": "",
    }


def _secondment_data() -> dict[str, Any]:
    return {
        "person": factories.PersonFactory(full_name="Dee Fellow").pk,
        "study": factories.StudyFactory(title="Exploring preconception care").pk,
        "home_organisation": factories.OrganisationFactory(name="Lincolnshire PCT").pk,
        "fte": "0.20",
        "in_kind_value": "9000",
        "start": "2009-03-01",
        "end": "2012-02-29",
    }


def _placement_data() -> dict[str, Any]:
    return {
        "person": factories.PersonFactory(full_name="Rae Resident").pk,
        "host_organisation": factories.OrganisationFactory(name="County Council").pk,
        "academic_affiliation": factories.OrganisationFactory(name="Lincoln University").pk,
        "study": "",
        "focus": "Embedding evaluation in social care",
        "start": "2011-01-01",
        "end": "",
    }


CASES = [
    Case(
        "organisation", factories.OrganisationFactory, _organisation_data, "name", "Renamed Trust"
    ),
    Case("theme", factories.ThemeFactory, _theme_data, "summary", "A new summary"),
    Case("study", factories.StudyFactory, _study_data, "stage", Study.Stage.ANALYSIS),
    Case("person", factories.PersonFactory, _person_data, "job_title", "Service manager"),
    Case("role", factories.RoleAssignmentFactory, _role_data, "role", "clinician"),
    Case("secondment", factories.SecondmentFactory, _secondment_data, "fte", "0.40"),
    Case("placement", factories.PlacementFactory, _placement_data, "focus", "Primary care access"),
]
CASE_IDS = [case.key for case in CASES]
CASE_BY_KEY = {case.key: case for case in CASES}
NON_STUDY_CASES = [case for case in CASES if case.key != "study"]


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    # Users are made in most tests; the production hasher is slow on purpose.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(params=CASES, ids=CASE_IDS)
def case(request: pytest.FixtureRequest, db: Any) -> Case:
    case: Case = request.param
    return case


def form_data(obj: Any, **changes: Any) -> dict[str, Any]:
    """What the edit form would post for `obj` unchanged, with `changes` applied."""
    kind = next(k for k in registered() if isinstance(obj, k.model))
    form = kind.form_class(instance=obj)
    data: dict[str, Any] = {}
    for field in form:
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


def error_summary(html: str) -> str:
    """The NHS error summary's text, or an empty string if there is none."""
    match = re.search(r'<div class="nhsuk-error-summary".*?</div>\s*</div>\s*</div>', html, re.S)
    return match.group(0) if match else ""


@pytest.fixture
def plain_user(db: Any) -> Any:
    """Signed in, but in no staff role."""
    return factories.UserFactory(username="plain")


@pytest.fixture
def plain_client(plain_user: Any) -> Client:
    client = Client()
    client.force_login(plain_user)
    return client
