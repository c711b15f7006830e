"""Fixtures for implementation tests: one of each record on the shared `study`."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from coproduce.implementation import instruments
from coproduce.implementation.models import (
    Administration,
    DataPoint,
    Determinant,
    ImplementationRecord,
    Instrument,
    Measure,
    Output,
    Recommendation,
)
from tests import factories

D = dt.date


@pytest.fixture
def loaded(db: Any) -> list[instruments.LoadResult]:
    return instruments.load_files()


@pytest.fixture
def nomad(loaded: Any) -> Instrument:
    return Instrument.objects.get(slug="nomad")


@pytest.fixture
def researcher_person(db: Any) -> Any:
    return factories.PersonFactory(full_name="Imp Researcher", email="imp@example.org")


@pytest.fixture
def impl_record(study: Any) -> ImplementationRecord:
    return ImplementationRecord.objects.create(
        study=study,
        title="Vocational service",
        meaning="organisation",
        site=factories.OrganisationFactory(name="Greenwood Vale"),
    )


def make_recommendation(study: Any, person: Any, **kwargs: Any) -> Recommendation:
    values: dict[str, Any] = {
        "study": study,
        "made_by": person,
        "addressee": Recommendation.Addressee.STUDY_TEAM,
        "text": "Protect time for employer contact.",
        "made_on": D(2030, 1, 1),
        "due": D(2030, 3, 1),
    }
    values.update(kwargs)
    return Recommendation.objects.create(**values)


@pytest.fixture
def recommendation(study: Any, researcher_person: Any) -> Recommendation:
    return make_recommendation(study, researcher_person)


@pytest.fixture
def determinant(study: Any) -> Determinant:
    return Determinant.objects.create(
        study=study,
        kind="barrier",
        level="organisation",
        category="resources",
        description="No protected time.",
        source="Minutes",
        date=D(2010, 5, 1),
    )


@pytest.fixture
def administration(study: Any, nomad: Instrument) -> Administration:
    return Administration.objects.create(study=study, instrument=nomad, date=D(2011, 1, 1))


@pytest.fixture
def measure(study: Any) -> Measure:
    measure = Measure.objects.create(study=study, name="Offered assessment", unit="%")
    for month, value in enumerate([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]):
        DataPoint.objects.create(measure=measure, date=D(2010, month + 1, 1), value=value)
    return measure


@pytest.fixture
def output(study: Any, impl_record: Any) -> Output:
    output = Output.objects.create(kind="research_tools", title="Pro forma", date=D(2011, 1, 1))
    output.studies.set([study])
    output.records.set([impl_record])
    return output
