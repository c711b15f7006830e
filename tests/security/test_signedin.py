"""A signed-in staff page reads only what security needs (the session, and the user with their
groups and two-factor devices in one query), and every change to those still takes effect on
the user's very next request: a revoked role, a deactivated account, a removed or replaced
authenticator app, backup codes removed (coproduce/security/signedin.py, issue 22)."""

from __future__ import annotations

import time
from base64 import b32encode
from typing import Any

import pyotp
import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from coproduce.registry.access import MANAGER, PERSONAL_DATA_EXPORT, RESEARCHER, STAFF_READER
from coproduce.security import twofactor
from tests import factories

pytestmark = pytest.mark.django_db

BARE = "/staff/bench/bare/"
VERIFY = "/staff/two-factor/code/"
SETUP = "/staff/two-factor/set-up/"


@pytest.fixture(autouse=True)
def _bench_page(settings: Any) -> None:
    settings.BENCH_BARE_PAGE = True
    settings.COPRODUCE_REQUIRE_MANAGER_2FA = True


def _signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _verified(user: Any) -> tuple[Client, TOTPDevice]:
    """A client whose session gave a real code from the user's authenticator app."""
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    client = _signed_in(user)
    code = pyotp.TOTP(b32encode(device.bin_key).decode()).at(time.time())
    response = client.post(VERIFY, {"code": code, "next": BARE})
    assert response.status_code == 302, response.content.decode()
    return client, device


def _table(sql: str) -> str:
    """The table a query reads from (its last FROM: the outer query's, after any subqueries)."""
    return sql.rsplit(" FROM ", 1)[1].split()[0].strip('"')


def test_a_bare_staff_page_runs_the_session_and_one_user_query() -> None:
    reader = factories.UserFactory(groups=[STAFF_READER, PERSONAL_DATA_EXPORT])
    client = _signed_in(reader)
    assert client.get(BARE).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        response = client.get(BARE)
    assert response.status_code == 200
    tables = [_table(q["sql"]) for q in queries]
    assert tables == ["django_session", "auth_user"], [q["sql"] for q in queries]
    # The one user query brought the groups (the page's menu is the staff reader's) ...
    html = response.content.decode()
    assert "Staff layout" in html
    assert "Communities and mailings" in html  # an area researchers do not see
    # ... and the researcher's menu differs, from the same query.
    researcher = _signed_in(factories.UserFactory(groups=[RESEARCHER]))
    assert "Communities and mailings" not in researcher.get(BARE).content.decode()


def test_a_verified_managers_page_loads_no_device() -> None:
    manager = factories.UserFactory(groups=[MANAGER])
    client, _device = _verified(manager)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(BARE).status_code == 200
    assert len(queries) == 2, [q["sql"] for q in queries]
    assert [_table(q["sql"]) for q in queries] == ["django_session", "auth_user"]


def test_a_revoked_role_takes_effect_on_the_next_request() -> None:
    user = factories.UserFactory(groups=[STAFF_READER])
    client = _signed_in(user)
    assert client.get(BARE).status_code == 200
    user.groups.remove(Group.objects.get(name=STAFF_READER))
    assert client.get(BARE).status_code == 403


def test_a_granted_role_takes_effect_on_the_next_request() -> None:
    user = factories.UserFactory(groups=[])
    client = _signed_in(user)
    assert client.get(BARE).status_code == 403
    user.groups.add(Group.objects.get(name=STAFF_READER))
    assert client.get(BARE).status_code == 200


def test_a_deactivated_user_is_signed_out_on_the_next_request() -> None:
    user = factories.UserFactory(groups=[STAFF_READER])
    client = _signed_in(user)
    assert client.get(BARE).status_code == 200
    # update(), not save(): no signal ends the sessions, so the sign-in check itself must.
    type(user).objects.filter(pk=user.pk).update(is_active=False)
    response = client.get(BARE)
    assert response.status_code == 302
    assert response["Location"].startswith("/staff/sign-in/")


def test_a_removed_app_unverifies_the_session_on_the_next_request() -> None:
    manager = factories.UserFactory(groups=[MANAGER])
    client, device = _verified(manager)
    assert client.get(BARE).status_code == 200
    device.delete()
    response = client.get(BARE)
    assert response.status_code == 302
    assert response["Location"].startswith(SETUP)
    assert DEVICE_ID_SESSION_KEY not in client.session


def test_an_unconfirmed_device_does_not_verify() -> None:
    manager = factories.UserFactory(groups=[MANAGER])
    client, device = _verified(manager)
    TOTPDevice.objects.filter(pk=device.pk).update(confirmed=False)
    assert client.get(BARE)["Location"].startswith(SETUP)


def test_a_replaced_app_asks_for_a_code_from_the_new_one() -> None:
    manager = factories.UserFactory(groups=[MANAGER])
    client, old = _verified(manager)
    new = TOTPDevice.objects.create(user=manager, name="new app", confirmed=False)
    twofactor.confirm_app_device(manager, new)  # deletes the old one
    assert not TOTPDevice.objects.filter(pk=old.pk).exists()
    response = client.get(BARE)
    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY)


def test_another_users_device_in_the_session_does_not_verify() -> None:
    manager = factories.UserFactory(groups=[MANAGER])
    other = factories.UserFactory(groups=[MANAGER])
    _other_client, other_device = _verified(other)
    TOTPDevice.objects.create(user=manager, name="app", confirmed=True)
    client = _signed_in(manager)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = other_device.persistent_id
    session.save()
    assert client.get(BARE)["Location"].startswith(VERIFY)


def test_backup_codes_verify_until_they_are_removed() -> None:
    manager = factories.UserFactory(groups=[MANAGER])
    TOTPDevice.objects.create(user=manager, name="app", confirmed=True)
    codes = twofactor.new_backup_codes(manager)
    client = _signed_in(manager)
    assert client.post(VERIFY, {"code": codes[0], "next": BARE}).status_code == 302
    assert client.get(BARE).status_code == 200
    StaticDevice.objects.filter(user=manager).delete()
    assert client.get(BARE)["Location"].startswith(VERIFY)


def test_the_verified_device_is_still_there_for_pages_that_use_it() -> None:
    manager = factories.UserFactory(groups=[MANAGER])
    client, device = _verified(manager)
    page = client.get("/staff/two-factor/")
    assert page.status_code == 200
    assert page.wsgi_request.user.otp_device.pk == device.pk
    assert page.wsgi_request.user.is_verified()
