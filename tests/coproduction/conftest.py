"""Fixtures for co-production records: a diffusion fellow, a researcher in residence, records."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from coproduce.coproduction import models as m
from tests import factories


@pytest.fixture(autouse=True)
def _data_dir(settings: Any, tmp_path: Any) -> None:
    """Attachments go to a temporary folder, never the real data folder."""
    settings.DATA_DIR = tmp_path


@pytest.fixture
def df(study: Any) -> Any:
    """A diffusion fellow seconded to `study`: signed in, with no staff role."""
    user = factories.UserFactory(username="fellow")
    person = factories.PersonFactory(full_name="Dee Fellow", user=user)
    factories.SecondmentFactory(person=person, study=study, start=dt.date(2024, 1, 1))
    return user


@pytest.fixture
def df_client(df: Any) -> Client:
    client = Client()
    client.force_login(df)
    return client


@pytest.fixture
def resident(db: Any) -> Any:
    user = factories.UserFactory(username="resident", groups=["researcher"])
    person = factories.PersonFactory(full_name="Rae Resident", user=user)
    factories.PlacementFactory(person=person)
    return user


@pytest.fixture
def resident_client(resident: Any) -> Client:
    client = Client()
    client.force_login(resident)
    return client


def make_compromise(study: Any, **kwargs: Any) -> m.Compromise:
    values = {
        "date": dt.date(2011, 3, 1),
        "topic": m.Compromise.Topic.DELIVERY,
        "summary": "Use the pro forma",
        "agreed": "Use the one-page pro forma",
        "direction": m.Compromise.Direction.MUTUAL,
    }
    values.update(kwargs)
    item = m.Compromise.objects.create(study=study, **values)
    m.CompromisePosition.objects.create(
        compromise=item, party=m.CompromisePosition.Party.ACADEMIC, position="Full checklist"
    )
    return item


def make_source(study: Any, consents: list[str], **kwargs: Any) -> m.Source:
    values = {
        "kind": m.Source.Kind.MEETING,
        "title": "Steering meeting",
        "date": dt.date(2011, 1, 5),
    }
    values.update(kwargs)
    source = m.Source.objects.create(study=study, **values)
    for index, consent in enumerate(consents):
        participant = m.Participant.objects.create(
            study=study,
            full_name=f"Person {source.pk}-{index}",
            email=f"p{source.pk}-{index}@example.org",
            consent=consent,
        )
        m.SourceParticipant.objects.create(
            source=source, participant=participant, role=m.SourceParticipant.Role.ATTENDEE
        )
    return source


def make_involvement(study: Any, **kwargs: Any) -> m.InvolvementActivity:
    rate = m.PaymentRate.objects.get(name="Involvement, hourly")
    contributor = m.Contributor.objects.create(full_name=kwargs.pop("name", "Pat Public"))
    values = {
        "date": dt.date(2011, 2, 1),
        "what": "Steering committee",
        "role": m.InvolvementActivity.Role.STEERING,
        "hours": Decimal("2"),
        "rate": rate,
        "fee": rate.fee_for(Decimal("2")),
        "expenses": Decimal("5.50"),
    }
    values.update(kwargs)
    return m.InvolvementActivity.objects.create(study=study, contributor=contributor, **values)


def make_dialogue(study: Any, **kwargs: Any) -> m.ReflexiveDialogue:
    values = {
        "date": dt.date(2011, 4, 1),
        "title": "What counts as evidence",
        "partners": "Academics and ward managers",
        "summary": "We talked about what each side counts as evidence.",
        "challenges": ["language"],
        "enablers": ["dialogical"],
    }
    values.update(kwargs)
    return m.ReflexiveDialogue.objects.create(study=study, **values)
