"""`coproduce loadsynthetic`: the synthetic network is reproducible from its seed and its counts
are the documented ones (the small scale; the national one is measured by hand, see
docs/performance.md)."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from coproduce.audit.models import AuditEntry
from coproduce.comms.models import Mailing, OutboxMessage
from coproduce.community.models import (
    Activity,
    Associate,
    CommunityOfPractice,
    ConsentRecord,
    Membership,
)
from coproduce.demo.synthetic import SCALES
from coproduce.governance.models import Panel, ProtocolVersion, ReviewRound
from coproduce.registry.models import (
    Organisation,
    Person,
    RoleAssignment,
    Secondment,
    Study,
    Theme,
)
from tests import factories

pytestmark = pytest.mark.django_db

SMALL = SCALES["small"]
NATIONAL = SCALES["national"]


def _snapshot() -> dict[str, Any]:
    counts = {
        model.__name__: model._default_manager.count()
        for model in (
            Organisation,
            Theme,
            Study,
            Person,
            RoleAssignment,
            Secondment,
            CommunityOfPractice,
            Associate,
            Membership,
            ConsentRecord,
            Activity,
            AuditEntry,
            Panel,
            ProtocolVersion,
            ReviewRound,
            Mailing,
            OutboxMessage,
        )
    }
    # Natural keys only: ids could differ between two loads on PostgreSQL (sequences do not
    # roll back), the rows must not.
    samples = {
        "studies": list(
            Study.objects.order_by("slug").values_list(
                "slug", "title", "theme__slug", "design", "stage", "start", "end"
            )
        )[::7],
        "people": list(
            Person.objects.order_by("email").values_list(
                "public_id", "full_name", "email", "organisation__slug"
            )
        )[::37],
        "associates": list(
            Associate.objects.order_by("email").values_list(
                "public_id",
                "full_name",
                "email",
                "role",
                "joined",
                "consent_engage",
                "consent_briefing",
                "consent_events",
            )
        )[::97],
        "members": list(
            CommunityOfPractice.objects.order_by("slug").values_list("slug", "member_count")
        ),
        "activities": list(
            Activity.objects.order_by("public_id").values_list(
                "public_id", "cop__slug", "date", "title", "led_by"
            )
        )[::251],
        "audit": list(
            AuditEntry.objects.order_by("at", "id").values_list("at", "action", "changes")
        )[::251],
        "rounds": list(
            ReviewRound.objects.order_by("public_id").values_list(
                "public_id", "study__slug", "panel__kind", "status", "submitted_at"
            )
        ),
        "outbox": list(
            OutboxMessage.objects.order_by("mailing__slug", "associate__email").values_list(
                "mailing__slug", "associate__email", "to_email", "channel", "status", "sent_at"
            )
        )[::499],
    }
    return {"counts": counts, "samples": samples}


def _load_and_roll_back(**options: Any) -> dict[str, Any]:
    out = StringIO()
    snapshot: dict[str, Any] = {}
    with transaction.atomic():
        call_command("loadsynthetic", scale="small", stdout=out, **options)
        snapshot.update(_snapshot(), output=out.getvalue())
        transaction.set_rollback(True)  # counts taken; the load is undone
    return snapshot


def test_same_seed_gives_the_same_data() -> None:
    first = _load_and_roll_back(seed=7)
    assert Study.objects.count() == 0
    second = _load_and_roll_back(seed=7)
    assert first["counts"] == second["counts"]
    assert first["samples"] == second["samples"]
    assert all(first["samples"][name] for name in first["samples"])
    other = _load_and_roll_back(seed=8)
    assert other["samples"]["associates"] != first["samples"]["associates"]


def test_counts_are_the_documented_ones() -> None:
    before = {model: model._default_manager.count() for model in (Panel, Theme, Organisation)}
    snapshot = _load_and_roll_back(seed=1)
    counts = snapshot["counts"]
    assert counts["Organisation"] - before[Organisation] == SMALL.organisations
    assert counts["Theme"] - before[Theme] == SMALL.themes
    assert counts["Study"] == counts["CommunityOfPractice"] == SMALL.studies
    assert counts["Person"] == SMALL.people
    assert counts["Associate"] == SMALL.associates
    assert counts["Activity"] == SMALL.activities
    assert counts["AuditEntry"] == SMALL.audit_entries
    assert counts["Activity"] + counts["AuditEntry"] == 10_000
    assert counts["Mailing"] == SMALL.mailings
    assert counts["OutboxMessage"] == SMALL.outbox
    assert counts["ProtocolVersion"] == round(SMALL.studies * SMALL.review_share)
    assert counts["ReviewRound"] == 3 * counts["ProtocolVersion"]
    # One steering committee per study and the three reviewing panels.
    assert counts["Panel"] - before[Panel] >= SMALL.studies
    assert counts["RoleAssignment"] >= 3 * SMALL.studies
    assert counts["Membership"] > 0
    assert counts["ConsentRecord"] > SMALL.associates
    assert "mailings and outbox: mailings 40, outbox 20,000" in snapshot["output"]
    # The national set is a hundred times the small one.
    for name in ("organisations", "studies", "people", "associates", "activities"):
        assert getattr(NATIONAL, name) == 100 * getattr(SMALL, name)
    assert NATIONAL.audit_entries == 100 * SMALL.audit_entries
    assert NATIONAL.outbox == 100 * SMALL.outbox == 2_000_000
    assert NATIONAL.associates == 200_000
    assert NATIONAL.studies == 3_000
    assert NATIONAL.activities + NATIONAL.audit_entries == 1_000_000


def test_refuses_a_database_with_real_data_unless_forced() -> None:
    factories.StudyFactory(slug="a-real-study")
    with pytest.raises(CommandError, match="not the demo"):
        call_command("loadsynthetic", scale="small", stdout=StringIO())
    assert not Associate.objects.exists()
    snapshot = _load_and_roll_back(seed=3, force=True)
    assert snapshot["counts"]["Associate"] == SMALL.associates


def test_refuses_a_second_load() -> None:
    call_command("loadsynthetic", scale="small", verbosity=0)
    with pytest.raises(CommandError, match="already holds synthetic data"):
        call_command("loadsynthetic", scale="small", force=True, verbosity=0)
