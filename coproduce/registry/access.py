"""Who may see and change what. Every staff view asks here; nothing decides access itself.

Role groups (created by a migration):
- manager: edits everything
- researcher: edits the studies they hold a research role on (see RoleAssignment.EDITING_ROLES)
- staff reader: reads the staff area, changes nothing
A superuser counts as a manager.

One grant on top of a role (least privilege, issue 14):
- personal data export: bulk export of personal data (the associate directory as CSV/XLSX)
  and the API's personal-data endpoints (/api/people, /api/associates). Managers have it by
  default; a researcher or staff reader needs this group as well as their role group. The group
  alone, without a staff role, grants nothing.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

MANAGER = "manager"
RESEARCHER = "researcher"
STAFF_READER = "staff reader"
ROLE_GROUPS = (MANAGER, RESEARCHER, STAFF_READER)
PERSONAL_DATA_EXPORT = "personal data export"
# Every group a permission here depends on. The sign-in backend reads these with the user
# (coproduce/security/signedin.py), so a page asks no more queries for them.
KNOWN_GROUPS = (*ROLE_GROUPS, PERSONAL_DATA_EXPORT)


class RoleRequired(PermissionDenied):
    """Refused for want of a role. The 403 page says which (`role`, a phrase such as "the
    manager role"), and nothing else about the page or its data."""

    def __init__(self, message: str, role: str) -> None:
        super().__init__(message)
        self.role = role


STAFF_ROLE = "a staff role (manager, researcher or staff reader)"


def group_names(user: Any) -> frozenset[str]:
    """The user's groups among KNOWN_GROUPS, read once per user object (so once per request):
    with the user itself when signed in (`remember_groups`), else by a query here."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_coproduce_groups", None)
    if cached is None:
        cached = frozenset(user.groups.filter(name__in=KNOWN_GROUPS).values_list("name", flat=True))
        user._coproduce_groups = cached
    return cached


def remember_groups(user: Any, names: set[str] | frozenset[str]) -> None:
    """Give `group_names` the user's groups, read with the user (names outside KNOWN_GROUPS
    are dropped: nothing decides access by them)."""
    user._coproduce_groups = frozenset(names) & frozenset(KNOWN_GROUPS)


def is_manager(user: Any) -> bool:
    return bool(getattr(user, "is_superuser", False)) or MANAGER in group_names(user)


def is_staff_member(user: Any) -> bool:
    """May enter the staff area at all."""
    return is_manager(user) or bool(group_names(user) & {RESEARCHER, STAFF_READER})


def can_export_personal_data(user: Any) -> bool:
    """May export personal data in bulk and read it through the API: managers, and staff
    members also given the "personal data export" group."""
    return is_manager(user) or (is_staff_member(user) and PERSONAL_DATA_EXPORT in group_names(user))


def editable_study_ids(user: Any) -> set[int]:
    """Studies a researcher may edit: those they hold a current research role on."""
    from coproduce.registry.models import RoleAssignment

    if RESEARCHER not in group_names(user):
        return set()
    cached = getattr(user, "_coproduce_study_ids", None)
    if cached is None:
        cached = set(
            RoleAssignment.objects.active_on()
            .filter(person__user=user, role__in=RoleAssignment.EDITING_ROLES)
            .values_list("study_id", flat=True)
        )
        user._coproduce_study_ids = cached
    return cached


def can_edit_study(user: Any, study: Any) -> bool:
    return is_manager(user) or study.pk in editable_study_ids(user)


def require_staff(user: Any) -> None:
    if not is_staff_member(user):
        raise RoleRequired("You need a staff role to see this page.", STAFF_ROLE)


def require_manager(user: Any) -> None:
    if not is_manager(user):
        raise RoleRequired("Only managers can do this.", "the manager role")


def require_personal_data_export(user: Any) -> None:
    require_staff(user)
    if not can_export_personal_data(user):
        raise RoleRequired(
            "Exporting personal data needs the “personal data export” role. Ask a manager.",
            "the “personal data export” role as well as a staff role",
        )


def get_study_for(user: Any, slug: str, *, write: bool = False) -> Any:
    """The study, or 404 if there is none, or 403 if the user may not see (or change) it."""
    from coproduce.registry.models import Study

    require_staff(user)
    study = Study.objects.filter(slug=slug).select_related("theme").first()
    if study is None:
        raise Http404("No such study.")
    if write and not can_edit_study(user, study):
        raise PermissionDenied("You can only edit studies you work on.")
    return study
