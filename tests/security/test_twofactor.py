"""Two-factor authentication: managers must set up an authenticator app, anyone who has one
is asked for a code, codes come from a real TOTP implementation (pyotp), backup codes work once,
wrong codes are refused and throttled."""

from __future__ import annotations

import re
import time
from base64 import b32encode
from typing import Any

import pyotp
import pytest
from django.test import Client
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from coproduce.audit.models import AuditEntry
from coproduce.security import twofactor
from coproduce.security.models import SignInFailure
from tests import factories

SETUP = "/staff/two-factor/set-up/"
VERIFY = "/staff/two-factor/code/"


@pytest.fixture(autouse=True)
def _required(settings: Any) -> None:
    settings.COPRODUCE_REQUIRE_MANAGER_2FA = True


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _app(user: Any) -> pyotp.TOTP:
    """A confirmed authenticator app for the user, and the same secret in pyotp."""
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    return pyotp.TOTP(b32encode(device.bin_key).decode())


def _code(totp: pyotp.TOTP, steps: int = 0) -> str:
    return str(totp.at(time.time() + 30 * steps))


def test_a_manager_without_an_app_is_sent_to_set_one_up(manager_client: Client) -> None:
    for url in ("/staff/", "/staff/governance/", "/staff/associates/"):
        response = manager_client.get(url)
        assert response.status_code == 302
        assert response["Location"] == f"{SETUP}?next={url.replace('/', '%2F')}"


def test_the_two_factor_pages_and_sign_out_are_not_redirected(manager_client: Client) -> None:
    assert manager_client.get("/staff/two-factor/").status_code == 200
    assert manager_client.get(SETUP).status_code == 200
    assert manager_client.post("/staff/sign-out/").status_code == 302
    assert manager_client.get("/").status_code == 200


def test_enforcement_can_be_turned_off(manager_client: Client, settings: Any) -> None:
    settings.COPRODUCE_REQUIRE_MANAGER_2FA = False
    assert manager_client.get("/staff/").status_code == 200


def test_a_manager_sets_up_an_app_with_a_real_totp_code(
    manager_client: Client, manager: Any
) -> None:
    page = manager_client.get(SETUP, {"next": "/staff/governance/"})
    html = page.content.decode()
    assert 'src="data:image/svg+xml;charset=utf-8,%3Csvg' in html
    assert '<label class="nhsuk-label" for="id_code">' in html
    secret = re.search(r'<code id="secret-key"[^>]*>([A-Z2-7 ]+)</code>', html)
    assert secret is not None
    totp = pyotp.TOTP(secret.group(1).replace(" ", ""))

    response = manager_client.post(SETUP, {"code": _code(totp), "next": "/staff/governance/"})

    assert response.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-7]+)</code></li>", response.content.decode())
    assert len(codes) == twofactor.BACKUP_CODE_COUNT
    assert 'href="/staff/governance/"' in response.content.decode()
    assert TOTPDevice.objects.get(user=manager).confirmed
    assert manager_client.get("/staff/").status_code == 200
    assert AuditEntry.objects.filter(action="security.twofactor.enabled", actor=manager).exists()


