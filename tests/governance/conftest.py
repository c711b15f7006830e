"""A governance scene: the `study` of tests/conftest.py, the scientific committee with a chair,
a member and a member who declares a conflict, and two rounds on that committee: one in review
(recommendation recorded, not released) and one released with an unmet condition."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from fpdf import FPDF

from coproduce.governance import services, uploads
from coproduce.governance.models import Panel, PanelMembership, ProtocolVersion, ReviewRound
from coproduce.registry.access import STAFF_READER
from tests import factories


def _real_pdf() -> bytes:
    """A one-page PDF: uploads must parse as PDF (coproduce/security/uploads.py)."""
    document = FPDF()
    document.add_page()
    document.set_font("helvetica", size=12)
    document.cell(text="Protocol")
    return bytes(document.output())


PDF = _real_pdf()


@pytest.fixture(autouse=True)
def _data_dir(settings: Any, tmp_path: Any) -> None:
    settings.DATA_DIR = tmp_path


def panel_user(
    username: str, panel: Panel | None = None, role: str = "member", *, staff: bool = True
) -> Any:
    """A panel member; a staff reader unless `staff` is False (a lay member: no role group)."""
    user = factories.UserFactory(username=username, groups=[STAFF_READER] if staff else [])
    person = factories.PersonFactory(full_name=username.title(), user=user)
    if panel is not None:
        PanelMembership.objects.create(
            panel=panel, person=person, role=role, start=dt.date(2010, 1, 1)
        )
    return user


def upload(study: Any, label: str, by: Any = None) -> ProtocolVersion:
    file = SimpleUploadedFile(f"protocol-{label}.pdf", PDF, content_type="application/pdf")
    return services.upload_protocol(
        study, label=label, summary="", uploaded=file, checked=uploads.check(file), by=by
    )


def client_for(user: Any) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@dataclass
class Scene:
    study: Any
    panel: Panel
    version: ProtocolVersion
    round: ReviewRound
    released: ReviewRound
    users: dict[str, Any]

    def client(self, role: str) -> Client:
        return client_for(self.users.get(role))


def _recommend(review_round: ReviewRound, by: Any, *, release: bool) -> None:
    services.save_recommendation(
        review_round.recommendation,
        decision="approve_with_conditions",
        rationale="Sound, with one condition.",
        conditions=["Publish the analysis plan."],
        expected_version=0,
        by=by,
    )
    if release:
        services.release(review_round, by=by)


@pytest.fixture
def scene(study: Any, member: Any, manager: Any, outsider: Any) -> Scene:
    panel = Panel.objects.get(kind=Panel.Kind.SCIENTIFIC)
    chair = panel_user("chair", panel, "chair")
    reviewer = panel_user("panelmember", panel)
    conflicted = panel_user("conflicted", panel)
    rounds = []
    for label in ("1.0", "2.0"):
        version = upload(study, label, by=member)
        review_round = services.submit(version, panel, by=member)
        for user, conflict in ((reviewer, False), (conflicted, True)):
            assignment = services.assign(review_round, user.person, by=chair)
            services.declare(
                assignment, has_conflict=conflict, details="x" if conflict else "", by=user
            )
        rounds.append(review_round)
    _recommend(rounds[0], chair, release=False)
    _recommend(rounds[1], chair, release=True)
    for r in rounds:
        r.refresh_from_db()
    return Scene(
        study=study,
        panel=panel,
        version=rounds[0].protocol_version,
        round=rounds[0],
        released=rounds[1],
        users={
            "anonymous": None,
            "outsider": outsider,
            "team": member,
            "member": reviewer,
            "chair": chair,
            "conflicted": conflicted,
            "manager": manager,
        },
    )
