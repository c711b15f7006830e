"""Instruments as data: the shipped files, loading, no item wording, and score imports."""

from __future__ import annotations

import datetime as dt
import importlib
import tomllib
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command

from coproduce.implementation import instruments
from coproduce.implementation.models import (
    Administration,
    Construct,
    Instrument,
    Item,
    Response,
    Score,
)

# NoMAD as published (Finch TL, Girling M, May CR, et al. Improving the normalization of complex
# interventions: part 2 - validation of the NoMAD instrument. BMC Med Res Methodol 2018;18:135):
# 23 items, three general normalisation items rated 0 to 10, then 20 construct items in four
# Normalisation Process Theory constructs, answered on a five-point agreement scale (option A)
# or with one of three "not relevant" responses (option B). Transcribed here independently of
# the shipped file.
PUBLISHED_NOMAD_CONSTRUCTS = [
    ("General normalisation", 3),
    ("Coherence", 4),
    ("Cognitive participation", 4),
    ("Collective action", 7),
    ("Reflexive monitoring", 5),
]
# Rapley et al., BMC Med Res Methodol 2018;18:133 (abstract): "not relevant at this stage",
# "not relevant to my role" and "not relevant to this intervention".
PUBLISHED_OPTION_B = [
    "Not relevant to my role",
    "Not relevant at this stage",
    "Not relevant to this intervention",
]


def test_nomad_structure_is_the_published_one(nomad: Instrument) -> None:
    constructs = list(nomad.constructs.all())
    assert [(c.name, c.items.count()) for c in constructs] == PUBLISHED_NOMAD_CONSTRUCTS
    assert sum(c.items.count() for c in constructs) == 23
    assert sum(c.items.count() for c in constructs if not c.separate_items) == 20
    assert nomad.kind == Instrument.Kind.SURVEY
    assert [p["label"] for p in nomad.scale] == [
        "Strongly agree",
        "Agree",
        "Neither agree nor disagree",
        "Disagree",
        "Strongly disagree",
    ]
    assert sorted(nomad.scale_values) == [1, 2, 3, 4, 5]
    assert [label for _, label in nomad.not_relevant_choices] == PUBLISHED_OPTION_B
    assert len({key for key, _ in nomad.not_relevant_choices}) == 3
    general, *npt = constructs
    # The general items: 0 to 10, reported one by one, no option B.
    assert general.scale_values == list(range(11))
    assert general.separate_items
    assert general.not_relevant_choices == []
    # The construct items: the instrument's scale, combined into means, option B offered.
    for construct in npt:
        assert construct.scale == []
        assert construct.scale_values == [5, 4, 3, 2, 1]
        assert not construct.separate_items
        assert [label for _, label in construct.not_relevant_choices] == PUBLISHED_OPTION_B


def test_coding_frames(loaded: Any) -> None:
    iparihs = Instrument.objects.get(slug="i-parihs")
    assert iparihs.kind == Instrument.Kind.CODING_FRAME
    assert set(iparihs.constructs.values_list("domain", flat=True)) == {
        "Innovation",
        "Recipients",
        "Context",
        "Facilitation",
    }
    cfir = Instrument.objects.get(slug="cfir-2022")
    domains = list(dict.fromkeys(cfir.constructs.values_list("domain", flat=True)))
    assert domains == [
        "Innovation",
        "Outer setting",
        "Inner setting",
        "Individuals",
        "Implementation process",
    ]
    assert cfir.constructs.count() == 48
    assert not Item.objects.filter(construct__instrument__kind="coding_frame").exists()