def test_a_wrong_code_at_set_up_is_refused_with_a_field_error(
    manager_client: Client, manager: Any
) -> None:
    manager_client.get(SETUP)
    response = manager_client.post(SETUP, {"code": "000000"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: " in html
    assert '<a href="#id_code">The code is not right.' in html
    assert 'id="id_code-error"' in html
    assert not TOTPDevice.objects.filter(user=manager, confirmed=True).exists()
    assert SignInFailure.objects.filter(username="manager").count() == 1
    assert manager_client.get("/staff/").status_code == 302


def test_reloading_set_up_keeps_the_same_secret(manager_client: Client) -> None:
    first = manager_client.get(SETUP).content
    second = manager_client.get(SETUP).content
    pattern = rb'<code id="secret-key"[^>]*>([A-Z2-7 ]+)</code>'
    assert re.search(pattern, first).group(1) == re.search(pattern, second).group(1)  # type: ignore[union-attr]


def test_a_manager_with_an_app_gives_a_code_once_per_session(manager: Any) -> None:
    totp = _app(manager)
    client = _client(manager)
    response = client.get("/staff/governance/")
    assert response["Location"] == f"{VERIFY}?next=%2Fstaff%2Fgovernance%2F"

    page = client.get(response["Location"])
    assert page.status_code == 200
    assert 'autocomplete="one-time-code"' in page.content.decode()

    used = _code(totp)
    response = client.post(VERIFY, {"code": used, "next": "/staff/governance/"})
    assert response.status_code == 302
    assert response["Location"] == "/staff/governance/"
    assert client.get("/staff/governance/").status_code == 200
    assert client.get("/staff/").status_code == 200

    # Another session (another browser) is asked again; the used code cannot be replayed.
    other = _client(manager)
    assert other.get("/staff/").status_code == 302
    # (The same code, not "the code now": a new 30-second step may have begun meanwhile.)
    replay = other.post(VERIFY, {"code": used})
    assert replay.status_code == 200
    TOTPDevice.objects.filter(user=manager).update(throttling_failure_count=0)
    assert other.post(VERIFY, {"code": _code(totp, steps=1)}).status_code == 302


def test_signing_in_with_a_password_then_asks_for_the_code(manager: Any) -> None:
    manager.set_password("a-long-password-1")
    manager.save()
    totp = _app(manager)
    client = Client()
    response = client.post(
        "/staff/sign-in/", {"username": "manager", "password": "a-long-password-1"}
    )
    assert response.status_code == 302
    response = client.get(response["Location"])
    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY)
    assert client.post(VERIFY, {"code": _code(totp)})["Location"] == "/staff/"
    assert client.get("/staff/").status_code == 200


def test_a_wrong_code_is_refused_and_an_unsafe_next_ignored(manager: Any) -> None:
    totp = _app(manager)
    client = _client(manager)
    response = client.post(VERIFY, {"code": "123456", "next": "https://evil.example/"})
    assert response.status_code == 200
    assert "The code is not right." in response.content.decode()
    assert client.get("/staff/").status_code == 302
    TOTPDevice.objects.filter(user=manager).update(throttling_failure_count=0)
    response = client.post(VERIFY, {"code": _code(totp), "next": "https://evil.example/"})
    assert response["Location"] == "/staff/"


def test_wrong_codes_count_towards_the_sign_in_lock(manager: Any, settings: Any) -> None:
    totp = _app(manager)
    client = _client(manager)
    for _ in range(settings.COPRODUCE_SIGNIN_MAX_FAILURES):
        assert client.post(VERIFY, {"code": "000000"}).status_code == 200
    TOTPDevice.objects.filter(user=manager).update(throttling_failure_count=0)
    response = client.post(VERIFY, {"code": _code(totp)})
    assert response.status_code == 429
    assert "too many wrong codes" in response.content.decode()
    assert client.get("/staff/").status_code == 302


def test_a_backup_code_works_once(manager: Any) -> None:
    _app(manager)
    codes = twofactor.new_backup_codes(manager)
    first = _client(manager)
    response = first.post(VERIFY, {"code": codes[0].upper()})
    assert response.status_code == 302
    assert first.get("/staff/").status_code == 200
    assert StaticToken.objects.filter(device__user=manager).count() == len(codes) - 1

    second = _client(manager)
    response = second.post(VERIFY, {"code": codes[0]})
    assert response.status_code == 200
    assert "The code is not right." in response.content.decode()
    assert second.get("/staff/").status_code == 302


def test_a_researcher_without_an_app_is_not_forced(member_client: Client) -> None:
    assert member_client.get("/staff/").status_code == 200
    page = member_client.get("/staff/two-factor/")
    assert "Two-factor authentication is off" in page.content.decode()
    assert "Managers must set this up" not in page.content.decode()


def test_a_researcher_who_set_up_an_app_is_asked_for_codes(member: Any) -> None:
    totp = _app(member)
    client = _client(member)
    assert client.get("/staff/").status_code == 302
    assert client.post(VERIFY, {"code": _code(totp)}).status_code == 302
    assert client.get("/staff/").status_code == 200


def test_turning_off_needs_a_current_code_and_managers_cannot(member: Any, manager: Any) -> None:
    totp = _app(member)
    client = _client(member)
    response = client.post("/staff/two-factor/turn-off/", {"code": "000000"})
    assert response.status_code == 200
    assert TOTPDevice.objects.filter(user=member).exists()
    TOTPDevice.objects.filter(user=member).update(throttling_failure_count=0)
    response = client.post("/staff/two-factor/turn-off/", {"code": _code(totp)})
    assert response["Location"] == "/staff/two-factor/"
    assert not TOTPDevice.objects.filter(user=member).exists()
    assert client.get("/staff/").status_code == 200
    assert AuditEntry.objects.filter(action="security.twofactor.disabled", actor=member).exists()

    _app(manager)
    response = _client(manager).post("/staff/two-factor/turn-off/", {"code": "000000"})
    assert response["Location"] == "/staff/two-factor/"
    assert TOTPDevice.objects.filter(user=manager).exists()


def test_replacing_the_app_needs_a_current_code_then_sets_up_a_new_one(manager: Any) -> None:
    totp = _app(manager)
    client = _client(manager)
    response = client.post("/staff/two-factor/replace/", {"code": _code(totp)})
    assert response["Location"] == SETUP
    assert not TOTPDevice.objects.filter(user=manager, confirmed=True).exists()
    assert client.get("/staff/").status_code == 302
    assert client.get("/staff/")["Location"].startswith(SETUP)


def test_new_backup_codes_need_a_verified_session(manager: Any) -> None:
    totp = _app(manager)
    client = _client(manager)
    assert client.post("/staff/two-factor/backup-codes/")["Location"] == VERIFY
    client.post(VERIFY, {"code": _code(totp)})
    response = client.post("/staff/two-factor/backup-codes/")
    assert response.status_code == 200
    assert len(re.findall(r"<li><code>", response.content.decode())) == twofactor.BACKUP_CODE_COUNT
    assert response["Cache-Control"].startswith("max-age=0")


def test_a_superuser_counts_as_a_manager(db: Any) -> None:
    admin = factories.UserFactory(username="root", is_superuser=True, is_staff=True)
    assert _client(admin).get("/django-admin/")["Location"].startswith(SETUP)
