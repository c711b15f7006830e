"""Registry model rules a user meets: ORCID iDs, email addresses, dated rows, post counts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from coproduce.lib.identifiers import validate_orcid
from coproduce.registry.models import Person, Placement, Secondment, Study
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "orcid", ["0000-0002-1825-0097", "0000-0001-5109-3700", "0000-0002-1694-233X"]
)
def test_valid_orcid_ids_are_accepted(orcid: str) -> None:
    validate_orcid(orcid)
    person = factories.PersonFactory.build(orcid=orcid, organisation=None)
    person.full_clean()


@pytest.mark.parametrize(
    ("orcid", "code"),
    [
        ("0000-0002-1825-0098", "orcid_checksum"),
        ("0000-0001-5109-3701", "orcid_checksum"),
        ("0000-0002-1694-2330", "orcid_checksum"),
        ("0000-0002-1825-009", "orcid_format"),
        ("0000000218250097", "orcid_format"),
        ("0000-0002-1694-233x", "orcid_format"),
        ("https://orcid.org/0000-0002-1825-0097", "orcid_format"),
    ],
)
def test_invalid_orcid_ids_are_refused_with_a_reason(orcid: str, code: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        validate_orcid(orcid)
    assert excinfo.value.code == code
    person = factories.PersonFactory.build(orcid=orcid, organisation=None)
    with pytest.raises(ValidationError) as excinfo:
        person.full_clean()
    assert "orcid" in excinfo.value.message_dict


def test_empty_orcid_is_allowed() -> None:
    validate_orcid("")


def test_email_is_stored_trimmed_and_in_lower_case() -> None:
    person = factories.PersonFactory(email="  Jo.Bloggs@Example.ORG ")
    person.refresh_from_db()
    assert person.email == "jo.bloggs@example.org"


def test_a_differently_cased_duplicate_email_is_refused_by_the_database() -> None:
    factories.PersonFactory(email="jo@example.org")
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.PersonFactory(email="JO@Example.org")


def test_email_uniqueness_ignores_case_even_for_rows_written_around_save() -> None:
    # update() skips save() and its normalising: the constraint itself must ignore case.
    person = factories.PersonFactory(email="jo@example.org")
    Person.objects.filter(pk=person.pk).update(email="Jo@Example.org")
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.PersonFactory(email="jo@example.org")


def test_many_people_may_have_no_email() -> None:
    factories.PersonFactory(email="")
    factories.PersonFactory(email="")
    assert Person.objects.filter(email="").count() == 2


def test_clean_reports_a_clashing_email_on_the_email_field() -> None:
    factories.PersonFactory(email="jo@example.org")
    other = factories.PersonFactory.build(email="Jo@Example.org ", organisation=None)
    with pytest.raises(ValidationError) as excinfo:
        other.clean()
    assert "email" in excinfo.value.message_dict
    assert other.email == "jo@example.org"


def _counts(study: Any, on: dt.date) -> tuple[int, int, int]:
    row = Study.objects.with_df_counts(on).get(pk=study.pk)
    return row.df_posts_filled, row.df_posts_vacant, row.dfs_all_time


def test_with_df_counts_counts_posts_on_the_given_date() -> None:
    study = factories.StudyFactory(df_posts=2)
    first = factories.PersonFactory()
    factories.SecondmentFactory(
        study=study, person=first, start=dt.date(2009, 1, 1), end=dt.date(2010, 12, 31)
    )
    factories.SecondmentFactory(study=study, start=dt.date(2011, 1, 1))
    factories.SecondmentFactory(study=study, start=dt.date(2011, 6, 1))

    assert _counts(study, dt.date(2008, 12, 31)) == (0, 2, 0)
    assert _counts(study, dt.date(2010, 6, 1)) == (1, 1, 1)
    # The last day of a secondment still fills the post; the next day its replacement does.
    assert _counts(study, dt.date(2010, 12, 31)) == (1, 1, 1)
    assert _counts(study, dt.date(2011, 1, 1)) == (1, 1, 2)
    assert _counts(study, dt.date(2012, 1, 1)) == (2, 0, 3)


def test_with_df_counts_never_shows_negative_vacancies() -> None:
    study = factories.StudyFactory(df_posts=1)
    factories.SecondmentFactory(study=study, start=dt.date(2010, 1, 1))
    factories.SecondmentFactory(study=study, start=dt.date(2010, 1, 1))
    assert _counts(study, dt.date(2011, 1, 1)) == (2, 0, 2)


def test_with_df_counts_counts_a_person_seconded_twice_once() -> None:
    study = factories.StudyFactory(df_posts=1)
    person = factories.PersonFactory()
    factories.SecondmentFactory(
        study=study, person=person, start=dt.date(2009, 1, 1), end=dt.date(2009, 12, 31)
    )
    factories.SecondmentFactory(study=study, person=person, start=dt.date(2010, 1, 1))
    assert _counts(study, dt.date(2011, 1, 1)) == (1, 0, 1)


def test_with_df_counts_all_time_leaves_out_secondments_not_yet_begun() -> None:
    study = factories.StudyFactory(df_posts=1)
    factories.SecondmentFactory(study=study, start=dt.date(2013, 1, 1))
    assert _counts(study, dt.date(2012, 1, 1)) == (0, 1, 0)


@pytest.mark.parametrize("model", [Secondment, Placement])
def test_an_end_before_the_start_is_an_error_on_the_end_date(model: Any) -> None:
    row = model(start=dt.date(2010, 5, 1), end=dt.date(2010, 4, 30))
    with pytest.raises(ValidationError) as excinfo:
        row.clean()
    assert excinfo.value.message_dict == {
        "end": ["The end date must be on or after the start date."]
    }


@pytest.mark.parametrize("end", [None, dt.date(2010, 5, 1), dt.date(2011, 1, 1)])
def test_an_open_or_later_end_is_fine(end: dt.date | None) -> None:
    Secondment(start=dt.date(2010, 5, 1), end=end).clean()


def test_dated_rows_know_when_they_are_active() -> None:
    row = Secondment(start=dt.date(2010, 1, 1), end=dt.date(2010, 12, 31))
    assert not row.is_active(dt.date(2009, 12, 31))
    assert row.is_active(dt.date(2010, 1, 1))
    assert row.is_active(dt.date(2010, 12, 31))
    assert not row.is_active(dt.date(2011, 1, 1))
