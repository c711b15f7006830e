"""Fixtures: a qualitative project on `study` with two coders on the study team."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from coproduce.coproduction import models as cm
from coproduce.qualitative import codebooks, services, transcripts
from coproduce.registry.access import RESEARCHER
from tests import factories


@pytest.fixture
def project(study: Any, manager: Any) -> Any:
    return services.start_project(study, by=manager)


@pytest.fixture
def second_coder(study: Any) -> Any:
    user = factories.UserFactory(username="second", groups=[RESEARCHER])
    person = factories.PersonFactory(full_name="Sec Ond", user=user)
    factories.RoleAssignmentFactory(person=person, study=study)
    return user


@pytest.fixture
def consenting(study: Any) -> Any:
    return cm.Participant.objects.create(
        study=study, full_name="Cora Consent", consent=cm.Participant.Consent.GRANTED
    )


@pytest.fixture
def refusing(study: Any) -> Any:
    return cm.Participant.objects.create(
        study=study, full_name="Rex Refuse", consent=cm.Participant.Consent.REFUSED
    )


@pytest.fixture
def transcript(project: Any, manager: Any, consenting: Any) -> Any:
    data = (
        b"WEBVTT\n\n00:00:01.000 --> 00:00:05.000\n<v Ann>We could not randomise the wards.\n\n"
        b"00:00:06.000 --> 00:00:09.500\n<v Raj>Then we agreed to step the roll-out instead.\n"
    )
    return services.add_transcript(
        project,
        title="Steering group, March",
        parsed=transcripts.parse(data),
        participants=[consenting],
        by=manager,
    )


@pytest.fixture
def codes(project: Any, manager: Any) -> dict[str, Any]:
    made = codebooks.copy_starter(project, "compromise", by=manager)
    return {c.starter and c.name: c for c in made}


def meeting(study: Any, *participants: Any, title: str = "Planning meeting") -> cm.Source:
    source = cm.Source.objects.create(
        study=study,
        kind=cm.Source.Kind.MEETING,
        title=title,
        date=dt.date(2011, 2, 1),
        notes="The commissioner asked for outcomes the service already collects.",
        observations="Long silence after the question about randomisation.",
    )
    for participant in participants:
        cm.SourceParticipant.objects.create(
            source=source, participant=participant, role=cm.SourceParticipant.Role.AUTHOR
        )
    return source
