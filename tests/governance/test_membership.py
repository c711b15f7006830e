"""Editing panel memberships and ending terms: who may, what is checked, what is audited, and
that ended terms stay on the panel's page as history."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone

from coproduce.audit.models import AuditEntry
from coproduce.governance.forms import END_BEFORE_START
from coproduce.governance.models import Panel, PanelMembership
from tests.governance.conftest import Scene, client_for, panel_user


def _membership(scene: Scene, role: str = "member") -> PanelMembership:
    return scene.users[role].person.panel_memberships.get(panel=scene.panel)


def _url(name: str, membership: PanelMembership) -> str:
    return reverse(f"governance:{name}", args=[membership.panel.slug, membership.public_id])


def _edit_data(membership: PanelMembership, **changes: Any) -> dict[str, Any]:
    data = {
        "role": membership.role,
        "represents": membership.represents,
        "start": membership.start.isoformat(),
        "end": membership.end.isoformat() if membership.end else "",
    }
    data.update(changes)
    return data


def test_a_manager_changes_role_represents_and_dates_with_an_audit_entry(scene: Scene) -> None:
    membership = _membership(scene)
    client = scene.client("manager")
    page = client.get(_url("member_edit", membership)).content.decode()
    assert "Change Panelmember" in page
    assert "s membership</h1>" in page
    response = client.post(
        _url("member_edit", membership),
        _edit_data(
            membership,
            role="external_reviewer",
            represents="academic",
            start="2011-02-01",
            end="2031-01-31",
        ),
    )
    assert response.status_code == 302
    assert response["Location"] == scene.panel.get_absolute_url() + "#members"
    membership.refresh_from_db()
    assert membership.role == "external_reviewer"
    assert membership.represents == "academic"
    assert (membership.start, membership.end) == (dt.date(2011, 2, 1), dt.date(2031, 1, 31))
    entry = AuditEntry.objects.get(action="governance.panelmembership.updated")
    assert entry.actor == scene.users["manager"]
    assert entry.object_id == str(membership.pk)
    assert entry.changes == {
        "role": ["member", "external_reviewer"],
        "represents": ["", "academic"],
        "start": ["2010-01-01", "2011-02-01"],
        "end": [None, "2031-01-31"],
    }


def test_saving_without_changes_writes_no_audit_entry(scene: Scene) -> None:
    membership = _membership(scene)
    response = scene.client("manager").post(_url("member_edit", membership), _edit_data(membership))
    assert response.status_code == 302
    assert not AuditEntry.objects.filter(action="governance.panelmembership.updated").exists()


def test_an_end_before_the_start_is_a_field_error_and_nothing_changes(scene: Scene) -> None:
    membership = _membership(scene)
    client = scene.client("manager")
    response = client.post(
        _url("member_edit", membership), _edit_data(membership, end="2009-12-31")
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "nhsuk-error-summary" in page
    assert 'id="end-error"' in page or "nhsuk-error-message" in page
    assert page.count("The date the term ends must be the same as or after the date it") >= 2
    assert "The end date must be on or after" not in page  # said once, in the form's words
    response = client.post(_url("member_end", membership), {"end": "2009-12-31"})
    assert response.status_code == 200
    assert END_BEFORE_START in response.content.decode()
    response = client.post(_url("member_end", membership), {"end": ""})
    assert "Enter the date the term ends" in response.content.decode()
    response = client.post(_url("member_edit", membership), _edit_data(membership, start=""))
    assert "Enter the date the term starts" in response.content.decode()
    membership.refresh_from_db()
    assert (membership.start, membership.end) == (dt.date(2010, 1, 1), None)
    assert not AuditEntry.objects.filter(action__startswith="governance.panelmembership").exists()


def test_ending_a_term_keeps_it_as_history_on_the_panel_page(scene: Scene) -> None:
    membership = _membership(scene)
    client = scene.client("manager")
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    # The GET shows the form and changes nothing.
    assert client.get(_url("member_end", membership)).status_code == 200
    membership.refresh_from_db()
    assert membership.end is None
    response = client.post(_url("member_end", membership), {"end": yesterday.isoformat()})
    assert response["Location"] == scene.panel.get_absolute_url() + "#members"
    membership.refresh_from_db()
    assert membership.end == yesterday
    assert PanelMembership.objects.filter(pk=membership.pk).exists()
    entry = AuditEntry.objects.get(action="governance.panelmembership.ended")
    assert entry.changes == {"end": [None, yesterday.isoformat()]}

    page = client.get(scene.panel.get_absolute_url()).content.decode()
    current, past = page.split('id="past-members"')
    assert "Panelmember" not in current.split('id="members"')[1]
    assert "Panelmember" in past
    assert f"to {yesterday.day} {yesterday:%b %Y}" in past
    # An ended membership can be changed but not ended again from the table.
    assert _url("member_edit", membership) in past
    assert _url("member_end", membership) not in past
    # An ended term no longer counts as membership: the panel's rounds are closed to them.
    assert scene.client("member").get(scene.round.get_absolute_url()).status_code == 403


def test_a_term_ending_later_stays_current_until_then(scene: Scene) -> None:
    membership = _membership(scene)
    later = timezone.localdate() + dt.timedelta(days=30)
    scene.client("manager").post(_url("member_end", membership), {"end": later.isoformat()})
    page = scene.client("manager").get(scene.panel.get_absolute_url()).content.decode()
    assert "Panelmember" in page.split('id="members"')[1].split("Past members")[0]
    assert f"to {later.day} {later:%b %Y}" in page


def test_the_chair_changes_and_ends_other_members_terms(scene: Scene) -> None:
    membership = _membership(scene)
    chair = scene.client("chair")
    page = chair.get(scene.panel.get_absolute_url()).content.decode()
    assert _url("member_end", membership) in page
    assert _url("member_edit", _membership(scene, "chair")) not in page
    assert "A manager changes the chair" in page
    assert "Add a member" not in page  # adding members stays with managers

    response = chair.post(
        _url("member_edit", membership), _edit_data(membership, represents="academic")
    )
    assert response.status_code == 302
    today = timezone.localdate().isoformat()
    assert chair.post(_url("member_end", membership), {"end": today}).status_code == 302
    membership.refresh_from_db()
    assert (membership.represents, membership.end.isoformat()) == ("academic", today)
    actors = set(
        AuditEntry.objects.filter(action__startswith="governance.panelmembership").values_list(
            "actor__username", flat=True
        )
    )
    assert actors == {"chair"}


def test_only_a_manager_makes_someone_chair_or_changes_a_chair(scene: Scene) -> None:
    membership = _membership(scene)
    chair = scene.client("chair")
    form = chair.get(_url("member_edit", membership)).content.decode()
    assert 'value="chair"' not in form
    response = chair.post(_url("member_edit", membership), _edit_data(membership, role="chair"))
    assert response.status_code == 200
    assert "nhsuk-error-summary" in response.content.decode()
    membership.refresh_from_db()
    assert membership.role == "member"
    own = _membership(scene, "chair")
    assert chair.get(_url("member_edit", own)).status_code == 403
    assert chair.post(_url("member_end", own), {"end": "2030-01-01"}).status_code == 403
    own.refresh_from_db()
    assert own.end is None

    manager = scene.client("manager")
    assert 'value="chair"' in manager.get(_url("member_edit", membership)).content.decode()
    response = manager.post(_url("member_edit", membership), _edit_data(membership, role="chair"))
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == "chair"


def test_a_chair_of_another_panel_and_other_roles_cannot_change_memberships(scene: Scene) -> None:
    other = Panel.objects.get(kind=Panel.Kind.BOARD)
    board_chair = client_for(panel_user("boardchair", other, "chair"))
    membership = _membership(scene)
    for client in (
        board_chair,
        scene.client("member"),
        scene.client("team"),
        scene.client("outsider"),
    ):
        assert client.get(_url("member_edit", membership)).status_code == 403
        response = client.post(_url("member_end", membership), {"end": "2030-01-01"})
        assert response.status_code == 403
    membership.refresh_from_db()
    assert membership.end is None
    assert scene.client("anonymous").post(_url("member_end", membership), {}).status_code == 302


def test_a_membership_is_found_only_under_its_own_panel(scene: Scene) -> None:
    membership = _membership(scene)
    wrong = reverse("governance:member_edit", args=["board", membership.public_id])
    assert scene.client("manager").get(wrong).status_code == 404


def test_a_start_that_clashes_with_another_term_is_a_field_error(scene: Scene) -> None:
    membership = _membership(scene)
    PanelMembership.objects.create(
        panel=scene.panel,
        person=membership.person,
        start=dt.date(2005, 1, 1),
        end=dt.date(2009, 12, 31),
    )
    response = scene.client("manager").post(
        _url("member_edit", membership), _edit_data(membership, start="2005-01-01")
    )
    assert response.status_code == 200
    assert "already has a term on this panel starting" in response.content.decode()
