"""Instruments as data: the shipped files, loading, no item wording, and score imports."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from coproduce.implementation import instruments
from coproduce.implementation.models import Construct, Instrument, Item, Response, Score


def test_nomad_structure(nomad: Instrument) -> None:
    counts = {c.name: c.items.count() for c in nomad.constructs.all()}
    assert counts == {
        "Coherence": 4,
        "Cognitive participation": 4,
        "Collective action": 7,
        "Reflexive monitoring": 5,
    }
    assert nomad.kind == Instrument.Kind.SURVEY
    assert [p["label"] for p in nomad.scale] == [
        "Strongly agree",
        "Agree",
        "Neither agree nor disagree",
        "Disagree",
        "Strongly disagree",
    ]
    assert sorted(nomad.scale_values) == [1, 2, 3, 4, 5]
    assert nomad.not_relevant_label.startswith("Not relevant")


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
    assert len(items) == 20
    assert all(item.text == item.placeholder for item in items)
    assert all(not item.has_wording for item in items)
    assert {item.text for item in items} == {f"Item {n}" for n in range(1, 21)}
    for path in instruments.shipped_files():
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for construct in data["constructs"]:
            assert set(construct) <= instruments.CONSTRUCT_KEYS
            assert isinstance(construct.get("items", 0), int)


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
    ],
)
def test_definition_errors(db: Any, tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "x.toml"
    path.write_text(content)
    with pytest.raises(instruments.DefinitionError, match=message):
        instruments.read_definition(path)


# --- importing scores ----------------------------------------------------------------------------

CODES = [f"CO{n}" for n in range(1, 5)] + [f"CP{n}" for n in range(1, 5)]
CODES += [f"CA{n}" for n in range(1, 8)] + [f"RM{n}" for n in range(1, 6)]
HEADER = ",".join(["respondent", *CODES])


def _row(respondent: str, values: list[str] | None = None) -> str:
    return ",".join([respondent, *(values or ["4"] * 20)])


def test_import_good_file(administration: Any) -> None:
    text = "\n".join([HEADER, _row("R01"), _row("R02", ["5"] * 19 + ["NR"]), ""])
    result = instruments.import_scores(administration, text.encode("utf-8-sig"))
    assert result.errors == []
    assert result.created == 2
    assert Score.objects.filter(response__administration=administration).count() == 40
    assert Score.objects.filter(value__isnull=True).count() == 1
    means = instruments.construct_means([administration])[administration.pk]
    coherence = Construct.objects.get(instrument__slug="nomad", key="coherence")
    assert means[coherence.pk] == pytest.approx(4.5)


def test_import_is_all_or_nothing_with_row_messages(administration: Any) -> None:
    bad_values = ["4"] * 20
    bad_values[2] = "7"
    bad_values[5] = "often"
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
        "Row 3, column 4 (CO3): “7” is not a whole number from 1 to 5, NR for not relevant, "
        "or empty if not answered.",
        "Row 3, column 7 (CP2): “often” is not a whole number from 1 to 5, NR for not relevant, "
        "or empty if not answered.",
        "Row 4: respondent R01 appears twice.",
        "Row 5: has 2 columns, but the header has 21.",
        "Row 6: the respondent reference is empty.",
    ]


def test_import_header_problems(administration: Any) -> None:
    result = instruments.import_scores(administration, "id,CO1\nR1,4\n")
    assert result.errors == ["Row 1: the first column must be headed “respondent”."]
    result = instruments.import_scores(administration, "respondent,CO1,XX9\nR1,4,4\n")
    assert result.errors[0] == "Row 1, column 3: “XX9” is not an item code of " + (
        f"{administration.instrument.name}."
    )
    assert result.errors[1].startswith("Row 1: these item columns are missing: CO2, ")
    assert not Response.objects.exists()


def test_import_refuses_respondents_already_scored(administration: Any) -> None:
    instruments.import_scores(administration, "\n".join([HEADER, _row("R01")]))
    result = instruments.import_scores(administration, "\n".join([HEADER, _row("R01")]))
    assert result.errors == ["Row 2: respondent R01 already has scores in this administration."]
    assert Response.objects.count() == 1


def test_import_empty_file(administration: Any) -> None:
    result = instruments.import_scores(administration, HEADER + "\n")
    assert result.errors == ["The file has no respondents' rows."]
