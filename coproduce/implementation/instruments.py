"""Instruments as data: definitions read from TOML files, and administrations' scores.

A definition file (see `fixtures/instruments/`) names the instrument, its kind (a scored
survey or a coding frame), its response scale and its constructs. A construct of a survey
says how many items it has (`items = 4`) and the prefix of their codes (`code_prefix = "CO"`):
items are created with a placeholder text ("Item 1", "Item 2" ... across the instrument).
Files cannot carry item wording: licensed wording is entered by users in the staff area, and
loading a file again never overwrites it.

`import_scores` reads a CSV of respondents' scores for one administration: all rows are
checked first and nothing is saved unless every row is right; each problem is reported with
its row and column.
"""

from __future__ import annotations

import csv
import io
import tomllib
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Avg, Count

from coproduce.implementation.models import (
    Administration,
    Construct,
    Instrument,
    Item,
    Response,
    Score,
)

SHIPPED = Path(__file__).resolve().parent / "fixtures" / "instruments"
INSTRUMENT_KEYS = {
    "slug",
    "name",
    "kind",
    "version",
    "reference",
    "notice",
    "scale",
    "not_relevant_label",
    "constructs",
}
CONSTRUCT_KEYS = {"key", "name", "domain", "items", "code_prefix"}
NOT_RELEVANT = ("nr", "n/a", "na", "not relevant")


class DefinitionError(ValueError):
    """An instrument file that is not a valid definition (the message names the problem)."""


def placeholder(number: int) -> str:
    return f"Item {number}"


def shipped_files() -> list[Path]:
    return sorted(SHIPPED.glob("*.toml"))


def read_definition(path: Path) -> dict[str, Any]:
    """Parse and check one file; raise DefinitionError naming the file and the problem."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise DefinitionError(f"{path.name}: cannot be read: {error}") from error
    problems: list[str] = []
    unknown = set(data) - INSTRUMENT_KEYS
    if unknown:
        problems.append(f"unknown keys {sorted(unknown)}")
    for key in ("slug", "name", "kind"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            problems.append(f"“{key}” is missing")
    if data.get("kind") not in Instrument.Kind.values:
        problems.append(f"“kind” must be one of {Instrument.Kind.values}")
    scale = data.get("scale", [])
    if data.get("kind") == Instrument.Kind.SURVEY:
        values = [point.get("value") for point in scale if isinstance(point, dict)]
        if not values or not all(isinstance(v, int) for v in values):
            problems.append("a survey needs a scale of whole-number values with labels")
        elif len(set(values)) != len(values):
            problems.append("scale values must differ")
    constructs = data.get("constructs", [])
    if not isinstance(constructs, list) or not constructs:
        problems.append("there are no constructs")
        constructs = []
    keys: set[str] = set()
    for number, construct in enumerate(constructs, start=1):
        where = f"construct {number}"
        if not isinstance(construct, dict):
            problems.append(f"{where} is not a table")
            continue
        unknown = set(construct) - CONSTRUCT_KEYS
        if unknown:
            # Notably: no "text" or "wording": files carry no item wording.
            problems.append(f"{where} has unknown keys {sorted(unknown)}")
        if not construct.get("key") or not construct.get("name"):
            problems.append(f"{where} needs a key and a name")
        if construct.get("key") in keys:
            problems.append(f"{where}: key {construct.get('key')!r} is used twice")
        keys.add(construct.get("key", ""))
        count = construct.get("items", 0)
        if not isinstance(count, int) or count < 0:
            problems.append(f"{where}: “items” must be a whole number")
        elif count and not construct.get("code_prefix"):
            problems.append(f"{where}: items need a “code_prefix”")
    if problems:
        raise DefinitionError(f"{path.name}: " + "; ".join(problems))
    return data


@dataclass
class LoadResult:
    instrument: Instrument
    created: bool
    constructs: int
    items_created: int
    items_removed: int


def load_definition(data: dict[str, Any], source: str = "") -> LoadResult:
    """Create or update the instrument from a checked definition; keep users' item wording."""
    with transaction.atomic():
        instrument, created = Instrument.objects.update_or_create(
            slug=data["slug"],
            defaults={
                "name": data["name"],
                "kind": data["kind"],
                "version": data.get("version", ""),
                "reference": data.get("reference", ""),
                "notice": data.get("notice", ""),
                "scale": [
                    {"value": int(p["value"]), "label": str(p["label"])}
                    for p in data.get("scale", [])
                ],
                "not_relevant_label": data.get("not_relevant_label", ""),
                "source_file": source,
            },
        )
        number = 0
        items_created = 0
        wanted_items: set[int] = set()
        wanted_constructs: set[int] = set()
        for position, row in enumerate(data["constructs"], start=1):
            construct, _ = Construct.objects.update_or_create(
                instrument=instrument,
                key=row["key"],
                defaults={
                    "name": row["name"],
                    "domain": row.get("domain", ""),
                    "position": position,
                },
            )
            wanted_constructs.add(construct.pk)
            for index in range(1, row.get("items", 0) + 1):
                number += 1
                item, made = Item.objects.get_or_create(
                    construct=construct,
                    code=f"{row['code_prefix']}{index}",
                    defaults={
                        "position": index,
                        "text": placeholder(number),
                        "placeholder": placeholder(number),
                    },
                )
                items_created += made
                wanted_items.add(item.pk)
        # Items and constructs the file no longer has go, unless scores or codes use them.
        stale_items = Item.objects.filter(construct__instrument=instrument).exclude(
            pk__in=wanted_items
        )
        removed = stale_items.filter(scores__isnull=True).delete()[1].get(Item._meta.label, 0)
        Construct.objects.filter(instrument=instrument, items__isnull=True).exclude(
            pk__in=wanted_constructs
        ).filter(determinants__isnull=True).delete()
    return LoadResult(instrument, created, len(data["constructs"]), items_created, removed)


