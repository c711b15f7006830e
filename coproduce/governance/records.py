"""Governance's plain records in the staff area, declared once each (`staff.records`).

A panel's memberships: managers add members (`member_add`); managers and the panel's chair
change a membership, and only a manager a chair's or makes someone chair (`access.py`).
Ending a term, reviews, protocols and annual reviews are workflows in views.py.
"""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from coproduce.governance import access
from coproduce.governance.forms import MemberForm, MembershipForm
from coproduce.governance.models import Panel, PanelMembership
from coproduce.staff.records import Kind, Parent, ParentDecides

SAME_START = "This person already has a term on this panel starting that day"


def _panel_for(user: Any, slug: str, write: bool) -> Panel:
    if not access.can_manage_panels(user):
        access.deny("Only managers can change panel membership.")
    return get_object_or_404(Panel, slug=slug)


def _panel_check(user: Any, panel: Panel, write: bool) -> None:
    if not access.can_manage_members(user, panel):
        access.deny("Only managers and the panel's chair can change memberships.")


PANEL = Parent(
    field="panel",
    segment="panels",
    get=_panel_for,
    check=_panel_check,
    url=lambda panel: panel.get_absolute_url() + "#members",
    caption=lambda panel: panel.name,
)


class MembershipPolicy(ParentDecides):
    """A membership on the panel in its address (404 if none), if the user may change it."""

    def get(self, kind: Kind, user: Any, key: Any, *, write: bool, scope: dict[str, Any]) -> Any:
        membership = get_object_or_404(
            kind.queryset(), panel__slug=scope["slug"], **{kind.lookup: key}
        )
        if not access.can_change_membership(user, membership):
            access.deny(
                "Only managers and the panel's chair can change memberships, "
                "and only a manager can change a chair's."
            )
        return membership


def _one_term_per_start(form: Any, user: Any) -> None:
    term = form.instance
    others = PanelMembership.objects.exclude(pk=term.pk)
    if others.filter(panel_id=term.panel_id, person_id=term.person_id, start=term.start).exists():
        form.add_error("start", SAME_START)


def _end_instead(membership: PanelMembership) -> str:
    return format_html(
        'To record that the term has ended, <a href="{}">end the term</a> instead: the '
        "membership stays on the panel's page as history.",
        reverse("governance:member_end", args=[membership.panel.slug, membership.public_id]),
    )


_MEMBERS: dict[str, Any] = {
    "namespace": "governance",
    "section": "governance",
    "crumb": ("Governance", "governance:dashboard"),
    "key_kwarg": "public_id",
    "parent": PANEL,
    "select_related": ("panel", "panel__study", "person"),
    "policy": MembershipPolicy(),
    "return_to": "parent",
    "validate": _one_term_per_start,
    "invalid_status": 200,  # as these pages always answered an invalid form
}

KINDS: tuple[Kind, ...] = (
    Kind(
        key="member",
        model=PanelMembership,
        form_class=MemberForm,
        segment="members",
        actions=("create",),
        names={"create": "member_add"},
        paths={"create": "panels/<slug:slug>/members/add/"},
        create_heading="Add a member",
        buttons=("Add member", "Save"),
        initial=lambda request, panel: {"start": timezone.localdate()},
        created=lambda term: f"{term.person} added to the {term.panel}.",
        **_MEMBERS,
    ),
    Kind(
        key="membership",
        model=PanelMembership,
        form_class=MembershipForm,
        segment="members",
        actions=("edit",),
        names={"edit": "member_edit"},
        paths={"edit": "panels/<slug:slug>/members/<uuid:public_id>/edit/"},
        edit_heading="Change {obj.person.full_name}'s membership",
        buttons=("Save", "Save changes"),
        edit_intro=_end_instead,
        form_kwargs=lambda user: {"allow_chair": access.can_appoint_chair(user)},
        saved=lambda term: f"{term.person}'s membership is updated.",
        **_MEMBERS,
    ),
)
