"""`coproduce loaddemo`: the CLAHRC-NDL demo collaboration, its figures, and running it twice."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Sum
from django.test import override_settings
from django.utils import timezone

from coproduce.demo.loader import registry as clahrc_ndl
from coproduce.lib.identifiers import validate_orcid
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

pytestmark = pytest.mark.django_db

REGISTRY_MODELS = (Area, Organisation, Theme, Study, Person, RoleAssignment, Secondment, Placement)

# The published table, typed out again here (not read from the demo data) so the test checks
# the data against the source: theme, title, acronym, DF posts filled at the time.
TABLE = [
    ("Mental Health", "Readiness for treatment for people with personality disorder", "", 2),
    (
        "Mental Health",
        "Dental and physical health needs of people with serious mental health problems",
        "",
        1,
    ),
    ("Mental Health", "Supported employment for people with severe mental health problems", "", 1),
    (
        "Mental Health",
        "Trial of cognitive behavioural therapy for people with chronic mood disorder",
        "",
        2,
    ),
    (
        "Primary Care",
        "Reducing the risk of diabetes amongst members of the South Asian population in the "
        "East Midlands",
        "",
        1,
    ),
    ("Primary Care", "Exploring preconception care", "", 1),
    ("Primary Care", "The impact of injuries study", "", 2),
    ("Primary Care", "Regular attenders with medically unexplained symptoms", "", 1),
    ("Stroke Rehabilitation", "Return to work after stroke", "", 1),
    ("Stroke Rehabilitation", "Home visits after stroke", "", 1),
    (
        "Stroke Rehabilitation",
        "Home-based upper limb virtual reality rehabilitation after stroke",
        "",
        1,
    ),
    (
        "Stroke Rehabilitation",
        "Implementation of Early Supported Discharge following stroke",
        "",
        1,
    ),
    (
        "Children and Young People",
        "Consensus in assessment and treatment outcomes for children/young people's mental health",
        "CATO",
        1,
    ),
    (
        "Children and Young People",
        "Medication optimisation strategy for ADHD management in childhood",
        "MOSAIC",
        2,
    ),
    (
        "Children and Young People",
        "Group parenting programme for children with ADHD",
        "PATCHWORK",
        0,
    ),
    (
        "Children and Young People",
        "Steps to Active Kids, a school-based activity programme",
        "STAK",
        2,
    ),
]

# Real organisations of the region (and a few national ones): none may appear in the demo.
REAL_NAMES = [
    "University of Nottingham",
    "Nottingham Trent University",
    "University of Derby",
    "University of Lincoln",
    "Loughborough University",
    "University of Leicester",
    "Nottinghamshire Healthcare",
    "Nottingham University Hospitals",
    "Sherwood Forest Hospitals",
    "Derby Hospitals",
    "University Hospitals of Derby",
    "Derbyshire Healthcare",
    "Derbyshire Community Health",
    "Chesterfield Royal",
    "Lincolnshire Partnership",
    "United Lincolnshire Hospitals",
    "Lincolnshire Community Health",
    "Nottingham CityCare",
    "NHS Nottingham City",
    "NHS Nottinghamshire County",
    "NHS Derby City",
    "NHS Derbyshire County",
    "NHS Lincolnshire",
    "Bassetlaw",
    "Nottingham City Council",
    "Nottinghamshire County Council",
    "Derby City Council",
    "Derbyshire County Council",
    "Lincolnshire County Council",
    "Institute of Mental Health",
    "Stroke Association",
    "Rethink",
    "Mind",
    "Barnardo's",
]


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    """The demo hashes three passwords per load; the production hasher is slow on purpose."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def load(**kwargs: Any) -> str:
    out = StringIO()
    call_command("loaddemo", stdout=out, **kwargs)
    return out.getvalue()


@pytest.fixture(scope="module")
def loaded(django_db_setup: Any, django_db_blocker: Any) -> Iterator[str]:
    """The demo, loaded once for the module (a load takes 15-50 s) in a transaction rolled
    back at the module's end; each test runs in a savepoint inside it (the `db` fixture), so
    a test that loads again or changes rows leaves the next one the demo as loaded."""
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), transaction.atomic(), fast:
        try:
            yield load()
        finally:
            transaction.set_rollback(True)