def load_files(paths: list[Path] | None = None) -> list[LoadResult]:
    """Load every file (the shipped ones by default); check them all before loading any."""
    paths = paths if paths is not None else shipped_files()
    definitions = [(path, read_definition(path)) for path in paths]
    return [load_definition(data, path.name) for path, data in definitions]


# --- scores ------------------------------------------------------------------------------------


@dataclass
class ImportResult:
    created: int = 0
    errors: list[str] = field(default_factory=list)


def _items(instrument: Instrument) -> list[Item]:
    return list(Item.objects.filter(construct__instrument=instrument).select_related("construct"))


def parse_value(raw: str, instrument: Instrument) -> tuple[bool, int | None]:
    """(ok, value): a scale value, None for "not relevant" (or an empty cell: not answered)."""
    text = raw.strip().lower()
    if text == "":
        return True, None
    if text in NOT_RELEVANT and instrument.not_relevant_label:
        return True, None
    try:
        value = int(text)
    except ValueError:
        return False, None
    return value in instrument.scale_values, value


def scale_hint(instrument: Instrument) -> str:
    values = sorted(instrument.scale_values)
    hint = f"a whole number from {values[0]} to {values[-1]}" if values else "a scale value"
    if instrument.not_relevant_label:
        hint += ", NR for not relevant"
    return hint + ", or empty if not answered"


@transaction.atomic
def save_response(
    administration: Administration, respondent: str, values: dict[Item, int | None]
) -> Response:
    response = Response.objects.create(administration=administration, respondent=respondent)
    Score.objects.bulk_create(
        Score(response=response, item=item, value=value) for item, value in values.items()
    )
    return response


def import_scores(administration: Administration, upload: bytes | str) -> ImportResult:
    """All or nothing: every row is checked; only if none has a problem are they all saved."""
    result = ImportResult()
    instrument = administration.instrument
    text = upload.decode("utf-8-sig") if isinstance(upload, bytes) else upload
    reader = csv.reader(io.StringIO(text))
    header = [cell.strip() for cell in next(reader, [])]
    if not header or header[0].lower() != "respondent":
        result.errors.append("Row 1: the first column must be headed “respondent”.")
        return result
    items = {item.code.lower(): item for item in _items(instrument)}
    columns: list[Item | None] = []
    for number, name in enumerate(header[1:], start=2):
        item = items.get(name.lower())
        if item is None:
            result.errors.append(
                f"Row 1, column {number}: “{name}” is not an item code of {instrument.name}."
            )
        columns.append(item)
    present = {name.lower() for name in header[1:]}
    missing = [item.code for code, item in items.items() if code not in present]
    if missing:
        result.errors.append(f"Row 1: these item columns are missing: {', '.join(missing)}.")
    if result.errors:
        return result
    existing = set(administration.responses.values_list("respondent", flat=True))
    seen: set[str] = set()
    rows: list[tuple[str, dict[Item, int | None]]] = []
    hint = scale_hint(instrument)
    for line, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        respondent = row[0].strip() if row else ""
        if not respondent:
            result.errors.append(f"Row {line}: the respondent reference is empty.")
            continue
        if respondent in existing:
            result.errors.append(
                f"Row {line}: respondent {respondent} already has scores in this administration."
            )
        if respondent in seen:
            result.errors.append(f"Row {line}: respondent {respondent} appears twice.")
        seen.add(respondent)
        if len(row) != len(header):
            result.errors.append(
                f"Row {line}: has {len(row)} columns, but the header has {len(header)}."
            )
            continue
        values: dict[Item, int | None] = {}
        for column, (cell, item) in enumerate(zip(row[1:], columns, strict=True), start=2):
            assert item is not None
            ok, value = parse_value(cell, instrument)
            if not ok:
                result.errors.append(
                    f"Row {line}, column {column} ({item.code}): “{cell.strip()}” is not {hint}."
                )
            values[item] = value
        rows.append((respondent, values))
    if not rows and not result.errors:
        result.errors.append("The file has no respondents' rows.")
    if result.errors:
        return result
    with transaction.atomic():
        for respondent, values in rows:
            save_response(administration, respondent, values)
            result.created += 1
    return result


def construct_means(administrations: list[Administration]) -> dict[int, dict[int, float]]:
    """{administration id: {construct id: mean score}} in one query; not relevant ignored."""
    means: dict[int, dict[int, float]] = defaultdict(dict)
    rows = (
        Score.objects.filter(response__administration__in=administrations, value__isnull=False)
        .values("response__administration_id", "item__construct_id")
        .annotate(mean=Avg("value"), n=Count("pk"))
    )
    for row in rows:
        means[row["response__administration_id"]][row["item__construct_id"]] = float(row["mean"])
    return means
