"""The staff page at /staff/api-tokens/: who may use it, creating and revoking tokens."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from coproduce.apitokens.models import ApiToken
from coproduce.audit.models import AuditEntry
from tests import factories

pytestmark = pytest.mark.django_db

LIST = "/staff/api-tokens/"
CREATE = "/staff/api-tokens/new/"


def _revoke_url(token: ApiToken) -> str:
    return f"/staff/api-tokens/{token.public_id}/revoke/"


def _secret_from(html: str) -> str:
    match = re.search(r'id="api-token"[^>]*value="([^"]+)"', html)
    assert match, "the result page shows the new token"
    return match.group(1)


# Who may use the page


@pytest.mark.parametrize("url", [LIST, CREATE])
def test_anonymous_is_sent_to_sign_in(client: Client, url: str) -> None:
    response = client.post(url) if url == CREATE else client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith("/staff/sign-in/?next=")


def test_anonymous_cannot_revoke(client: Client, token: tuple[ApiToken, str]) -> None:
    response = client.post(_revoke_url(token[0]))

    assert response.status_code == 302
    token[0].refresh_from_db()
    assert token[0].is_active


def test_a_signed_in_user_without_a_staff_role_is_refused(client: Client) -> None:
    user: Any = factories.UserFactory(username="public")
    client.force_login(user)

    assert client.get(LIST).status_code == 403
    assert client.post(CREATE, {"name": "Mine"}).status_code == 403
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("role_client", ["manager_client", "member_client", "reader_client"])
def test_staff_see_the_page(role_client: str, request: pytest.FixtureRequest) -> None:
    response = request.getfixturevalue(role_client).get(LIST)

    assert response.status_code == 200
    assert b"Create a token" in response.content


# Creating


def test_manager_creates_a_token_and_sees_the_secret_once(
    manager_client: Client, manager: Any
) -> None:
    response = manager_client.post(CREATE, {"name": "Board report", "access": "read"})

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    secret = _secret_from(html)
    assert html.count(secret) == 1
    token = ApiToken.objects.get()
    assert (token.name, token.owner, token.is_active) == ("Board report", manager, True)
    assert ApiToken.objects.find(secret) == token

    listing = manager_client.get(LIST).content.decode()
    assert "Board report" in listing
    assert token.prefix in listing
    assert secret not in listing


def test_the_new_token_reads_personal_data(manager_client: Client, client: Client) -> None:
    secret = _secret_from(
        manager_client.post(CREATE, {"name": "Script", "access": "read"}).content.decode()
    )

    response = client.get("/api/people", headers={"Authorization": f"Bearer {secret}"})

    assert response.status_code == 200


def test_creating_is_audited(manager_client: Client, manager: Any) -> None:
    manager_client.post(CREATE, {"name": "Board report", "access": "read"})

    entry = AuditEntry.objects.get(action="api.apitoken.created")
    token = ApiToken.objects.get()
    assert entry.actor == manager
    assert entry.object_id == str(token.pk)
    assert entry.changes == {
        "name": [None, "Board report"],
        "access": [None, "read"],
        "areas": [None, []],
        "expires": [None, None],
    }


def test_a_token_needs_a_name(manager_client: Client) -> None:
    response = manager_client.post(CREATE, {"name": "  "})

    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert "Enter a name for the token" in html
    assert "<title>Error: API tokens" in html
    assert not ApiToken.objects.exists()


def test_create_does_not_answer_get(manager_client: Client) -> None:
    assert manager_client.get(CREATE).status_code == 405
    assert not ApiToken.objects.exists()


# Listing


def test_staff_see_only_their_own_tokens(member_client: Client, member: Any, manager: Any) -> None:
    ApiToken.objects.issue(member, "Member's script")
    ApiToken.objects.issue(manager, "Manager's script")

    html = member_client.get(LIST).content.decode()

    assert "Member&#x27;s script" in html
    assert "Manager&#x27;s script" not in html


def test_managers_see_everyone_s_tokens(manager_client: Client, member: Any) -> None:
    ApiToken.objects.issue(member, "Member's script")

    html = manager_client.get(LIST).content.decode()

    assert "Member&#x27;s script" in html
    assert "member" in html


def test_the_list_costs_the_same_queries_for_2_and_20_tokens(manager_client: Client) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert manager_client.get(LIST).status_code == 200
        return len(queries)

    def tokens_of_new_owners(how_many: int) -> None:
        for _ in range(how_many):
            # No password: hashing one costs more than the whole request being measured.
            owner = get_user_model().objects.create(username=f"owner{ApiToken.objects.count()}")
            ApiToken.objects.issue(owner, f"Token of {owner.get_username()}")

    tokens_of_new_owners(2)
    few = count()
    tokens_of_new_owners(18)

    assert count() == few


# Revoking


def test_owner_revokes_their_token(
    manager_client: Client, manager: Any, token: tuple[ApiToken, str]
) -> None:
    response = manager_client.post(_revoke_url(token[0]))

    assert response.status_code == 302
    assert response["Location"] == LIST
    token[0].refresh_from_db()
    assert not token[0].is_active
    entry = AuditEntry.objects.get(action="api.apitoken.revoked")
    assert (entry.actor, entry.object_id) == (manager, str(token[0].pk))
    assert "Revoked" in manager_client.get(LIST).content.decode()


def test_revoking_twice_is_audited_once(
    manager_client: Client, token: tuple[ApiToken, str]
) -> None:
    manager_client.post(_revoke_url(token[0]))
    manager_client.post(_revoke_url(token[0]))

    assert AuditEntry.objects.filter(action="api.apitoken.revoked").count() == 1


def test_a_manager_may_revoke_someone_else_s_token(manager_client: Client, member: Any) -> None:
    token, _ = ApiToken.objects.issue(member, "Member's script")

    manager_client.post(_revoke_url(token))

    token.refresh_from_db()
    assert not token.is_active


def test_staff_cannot_revoke_someone_else_s_token(
    member_client: Client, token: tuple[ApiToken, str]
) -> None:
    response = member_client.post(_revoke_url(token[0]))

    assert response.status_code == 404
    token[0].refresh_from_db()
    assert token[0].is_active


def test_get_never_revokes(manager_client: Client, token: tuple[ApiToken, str]) -> None:
    response = manager_client.get(_revoke_url(token[0]))

    assert response.status_code == 405
    token[0].refresh_from_db()
    assert token[0].is_active
    assert not AuditEntry.objects.exists()
