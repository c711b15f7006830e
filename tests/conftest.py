"""Shared fixtures: users in each role, and a study that the `member` researcher works on.

- manager: edits everything
- member: a researcher with a research role on `study`
- outsider: a researcher with no role on `study`
- reader: staff reader, reads only
- anonymous: the plain `client`
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from coproduce.registry.access import MANAGER, RESEARCHER, STAFF_READER
from tests import factories


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    """Mark every test that commits to the database (live server, transaction=True).

    Such a test empties every table when it ends, including the rows migrations create (role
    groups, consent wordings). Run after it, on the same xdist worker, an ordinary test would
    find them gone; so `make test` runs the unmarked tests first and these in a second run
    (`-m transactional`), where each restores the migration data before it starts.
    """
    for item in items:
        names = getattr(item, "fixturenames", ())
        marker = item.get_closest_marker("django_db")
        transactional = bool(marker and marker.kwargs.get("transaction"))
        if transactional or "live_server" in names or "transactional_db" in names:
            item.add_marker(pytest.mark.transactional)


@pytest.fixture(autouse=True)
def stored_figures_computed_when_out_of_date(settings: Any) -> None:
    """Pages read stored figures (coproduce/figures); a dear one out of date is answered as
    stored until the worker computes it again. No worker runs beside the tests, and xdist's
    processes share the data generation, so here every figure out of date is computed on the
    request, and every read computes (a stored figure never counts as fresh), so that query
    counts are those of the computation, whatever ran before; tests/figures sets both back
    to test the stored and the worker's ways."""
    settings.COPRODUCE_FIGURES_INLINE_SECONDS = 3600
    settings.COPRODUCE_FIGURES_MAX_AGE_SECONDS = 0


@pytest.fixture
def study(db: Any) -> Any:
    return factories.StudyFactory(slug="return-to-work", title="Return to work after stroke")


@pytest.fixture
def manager(db: Any) -> Any:
    return factories.UserFactory(username="manager", groups=[MANAGER])


@pytest.fixture
def member(study: Any) -> Any:
    user = factories.UserFactory(username="member", groups=[RESEARCHER])
    person = factories.PersonFactory(full_name="Mem Ber", user=user)
    factories.RoleAssignmentFactory(person=person, study=study)
    return user


@pytest.fixture
def outsider(db: Any) -> Any:
    user = factories.UserFactory(username="outsider", groups=[RESEARCHER])
    factories.PersonFactory(full_name="Out Sider", user=user)
    return user


@pytest.fixture
def reader(db: Any) -> Any:
    return factories.UserFactory(username="reader", groups=[STAFF_READER])


def _client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def manager_client(manager: Any) -> Client:
    return _client_for(manager)


@pytest.fixture
def member_client(member: Any) -> Client:
    return _client_for(member)


@pytest.fixture
def outsider_client(outsider: Any) -> Client:
    return _client_for(outsider)


@pytest.fixture
def reader_client(reader: Any) -> Client:
    return _client_for(reader)


class _Inbox:
    """Messages a real local SMTP server accepted, parsed."""

    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        from email import message_from_bytes, policy

        message = message_from_bytes(
            envelope.original_content or envelope.content, policy=policy.default
        )
        self.messages.append(
            {
                "mail_from": envelope.mail_from,
                "rcpt_tos": list(envelope.rcpt_tos),
                "message": message,
            }
        )
        return "250 Message accepted for delivery"


@contextlib.contextmanager
def serving_smtp(handler: Any, settings: Any) -> Iterator[Any]:
    """Run aiosmtpd with `handler` on a free loopback port and point Django's SMTP backend at
    it, for the length of the block."""
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    try:
        yield handler
    finally:
        controller.stop()


@pytest.fixture
def smtp_server(settings: Any) -> Any:
    """A real local SMTP server that keeps what it accepted (`.messages`)."""
    with serving_smtp(_Inbox(), settings) as inbox:
        yield inbox


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Real hashing costs ~0.3 s a user; tests are not about hash strength."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _page_cache_off(settings: Any) -> None:
    """Tests change data with update() and fixtures between requests; the public page cache
    (coproduce/pagecache/__init__.py) is tested on its own in tests/pages/test_pagecache.py."""
    settings.PAGE_CACHE_SECONDS = 0


@pytest.fixture(autouse=True)
def _managers_two_factor_off(settings: Any) -> None:
    """Most tests sign managers in with force_login and no authenticator app; requiring one
    would send every staff request to the set-up page. tests/security/test_twofactor.py turns
    it back on. (Anyone who has an app is still asked for a code.)"""
    settings.COPRODUCE_REQUIRE_MANAGER_2FA = False


@pytest.fixture(autouse=True)
def _worker_keeps_the_test_transaction(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let `coproduce worker --batch` run inside a test's transaction on PostgreSQL.

    The worker calls close_old_connections() between tasks, which closes any connection not in
    autocommit mode; inside a test's atomic block that would close the test's own connection
    (SQLite's in-memory test database is exempt, PostgreSQL is not). Outside an atomic block
    the real function runs unchanged.
    """
    from django.db import close_old_connections, connection
    from django_tasks_db.management.commands import db_worker

    def close_unless_in_test_transaction(**kwargs: Any) -> None:
        if not connection.in_atomic_block:
            close_old_connections(**kwargs)

    monkeypatch.setattr(db_worker, "close_old_connections", close_unless_in_test_transaction)