@pytest.fixture
def demo(loaded: str, db: Any) -> str:
    return loaded


def counts() -> dict[str, int]:
    user_model = get_user_model()
    found = {model.__name__: model.objects.count() for model in REGISTRY_MODELS}
    found["User"] = user_model.objects.count()
    found["user groups"] = user_model.groups.through.objects.count()
    found["study partners"] = Study.partners.through.objects.count()
    return found


def test_areas_and_themes(demo: str) -> None:
    assert sorted(Area.objects.values_list("name", flat=True)) == [
        "Derbyshire",
        "Lincolnshire",
        "Nottinghamshire",
    ]
    research = Theme.objects.filter(kind=Theme.Kind.RESEARCH)
    cross = Theme.objects.filter(kind=Theme.Kind.CROSS_CUTTING)
    assert list(research.values_list("name", flat=True)) == [
        "Mental Health",
        "Primary Care",
        "Stroke Rehabilitation",
        "Children and Young People",
    ]
    assert list(cross.values_list("name", flat=True)) == [
        "Implementation",
        "Engagement, Synthesis and Dissemination",
    ]
    assert all(theme.summary for theme in Theme.objects.all())


def test_partner_organisations_cover_every_kind_and_county(demo: str) -> None:
    orgs = Organisation.objects.all()
    assert 14 <= orgs.count() <= 18
    assert {org.kind for org in orgs} == set(Organisation.Kind.values)
    assert {org.area.name for org in orgs if org.area} == {
        "Nottinghamshire",
        "Derbyshire",
        "Lincolnshire",
    }
    assert all(org.partner_since for org in orgs)
    assert all(dt.date(2008, 10, 1) <= org.partner_since <= dt.date(2010, 12, 31) for org in orgs)  # type: ignore[operator]
    assert orgs.filter(kind=Organisation.Kind.UNIVERSITY).count() == 2


def test_the_sixteen_studies_of_the_table(demo: str) -> None:
    studies = {study.title: study for study in Study.objects.select_related("theme")}
    assert len(studies) == 16
    assert set(studies) == {title for _, title, _, _ in TABLE}
    for theme, title, acronym, _filled in TABLE:
        study = studies[title]
        assert study.theme.name == theme
        assert study.acronym == acronym
        assert study.summary
        assert study.design in Study.Design.values
        assert study.stage in Study.Stage.values
        assert 2 <= study.partners.count() <= 4
    assert studies["Group parenting programme for children with ADHD"].df_posts == 1


@pytest.mark.parametrize(
    "on",
    [
        clahrc_ndl.TABLE_AS_AT,
        dt.date(2011, 7, 1),
        dt.date(2012, 1, 1),
        dt.date(2012, 12, 31),
        dt.date(2013, 12, 31),
    ],
    ids=["as-at", "2011-07", "2012-01", "2012-12", "2013-end"],
)
def test_posts_filled_per_study_match_the_table_in_its_time(demo: str, on: dt.date) -> None:
    studies = Study.objects.with_df_counts(on=on)
    by_title = {study.title: study for study in studies}
    for _theme, title, _acronym, filled in TABLE:
        assert by_title[title].df_posts_filled == filled, title  # type: ignore[attr-defined]
    totals = studies.aggregate(filled=Sum("df_posts_filled"), vacant=Sum("df_posts_vacant"))
    assert totals == {"filled": 20, "vacant": 1}
    patchwork = studies.get(acronym="PATCHWORK")
    assert patchwork.df_posts_filled == 0  # type: ignore[attr-defined]
    assert patchwork.df_posts_vacant == 1  # type: ignore[attr-defined]
    assert patchwork.dfs_all_time == 1  # type: ignore[attr-defined]


def test_table_is_shown_as_at_the_papers_date(demo: str) -> None:
    assert clahrc_ndl.TABLE_AS_AT.year == 2012  # the paper: Implementation Science 2012, 7:40
    assert "posts as at 1 June 2012 (Table 1 of the 2012 paper): 20 filled" in demo


