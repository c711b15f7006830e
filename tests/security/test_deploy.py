"""`coproduce check --deploy` is clean under production-like settings."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CHECK = (
    "import django; django.setup(); "
    "from django.core.management import call_command; "
    "call_command('check', '--deploy', '--fail-level', 'WARNING')"
)


def _production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COPRODUCE_")}
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests, never in production
    env.update(
        DJANGO_SETTINGS_MODULE="coproduce.settings",
        COPRODUCE_DATA_DIR=str(tmp_path),
        COPRODUCE_SECRET_KEY=secrets.token_urlsafe(64),
        COPRODUCE_REQUIRE_SECRET="true",
        COPRODUCE_DEBUG="false",
        COPRODUCE_SECURE_COOKIES="true",
        COPRODUCE_ALLOWED_HOSTS="research.example.org",
        COPRODUCE_CSRF_TRUSTED_ORIGINS="https://research.example.org",
        COPRODUCE_SITE_URL="https://research.example.org",
        COPRODUCE_BEHIND_PROXY="true",
    )
    env.update(extra)
    return env


def _check(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", CHECK],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_deploy_checks_pass_under_production_settings(tmp_path: Path) -> None:
    result = _check(_production_env(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_deploy_checks_fail_without_https(tmp_path: Path) -> None:
    result = _check(_production_env(tmp_path, COPRODUCE_SECURE_COOKIES="false"))
    assert result.returncode != 0
    assert "security.W008" in result.stderr + result.stdout  # SSL redirect
    assert "security.W004" in result.stderr + result.stdout  # HSTS


def test_deploy_checks_warn_without_an_https_site_url(tmp_path: Path) -> None:
    env = _production_env(tmp_path)
    del env["COPRODUCE_SITE_URL"]
    result = _check(env)
    assert result.returncode != 0
    assert "coproduce.W001" in result.stderr + result.stdout
    result = _check(_production_env(tmp_path, COPRODUCE_SITE_URL="http://research.example.org"))
    assert result.returncode != 0
    assert "coproduce.W001" in result.stderr + result.stdout
