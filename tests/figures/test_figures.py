"""Stored figures (coproduce/figures): computed once and read as rows while the data is
unchanged; out of date after any write, delete or erasure; a dear figure answered as stored
(with its time) and computed again by the worker's clock; and, for every figure the project
defines, the stored value equal to a direct recomputation after a sequence of writes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from coproduce import figures
from coproduce.community.models import CommunityOfPractice
from coproduce.figures.models import StoredFigure
from coproduce.governance.models import Panel
from coproduce.lib import personaldata
from tests import factories
from tests.community import helpers
from tests.implementation.test_evaluation import add_engagement, add_fellow_work

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def own_data_generation(settings: Any, tmp_path: Any) -> None:
    """The data generation is a file in the data folder: other test processes sharing the
    folder would change it under these tests."""
    settings.DATA_DIR = tmp_path
    settings.COPRODUCE_FIGURES_MAX_AGE_SECONDS = 600  # tests/conftest.py has 0


@pytest.fixture
def counted() -> Any:
    """A figure counting studies, and how many times it was computed."""
    calls: list[int] = []

    def count(minimum: int) -> int:
        calls.append(minimum)
        from coproduce.registry.models import Study

        return Study.objects.filter(df_posts__gte=minimum).count()

    figures.define("test.studies", count)
    yield calls
    figures._FIGURES.pop("test.studies", None)


def test_computed_once_then_read_as_a_row(counted: list[int]) -> None:
    factories.StudyFactory()
    first = figures.read("test.studies", 0)
    assert (first.value, first.fresh) == (1, True)
    assert StoredFigure.objects.filter(key=figures.key("test.studies", (0,))).exists()
    again = figures.read("test.studies", 0)
    assert (again.value, again.fresh) == (1, True)
    assert counted == [0]  # the second read computed nothing


def test_a_cheap_figure_out_of_date_is_computed_on_the_request(counted: list[int]) -> None:
    figures.read("test.studies", 0)
    factories.StudyFactory()  # a save: the data generation changes
    assert figures.read("test.studies", 0).value == 1
    assert counted == [0, 0]


def test_a_dear_figure_is_answered_as_stored_and_the_clock_computes_it(
    counted: list[int], settings: Any
) -> None:
    settings.COPRODUCE_FIGURES_INLINE_SECONDS = 0  # every figure counts as dear
    figures.read("test.studies", 0)
    study = factories.StudyFactory()
    stale = figures.read("test.studies", 0)
    assert (stale.value, stale.fresh) == (0, False)  # as stored, said to be out of date
    row = StoredFigure.objects.get(key=figures.key("test.studies", (0,)))
    assert row.wanted
    assert figures.refresh()["computed"] >= 1
    fresh = figures.read("test.studies", 0)
    assert (fresh.value, fresh.fresh) == (1, True)
    study.df_posts = 0
    study.save()
    assert figures.read("test.studies", 0).fresh is False
    figures.refresh()
    Panel.objects.filter(study=study).delete()  # a delete changes it too
    assert figures.read("test.studies", 0).fresh is False
    figures.refresh()
    assert figures.read("test.studies", 0).value == 1


def test_an_erasure_makes_figures_out_of_date(counted: list[int], settings: Any) -> None:
    """Erasure blanks rows with update(), which sends no save signal."""
    settings.COPRODUCE_FIGURES_INLINE_SECONDS = 0
    associate = helpers.associate()
    figures.read("test.studies", 0)
    personaldata.erase(personaldata.subject_for(associate.email))
    assert figures.read("test.studies", 0).fresh is False


def test_a_value_of_another_version_is_computed_again(counted: list[int]) -> None:
    figures.read("test.studies", 0)
    StoredFigure.objects.update(version="0.0", value=b"not a pickle")
    assert figures.read("test.studies", 0).value == 0
    assert len(counted) == 2


def test_an_unreadable_value_is_computed_again(counted: list[int]) -> None:
    figures.read("test.studies", 0)
    StoredFigure.objects.update(value=b"not a pickle")
    assert figures.read("test.studies", 0).value == 0
    assert len(counted) == 2


def test_arguments_are_ints_strings_and_dates() -> None:
    day = dt.date(2026, 12, 7)
    assert figures.key("x", (day, 3, "a")) == 'x:[{"date":"2026-12-07"},3,"a"]'
    assert figures._decode(figures._encode((day, 3, "a"))) == (day, 3, "a")
    with pytest.raises(TypeError):
        figures.key("x", (1.5,))


def test_the_clock_keeps_defaults_ready_and_forgets_old_rows(counted: list[int]) -> None:
    figures.define(
        "test.studies", figures._FIGURES["test.studies"].compute, defaults=lambda: [(0,)]
    )
    figures.refresh()
    assert StoredFigure.objects.filter(key=figures.key("test.studies", (0,))).exists()
    figures.read("test.studies", 5)
    StoredFigure.objects.filter(key=figures.key("test.studies", (5,))).update(
        computed_at=timezone.now() - dt.timedelta(days=3)
    )
    assert figures.refresh()["forgotten"] == 1
    assert StoredFigure.objects.filter(key=figures.key("test.studies", (0,))).exists()


def test_a_stale_figure_is_said_on_the_page(manager_client: Client, settings: Any) -> None:
    settings.COPRODUCE_FIGURES_INLINE_SECONDS = 0
    factories.StudyFactory()
    url = reverse("governance:dashboard")
    assert "worked out again" not in manager_client.get(url).content.decode()
    factories.StudyFactory()
    html = manager_client.get(url).content.decode()
    assert "The data has changed since; they are being worked out again." in html
    figures.refresh()
    assert "worked out again" not in manager_client.get(url).content.decode()


# Every figure the project defines equals a direct recomputation after writes --------------


def _same(stored: Any, direct: Any) -> bool:
    """Equal values, or (for objects without equality) the same text and numbers."""
    if stored == direct:
        return True
    return figures.value_text(_pickled(stored)) == figures.value_text(_pickled(direct))


def _pickled(value: Any) -> bytes:
    import pickle

    return pickle.dumps(value)


def _each_figure_matches() -> None:
    figures.refresh()
    checked = set()
    for row in StoredFigure.objects.all():
        figure = figures._FIGURES[row.name]
        args = figures._decode(row.args)
        stored = figures.read(row.name, *args)
        assert stored.fresh, row.key
        assert _same(stored.value, figure.compute(*args)), row.key
        checked.add(row.name)
    # Every figure the clock keeps ready was stored and checked.
    assert {figure.name for figure in figures.defined() if figure.defaults} <= checked


def test_every_stored_figure_equals_a_direct_recomputation_after_writes(
    settings: Any,
) -> None:
    settings.COPRODUCE_FIGURES_INLINE_SECONDS = 0  # stored values only change by the clock
    theme = factories.ThemeFactory()
    study = factories.StudyFactory(theme=theme)
    _each_figure_matches()

    # Writes: studies without fellows (a governance rule), a fellow's work, a community, an
    # associate; then an edit, a delete and an erasure.
    second = factories.StudyFactory(theme=theme)
    add_fellow_work(study, 3)
    add_engagement(2)
    cop = CommunityOfPractice.objects.get(study=study)
    associate = helpers.associate(cops=[cop])
    _each_figure_matches()

    second.df_posts = 3
    second.save()
    _each_figure_matches()

    Panel.objects.filter(study=second).delete()  # its steering committee
    _each_figure_matches()

    personaldata.erase(personaldata.subject_for(associate.email))
    _each_figure_matches()