@pytest.mark.parametrize(
    "on", [dt.date(2014, 1, 1), dt.date(2031, 1, 15), None], ids=["2014", "2031", "today"]
)
def test_nobody_is_in_post_after_the_collaboration_ended(demo: str, on: dt.date | None) -> None:
    studies = Study.objects.with_df_counts(on=on or timezone.localdate())
    totals = studies.aggregate(filled=Sum("df_posts_filled"), vacant=Sum("df_posts_vacant"))
    assert totals == {"filled": 0, "vacant": 0}  # every study has ended: nothing to fill
    assert sum(s.dfs_all_time for s in studies) == 24  # type: ignore[attr-defined]


def test_posts_funded_equal_filled_plus_the_patchwork_vacancy(demo: str) -> None:
    expected = {title: max(filled, 1) for _, title, _, filled in TABLE}
    assert {study.title: study.df_posts for study in Study.objects.all()} == expected
    assert Study.objects.aggregate(total=Sum("df_posts"))["total"] == 21


def test_twenty_four_fellows_over_all_time_four_of_them_ended_early(demo: str) -> None:
    assert Secondment.objects.values("person").distinct().count() == 24
    assert Secondment.objects.count() == 24
    ended = Secondment.objects.filter(end__lt=clahrc_ndl.TABLE_AS_AT)
    assert ended.count() == 4
    assert ended.filter(study__acronym="PATCHWORK").count() == 1
    assert all(sec.end is not None and sec.end < dt.date(2012, 1, 1) for sec in ended)
    # Three ended posts were refilled: the study has a later secondment still running then.
    refilled = [
        sec
        for sec in ended
        if Secondment.objects.filter(
            study=sec.study, start__gt=sec.end, end__gte=clahrc_ndl.TABLE_AS_AT
        ).exists()
    ]
    assert len(refilled) == 3
    total = sum(
        study.dfs_all_time  # type: ignore[attr-defined]
        for study in Study.objects.with_df_counts(clahrc_ndl.TABLE_AS_AT)
    )
    assert total == 24


def test_secondments_are_one_day_a_week_with_in_kind_values(demo: str) -> None:
    for sec in Secondment.objects.select_related("home_organisation", "person"):
        assert sec.fte == Decimal("0.20")
        assert sec.in_kind_value is not None
        assert Decimal("12000") <= sec.in_kind_value <= Decimal("18000")
        assert dt.date(2009, 1, 1) <= sec.start <= dt.date(2010, 12, 31)
        assert sec.home_organisation.kind != Organisation.Kind.UNIVERSITY
        assert sec.person.organisation == sec.home_organisation


def test_roles_one_current_chief_investigator_per_study(demo: str) -> None:
    for study in Study.objects.all():
        cis = study.roles.filter(role=RoleAssignment.Role.CHIEF_INVESTIGATOR, end__isnull=True)
        assert cis.count() == 1, study.title
    roles = set(RoleAssignment.objects.values_list("role", flat=True))
    assert {
        RoleAssignment.Role.RESEARCHER,
        RoleAssignment.Role.IMPLEMENTATION_RESEARCHER,
        RoleAssignment.Role.SERVICE_USER,
        RoleAssignment.Role.CARER,
        RoleAssignment.Role.STEERING_COMMITTEE,
    } <= roles
    # Steering committees include service users or carers.
    lay = RoleAssignment.objects.filter(
        role__in=[RoleAssignment.Role.SERVICE_USER, RoleAssignment.Role.CARER]
    ).values("person")
    assert RoleAssignment.objects.filter(
        role=RoleAssignment.Role.STEERING_COMMITTEE, person__in=lay
    ).exists()
    # Implementation researchers work into most studies.
    implemented = (
        RoleAssignment.objects.filter(role=RoleAssignment.Role.IMPLEMENTATION_RESEARCHER)
        .values("study")
        .distinct()
        .count()
    )
    assert implemented > 8


def test_three_researchers_in_residence(demo: str) -> None:
    placements = Placement.objects.select_related("host_organisation", "academic_affiliation")
    assert placements.count() == 3
    for placement in placements:
        assert placement.host_organisation.kind in {
            Organisation.Kind.NHS_TRUST,
            Organisation.Kind.LOCAL_AUTHORITY,
        }
        assert placement.academic_affiliation.kind == Organisation.Kind.UNIVERSITY
        assert placement.focus
    assert placements.filter(study__isnull=False).count() == 1


