"""Who is who: the public lists of diffusion fellows and researchers in residence.

Four lists, each paged by person (`PAGE_SIZE` a page, in name order): diffusion fellows in
post, former diffusion fellows, researchers in residence in post, former researchers in
residence. A person is *in post* in a role while one of their rows in it runs today, and is
then listed with the running rows only; *former* once every row in it has ended. Rows that
have not started yet are left out: nobody is announced before they begin. At national scale
these lists hold thousands of people, so no page draws more than a page of them (issue 22).

Each list costs two queries whatever its size: the count of its people, and the rows of one
page's people (their page picked by a subquery in the same statement). The who-is-who page
itself counts all four lists in two queries (one per role).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet

from coproduce.registry.models import Person, Placement, Secondment

PAGE_SIZE = 25

MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip


def month_year(day: dt.date | None) -> str:
    """ "March 2024": what `|date:"F Y"` prints, without its per-call formatting machinery."""
    return f"{MONTHS[day.month - 1]} {day.year}" if day else ""


@dataclass(frozen=True)
class Role:
    slug: str  # URL segment
    model: type[Secondment] | type[Placement]
    related: tuple[str, ...]  # what a row shows besides the person


@dataclass(frozen=True)
class Group:
    """One list: a role, in post or former."""

    role: Role
    current: bool
    title: str
    empty: str
    url_name: str

    def rows(self, today: dt.date) -> QuerySet[Any]:
        """The rows that put a person on this list (and are shown against them)."""
        model = self.role.model
        if self.current:
            return model.objects.active_on(today)
        return model.objects.filter(start__lte=today)

    def people(self, today: dt.date) -> QuerySet[Any]:
        """The ids (`person_id`) of the people on this list, in the order they are listed:
        grouped from the role's rows (a few thousand at national scale), not looked for
        among everyone in the registry (twenty thousand)."""
        people = self.rows(today).values("person_id")
        if not self.current:
            people = people.annotate(running=Count("pk", filter=_running(today))).filter(running=0)
        return people.annotate().order_by("person__full_name", "person_id").distinct()


FELLOWS = Role("diffusion-fellows", Secondment, ("home_organisation", "study"))
RESIDENTS = Role(
    "researchers-in-residence", Placement, ("host_organisation", "academic_affiliation", "study")
)
# The columns a list shows (a person's email and biography never leave the database here).
SHOWN = ("start", "end", "person__public_id", "person__full_name")
ROLES = {role.slug: role for role in (FELLOWS, RESIDENTS)}

GROUPS = (
    Group(
        FELLOWS,
        True,
        "Diffusion fellows in post",
        "No diffusion fellow is in post at the moment.",
        "registry:who_is_who_fellows",
    ),
    Group(
        FELLOWS,
        False,
        "Former diffusion fellows",
        "There are no former diffusion fellows yet.",
        "registry:who_is_who_former_fellows",
    ),
    Group(
        RESIDENTS,
        True,
        "Researchers in residence in post",
        "No researcher in residence is in post at the moment.",
        "registry:who_is_who_residents",
    ),
    Group(
        RESIDENTS,
        False,
        "Former researchers in residence",
        "There are no former researchers in residence yet.",
        "registry:who_is_who_former_residents",
    ),
)


def group(role: Role, current: bool) -> Group:
    return next(g for g in GROUPS if g.role is role and g.current is current)


def _running(today: dt.date) -> Q:
    """Of rows that have started: those running today."""
    return Q(end__isnull=True) | Q(end__gte=today)


def role_counts(role: Role, today: dt.date) -> tuple[int, int]:
    """How many people are in post in a role, and how many are former: one query. Everyone
    in post has a row that has started, so the former are the people with a started row less
    those in post."""
    totals = role.model.objects.filter(start__lte=today).aggregate(
        started=Count("person", distinct=True),
        running=Count("person", distinct=True, filter=_running(today)),
    )
    return totals["running"], totals["started"] - totals["running"]


def counts(today: dt.date) -> dict[Group, int]:
    """How many people each list holds: one query per role."""
    found: dict[Group, int] = {}
    for role in (FELLOWS, RESIDENTS):
        found[group(role, True)], found[group(role, False)] = role_counts(role, today)
    return found


@dataclass
class PersonEntry:
    """One person on a list, with the rows that put them there (latest first)."""

    person: Person
    rows: list[Any] = field(default_factory=list)

    @property
    def anchor_id(self) -> str:
        return f"person-{self.person.public_id}"


def page_of(the_group: Group, today: dt.date, number: Any) -> tuple[Page[Any], list[PersonEntry]]:
    """The page `number` of the list (the first or last when out of range), and its people
    with their rows."""
    people = the_group.people(today)
    paginator = Paginator(people, PAGE_SIZE)
    in_post, former = role_counts(the_group.role, today)
    paginator.count = in_post if the_group.current else former  # counted above, not again
    page = paginator.get_page(number)
    first = page.start_index() - 1 if paginator.count else 0
    on_page = people.values("person_id")[first : first + PAGE_SIZE]
    rows = (
        the_group.rows(today)
        .filter(person__in=on_page)
        .select_related("person", *the_group.role.related)
        .only(
            *SHOWN,
            *(f"{name}__name" for name in the_group.role.related if name != "study"),
            "study__slug",
            "study__title",
            "study__acronym",
        )
        .order_by("person__full_name", "person_id", "-start")
    )
    entries: dict[int, PersonEntry] = {}
    for row in rows:
        row.since = month_year(row.start)
        row.until = month_year(row.end)
        entries.setdefault(row.person_id, PersonEntry(row.person)).rows.append(row)
    return page, list(entries.values())


def place_of(person: Person, today: dt.date, prefer: Role | None) -> tuple[Group, int] | None:
    """The list a person is on, and the page of it, for a link to their entry: the preferred
    role's list if they are on one, otherwise the first of the lists in GROUPS' order that
    has them (in post before former, fellows before residents). None when on none."""
    roles = [prefer] if prefer else []
    roles += [role for role in (FELLOWS, RESIDENTS) if role is not prefer]
    ordered = [g for role in roles for current in (True, False) for g in [group(role, current)]]
    if prefer is None:
        ordered.sort(key=lambda g: not g.current)
    for candidate in ordered:
        people = candidate.people(today)
        if not people.filter(person_id=person.pk).exists():
            continue
        before = people.filter(
            Q(person__full_name__lt=person.full_name)
            | Q(person__full_name=person.full_name, person_id__lt=person.pk)
        ).count()
        return candidate, before // PAGE_SIZE + 1
    return None
