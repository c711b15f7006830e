"""Every governance URL against every role. A new URL pattern fails `test_every_url_is_in_the_table`
until it is added to TABLE with the status each role must get.

Roles: anonymous, outsider (staff researcher with no part in the study or panel), team (the
study team), member (a scientific committee member and reviewer in both rounds), chair (the
committee's chair), conflicted (a committee member who declared a conflict in both rounds),
manager. "login" means sent to sign in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.governance.conftest import Scene

ROLES = ("anonymous", "outsider", "team", "member", "chair", "conflicted", "manager")
L = "login"
ALL_STAFF = (L, 200, 200, 200, 200, 200, 200)


def _slug(s: Scene) -> dict[str, Any]:
    return {"slug": s.study.slug}


def _panel(s: Scene) -> dict[str, Any]:
    return {"slug": s.panel.slug}


def _version(s: Scene) -> dict[str, Any]:
    return {"public_id": s.version.public_id}


def _round(s: Scene) -> dict[str, Any]:
    return {"public_id": s.round.public_id}


def _released(s: Scene) -> dict[str, Any]:
    return {"public_id": s.released.public_id}


def _condition(s: Scene) -> dict[str, Any]:
    return {"public_id": s.released.conditions.get().public_id}


def _membership(s: Scene) -> dict[str, Any]:
    """The committee membership of "member" (an ordinary member, not the chair)."""
    return {
        "slug": s.panel.slug,
        "public_id": s.users["member"].person.panel_memberships.get().public_id,
    }


def _none(s: Scene) -> dict[str, Any]:
    return {}


Kwargs = Callable[[Scene], dict[str, Any]]
# name: (method, kwargs, expected status for each role in ROLES order)
TABLE: dict[str, tuple[str, Kwargs, tuple[Any, ...]]] = {
    "dashboard": ("GET", _none, ALL_STAFF),
    "panels": ("GET", _none, ALL_STAFF),
    "panel": ("GET", _panel, ALL_STAFF),
    "member_add": ("GET", _panel, (L, 403, 403, 403, 403, 403, 200)),
    "member_edit": ("GET", _membership, (L, 403, 403, 403, 200, 403, 200)),
    "member_end": ("GET", _membership, (L, 403, 403, 403, 200, 403, 200)),
    "annual_reviews": ("GET", _none, ALL_STAFF),
    "study": ("GET", _slug, ALL_STAFF),
    "timeline": ("GET", _slug, ALL_STAFF),
    "steering_create": ("POST", _slug, (L, 403, 403, 403, 403, 403, 302)),
    "protocol_new": ("GET", _slug, (L, 403, 200, 403, 403, 403, 200)),
    "protocol_download": ("GET", _version, (L, 403, 200, 200, 200, 403, 200)),
    "protocol_submit": ("GET", _version, (L, 403, 200, 403, 403, 403, 200)),
    "round": ("GET", _round, (L, 403, 200, 200, 200, 403, 200)),
    "assign": ("POST", _round, (L, 403, 403, 403, 200, 403, 200)),
    "declare": ("POST", _round, (L, 403, 403, 403, 403, 403, 403)),
    "assessment": ("GET", _round, (L, 403, 403, 200, 403, 403, 403)),
    "recommendation": ("GET", _round, (L, 403, 403, 403, 200, 403, 200)),
    "release": ("POST", _round, (L, 403, 403, 403, 302, 403, 302)),
    "response": ("GET", _released, (L, 403, 200, 403, 403, 403, 200)),
    "condition_met": ("POST", _condition, (L, 403, 403, 403, 302, 403, 302)),
}


def governance_url_names() -> set[str]:
    names: set[str] = set()

    def walk(patterns: list[Any], inside: bool) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, inside or pattern.namespace == "governance")
            elif isinstance(pattern, URLPattern) and inside and pattern.name:
                names.add(pattern.name)

    walk(get_resolver().url_patterns, False)
    return names


def test_every_url_is_in_the_table() -> None:
    names = governance_url_names()
    assert names, "no governance URLs found"
    missing = names - set(TABLE)
    assert not missing, f"add these governance URLs to the access TABLE: {sorted(missing)}"
    assert not set(TABLE) - names, "TABLE lists URLs that no longer exist"


@pytest.mark.parametrize("name", sorted(TABLE))
@pytest.mark.parametrize("role", ROLES)
def test_access(scene: Scene, name: str, role: str) -> None:
    method, kwargs, expected = TABLE[name]
    want = expected[ROLES.index(role)]
    url = reverse(f"governance:{name}", kwargs=kwargs(scene))
    client = scene.client(role)
    response = client.get(url) if method == "GET" else client.post(url, {})
    if want == L:
        assert response.status_code == 302, (name, role, response.status_code)
        assert response["Location"].startswith("/staff/sign-in/"), (name, role)
    else:
        assert response.status_code == want, (name, role, response.status_code)


def test_post_only_urls_refuse_get(scene: Scene) -> None:
    client = scene.client("manager")
    for name, (method, kwargs, _) in TABLE.items():
        if method == "POST":
            url = reverse(f"governance:{name}", kwargs=kwargs(scene))
            assert client.get(url).status_code == 405, name
