"""Sign-in limits beyond one username from one address: one client trying many usernames, many
clients trying one account, wrong two-factor codes, the client address behind a trusted proxy,
and the emailed unlock link that lets an account's owner in while an attack goes on
(coproduce/security/throttle.py, clients.py). Parallel attempts: test_signin_concurrency.py."""

from __future__ import annotations

import datetime as dt
import re
from base64 import b32encode
from typing import Any
from urllib.parse import urlparse

import pyotp
import pytest
from django.test import Client, RequestFactory
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from coproduce.audit.models import AuditEntry
from coproduce.comms.models import OutboxMessage
from coproduce.security.clients import client_address
from coproduce.security.models import SignInFailure, SignInUnlock
from tests import factories

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"
LOGIN = "/staff/sign-in/"
VERIFY = "/staff/two-factor/code/"
PROXY = "10.9.9.9"  # a proxy in front that is not configured: every client has its address


def _browser(ip: str = "10.0.0.1", **headers: str) -> Client:
    return Client(REMOTE_ADDR=ip, **headers)


def _sign_in(client: Client, username: str, password: str) -> Any:
    return client.post(LOGIN, {"username": username, "password": password})


def _signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def _unlock_path(to_email: str) -> str:
    message = OutboxMessage.objects.get(to_email=to_email, key__startswith="signin-unlock:")
    found = re.search(r"https?://\S+/staff/sign-in/unlock/\S+/", message.body_text)
    assert found is not None, message.body_text
    return urlparse(found.group(0)).path


def _now(seconds: float) -> dt.datetime:
    return timezone.now() + dt.timedelta(seconds=seconds)


def _app(user: Any) -> pyotp.TOTP:
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    return pyotp.TOTP(b32encode(device.bin_key).decode())


def test_one_client_trying_many_usernames_is_stopped(settings: Any) -> None:
    settings.COPRODUCE_SIGNIN_MAX_FAILURES_PER_CLIENT = 6
    factories.UserFactory(username="alice")
    for n in range(6):  # never more than one failure for any one username
        assert _sign_in(_browser(), f"guess{n}", "wrong").status_code == 200
    refused = _sign_in(_browser(), "alice", PASSWORD)
    assert refused.status_code == 429
    assert "too many failed attempts to sign in" in refused.content.decode()
    assert _sign_in(_browser("10.0.0.2"), "alice", PASSWORD).status_code == 302


def test_many_clients_trying_one_account_are_stopped(settings: Any) -> None:
    settings.COPRODUCE_SIGNIN_MAX_FAILURES_PER_ACCOUNT = 6
    factories.UserFactory(username="alice")
    factories.UserFactory(username="bob")
    for n in range(6):
        assert _sign_in(_browser(f"10.0.1.{n}"), "alice", "wrong").status_code == 200
    assert _sign_in(_browser("10.0.2.1"), "alice", PASSWORD).status_code == 429
    assert _sign_in(_browser("10.0.2.1"), "bob", PASSWORD).status_code == 302


def test_a_right_password_does_not_clear_wrong_codes(manager: Any, settings: Any) -> None:
    """Someone who has the password cannot guess codes for ever by signing in again."""
    settings.COPRODUCE_REQUIRE_MANAGER_2FA = True
    _app(manager)
    for _ in range(settings.COPRODUCE_SIGNIN_MAX_FAILURES):
        browser = _browser()
        assert _sign_in(browser, "manager", PASSWORD).status_code == 302
        assert browser.post(VERIFY, {"code": "000000"}).status_code == 200
    assert _sign_in(_browser(), "manager", PASSWORD).status_code == 429


def test_the_owner_gets_in_with_the_emailed_link_while_the_attack_goes_on() -> None:
    factories.UserFactory(username="alice", email="alice@example.org")
    attacker = _browser(PROXY)
    owner = _browser(PROXY)
    for _ in range(5):
        assert _sign_in(attacker, "alice", "wrong").status_code == 200

    refused = _sign_in(owner, "alice", PASSWORD)
    assert refused.status_code == 429
    assert "we have emailed its address a link" in refused.content.decode()
    for _ in range(3):  # the attack goes on; still one email
        assert _sign_in(attacker, "alice", "wrong").status_code == 429
    path = _unlock_path("alice@example.org")
    assert OutboxMessage.objects.filter(to_email="alice@example.org").count() == 1

    page = owner.get(path)
    assert page.status_code == 200
    assert "Continue to sign in" in page.content.decode()
    assert SignInUnlock.objects.get().used_at is None  # opening the link spends nothing
    response = owner.post(path)
    assert response.status_code == 302
    assert response["Location"] == LOGIN
    assert AuditEntry.objects.filter(action="security.signin.unlocked").count() == 1

    # The attacker, at the same address, is still refused and cannot use up the owner's tries.
    for _ in range(6):
        assert _sign_in(attacker, "alice", "wrong").status_code == 429
    assert _sign_in(owner, "alice", "a typo").status_code == 200
    assert _sign_in(owner, "alice", PASSWORD).status_code == 302
    assert _signed_in(owner)
    assert not _signed_in(attacker)
    assert _sign_in(attacker, "alice", PASSWORD).status_code == 429

    # The link worked once.
    assert Client().get(path).status_code == 404
    assert Client().post(path).status_code == 404