def test_no_item_wording_ships(loaded: Any) -> None:
    """Every item is a numbered placeholder, and the files have nowhere to put wording."""
    items = list(Item.objects.all())
    assert len(items) == 23
    assert all(item.text == item.placeholder for item in items)
    assert all(not item.has_wording for item in items)
    assert {item.text for item in items} == {f"Item {n}" for n in range(1, 21)} | {
        f"General normalisation item {n}" for n in range(1, 4)
    }
    assert Item.objects.get(code="CO1").text == "Item 1"
    for path in instruments.shipped_files():
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for construct in data["constructs"]:
            assert set(construct) <= instruments.CONSTRUCT_KEYS
            assert isinstance(construct.get("items", 0), int)


def test_migration_marks_old_empty_answers_as_legacy(administration: Any) -> None:
    """Before the three "not relevant" responses were kept apart, "not relevant" and "not
    answered" were both an empty value: the migration marks those answers "legacy" on
    instruments that offered "not relevant", and leaves answered ones alone."""
    migration = importlib.import_module(
        "coproduce.implementation.migrations.0005_nomad_general_items_and_not_relevant_reasons"
    )
    assert instruments.import_scores(administration, "\n".join([HEADER, _row("R01")])).errors == []
    Score.objects.filter(item__code__in=["CO1", "CO2"]).update(value=None)
    # The instrument as it was before: one "not relevant" label, no separate responses.
    Instrument.objects.filter(pk=administration.instrument.pk).update(
        not_relevant_label="Not relevant (to my role, at this stage, or to the organisation)"
    )
    migration.mark_legacy_not_relevant(django_apps, None)
    assert set(
        Score.objects.filter(not_relevant=Score.LEGACY).values_list("item__code", flat=True)
    ) == {"CO1", "CO2"}
    assert Score.objects.filter(value__isnull=False, not_relevant="").count() == 21
    migration.unmark_legacy_not_relevant(django_apps, None)
    assert not Score.objects.exclude(not_relevant="").exists()


def test_migration_gives_option_b_its_published_third_response(administration: Any) -> None:
    """Shipped before as "not relevant to my organisation": the migration puts "not relevant
    to this intervention" in its place and moves the answers stored under it; backwards undoes
    it. Other instruments and other answers are untouched."""
    migration = importlib.import_module(
        "coproduce.implementation.migrations.0009_nomad_not_relevant_to_this_intervention"
    )
    values = ["4"] * 20
    values[0] = "NR-ROLE"
    values[1] = "NR-INTERVENTION"
    assert (
        instruments.import_scores(administration, "\n".join([HEADER, _row("R01", values)])).errors
        == []
    )
    nomad = Instrument.objects.get(pk=administration.instrument.pk)
    # The instrument and answers as they were before the migration.
    old_options = [
        {"key": "organisation", "label": "Not relevant to my organisation"}
        if o["key"] == "intervention"
        else o
        for o in nomad.not_relevant_options
    ]
    Instrument.objects.filter(pk=nomad.pk).update(not_relevant_options=old_options)
    Score.objects.filter(not_relevant="intervention").update(not_relevant="organisation")
    migration.forwards(django_apps, None)
    nomad.refresh_from_db()
    assert [label for _, label in nomad.not_relevant_choices] == PUBLISHED_OPTION_B
    assert dict(
        Score.objects.exclude(not_relevant="").values_list("item__code", "not_relevant")
    ) == {"CO1": "role", "CO2": "intervention"}
    migration.backwards(django_apps, None)
    nomad.refresh_from_db()
    assert nomad.not_relevant_options == old_options
    assert dict(
        Score.objects.exclude(not_relevant="").values_list("item__code", "not_relevant")
    ) == {"CO1": "role", "CO2": "organisation"}


def test_loading_again_keeps_users_wording_and_adds_nothing(loaded: Any) -> None:
    item = Item.objects.get(code="CO1")
    item.text = "Licensed wording entered by a user"
    item.save()
    before = (Item.objects.count(), Construct.objects.count(), Instrument.objects.count())
    results = instruments.load_files()
    assert all(r.items_created == 0 for r in results)
    assert before == (Item.objects.count(), Construct.objects.count(), Instrument.objects.count())
    item.refresh_from_db()
    assert item.text == "Licensed wording entered by a user"
    assert item.has_wording


