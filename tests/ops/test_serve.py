"""`coproduce serve`: links in emails and feeds start with the address actually served."""

from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.test import Client

from coproduce.comms.models import Mailing
from coproduce.community.links import manage_url
from coproduce.lib.env import served_url
from coproduce.operations.checks import SITE_URL_NOT_HTTPS, check_site_url
from coproduce.operations.management.commands import serve
from tests.community.helpers import associate

ROOT = Path(__file__).resolve().parents[2]
ATOM = "{http://www.w3.org/2005/Atom}"

STRONG_KEY = "k7#Qz" * 12  # 60 characters, 5 different: passes the secret-key check


@pytest.mark.parametrize(
    ("host", "port", "url"),
    [
        ("127.0.0.1", 8211, "http://127.0.0.1:8211"),
        ("0.0.0.0", 8000, "http://127.0.0.1:8000"),  # noqa: S104
        ("", 9000, "http://127.0.0.1:9000"),
        ("::", 8211, "http://[::1]:8211"),
        ("::1", 8211, "http://[::1]:8211"),
        ("localhost", 80, "http://localhost:80"),
    ],
)
def test_served_url(host: str, port: int, url: str) -> None:
    assert served_url(host, port) == url


def _site_url_in_a_fresh_process(**env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if k not in ("PORT", "HOST")}
    clean = {k: v for k, v in clean.items() if not k.startswith("COPRODUCE_SITE_URL")}
    clean.update(env, DJANGO_SETTINGS_MODULE="coproduce.settings")
    result = subprocess.run(
        [sys.executable, "-c", "from coproduce import settings; print(settings.SITE_URL)"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout.strip()


def test_the_default_site_url_follows_port_and_host() -> None:
    assert _site_url_in_a_fresh_process() == "http://127.0.0.1:8000"
    assert _site_url_in_a_fresh_process(PORT="8211") == "http://127.0.0.1:8211"
    assert _site_url_in_a_fresh_process(PORT="8211", HOST="0.0.0.0") == "http://127.0.0.1:8211"  # noqa: S104
    explicit = "https://research.example.org/"
    assert _site_url_in_a_fresh_process(PORT="8211", COPRODUCE_SITE_URL=explicit) == (
        "https://research.example.org"
    )


class FakeProcess:
    """Stands in for granian and the worker: records how it was started, exits at once."""

    started: list[tuple[list[str], dict[str, str]]] = []

    def __init__(self, argv: list[str], env: dict[str, str] | None = None) -> None:
        FakeProcess.started.append((argv, dict(env or {})))

    def poll(self) -> int:
        return 0

    def send_signal(self, signum: int) -> None:  # pragma: no cover - never running
        raise AssertionError("a finished process is not signalled")

    def wait(self, timeout: float | None = None) -> int:
        return 0


def _serve(monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[str, str]:
    FakeProcess.started = []
    monkeypatch.setattr(serve.subprocess, "Popen", FakeProcess)
    out, err = io.StringIO(), io.StringIO()
    call_command("serve", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_serve_with_a_port_sets_the_links_base(
    monkeypatch: pytest.MonkeyPatch, settings: Any, client: Client, db: Any
) -> None:
    settings.SITE_URL_SET = False
    settings.SITE_URL = "http://127.0.0.1:8000"
    out, err = _serve(monkeypatch, "--port", "8211")

    assert django_settings.SITE_URL == "http://127.0.0.1:8211"
    assert "Links in emails and feeds start with http://127.0.0.1:8211/" in out
    assert not err
    # Both processes (granian and the worker) are told the same address.
    assert len(FakeProcess.started) == 2
    for argv, env in FakeProcess.started:
        assert env["COPRODUCE_SITE_URL"] == "http://127.0.0.1:8211", argv
    assert "8211" in FakeProcess.started[0][0]

    # The feed and an email's links, rendered under the derived setting, reach that port.
    at = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
    mailing = Mailing.objects.create(
        kind="engage", channel="engage", subject="Engage spring", slug="engage-spring-a1b2c3",
        body="Some news.", status=Mailing.Status.SENT, queued_at=at, finished_at=at,
    )  # fmt: skip
    root = ET.fromstring(client.get("/news/feed/").content)  # noqa: S314 - our own feed
    entry_link = root.find(f"{ATOM}entry/{ATOM}link")
    assert entry_link is not None
    assert entry_link.get("href") == f"http://127.0.0.1:8211/news/{mailing.slug}/"

    assert manage_url(associate()).startswith("http://127.0.0.1:8211/associates/manage/")


def test_serve_keeps_an_explicit_site_url(
    monkeypatch: pytest.MonkeyPatch, settings: Any, db: Any
) -> None:
    settings.SITE_URL_SET = True
    settings.SITE_URL = "https://research.example.org"
    settings.HTTPS = True
    settings.SECRET_KEY = STRONG_KEY  # over HTTPS serve refuses a weak key (security/secretkey.py)
    out, err = _serve(monkeypatch, "--port", "8211", "--no-worker")
    assert "start with https://research.example.org/" in out
    assert django_settings.SITE_URL == "https://research.example.org"
    assert [env["COPRODUCE_SITE_URL"] for _, env in FakeProcess.started] == [
        "https://research.example.org"
    ]
    assert "WARNING" not in err


def test_a_production_start_without_an_https_site_url_warns(
    monkeypatch: pytest.MonkeyPatch, settings: Any, db: Any
) -> None:
    settings.SITE_URL_SET = False
    settings.HTTPS = True
    settings.SECRET_KEY = STRONG_KEY
    _, err = _serve(monkeypatch, "--port", "8000", "--no-worker")
    assert "WARNING: this site is served over HTTPS" in err
    assert "COPRODUCE_SITE_URL" in err


def test_serving_every_interface_without_a_site_url_warns(
    monkeypatch: pytest.MonkeyPatch, settings: Any, db: Any
) -> None:
    settings.SITE_URL_SET = False
    settings.HTTPS = False
    _, err = _serve(monkeypatch, "--host", "0.0.0.0", "--no-worker")  # noqa: S104
    assert "WARNING: serving on every interface" in err


@pytest.mark.parametrize(
    ("is_set", "url", "warns"),
    [
        (False, "http://127.0.0.1:8000", True),
        (True, "http://research.example.org", True),
        (True, "https://research.example.org", False),
    ],
)
def test_the_deploy_check_wants_an_explicit_https_site_url(
    settings: Any, is_set: bool, url: str, warns: bool
) -> None:
    settings.SITE_URL_SET = is_set
    settings.SITE_URL = url
    ids = [message.id for message in check_site_url()]
    assert ids == ([SITE_URL_NOT_HTTPS] if warns else [])
