"""The staff area's menu, organised by the work rather than by tables, and the staff home's
"your work" panels.

The menu is a short list of areas of work (`AREAS`: studies and people, involvement and
co-production, governance and reviews, ...). Each area holds sections: the record kinds
registered in the staff namespace (the registry's, in "Studies and people"), enquiries, and
sections other apps register. The header shows the areas; a page shows its area's sections
below the header (`staff/base.html`).

Pages that extend `staff/base.html` put `staff_nav(current)` in their context as `staff_nav`.
An app with its own staff pages calls `register_section` once (in its AppConfig.ready), naming
the area it belongs to, so the menu lists it without the staff app importing that app. A
section may also offer a panel for the staff home (`your_work`): what the signed-in person has
to do there (their studies, their reviews, their secondment's time...).

The menu is what a staff role sees. `staff/base.html` passes it through `for_user` (the
`staff_menu` template filter): a staff role sees the areas its role uses (`Area.roles`;
managers see all), and a signed-in user without a staff role (a lay panel member, say) is
offered only what a section says they may use (`without_staff_role`), and nothing else.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from coproduce.lib.urls import reverse_once as reverse

# Given a signed-in user without a staff role: the (label, url name) to offer them, or None.
Offer = Callable[[Any], tuple[str, str] | None]


@dataclass(frozen=True)
class WorkRow:
    """One thing on a staff home panel: what (linked), and a short detail (when, status)."""

    text: str
    url: str = ""
    detail: str = ""


@dataclass(frozen=True)
class HomePanel:
    """A panel of the staff home: its rows (or `empty` when there are none), an optional link
    to everything (`more_label`, `more_url`); a section with more to show gives its own
    `template` (rendered with `panel`). Lower `order` comes first: the person's own work
    (10-30), then what needs managing (40-60)."""

    title: str
    rows: list[WorkRow] = field(default_factory=list)
    empty: str = "Nothing to do here."
    more_label: str = ""
    more_url: str = ""
    order: int = 50
    template: str = "staff/includes/work_panel.html"
    context: dict[str, Any] = field(default_factory=dict)


# Given the signed-in staff user: their panel for the staff home, or None (nothing for them).
# It must run a fixed number of queries, however many rows there are (tests/staff/test_queries).
YourWork = Callable[[Any], HomePanel | None]

MANAGER, RESEARCHER, STAFF_READER = "manager", "researcher", "staff reader"
_EVERY_ROLE = frozenset({MANAGER, RESEARCHER, STAFF_READER})
_NOT_RESEARCHERS = frozenset({MANAGER, STAFF_READER})


@dataclass(frozen=True)
class Area:
    key: str
    label: str
    roles: frozenset[str]  # the role groups whose work it is (managers: every area)


AREAS: tuple[Area, ...] = (
    Area("studies", "Studies and people", _EVERY_ROLE),
    Area("involvement", "Involvement and co-production", _EVERY_ROLE),
    Area("governance", "Governance and reviews", _EVERY_ROLE),
    Area("priorities", "Priorities", _EVERY_ROLE),
    Area("implementation", "Implementation and evaluation", _EVERY_ROLE),
    Area("communities", "Communities and mailings", _NOT_RESEARCHERS),
    Area("events", "Events", _NOT_RESEARCHERS),
    Area("reports", "Reports", _EVERY_ROLE),
)
_AREA_KEYS = {area.key for area in AREAS}


@dataclass(frozen=True)
class Section:
    key: str  # what `current` is compared with
    label: str
    url_name: str
    without_staff_role: Offer | None = None
    home_without_staff_role: bool = False
    area: str = "studies"
    your_work: tuple[YourWork, ...] = ()


_REGISTERED: dict[str, Section] = {}


def register_section(
    key: str,
    label: str,
    url_name: str,
    *,
    area: str = "studies",
    without_staff_role: Offer | None = None,
    home_without_staff_role: bool = False,
    your_work: tuple[YourWork, ...] = (),
) -> None:
    """Add a section to an area of the staff menu, after the staff app's own; registering
    again replaces.

    `area` is one of `AREAS`' keys. `without_staff_role`, if given, says what to offer a
    signed-in user who has no staff role (a label and url name, or None to offer nothing);
    without it they are offered nothing. With `home_without_staff_role`, the staff home sends
    such a user to what it offers them. `your_work` build the section's panels for a staff
    user's home page (each returns None when it has nothing for them).
    """
    if area not in _AREA_KEYS:
        raise ValueError(f"No staff area {area!r}; one of {', '.join(sorted(_AREA_KEYS))}.")
    _REGISTERED[key] = Section(
        key, label, url_name, without_staff_role, home_without_staff_role, area, your_work
    )


def home_without_staff_role(user: Any) -> str | None:
    """Where the staff home sends a signed-in user without a staff role (a url name), if
    anywhere: the offer of the first section registered to receive them."""
    for section in _REGISTERED.values():
        if section.home_without_staff_role and section.without_staff_role is not None:
            offer = section.without_staff_role(user)
            if offer is not None:
                return offer[1]
    return None


def your_work(user: Any) -> list[HomePanel]:
    """The staff home's panels for this staff user, their own work first."""
    panels = []
    for section in _REGISTERED.values():
        for build in section.your_work:
            panel = build(user)
            if panel is not None:
                panels.append(panel)
    return sorted(panels, key=lambda panel: panel.order)