def test_management_command(db: Any, capsys: Any) -> None:
    call_command("loadinstruments")
    assert Instrument.objects.count() == 3
    assert "NoMAD" in capsys.readouterr().out


def test_a_file_with_wording_is_refused(db: Any, tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(
        'slug = "x"\nname = "X"\nkind = "survey"\n[[scale]]\nvalue = 1\nlabel = "Yes"\n'
        '[[constructs]]\nkey = "a"\nname = "A"\nitems = 1\ncode_prefix = "A"\n'
        'text = "Some licensed wording"\n'
    )
    with pytest.raises(instruments.DefinitionError, match="unknown keys"):
        instruments.load_files([bad])
    assert not Instrument.objects.filter(slug="x").exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('name = "X"\nkind = "survey"', "“slug” is missing"),
        ('slug = "x"\nname = "X"\nkind = "quiz"\n[[constructs]]\nkey="a"\nname="A"', "“kind”"),
        ('slug = "x"\nname = "X"\nkind = "coding_frame"', "no constructs"),
        ('slug = "x"\nname = "X"\nkind = "survey"\n[[constructs]]\nkey="a"\nname="A"', "scale"),
        ("slug = ", "cannot be read"),
        (
            'slug = "x"\nname = "X"\nkind = "survey"\n[[not_relevant]]\nkey = "nr"\n'
            'label = "N/A"\n[[constructs]]\nkey="a"\nname="A"',
            "“not_relevant” response needs",
        ),
        (
            'slug = "x"\nname = "X"\nkind = "survey"\n[[scale]]\nvalue = 1\nlabel = "Y"\n'
            '[[constructs]]\nkey="a"\nname="A"\nscale_from = 10\nscale_to = 0',
            "low to high",
        ),
        (
            'slug = "x"\nname = "X"\nkind = "survey"\n[[scale]]\nvalue = 1\nlabel = "Y"\n'
            '[[constructs]]\nkey="a"\nname="A"\nseparate_items = "yes"',
            "true or false",
        ),
    ],
)
def test_definition_errors(db: Any, tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "x.toml"
    path.write_text(content)
    with pytest.raises(instruments.DefinitionError, match=message):
        instruments.read_definition(path)


# --- importing scores ----------------------------------------------------------------------------

GENERAL = ["G1", "G2", "G3"]
CODES = [f"CO{n}" for n in range(1, 5)] + [f"CP{n}" for n in range(1, 5)]
CODES += [f"CA{n}" for n in range(1, 8)] + [f"RM{n}" for n in range(1, 6)]
HEADER = ",".join(["respondent", *GENERAL, *CODES])


def _row(respondent: str, values: list[str] | None = None, general: list[str] | None = None) -> str:
    return ",".join([respondent, *(general or ["7", "8", "9"]), *(values or ["4"] * 20)])


def test_import_good_file(administration: Any) -> None:
    values = ["5"] * 20
    values[0] = "NR-ROLE"  # CO1
    values[1] = "nr-stage"  # CO2
    values[2] = "Not relevant to this intervention"  # CO3: the label is understood too
    values[19] = ""  # RM5 not answered
    text = "\n".join([HEADER, _row("R01"), _row("R02", values, ["10", "0", ""]), ""])
    result = instruments.import_scores(administration, text.encode("utf-8-sig"))
    assert result.errors == []
    assert result.created == 2
    scores = Score.objects.filter(response__administration=administration)
    assert scores.count() == 46
    assert dict(scores.exclude(not_relevant="").values_list("item__code", "not_relevant")) == {
        "CO1": "role",
        "CO2": "stage",
        "CO3": "intervention",
    }
    assert scores.filter(value__isnull=True, not_relevant="").count() == 2  # RM5 and G3
    means = instruments.construct_means([administration])[administration.pk]
    coherence = Construct.objects.get(instrument__slug="nomad", key="coherence")
    # R01: 4, 4, 4, 4; R02: three not relevant (left out) and 5.
    assert means[coherence.pk] == pytest.approx(21 / 5)
    general = Construct.objects.get(instrument__slug="nomad", key="general")
    assert general.pk not in means  # general items are never combined into a mean
    items = instruments.item_means([administration])[administration.pk]
    g1, g2, g3 = (Item.objects.get(code=c) for c in GENERAL)
    assert items[g1.pk] == (pytest.approx(8.5), 2)
    assert items[g2.pk] == (pytest.approx(4.0), 2)
    assert items[g3.pk] == (pytest.approx(9.0), 1)
    counts = instruments.not_relevant_counts([administration])[administration.pk]
    assert counts == {coherence.pk: {"role": 1, "stage": 1, "intervention": 1}}


def test_summary_keeps_the_three_not_relevant_responses_apart(administration: Any) -> None:
    values = ["3"] * 20
    values[4] = "NR-ROLE"  # CP1
    values[5] = "NR-ROLE"  # CP2
    values[6] = "NR-INTERVENTION"  # CP3
    text = "\n".join([HEADER, _row("R01", values), _row("R02")])
    assert instruments.import_scores(administration, text).errors == []
    summary = instruments.administration_summary(administration)
    assert [label for _, label in summary.columns] == PUBLISHED_OPTION_B
    rows = {row.construct.name: row for row in summary.constructs}
    assert list(rows) == [name for name, _ in PUBLISHED_NOMAD_CONSTRUCTS[1:]]
    assert rows["Cognitive participation"].not_relevant == [2, 0, 1]
    assert rows["Cognitive participation"].mean == pytest.approx((3 + 4 * 4) / 5)
    assert rows["Coherence"].not_relevant == [0, 0, 0]
    assert (rows["Coherence"].low, rows["Coherence"].high) == (1, 5)
    assert [(row.item.code, row.mean, row.answers) for row in summary.items] == [
        ("G1", 7.0, 2),
        ("G2", 8.0, 2),
        ("G3", 9.0, 2),
    ]
    assert (summary.items[0].low, summary.items[0].high) == (0, 10)


def test_general_items_refuse_not_relevant_and_construct_items_refuse_bare_nr(
    administration: Any,
) -> None:
    values = ["4"] * 20
    values[0] = "NR"  # ambiguous: NoMAD has three "not relevant" responses
    values[1] = "0"  # below the agreement scale
    text = "\n".join([HEADER, _row("R01", values, ["11", "NR-ROLE", "5"])])
    result = instruments.import_scores(administration, text)
    assert result.created == 0
    general_hint = "a whole number from 0 to 10, or empty if not answered."
    construct_hint = (
        "a whole number from 1 to 5, NR-ROLE for “Not relevant to my role”, NR-STAGE for "
        "“Not relevant at this stage”, NR-INTERVENTION for “Not relevant to this intervention”, "
        "or empty if not answered."
    )
    assert result.errors == [
        f"Row 2, column 2 (G1): “11” is not {general_hint}",
        f"Row 2, column 3 (G2): “NR-ROLE” is not {general_hint}",
        f"Row 2, column 5 (CO1): “NR” is not {construct_hint}",
        f"Row 2, column 6 (CO2): “0” is not {construct_hint}",
    ]


def test_legacy_not_relevant_answers_are_counted_apart(administration: Any) -> None:
    """Answers from before the three responses were kept apart stay honest: "legacy"."""
    assert instruments.import_scores(administration, "\n".join([HEADER, _row("R01")])).errors == []
    Score.objects.filter(item__code="CA1").update(value=None, not_relevant=Score.LEGACY)
    summary = instruments.administration_summary(administration)
    assert summary.columns[-1] == (Score.LEGACY, Score.LEGACY_LABEL)
    rows = {row.construct.key: row for row in summary.constructs}
    assert rows["collective-action"].not_relevant == [0, 0, 0, 1]
    assert rows["collective-action"].mean == pytest.approx(4.0)
    table = instruments.not_relevant_table(administration.instrument, [administration])
    assert table is not None
    assert table.columns == [*PUBLISHED_OPTION_B, Score.LEGACY_LABEL]
    assert table.rows == [(str(administration), [0, 0, 0, 1])]


def test_import_is_all_or_nothing_with_row_messages(administration: Any) -> None:
    bad_values = ["4"] * 20
    bad_values[2] = "7"
    bad_values[5] = "often"
    hint = (
        "a whole number from 1 to 5, NR-ROLE for “Not relevant to my role”, NR-STAGE for "
        "“Not relevant at this stage”, NR-INTERVENTION for “Not relevant to this intervention”, "
        "or empty if not answered."
    )
    text = "\n".join(
        [
            HEADER,
            _row("R01"),
            _row("R02", bad_values),
            _row("R01"),
            ",".join(["R04", "4"]),
            _row(""),
        ]
    )
    result = instruments.import_scores(administration, text)
    assert result.created == 0
    assert not Response.objects.exists()
    assert result.errors == [
        f"Row 3, column 7 (CO3): “7” is not {hint}",
        f"Row 3, column 10 (CP2): “often” is not {hint}",
        "Row 4: respondent R01 appears twice.",
        "Row 5: has 2 columns, but the header has 24.",
        "Row 6: the respondent reference is empty.",
    ]


def test_import_header_problems(administration: Any) -> None:
    result = instruments.import_scores(administration, "id,CO1\nR1,4\n")
    assert result.errors == ["Row 1: the first column must be headed “respondent”."]
    result = instruments.import_scores(administration, "respondent,CO1,XX9\nR1,4,4\n")
    assert result.errors[0] == "Row 1, column 3: “XX9” is not an item code of " + (
        f"{administration.instrument.name}."
    )
    assert result.errors[1].startswith("Row 1: these item columns are missing: G1, G2, G3, CO2, ")
    assert not Response.objects.exists()


def test_import_refuses_respondents_already_scored(administration: Any) -> None:
    instruments.import_scores(administration, "\n".join([HEADER, _row("R01")]))
    result = instruments.import_scores(administration, "\n".join([HEADER, _row("R01")]))
    assert result.errors == ["Row 2: respondent R01 already has scores in this administration."]
    assert Response.objects.count() == 1


def test_import_empty_file(administration: Any) -> None:
    result = instruments.import_scores(administration, HEADER + "\n")
    assert result.errors == ["The file has no respondents' rows."]


def test_an_instrument_with_one_not_relevant_response_takes_bare_nr(
    study: Any, tmp_path: Path
) -> None:
    path = tmp_path / "one.toml"
    path.write_text(
        'slug = "one"\nname = "One"\nkind = "survey"\nnot_relevant_label = "Not relevant"\n'
        '[[scale]]\nvalue = 1\nlabel = "No"\n[[scale]]\nvalue = 2\nlabel = "Yes"\n'
        '[[constructs]]\nkey = "a"\nname = "A"\nitems = 2\ncode_prefix = "A"\n'
    )
    (result,) = instruments.load_files([path])
    administration = Administration.objects.create(
        study=study, instrument=result.instrument, date=dt.date(2012, 1, 1)
    )
    outcome = instruments.import_scores(administration, "respondent,A1,A2\nR1,NR,2\n")
    assert outcome.errors == []
    assert Score.objects.get(item__code="A1").not_relevant == Score.NOT_RELEVANT
    summary = instruments.administration_summary(administration)
    assert summary.columns == [(Score.NOT_RELEVANT, "Not relevant")]
    assert summary.constructs[0].not_relevant == [1]
    assert summary.constructs[0].mean == pytest.approx(2.0)
