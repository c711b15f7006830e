"""The staff area's menu: the registry kinds, enquiries, and sections other apps register.

Pages that extend `staff/base.html` put `staff_nav(current)` in their context as `staff_nav`.
An app with its own staff pages calls `register_section` once (in its AppConfig.ready), so the
menu lists it without the staff app importing that app.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse


@dataclass(frozen=True)
class Section:
    key: str  # what `current` is compared with
    label: str
    url_name: str


_REGISTERED: dict[str, Section] = {}


def register_section(key: str, label: str, url_name: str) -> None:
    """Add a section to the staff menu, after the staff app's own; registering again replaces."""
    _REGISTERED[key] = Section(key, label, url_name)


def staff_nav(current: str) -> list[dict[str, Any]]:
    """Menu items as dicts with label, url and current (True for the section being shown)."""
    from coproduce.staff.kinds import KINDS

    items = [("home", "Staff home", reverse("staff:home"))]
    items += [(kind.key, kind.plural.capitalize(), kind.url("list")) for kind in KINDS.values()]
    items.append(("enquiries", "Enquiries", reverse("staff:enquiries")))
    items += [(s.key, s.label, reverse(s.url_name)) for s in _REGISTERED.values()]
    return [{"label": label, "url": url, "current": key == current} for key, label, url in items]