def test_the_owner_with_an_app_gets_past_wrong_codes_with_the_link(
    manager: Any, settings: Any
) -> None:
    """Someone with the manager's password enters wrong codes from the same address."""
    settings.COPRODUCE_REQUIRE_MANAGER_2FA = True
    totp = _app(manager)
    attacker = _browser(PROXY)
    assert _sign_in(attacker, "manager", PASSWORD).status_code == 302
    for _ in range(5):
        assert attacker.post(VERIFY, {"code": "000000"}).status_code == 200
    locked = attacker.post(VERIFY, {"code": "000000"})
    assert locked.status_code == 429
    assert "too many wrong codes" in locked.content.decode()

    owner = _browser(PROXY)
    assert _sign_in(owner, "manager", PASSWORD).status_code == 429
    path = _unlock_path(manager.email)
    assert owner.post(path)["Location"] == LOGIN
    assert _sign_in(owner, "manager", PASSWORD).status_code == 302
    assert owner.post(VERIFY, {"code": totp.now()})["Location"] == "/staff/"
    assert owner.get("/staff/").status_code == 200
    assert attacker.post(VERIFY, {"code": "000000"}).status_code == 429
    assert attacker.get("/staff/").status_code == 302


def test_a_signed_in_owner_locked_at_the_code_page_can_use_the_link(
    manager: Any, settings: Any
) -> None:
    settings.COPRODUCE_REQUIRE_MANAGER_2FA = True
    totp = _app(manager)
    owner = _browser(PROXY)
    assert _sign_in(owner, "manager", PASSWORD).status_code == 302
    for n in range(5):  # someone else's wrong codes, from the same address
        SignInFailure.objects.create(username="manager", ip=PROXY, at=_now(-n))
    assert owner.post(VERIFY, {"code": totp.now()}).status_code == 429
    path = _unlock_path(manager.email)
    assert owner.get(path).status_code == 200  # not sent to the code page first
    assert owner.post(path)["Location"] == VERIFY
    assert owner.post(VERIFY, {"code": totp.now()})["Location"] == "/staff/"


def test_unlock_links_expire_cannot_be_forged_and_say_nothing_of_unknown_users(
    settings: Any,
) -> None:
    factories.UserFactory(username="alice", email="alice@example.org")
    for _ in range(6):
        _sign_in(_browser(), "alice", "wrong")
    path = _unlock_path("alice@example.org")
    token = path.rstrip("/").rsplit("/", 1)[1]
    forged = Client().get(path.replace(token, token[:-1] + ("A" if token[-1] != "A" else "B")))
    assert forged.status_code == 404
    assert "This link does not work" in forged.content.decode()
    SignInUnlock.objects.update(created=_now(-settings.COPRODUCE_SIGNIN_UNLOCK_MINUTES * 60 - 1))
    assert Client().get(path).status_code == 404
    assert Client().post(path).status_code == 404

    # An unknown username is refused in the same words, and nothing is sent.
    sent = OutboxMessage.objects.count()
    for _ in range(5):
        _sign_in(_browser(), "nobody", "wrong")
    refused = _sign_in(_browser(), "nobody", "wrong")
    assert refused.status_code == 429
    assert "we have emailed its address a link" in refused.content.decode()
    assert OutboxMessage.objects.count() == sent


def test_the_client_address_comes_from_the_trusted_header_only(settings: Any) -> None:
    request = RequestFactory().get(
        "/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.5"
    )
    settings.COPRODUCE_TRUSTED_PROXY_HEADER = ""
    assert client_address(request) == PROXY
    settings.COPRODUCE_TRUSTED_PROXY_HEADER = "X-Forwarded-For"
    # The last address is the one the proxy added; what the client sent comes before it.
    assert client_address(request) == "203.0.113.5"
    assert client_address(RequestFactory().get("/", REMOTE_ADDR=PROXY)) == PROXY
    settings.COPRODUCE_TRUSTED_PROXY_HEADER = "X-Real-IP"
    assert client_address(request) == PROXY


@pytest.mark.parametrize("configured", [True, False])
def test_behind_a_configured_proxy_each_client_has_its_own_lock(
    settings: Any, configured: bool
) -> None:
    settings.COPRODUCE_TRUSTED_PROXY_HEADER = "X-Forwarded-For" if configured else ""
    factories.UserFactory(username="alice")
    attacker = _browser(PROXY, HTTP_X_FORWARDED_FOR="203.0.113.66")
    owner = _browser(PROXY, HTTP_X_FORWARDED_FOR="198.51.100.7")
    for _ in range(5):
        assert _sign_in(attacker, "alice", "wrong").status_code == 200
    # A client cannot escape its lock by sending a header of its own before the proxy's.
    spoofing = _browser(PROXY, HTTP_X_FORWARDED_FOR="192.0.2.1, 203.0.113.66")
    assert _sign_in(spoofing, "alice", PASSWORD).status_code == 429
    assert _sign_in(owner, "alice", PASSWORD).status_code == (302 if configured else 429)


def test_django_admins_sign_in_page_is_under_the_same_limits() -> None:
    factories.UserFactory(username="root", is_staff=True, is_superuser=True)
    admin_login = "/django-admin/login/"
    for _ in range(5):
        wrong = _browser().post(admin_login, {"username": "root", "password": "wrong"})
        assert wrong.status_code == 200
    refused = _browser().post(admin_login, {"username": "root", "password": PASSWORD})
    assert refused.status_code == 200
    assert "too many failed attempts to sign in" in refused.content.decode()
    assert SignInFailure.objects.filter(username="root").count() == 5
    assert _sign_in(_browser(), "root", PASSWORD).status_code == 429
    right = _browser("10.0.0.2").post(admin_login, {"username": "root", "password": PASSWORD})
    assert right.status_code == 302