def test_demo_users_sign_in_with_their_groups(demo: str) -> None:
    expected = {"manager": "manager", "researcher": "researcher", "reader": "staff reader"}
    for username, group in expected.items():
        user = authenticate(username=username, password="coproduce-demo")
        assert user is not None, username
        assert list(user.groups.values_list("name", flat=True)) == [group]
        assert not user.is_superuser
    researcher = get_user_model().objects.get(username="researcher")
    person = Person.objects.get(user=researcher)
    ci = person.roles.get(role=RoleAssignment.Role.CHIEF_INVESTIGATOR)
    assert ci.study.title == "Return to work after stroke"
    assert ci.end is None


def test_people_have_unique_valid_example_addresses(demo: str) -> None:
    emails = list(Person.objects.values_list("email", flat=True))
    assert len(emails) == len(set(emails)) == Person.objects.count()
    for email in emails:
        validate_email(email)
        assert email == email.lower()
        assert email.endswith(("@example.org", ".example.org", ".nhs.example")), email


def test_orcid_ids_are_valid(demo: str) -> None:
    orcids = [orcid for orcid in Person.objects.values_list("orcid", flat=True) if orcid]
    assert len(orcids) >= 3
    assert len(set(orcids)) == len(orcids)
    for orcid in orcids:
        validate_orcid(orcid)
    assert any(orcid.endswith("X") for orcid in orcids)


def test_names_are_fictional(demo: str) -> None:
    names = list(Organisation.objects.values_list("name", flat=True))
    names += list(Person.objects.values_list("full_name", flat=True))
    names += list(Person.objects.values_list("job_title", flat=True))
    names += list(Placement.objects.values_list("focus", flat=True))
    for real in REAL_NAMES:
        pattern = re.compile(rf"\b{re.escape(real)}\b", re.IGNORECASE)
        clashes = [name for name in names if pattern.search(name)]
        assert not clashes, real
    # Fictional organisations do not borrow a county's name either.
    for name in Organisation.objects.values_list("name", flat=True):
        assert not re.search(r"Nottingham|Derby|Lincoln", name), name


def test_every_loaded_object_passes_full_clean(demo: str) -> None:
    for model in REGISTRY_MODELS:
        objects = list(model.objects.all())
        assert objects, model.__name__
        for obj in objects:
            obj.full_clean()
    for user in get_user_model().objects.all():
        user.full_clean()


def test_summary_is_printed(demo: str) -> None:
    assert "16 studies" in demo
    assert "20 filled, 1 vacant, of 21 funded" in demo
    assert "24 fellows seconded over all time" in demo
    assert "0 updated" in demo
    assert load(verbosity=0) == ""


def test_running_twice_changes_nothing(demo: str) -> None:
    before = counts()
    snapshot = {
        model.__name__: sorted(map(str, model.objects.values_list())) for model in REGISTRY_MODELS
    }
    passwords = dict(get_user_model().objects.values_list("username", "password"))

    out = load()

    assert counts() == before
    assert {
        model.__name__: sorted(map(str, model.objects.values_list())) for model in REGISTRY_MODELS
    } == snapshot
    assert dict(get_user_model().objects.values_list("username", "password")) == passwords
    assert "0 created, 0 updated" in out


def test_rerun_restores_demo_values_but_keeps_changed_passwords(demo: str) -> None:
    study = Study.objects.get(acronym="STAK")
    study.title = "Edited"
    study.save()
    study.partners.clear()
    manager = get_user_model().objects.get(username="manager")
    manager.set_password("a-new-secret-phrase")
    manager.save()
    manager.groups.clear()
    before = counts()

    out = load()

    study.refresh_from_db()
    assert study.title == "Steps to Active Kids, a school-based activity programme"
    assert study.partners.count() == 3
    assert "1 updated" in out
    assert authenticate(username="manager", password="a-new-secret-phrase") is not None
    assert authenticate(username="manager", password="coproduce-demo") is None
    assert manager.groups.filter(name="manager").exists()
    after = counts()
    assert after["study partners"] == before["study partners"] + 3
    assert after["user groups"] == before["user groups"] + 1
    assert {k: v for k, v in after.items() if k not in {"study partners", "user groups"}} == {
        k: v for k, v in before.items() if k not in {"study partners", "user groups"}
    }
