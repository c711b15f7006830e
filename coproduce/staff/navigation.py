"""The staff area's menu: the record kinds registered in the staff namespace, enquiries, and
sections other apps register.

Pages that extend `staff/base.html` put `staff_nav(current)` in their context as `staff_nav`.
An app with its own staff pages calls `register_section` once (in its AppConfig.ready), so the
menu lists it without the staff app importing that app.

The menu is what a staff role sees. `staff/base.html` passes it through `for_user` (the
`staff_menu` template filter), so a signed-in user without a staff role (a lay panel member,
say) is offered only what a section says they may use (`without_staff_role`), and nothing else.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse

# Given a signed-in user without a staff role: the (label, url name) to offer them, or None.
Offer = Callable[[Any], tuple[str, str] | None]


@dataclass(frozen=True)
class Section:
    key: str  # what `current` is compared with
    label: str
    url_name: str
    without_staff_role: Offer | None = None
    home_without_staff_role: bool = False


_REGISTERED: dict[str, Section] = {}


def register_section(
    key: str,
    label: str,
    url_name: str,
    *,
    without_staff_role: Offer | None = None,
    home_without_staff_role: bool = False,
) -> None:
    """Add a section to the staff menu, after the staff app's own; registering again replaces.

    `without_staff_role`, if given, says what to offer a signed-in user who has no staff role
    (a label and url name, or None to offer nothing); without it they are offered nothing.
    With `home_without_staff_role`, the staff home sends such a user to what it offers them.
    """
    _REGISTERED[key] = Section(key, label, url_name, without_staff_role, home_without_staff_role)


def home_without_staff_role(user: Any) -> str | None:
    """Where the staff home sends a signed-in user without a staff role (a url name), if
    anywhere: the offer of the first section registered to receive them."""
    for section in _REGISTERED.values():
        if section.home_without_staff_role and section.without_staff_role is not None:
            offer = section.without_staff_role(user)
            if offer is not None:
                return offer[1]
    return None


def staff_nav(current: str) -> list[dict[str, Any]]:
    """Menu items as dicts with label, url and current (True for the section being shown)."""
    from coproduce.staff.records import registered

    items = [("home", "Staff home", reverse("staff:home"))]
    items += [
        (kind.key, kind.plural.capitalize(), kind.url("list"))
        for kind in registered("staff")
        if "list" in kind.actions
    ]
    items.append(("enquiries", "Enquiries", reverse("staff:enquiries")))
    items.append(("personal_data", "Personal data", reverse("staff:processing")))
    items += [(s.key, s.label, reverse(s.url_name)) for s in _REGISTERED.values()]
    return [{"label": label, "url": url, "current": key == current} for key, label, url in items]


def for_user(items: list[dict[str, Any]], user: Any) -> list[dict[str, Any]]:
    """The menu as this user may use it: unchanged for a staff role; for anyone else only the
    sections that offer themselves to people without one."""
    from coproduce.registry.access import is_staff_member

    if not getattr(user, "is_authenticated", False) or is_staff_member(user):
        return items
    shown = {item["url"] for item in items if item.get("current")}
    offered = []
    for section in _REGISTERED.values():
        offer = section.without_staff_role(user) if section.without_staff_role else None
        if offer is not None:
            label, url_name = offer
            current = reverse(section.url_name) in shown
            offered.append({"label": label, "url": reverse(url_name), "current": current})
    return offered
