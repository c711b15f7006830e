"""Who may see and do what in governance. Every governance view asks here and nowhere else.

Rules:
- Managers see and do everything, except that a conflict of interest is absolute: anyone who
  declared a conflict in a round sees nothing of that round (not its protocol, its assessments
  or its recommendation), whatever else they are.
- A panel's current members (any role) see that panel's rounds, assessments and
  recommendations. A member assigned as a reviewer must declare first: until they have, the
  round shows them only the declaration.
- The chair of the panel (or a manager) assigns reviewers, records the recommendation, releases
  the round and marks conditions met.
- The study team (those who may edit the study in the registry) uploads protocol versions,
  submits them, sees their rounds' progress, and sees assessments and the recommendation only
  after the chair releases them; then they respond.
- Everyone with a staff role sees panels, the dashboard and annual review dates.
- A current panel member without a staff role (a lay member: a service user or carer, say)
  sees only the panels they sit on (the list and each one's page: members and rounds) and, as
  above, those panels' rounds; nothing else of governance or of the staff area.
- Managers add members to panels. Managers and the panel's current chair edit memberships and
  end terms, except that the chair role is the managers' alone: a chair cannot change or end a
  chair's membership (their own included) nor make anyone chair.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied

from coproduce.registry.access import (
    editable_study_ids,
    is_manager,
    is_staff_member,
    require_staff,
)

__all__ = [
    "can_appoint_chair",
    "can_assess",
    "can_chair",
    "can_change_membership",
    "can_download",
    "can_manage_members",
    "can_manage_panels",
    "can_respond",
    "can_see_reviews",
    "can_submit",
    "can_view_panel",
    "can_view_round",
    "deny",
    "is_staff_member",
    "lay_menu",
    "may_enter",
    "must_declare",
    "require_staff",
]


def deny(message: str = "You cannot see or do this.") -> None:
    raise PermissionDenied(message)


def memberships(user: Any) -> dict[int, set[str]]:
    """The user's current panel roles as {panel id: {role, ...}}, fetched once per request."""
    from coproduce.governance.models import PanelMembership

    if not getattr(user, "is_authenticated", False):
        return {}
    cached = getattr(user, "_governance_panels", None)
    if cached is None:
        cached = {}
        rows = PanelMembership.objects.active_on().filter(person__user=user)
        for panel_id, role in rows.values_list("panel_id", "role"):
            cached.setdefault(panel_id, set()).add(role)
        user._governance_panels = cached
    return cached


def is_panel_member(user: Any, panel_id: int) -> bool:
    return panel_id in memberships(user)


def is_chair(user: Any, panel_id: int) -> bool:
    return "chair" in memberships(user).get(panel_id, set())


def on_study_team(user: Any, study_id: int) -> bool:
    return study_id in editable_study_ids(user)


def assignment_for(user: Any, review_round: Any) -> Any:
    """The user's reviewer assignment in this round, or None (cached on the round object)."""
    if not getattr(user, "is_authenticated", False):
        return None
    cache = review_round.__dict__.setdefault("_assignment_for", {})
    if user.pk not in cache:
        cache[user.pk] = review_round.assignments.filter(person__user=user).first()
    return cache[user.pk]


def is_conflicted(user: Any, review_round: Any) -> bool:
    assignment = assignment_for(user, review_round)
    return bool(assignment and assignment.has_conflict)


def must_declare(user: Any, review_round: Any) -> bool:
    assignment = assignment_for(user, review_round)
    return bool(assignment and not assignment.has_declared)


def may_enter(user: Any) -> bool:
    """May open governance pages at all: a staff role or a current panel membership."""
    return is_staff_member(user) or bool(memberships(user))


def can_view_panel(user: Any, panel: Any) -> bool:
    """A panel's page (members and rounds): staff roles, and the panel's current members."""
    return is_staff_member(user) or is_panel_member(user, panel.pk)


def lay_menu(user: Any) -> tuple[str, str] | None:
    """The staff menu's offer to a signed-in user without a staff role: their panels."""
    return ("Your panels", "governance:panels") if memberships(user) else None


def can_view_round(user: Any, review_round: Any) -> bool:
    """May open the round's page at all (what it shows is decided by the functions below)."""
    if not is_staff_member(user) and not is_panel_member(user, review_round.panel_id):
        return False
    if is_conflicted(user, review_round):
        return False
    return (
        is_manager(user)
        or is_panel_member(user, review_round.panel_id)
        or on_study_team(user, review_round.study_id)
    )


def can_see_reviews(user: Any, review_round: Any) -> bool:
    """May read assessments, the recommendation and the conditions."""
    if not can_view_round(user, review_round) or must_declare(user, review_round):
        return False
    if is_manager(user) or is_panel_member(user, review_round.panel_id):
        return True
    return review_round.is_released and on_study_team(user, review_round.study_id)


def can_chair(user: Any, review_round: Any) -> bool:
    if is_conflicted(user, review_round):
        return False
    return is_manager(user) or is_chair(user, review_round.panel_id)


def can_assess(user: Any, review_round: Any) -> bool:
    assignment = assignment_for(user, review_round)
    return bool(
        assignment
        and assignment.has_declared
        and not assignment.has_conflict
        and not review_round.is_released
    )


def can_submit(user: Any, study: Any) -> bool:
    """Upload protocol versions and submit them: the study team and managers."""
    return is_manager(user) or on_study_team(user, study.pk)


def can_respond(user: Any, review_round: Any) -> bool:
    return review_round.is_released and can_submit(user, review_round.study)


def can_download(user: Any, version: Any) -> bool:
    """The protocol document: the study team, managers, and the members of a panel it was
    submitted to, unless they declared a conflict (or have yet to declare) in that round."""
    if can_submit(user, version.study):
        return True
    for review_round in version.rounds.all():
        if is_panel_member(user, review_round.panel_id) and can_see_reviews(user, review_round):
            return True
    return False


def can_manage_panels(user: Any) -> bool:
    return is_manager(user)


def can_manage_members(user: Any, panel: Any) -> bool:
    """Edit memberships and end terms on this panel: managers and the panel's current chair."""
    return is_manager(user) or is_chair(user, panel.pk)


def can_change_membership(user: Any, membership: Any) -> bool:
    """Edit or end this membership. A chair's membership is changed by managers only."""
    if is_manager(user):
        return True
    return is_chair(user, membership.panel_id) and membership.role != "chair"


def can_appoint_chair(user: Any) -> bool:
    return is_manager(user)
