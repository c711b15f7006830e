"""The governance demo loads twice without changing anything, and the governance settings are
read from the environment."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

from django.core.management import call_command
from django.db import transaction

from coproduce.audit.models import AuditEntry
from coproduce.demo.loader import governance as demo
from coproduce.governance import breaches, uploads
from coproduce.governance import models as g


def _state() -> dict[str, Any]:
    models = (
        g.Panel,
        g.PanelMembership,
        g.ProtocolVersion,
        g.ReviewRound,
        g.ReviewerAssignment,
        g.Assessment,
        g.Recommendation,
        g.Condition,
        g.AnnualReview,
    )
    state: dict[str, Any] = {model.__name__: model.objects.count() for model in models}
    state["audit"] = AuditEntry.objects.filter(action__startswith="governance.").count()
    state["memberships"] = sorted(
        g.PanelMembership.objects.values_list(
            "panel__slug", "person__email", "role", "start", "end"
        )
    )
    state["schedules"] = sorted(
        g.AnnualReview.objects.values_list("study__slug", "next_due", "last_reviewed")
    )
    state["conditions met"] = g.Condition.objects.filter(met_at__isnull=False).count()
    return state


def test_loading_the_governance_demo_twice_changes_nothing(db: Any) -> None:
    call_command("loaddemo", verbosity=0)
    before = _state()
    assert before["ReviewRound"]
    assert before["PanelMembership"]
    assert before["Condition"]
    with transaction.atomic():
        summary = demo.load()
    assert not any(summary.created.values()), summary.created
    assert _state() == before


def test_the_settings_have_the_documented_defaults(settings: Any) -> None:
    from coproduce import settings as project_settings

    assert project_settings.COPRODUCE_PROTOCOL_MAX_BYTES == uploads.DEFAULT_MAX_BYTES
    assert project_settings.COPRODUCE_CONDITION_DAYS == 60
    settings.COPRODUCE_PROTOCOL_MAX_BYTES = 2048
    settings.COPRODUCE_CONDITION_DAYS = 7
    assert uploads.max_bytes() == 2048
    assert breaches.condition_days() == 7


def _settings_in_a_new_process(**environ: str) -> subprocess.CompletedProcess[str]:
    code = (
        "import os; os.environ['DJANGO_SETTINGS_MODULE'] = 'coproduce.settings';"
        "from django.conf import settings;"
        "print(settings.COPRODUCE_PROTOCOL_MAX_BYTES, settings.COPRODUCE_CONDITION_DAYS)"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, **environ},
        check=False,
    )


def test_the_settings_are_read_from_the_environment() -> None:
    result = _settings_in_a_new_process(
        COPRODUCE_PROTOCOL_MAX_BYTES="5000000", COPRODUCE_CONDITION_DAYS="30"
    )
    assert result.stdout.split() == ["5000000", "30"], result.stderr
    result = _settings_in_a_new_process(COPRODUCE_CONDITION_DAYS="0")
    assert result.returncode != 0
    assert "COPRODUCE_CONDITION_DAYS must be at least 1" in result.stderr
    result = _settings_in_a_new_process(COPRODUCE_PROTOCOL_MAX_BYTES="20MB")
    assert "COPRODUCE_PROTOCOL_MAX_BYTES must be a whole number" in result.stderr
