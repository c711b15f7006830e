"""The CLAHRC-NDL demo collaboration's registry part, read from data/registry.toml.

The areas, themes, the sixteen study titles and their diffusion fellow (DF) posts come from the
published description of CLAHRC Nottinghamshire, Derbyshire and Lincolnshire. Everything else is
invented for the demo: every organisation and person here is fictional, emails use reserved
example domains, and the study summaries, designs and stages are illustrative.

How the DF figures come out (whatever the date the data is loaded on):
- 21 funded posts over 16 studies; 20 filled by current secondments (no end date), and the one
  PATCHWORK post vacant since its fellow's secondment ended;
- 24 people seconded over all time: the 20 current fellows and 4 whose secondments ended (three
  were replaced, on the CBT trial, the impact of injuries study and home visits after stroke).

Records point at each other by natural key: areas, organisations and themes by slug, studies by
their key in the data file (turned into slugs here), people by email address, users by username.
The rows below have the shapes of the TypedDicts; a field the file leaves out is None.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, NotRequired, TypedDict, cast

from coproduce.demo import data as demo_data

_DATA = demo_data.part("registry")

COLLABORATION: str = _DATA["collaboration"]

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
        rows.extend(cast(RoleData, {**fields, "study": demo_data.slug(key)}) for key in group["studies"])
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
PLACEMENTS = cast(list[PlacementData], _rows("placements", nullable=("study", "end"), study=("study",)))
USERS = cast(list[UserData], _rows("users", nullable=("person",)))
