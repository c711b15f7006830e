"""The CLAHRC-NDL demo collaboration's registry part, read from data/registry.toml.

The areas, themes, the sixteen study titles and their diffusion fellow (DF) posts come from the
published description of CLAHRC Nottinghamshire, Derbyshire and Lincolnshire. Everything else is
invented for the demo: every organisation and person here is fictional, emails use reserved
example domains, and the study summaries, designs and stages are illustrative.

The dates follow the collaboration's own timeline: funded 2008-2013 (the legacy web page: "CLAHRC
NDL ended in December 2013"), fellows seconded one day a week "for up to five years", so every
secondment here starts in 2009 or 2010 and ends by 31 December 2013, and every study is complete
by then. The diffusion fellow (DF) figures of Table 1 are true as at the paper's date
(`TABLE_AS_AT`, in 2012; Rowley et al., Implementation Science 2012, 7:40), and on any day from
July 2011 to the end of 2013:
- 21 funded posts over 16 studies; 20 filled, and the one PATCHWORK post vacant since its
  fellow's secondment ended in June 2011;
- 24 people seconded over all time: the 20 fellows in post and 4 whose secondments ended earlier
  (three were replaced, on the CBT trial, the impact of injuries study and home visits after
  stroke).
After 2013 every post is empty: the collaboration has ended.

Records point at each other by natural key: areas, organisations and themes by slug, studies by
their key in the data file (turned into slugs here), people by email address, users by username.
The rows below have the shapes of the TypedDicts; a field the file leaves out is None.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal
from typing import Any, NotRequired, TypedDict, TypeVar, cast

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import models

from coproduce.demo import data as demo_data
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

M = TypeVar("M", bound=models.Model)

_DATA = demo_data.part("registry")

COLLABORATION: str = _DATA["collaboration"]

# The date Table 1's figures are shown as at: in 2012, the year the paper was published.
TABLE_AS_AT: dt.date = _DATA["table_as_at"]

# Set only when a demo account is first created; a re-run keeps whatever password it has now.
DEMO_PASSWORD: str = _DATA["demo_password"]


class AreaData(TypedDict):
    slug: str
    name: str


class OrganisationData(TypedDict):
    slug: str
    name: str
    kind: str
    area: str
    partner_since: dt.date


class ThemeData(TypedDict):
    slug: str
    name: str
    kind: str
    position: int
    summary: str


class StudyData(TypedDict):
    slug: str
    title: str
    acronym: str
    theme: str
    design: str
    stage: str
    start: dt.date
    end: NotRequired[dt.date]
    df_posts: int
    partners: list[str]
    summary: str


class PersonData(TypedDict):
    email: str
    full_name: str
    organisation: str | None
    job_title: str
    orcid: NotRequired[str]


class RoleData(TypedDict):
    person: str
    study: str
    role: str
    start: dt.date
    end: NotRequired[dt.date]


class SecondmentData(TypedDict):
    person: str
    study: str
    home_organisation: str
    start: dt.date
    end: dt.date | None
    in_kind_value: Decimal


class PlacementData(TypedDict):
    person: str
    host_organisation: str
    academic_affiliation: str
    study: str | None
    focus: str
    start: dt.date
    end: dt.date | None


class UserData(TypedDict):
    username: str
    group: str
    first_name: str
    last_name: str
    email: str
    person: str | None


def _rows(name: str, nullable: tuple[str, ...] = (), study: tuple[str, ...] = ()) -> list[Any]:
    """The table array `name`, with left-out `nullable` fields as None and study keys as slugs."""
    rows = []
    for row in _DATA[name]:
        row = {**dict.fromkeys(nullable), **row}
        for field in study:
            if row[field] is not None:
                row[field] = demo_data.slug(row[field])
        rows.append(row)
    return rows


def _roles() -> list[RoleData]:
    """One row per study: the file lists each (role, person, start) once with its studies."""
    rows: list[RoleData] = []
    for group in _DATA["roles"]:
        fields = {name: value for name, value in group.items() if name != "studies"}
        rows.extend(
            cast(RoleData, {**fields, "study": demo_data.slug(key)}) for key in group["studies"]
        )
    return rows


AREAS = cast(list[AreaData], _rows("areas"))
PARTNERS_FROM: dt.date = _DATA["partners_from"]
# Diffusion fellows are seconded one day a week.
DF_FTE = Decimal(_DATA["df_fte"])
ORGANISATIONS = cast(list[OrganisationData], _rows("organisations"))
THEMES = cast(list[ThemeData], _rows("themes"))
STUDIES = cast(list[StudyData], [dict(row) for row in demo_data.studies().values()])
PEOPLE = cast(list[PersonData], _rows("people", nullable=("organisation",)))
SECONDMENTS = cast(
    list[SecondmentData],
    [
        {**row, "in_kind_value": Decimal(row["in_kind_value"])}
        for row in _rows("secondments", nullable=("end",), study=("study",))
    ],
)
ROLES = _roles()
PLACEMENTS = cast(
    list[PlacementData], _rows("placements", nullable=("study", "end"), study=("study",))
)
USERS = cast(list[UserData], _rows("users", nullable=("person",)))


# Loading -----------------------------------------------------------------------------------


def load() -> Counter[str]:
    """Load the registry part; return how many records were created, updated and unchanged."""
    tally: Counter[str] = Counter()
    areas = {
        row["slug"]: _upsert(tally, Area, {"slug": row["slug"]}, {"name": row["name"]})
        for row in AREAS
    }
    orgs = {
        row["slug"]: _upsert(
            tally,
            Organisation,
            {"slug": row["slug"]},
            {
                "name": row["name"],
                "kind": row["kind"],
                "area": areas[row["area"]],
                "partner_since": row["partner_since"],
            },
        )
        for row in ORGANISATIONS
    }
    themes = {
        row["slug"]: _upsert(
            tally,
            Theme,
            {"slug": row["slug"]},
            {
                "name": row["name"],
                "kind": row["kind"],
                "position": row["position"],
                "summary": row["summary"],
            },
        )
        for row in THEMES
    }
    studies: dict[str, Study] = {}
    for row in STUDIES:
        study = _upsert(
            tally,
            Study,
            {"slug": row["slug"]},
            {
                "title": row["title"],
                "acronym": row["acronym"],
                "theme": themes[row["theme"]],
                "design": row["design"],
                "stage": row["stage"],
                "summary": row["summary"],
                "df_posts": row["df_posts"],
                "start": row["start"],
                "end": row.get("end"),
            },
            m2m={"partners": {orgs[slug].pk for slug in row["partners"]}},
        )
        studies[row["slug"]] = study

    users = _load_users(tally)
    people = {
        row["email"]: _upsert(
            tally,
            Person,
            {"email": row["email"]},
            {
                "full_name": row["full_name"],
                "organisation": orgs[row["organisation"]] if row["organisation"] else None,
                "job_title": row["job_title"],
                "orcid": row.get("orcid", ""),
                **({"user": users[row["email"]]} if row["email"] in users else {}),
            },
        )
        for row in PEOPLE
    }

    for role in ROLES:
        _upsert(
            tally,
            RoleAssignment,
            {
                "person": people[role["person"]],
                "study": studies[role["study"]],
                "role": role["role"],
                "start": role["start"],
            },
            {"end": role.get("end")},
        )
    for sec in SECONDMENTS:
        _upsert(
            tally,
            Secondment,
            {
                "person": people[sec["person"]],
                "study": studies[sec["study"]],
                "start": sec["start"],
            },
            {
                "home_organisation": orgs[sec["home_organisation"]],
                "end": sec["end"],
                "fte": DF_FTE,
                "in_kind_value": sec["in_kind_value"],
            },
        )
    for pl in PLACEMENTS:
        _upsert(
            tally,
            Placement,
            {
                "person": people[pl["person"]],
                "host_organisation": orgs[pl["host_organisation"]],
                "start": pl["start"],
            },
            {
                "academic_affiliation": orgs[pl["academic_affiliation"]],
                "study": studies[pl["study"]] if pl["study"] else None,
                "focus": pl["focus"],
                "end": pl["end"],
            },
        )
    return tally


def _load_users(tally: Counter[str]) -> dict[str, Any]:
    """Create the demo sign-ins; return them keyed by the email of the person they belong to.

    An existing account is left as it is (password included) apart from joining its group.
    """
    user_model = get_user_model()
    linked: dict[str, Any] = {}
    for row in USERS:
        user = user_model._default_manager.filter(username=row["username"]).first()
        if user is None:
            user = user_model(
                username=row["username"],
                first_name=row["first_name"],
                last_name=row["last_name"],
                email=row["email"],
            )
            user.set_password(DEMO_PASSWORD)
            user.full_clean()
            user.save()
            tally["created"] += 1
        else:
            tally["unchanged"] += 1
        group, _ = Group.objects.get_or_create(name=row["group"])
        if not user.groups.filter(pk=group.pk).exists():
            user.groups.add(group)
        if row["person"]:
            linked[row["person"]] = user
    return linked


def _upsert(
    tally: Counter[str],
    model: type[M],
    lookup: dict[str, Any],
    values: dict[str, Any],
    m2m: dict[str, set[int]] | None = None,
) -> M:
    """update_or_create that validates, and saves only what differs.

    `lookup` is the natural key; `values` the fields to bring to the demo values; `m2m`
    many-to-many fields as sets of primary keys.
    """
    obj = model._default_manager.filter(**lookup).first()
    created = obj is None
    if obj is None:
        obj = model(**lookup)
    changed = created
    for name, value in values.items():
        field = model._meta.get_field(name)
        assert isinstance(field, models.Field)
        attname = field.attname
        raw = value.pk if isinstance(value, models.Model) else value
        if getattr(obj, attname) != raw:
            setattr(obj, name, value)
            changed = True
    if changed:
        obj.full_clean()
        obj.save()
    for name, wanted in (m2m or {}).items():
        manager = getattr(obj, name)
        if set(manager.values_list("pk", flat=True)) != wanted:
            manager.set(wanted)
            changed = True
    tally["created" if created else "updated" if changed else "unchanged"] += 1
    return obj
