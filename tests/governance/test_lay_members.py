"""Lay panel members (service users and carers) sign in with no staff role group: they land on
their panels, see their own panels and those panels' rounds, review when assigned, and see
nothing else of governance or of the staff area."""

from __future__ import annotations

import re
from typing import Any

from django.urls import reverse

from coproduce.governance import services
from coproduce.governance.models import Panel, ReviewRound
from tests.governance.conftest import client_for, panel_user, upload

RATINGS = {
    "version": 0,
    "rating_perspective": "meets",
    "rating_burden": "partly",
    "rating_accessibility": "meets",
    "comments": "Clear for carers.",
}


def _url(name: str, *args: Any) -> str:
    return reverse(f"governance:{name}", args=args)


def _menu(html: str) -> list[str]:
    return re.findall(r'class="nhsuk-header__navigation-link" href="([^"]+)"', html)


def _lay_round(study: Any, member: Any) -> tuple[Any, Any, ReviewRound, ReviewRound]:
    """A carer on the service user and carer panel, its chair, a round on that panel with the
    carer assigned, and a round on the scientific committee."""
    lay_panel = Panel.objects.get(kind=Panel.Kind.SERVICE_USERS)
    committee = Panel.objects.get(kind=Panel.Kind.SCIENTIFIC)
    carer = panel_user("carer", lay_panel, staff=False)
    chair = panel_user("suchair", lay_panel, "chair")
    version = upload(study, "1.0", by=member)
    own = services.submit(version, lay_panel, by=member)
    services.assign(own, carer.person, by=chair)
    other = services.submit(version, committee, by=member)
    return carer, chair, own, other


def test_the_staff_home_sends_a_lay_member_to_their_panels(study: Any, member: Any) -> None:
    carer, *_ = _lay_round(study, member)
    response = client_for(carer).get(reverse("staff:home"))
    assert response.status_code == 302
    assert response["Location"] == _url("panels")


def test_someone_with_neither_a_role_nor_a_panel_is_refused(db: Any) -> None:
    client = client_for(panel_user("nobody", staff=False))  # no group, no membership
    assert client.get(reverse("staff:home")).status_code == 403
    assert client.get(_url("panels")).status_code == 403


def test_a_lay_member_sees_only_their_panels(study: Any, member: Any) -> None:
    carer, _, own, other = _lay_round(study, member)
    client = client_for(carer)
    page = client.get(_url("panels")).content.decode()
    assert own.panel.get_absolute_url() in page
    assert other.panel.get_absolute_url() not in page
    assert "Your reviews" in page
    assert own.get_absolute_url() in page
    assert _menu(page) == [_url("panels")]
    assert f'href="{_url("panels")}" aria-current="page">Your panels</a>' in page
    assert f'href="{_url("dashboard")}"' not in page

    panel_page = client.get(own.panel.get_absolute_url()).content.decode()
    assert own.get_absolute_url() in panel_page  # the rounds submitted to their panel
    assert "Add a member" not in panel_page
    assert client.get(other.panel.get_absolute_url()).status_code == 403


def test_a_lay_member_reviews_as_assigned(study: Any, member: Any) -> None:
    carer, _, own, other = _lay_round(study, member)
    client = client_for(carer)
    assert "Declare your interests" in client.get(own.get_absolute_url()).content.decode()
    response = client.post(_url("declare", own.public_id), {"conflict": "no"})
    assert response["Location"] == _url("assessment", own.public_id)
    assert client.get(_url("protocol_download", own.protocol_version.public_id)).status_code == 200
    response = client.post(_url("assessment", own.public_id), RATINGS)
    assert response.status_code == 302
    page = client.get(own.get_absolute_url()).content.decode()
    assert "Clear for carers." in page
    assert f'href="{_url("study", study.slug)}"' not in page  # the study's internals: staff only
    # Another panel's confidential round stays closed.
    assert client.get(other.get_absolute_url()).status_code == 403


def test_a_lay_member_who_declares_a_conflict_returns_to_their_panels(
    study: Any, member: Any
) -> None:
    carer, _, own, _ = _lay_round(study, member)
    response = client_for(carer).post(
        _url("declare", own.public_id), {"conflict": "yes", "details": "My GP practice."}
    )
    assert response["Location"] == _url("panels")


def test_the_rest_of_the_staff_area_is_closed_to_a_lay_member(study: Any, member: Any) -> None:
    carer, *_ = _lay_round(study, member)
    client = client_for(carer)
    for url in (
        _url("dashboard"),
        _url("annual_reviews"),
        _url("study", study.slug),
        reverse("associates_staff:directory"),
        reverse("associates_staff:export_csv"),
        reverse("staff:person_list"),
        reverse("staff:study_list"),
        reverse("api_tokens:list"),
    ):
        assert client.get(url).status_code == 403, url


def test_the_demo_carer_is_a_lay_member(db: Any) -> None:
    from django.contrib.auth import authenticate
    from django.core.management import call_command

    from coproduce.demo.loader.governance import DEMO_PASSWORD

    call_command("loaddemo", verbosity=0)
    carer = authenticate(username="carer", password=DEMO_PASSWORD)
    assert carer is not None
    assert not carer.groups.exists()  # no staff role group
    client = client_for(carer)
    assert client.get(reverse("staff:home"))["Location"] == _url("panels")
    page = client.get(_url("panels")).content.decode()
    lay_panel = Panel.objects.get(kind=Panel.Kind.SERVICE_USERS)
    assert lay_panel.get_absolute_url() in page
    assert Panel.objects.get(kind=Panel.Kind.SCIENTIFIC).get_absolute_url() not in page
    assert client.get(lay_panel.get_absolute_url()).status_code == 200
    assert client.get(reverse("associates_staff:directory")).status_code == 403