def _sections() -> list[tuple[str, str, str, str]]:
    """Every section as (area, key, label, url), the staff app's own first."""
    from coproduce.staff.records import registered

    rows = [
        ("studies", kind.key, kind.plural.capitalize(), kind.url("list"))
        for kind in registered("staff")
        if "list" in kind.actions
    ]
    rows.append(("studies", "contacts", "Contacts", reverse("staff:contacts")))
    rows.append(("communities", "enquiries", "Enquiries", reverse("staff:enquiries")))
    rows.append(("reports", "personal_data", "Personal data", reverse("staff:processing")))
    rows += [(s.area, s.key, s.label, reverse(s.url_name)) for s in _REGISTERED.values()]
    return rows


def staff_nav(current: str) -> list[dict[str, Any]]:
    """The menu: the staff home, then each area with sections, as dicts with key, label, url
    (the area's first section), current (True for the area of the section being shown) and
    sections (label, url, current)."""
    rows = _sections()
    items: list[dict[str, Any]] = [
        {
            "key": "home",
            "label": "Staff home",
            "url": reverse("staff:home"),
            "current": current == "home",
            "sections": [],
        }
    ]
    for area in AREAS:
        sections = [
            {"key": key, "label": label, "url": url, "current": key == current}
            for area_key, key, label, url in rows
            if area_key == area.key
        ]
        if sections:
            items.append(
                {
                    "key": area.key,
                    "label": area.label,
                    "url": sections[0]["url"],
                    "current": any(section["current"] for section in sections),
                    "sections": sections,
                }
            )
    return items


def areas_for(user: Any) -> frozenset[str]:
    """The keys of the areas this staff user's role uses (managers: all)."""
    from coproduce.registry.access import group_names, is_manager

    if is_manager(user):
        return frozenset(_AREA_KEYS)
    groups = group_names(user)
    return frozenset(area.key for area in AREAS if area.roles & groups)


def for_user(items: list[dict[str, Any]], user: Any) -> list[dict[str, Any]]:
    """The menu as this user may use it: for a staff role, the home and the areas its role
    uses; for anyone else only the sections that offer themselves to people without one."""
    from coproduce.registry.access import is_staff_member

    if not getattr(user, "is_authenticated", False):
        return items
    if is_staff_member(user):
        mine = areas_for(user)
        return [item for item in items if item.get("key", "home") in mine | {"home"}]
    shown = {
        section["url"]
        for item in items
        for section in item.get("sections", [])
        if section.get("current")
    }
    offered = []
    for section in _REGISTERED.values():
        offer = section.without_staff_role(user) if section.without_staff_role else None
        if offer is not None:
            label, url_name = offer
            current = reverse(section.url_name) in shown
            offered.append(
                {"key": section.key, "label": label, "url": reverse(url_name), "current": current}
            )
    return offered


def current_area(items: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The area being shown, if the page belongs to one."""
    return next((item for item in items if item.get("current") and item.get("sections")), None)
