"""Idle and absolute session timeouts, and deactivation ending every session."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from coproduce.registry.access import MANAGER
from coproduce.security import sessions
from tests import factories

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"


def _signed_in(username: str = "alice") -> Client:
    client = Client()
    response = client.post(reverse("staff:login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def _shift(client: Client, key: str, seconds: float) -> None:
    session = client.session
    session[key] = session[key] - seconds
    session.save()


def _is_signed_in(client: Client) -> bool:
    return client.get(reverse("staff:home")).status_code == 200


@pytest.fixture
def alice(db: object) -> object:
    return factories.UserFactory(username="alice", groups=[MANAGER])


def test_an_active_session_stays_signed_in(alice: object) -> None:
    client = _signed_in()
    _shift(client, sessions.SEEN_AT, 59 * 60)
    assert _is_signed_in(client)


def test_an_idle_session_is_signed_out(alice: object) -> None:
    client = _signed_in()
    _shift(client, sessions.SEEN_AT, 60 * 60 + 1)
    response = client.get(reverse("staff:home"))
    assert response.status_code == 302
    assert reverse("staff:login") in response["Location"]
    assert "_auth_user_id" not in client.session


def test_activity_keeps_a_session_alive(alice: object) -> None:
    client = _signed_in()
    _shift(client, sessions.SEEN_AT, 50 * 60)
    assert _is_signed_in(client)  # refreshes the last-seen time
    _shift(client, sessions.SEEN_AT, 50 * 60)
    assert _is_signed_in(client)


def test_a_session_ends_after_the_absolute_limit_however_active(alice: object) -> None:
    client = _signed_in()
    _shift(client, sessions.SIGNED_IN_AT, 12 * 3600 + 1)
    assert not _is_signed_in(client)


def test_deactivating_a_user_ends_all_their_sessions(alice: object) -> None:
    first, second = _signed_in(), _signed_in()
    other = factories.UserFactory(username="bob", groups=[MANAGER])
    bobs = _signed_in("bob")
    assert _is_signed_in(first)
    assert _is_signed_in(second)
    alice.is_active = False  # type: ignore[attr-defined]
    alice.save()  # type: ignore[attr-defined]
    assert not _is_signed_in(first)
    assert not _is_signed_in(second)
    assert _is_signed_in(bobs)
    assert Session.objects.count() == 1
    assert other.is_active
