"""Failed sign-ins are throttled per username and address; the session key changes at sign-in."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from coproduce.security.models import SignInFailure
from tests import factories

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"


def _sign_in(client: Client, username: str, password: str, ip: str = "10.0.0.1") -> Any:
    return client.post(
        reverse("staff:login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def test_five_failures_lock_the_account_from_that_address() -> None:
    factories.UserFactory(username="alice")
    client = Client()
    for _ in range(5):
        assert _sign_in(client, "alice", "wrong").status_code == 200
    response = _sign_in(client, "alice", PASSWORD)
    assert response.status_code == 429
    assert "too many failed attempts to sign in" in response.content.decode()
    assert "Try again in 15 minutes" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Attempts while locked are not counted, and do not extend the lock.
    assert SignInFailure.objects.count() == 5


def test_the_lock_is_per_username_and_address() -> None:
    factories.UserFactory(username="alice")
    factories.UserFactory(username="bob")
    for _ in range(5):
        _sign_in(Client(), "alice", "wrong")
    assert _sign_in(Client(), "alice", PASSWORD, ip="10.0.0.2").status_code == 302
    assert _sign_in(Client(), "bob", PASSWORD).status_code == 302
    assert _sign_in(Client(), "ALICE", PASSWORD).status_code == 429


def test_the_lock_ends_after_fifteen_minutes() -> None:
    factories.UserFactory(username="alice")
    for _ in range(5):
        _sign_in(Client(), "alice", "wrong")
    SignInFailure.objects.update(at=timezone.now() - dt.timedelta(minutes=15, seconds=1))
    assert _sign_in(Client(), "alice", PASSWORD).status_code == 302


def test_four_failures_do_not_lock_and_success_clears_them() -> None:
    factories.UserFactory(username="alice")
    for _ in range(4):
        _sign_in(Client(), "alice", "wrong")
    assert _sign_in(Client(), "alice", PASSWORD).status_code == 302
    assert not SignInFailure.objects.exists()


def test_the_session_key_changes_at_sign_in() -> None:
    factories.UserFactory(username="alice")
    client = Client()
    client.get(reverse("staff:login"))
    session = client.session
    session["before"] = "anonymous"
    session.save()
    before = session.session_key
    assert _sign_in(client, "alice", PASSWORD).status_code == 302
    after = client.session.session_key
    assert after
    assert after != before
    assert client.session["_auth_user_id"]
