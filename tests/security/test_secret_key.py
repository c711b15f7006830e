"""A weak secret key: `check --deploy` fails with an Error, `serve` over HTTPS refuses to start."""

from __future__ import annotations

import secrets
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core import checks
from django.core.management import call_command
from django.core.management.base import CommandError

from coproduce.operations.management.commands import serve
from coproduce.security import secretkey
from tests.security.test_deploy import ROOT, _check, _production_env

SHORT_KEY = secrets.token_urlsafe(64)[:49]
LONG_KEY = secrets.token_urlsafe(64)[:50]


def _errors(key: str, settings: Any) -> list[checks.CheckMessage]:
    settings.SECRET_KEY = key
    return [
        message
        for message in checks.run_checks(include_deployment_checks=True)
        if message.id == "security.E900"
    ]


@pytest.mark.parametrize(
    ("key", "words"),
    [
        (secretkey.DEV_SECRET_KEY, "built-in development key"),
        (SHORT_KEY, "49 characters long; use at least 50"),
        ("ab" * 40, "too few different characters"),
    ],
    ids=["development key", "49 characters", "two characters"],
)
def test_a_weak_key_is_a_deploy_error(key: str, words: str, settings: Any) -> None:
    errors = _errors(key, settings)
    assert len(errors) == 1
    assert errors[0].level == checks.ERROR
    assert words in errors[0].msg


def test_a_long_random_key_passes(settings: Any) -> None:
    assert _errors(LONG_KEY, settings) == []


def test_the_check_runs_only_with_deploy(settings: Any) -> None:
    settings.SECRET_KEY = secretkey.DEV_SECRET_KEY
    assert all(m.id != "security.E900" for m in checks.run_checks())


def test_check_deploy_fails_with_the_development_key(tmp_path: Path) -> None:
    env = _production_env(tmp_path, COPRODUCE_REQUIRE_SECRET="false")
    del env["COPRODUCE_SECRET_KEY"]  # the built-in development key
    result = _check(env)
    assert result.returncode != 0
    assert "security.E900" in result.stderr + result.stdout


def test_check_deploy_fails_with_a_short_key(tmp_path: Path) -> None:
    result = _check(_production_env(tmp_path, COPRODUCE_SECRET_KEY=SHORT_KEY))
    assert result.returncode != 0
    assert "security.E900" in result.stderr + result.stdout


def test_check_deploy_passes_with_a_key_of_50_characters(tmp_path: Path) -> None:
    result = _check(_production_env(tmp_path, COPRODUCE_SECRET_KEY=LONG_KEY))
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture
def no_children(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    started: list[Any] = []

    def popen(*args: Any, **kwargs: Any) -> Any:
        started.append(args)
        raise RuntimeError("serve started a process")

    monkeypatch.setattr(serve.subprocess, "Popen", popen)
    return started


@pytest.mark.django_db
@pytest.mark.parametrize("switch", ["HTTPS", "SESSION_COOKIE_SECURE"])
@pytest.mark.parametrize(
    "key", [secretkey.DEV_SECRET_KEY, SHORT_KEY], ids=["development key", "49 characters"]
)
def test_serve_refuses_a_weak_key_over_https(
    switch: str, key: str, settings: Any, no_children: list[Any]
) -> None:
    settings.HTTPS = False
    settings.SESSION_COOKIE_SECURE = False
    setattr(settings, switch, True)
    settings.SECRET_KEY = key
    with pytest.raises(CommandError, match="Refusing to serve over HTTPS") as refused:
        call_command("serve", "--no-worker")
    assert refused.value.returncode == 1
    assert no_children == []


@pytest.mark.django_db
def test_serve_starts_with_a_long_key_over_https(settings: Any, no_children: list[Any]) -> None:
    settings.HTTPS = True
    settings.SECRET_KEY = LONG_KEY
    with pytest.raises(RuntimeError, match="serve started a process"):
        call_command("serve", "--no-worker")
    assert len(no_children) == 1


@pytest.mark.django_db
def test_serve_keeps_the_development_key_on_plain_http(
    settings: Any, no_children: list[Any]
) -> None:
    """`make run` on http://127.0.0.1 still works out of the box."""
    settings.HTTPS = False
    settings.SESSION_COOKIE_SECURE = False
    settings.SECRET_KEY = secretkey.DEV_SECRET_KEY
    with pytest.raises(RuntimeError, match="serve started a process"):
        call_command("serve", "--no-worker")


def test_the_serve_command_exits_non_zero_with_the_reason(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a free port, should the refusal ever fail
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = _production_env(tmp_path, COPRODUCE_REQUIRE_SECRET="false")
    del env["COPRODUCE_SECRET_KEY"]
    result = subprocess.run(
        [sys.executable, "-m", "coproduce", "serve", "--no-worker", "--port", str(port)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1
    assert "built-in development key" in result.stderr
