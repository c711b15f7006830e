"""Instruments as data: definitions read from TOML files, and administrations' scores.

A definition file (see `fixtures/instruments/`) names the instrument, its kind (a scored
survey or a coding frame), its response scale, its "not relevant" responses and its
constructs. A construct of a survey says how many items it has (`items = 4`) and the prefix
of their codes (`code_prefix = "CO"`): items are created with a placeholder text ("Item 1",
"Item 2" ... across the instrument). A construct may have its own whole-number scale
(`scale_from = 0`, `scale_to = 10`), may refuse the "not relevant" responses
(`not_relevant = false`) and may be reported item by item rather than as a mean
(`separate_items = true`): NoMAD's three general normalisation items are such a group
(Finch TL et al. Improving the normalization of complex interventions: part 2 - validation of
the NoMAD instrument. BMC Med Res Methodol 2018;18:135, doi:10.1186/s12874-018-0591-x).

"Not relevant" responses are kept apart: an instrument lists them (`[[not_relevant]]` with a
`key` and a `label`; NoMAD's option B has three, to my role, at this stage, to my
organisation), each answer stores which one was chosen, construct means leave them out and
summaries count them one by one (`not_relevant_counts`). An instrument with a single
"not relevant" response may give just its `not_relevant_label`.
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
    "not_relevant",
    "constructs",
}
CONSTRUCT_KEYS = {
    "key",
    "name",
    "domain",
    "items",
    "code_prefix",
    "scale_from",
    "scale_to",
    "not_relevant",
    "separate_items",
}
# Accepted in files for an instrument with a single "not relevant" response.
NOT_RELEVANT = ("nr", "n/a", "na", "not relevant")
# One answer: a scale value or None, and the key of the "not relevant" response chosen or "".
Answer = tuple[int | None, str]


class DefinitionError(ValueError):
    """An instrument file that is not a valid definition (the message names the problem)."""


def placeholder(number: int, group: str = "") -> str:
    """ "Item 3" across the instrument; "General normalisation item 2" in an own-scale group."""
    return f"{group} item {number}" if group else f"Item {number}"


def not_relevant_token(key: str) -> str:
    """What stands for a "not relevant" response in a CSV file and in the form: NR, NR-ROLE."""
    return "NR" if key == Score.NOT_RELEVANT else f"NR-{key.upper()}"


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
    options = data.get("not_relevant", [])
    if not isinstance(options, list) or not all(
        isinstance(o, dict)
        and set(o) == {"key", "label"}
        and isinstance(o["key"], str)
        and o["key"].isalpha()
        and o["key"].islower()
        and len(o["key"]) <= 20
        and o["key"] not in (Score.NOT_RELEVANT, Score.LEGACY)
        and isinstance(o["label"], str)
        and o["label"].strip()
        for o in options
    ):
        problems.append(
            "each “not_relevant” response needs a lower-case letters-only “key” "
            "(not “nr” or “legacy”) and a “label”"
        )
    elif len({o["key"] for o in options}) != len(options):
        problems.append("“not_relevant” keys must differ")
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
        ends = (construct.get("scale_from"), construct.get("scale_to"))
        if ends != (None, None) and not (
            all(isinstance(end, int) for end in ends) and ends[0] < ends[1]  # type: ignore[operator]
        ):
            problems.append(
                f"{where}: “scale_from” and “scale_to” must be whole numbers, low to high"
            )
        for flag in ("not_relevant", "separate_items"):
            if flag in construct and not isinstance(construct[flag], bool):
                problems.append(f"{where}: “{flag}” must be true or false")
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
                "not_relevant_options": [
                    {"key": o["key"], "label": o["label"]} for o in data.get("not_relevant", [])
                ],
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
                    "scale": _own_scale(row),
                    "offers_not_relevant": row.get("not_relevant", True),
                    "separate_items": row.get("separate_items", False),
                },
            )
            wanted_constructs.add(construct.pk)
            for index in range(1, row.get("items", 0) + 1):
                # Items on the instrument's scale are numbered across it; a group with its own
                # scale numbers its items itself (so adding one keeps other items' numbers).
                if construct.scale:
                    text = placeholder(index, row["name"])
                else:
                    number += 1
                    text = placeholder(number)
                item, made = Item.objects.get_or_create(
                    construct=construct,
                    code=f"{row['code_prefix']}{index}",
                    defaults={"position": index, "text": text, "placeholder": text},
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


def _own_scale(row: dict[str, Any]) -> list[dict[str, Any]]:
    if row.get("scale_from") is None:
        return []
    return [
        {"value": value, "label": str(value)}
        for value in range(int(row["scale_from"]), int(row["scale_to"]) + 1)
    ]


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


def parse_answer(raw: str, construct: Construct) -> tuple[bool, Answer]:
    """(ok, (value, not relevant key)) of one cell; an empty cell is a valid "not answered"."""
    text = raw.strip().lower()
    if text == "":
        return True, (None, "")
    for key, label in construct.not_relevant_choices:
        if text in (not_relevant_token(key).lower(), label.strip().lower()):
            return True, (None, key)
        if key == Score.NOT_RELEVANT and text in NOT_RELEVANT:
            return True, (None, key)
    try:
        value = int(text)
    except ValueError:
        return False, (None, "")
    return value in construct.scale_values, (value, "")


def scale_hint(construct: Construct) -> str:
    values = sorted(construct.scale_values)
    hint = f"a whole number from {values[0]} to {values[-1]}" if values else "a scale value"
    choices = construct.not_relevant_choices
    if len(choices) == 1 and choices[0][0] == Score.NOT_RELEVANT:
        hint += ", NR for not relevant"
    elif choices:
        hint += ", " + ", ".join(
            f"{not_relevant_token(key)} for “{label}”" for key, label in choices
        )
    return hint + ", or empty if not answered"


def import_hints(instrument: Instrument) -> list[str]:
    """One line per construct with items: its item codes and what each cell may hold."""
    hints = []
    for construct in instrument.constructs.prefetch_related("items"):
        codes = [item.code for item in construct.items.all()]
        if codes:
            span = codes[0] if len(codes) == 1 else f"{codes[0]} to {codes[-1]}"
            hints.append(f"{span} ({construct.name}): {scale_hint(construct)}")
    return hints


@transaction.atomic
def save_response(
    administration: Administration, respondent: str, values: dict[Item, Answer]
) -> Response:
    response = Response.objects.create(administration=administration, respondent=respondent)
    Score.objects.bulk_create(
        Score(response=response, item=item, value=value, not_relevant=reason)
        for item, (value, reason) in values.items()
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
    rows: list[tuple[str, dict[Item, Answer]]] = []
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
        values: dict[Item, Answer] = {}
        for column, (cell, item) in enumerate(zip(row[1:], columns, strict=True), start=2):
            assert item is not None
            ok, answer = parse_answer(cell, item.construct)
            if not ok:
                result.errors.append(
                    f"Row {line}, column {column} ({item.code}): “{cell.strip()}” is not "
                    f"{scale_hint(item.construct)}."
                )
            values[item] = answer
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
    """{administration id: {construct id: mean score}} in one query.

    Only constructs whose items are combined (not `separate_items`, like NoMAD's general
    items on 0 to 10); "not relevant" answers and unanswered items have no value and are left
    out.
    """
    means: dict[int, dict[int, float]] = defaultdict(dict)
    rows = (
        Score.objects.filter(
            response__administration__in=administrations,
            value__isnull=False,
            item__construct__separate_items=False,
        )
        .values("response__administration_id", "item__construct_id")
        .annotate(mean=Avg("value"), n=Count("pk"))
    )
    for row in rows:
        means[row["response__administration_id"]][row["item__construct_id"]] = float(row["mean"])
    return means


def item_means(administrations: list[Administration]) -> dict[int, dict[int, tuple[float, int]]]:
    """{administration id: {item id: (mean, answers)}} for items reported one by one."""
    means: dict[int, dict[int, tuple[float, int]]] = defaultdict(dict)
    rows = (
        Score.objects.filter(
            response__administration__in=administrations,
            value__isnull=False,
            item__construct__separate_items=True,
        )
        .values("response__administration_id", "item_id")
        .annotate(mean=Avg("value"), n=Count("pk"))
    )
    for row in rows:
        means[row["response__administration_id"]][row["item_id"]] = (
            float(row["mean"]),
            int(row["n"]),
        )
    return means


def not_relevant_counts(
    administrations: list[Administration],
) -> dict[int, dict[int, dict[str, int]]]:
    """{administration id: {construct id: {not relevant key: answers}}}, each reason apart."""
    counts: dict[int, dict[int, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    rows = (
        Score.objects.filter(response__administration__in=administrations)
        .exclude(not_relevant="")
        .values("response__administration_id", "item__construct_id", "not_relevant")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        by_construct = counts[row["response__administration_id"]][row["item__construct_id"]]
        by_construct[row["not_relevant"]] = int(row["n"])
    return counts


def not_relevant_columns(
    instrument: Instrument, administrations: list[Administration]
) -> list[tuple[str, str]]:
    """(key, label) of the instrument's "not relevant" responses, and of the legacy one
    when any answer of these administrations has it."""
    columns = list(instrument.not_relevant_choices)
    legacy = Score.objects.filter(
        response__administration__in=administrations, not_relevant=Score.LEGACY
    ).exists()
    if legacy:
        columns.append((Score.LEGACY, Score.LEGACY_LABEL))
    return columns


@dataclass
class ConstructRow:
    construct: Construct
    mean: float | None
    low: int
    high: int
    not_relevant: list[int]


@dataclass
class ItemRow:
    item: Item
    mean: float | None
    answers: int
    low: int
    high: int


@dataclass
class AdministrationSummary:
    """What one administration's page shows: construct means (on the instrument's scale),
    the separately reported items' means (on their own scale), and the "not relevant"
    answers per construct, each response in its own column."""

    columns: list[tuple[str, str]]
    constructs: list[ConstructRow]
    items: list[ItemRow]


def administration_summary(administration: Administration) -> AdministrationSummary:
    instrument = administration.instrument
    means = construct_means([administration]).get(administration.pk, {})
    separate = item_means([administration]).get(administration.pk, {})
    counts = not_relevant_counts([administration]).get(administration.pk, {})
    columns = not_relevant_columns(instrument, [administration])
    constructs: list[ConstructRow] = []
    items: list[ItemRow] = []
    for construct in instrument.constructs.filter(items__isnull=False).distinct():
        values = sorted(construct.scale_values) or [0]
        if construct.separate_items:
            for item in construct.items.all():
                mean, answers = separate.get(item.pk, (None, 0))
                items.append(ItemRow(item, mean, answers, values[0], values[-1]))
            continue
        reasons = counts.get(construct.pk, {})
        constructs.append(
            ConstructRow(
                construct,
                means.get(construct.pk),
                values[0],
                values[-1],
                [reasons.get(key, 0) for key, _ in columns],
            )
        )
    return AdministrationSummary(columns, constructs, items)


@dataclass
class NotRelevantTable:
    columns: list[str]
    rows: list[tuple[str, list[int]]]


def not_relevant_table(
    instrument: Instrument, administrations: list[Administration]
) -> NotRelevantTable | None:
    """ "Not relevant" answers per administration, each response counted apart (None if the
    instrument has no such response and no legacy answers)."""
    columns = not_relevant_columns(instrument, administrations)
    if not columns or not administrations:
        return None
    counts = not_relevant_counts(administrations)
    rows = []
    for administration in administrations:
        by_construct = counts.get(administration.pk, {})
        rows.append(
            (
                str(administration),
                [
                    sum(reasons.get(key, 0) for reasons in by_construct.values())
                    for key, _ in columns
                ],
            )
        )
    return NotRelevantTable([label for _, label in columns], rows)
