"""Framework matrix (cases x codes), code frequencies and co-occurrence.

The coding analysed for a source is its reconciled coding when the team has agreed one, else
every coder's independent codings (the same code on the same span counted once). Cases are
the project's sources. Figures come from one query over the codings.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from coproduce.qualitative.models import Code, Coding, Project, ProjectSource


@dataclass
class Matrix:
    cases: list[ProjectSource]
    codes: list[Code]
    cells: dict[tuple[int, int], list[Coding]] = field(default_factory=dict)
    frequencies: list[tuple[Code, int, int]] = field(default_factory=list)  # codings, cases
    co_occurrence: list[tuple[Code, Code, int]] = field(default_factory=list)

    def rows(self) -> list[tuple[ProjectSource, list[list[Coding]]]]:
        return [
            (case, [self.cells.get((case.pk, code.pk), []) for code in self.codes])
            for case in self.cases
        ]


def analysed_codings(codings: Iterable[Coding]) -> list[Coding]:
    by_source: dict[int, list[Coding]] = defaultdict(list)
    for coding in codings:
        by_source[coding.source_id].append(coding)
    chosen: list[Coding] = []
    for items in by_source.values():
        agreed = [c for c in items if c.reconciled]
        pool = agreed or items
        seen: set[tuple[int, int, int]] = set()
        for coding in pool:
            key = (coding.code_id, coding.start, coding.end)
            if key not in seen:
                seen.add(key)
                chosen.append(coding)
    return chosen


def matrix(project: Project, *, exportable_only: bool = False) -> Matrix:
    cases = list(project.sources.prefetch_related("participants").order_by("title", "pk"))
    if exportable_only:
        cases = [case for case in cases if not case.withheld]
    codings = analysed_codings(
        Coding.objects.filter(source__in=cases)
        .select_related("code", "source")
        .order_by("source", "start", "pk")
    )
    used = {c.code_id for c in codings}
    codes = [c for c in project.codes.order_by("position", "name", "pk") if c.pk in used]
    result = Matrix(cases, codes)
    per_code: Counter[int] = Counter()
    case_sets: dict[int, set[int]] = defaultdict(set)
    spans: dict[int, list[Coding]] = defaultdict(list)
    for coding in codings:
        result.cells.setdefault((coding.source_id, coding.code_id), []).append(coding)
        per_code[coding.code_id] += 1
        case_sets[coding.code_id].add(coding.source_id)
        spans[coding.source_id].append(coding)
    result.frequencies = sorted(
        ((code, per_code[code.pk], len(case_sets[code.pk])) for code in codes),
        key=lambda row: (-row[1], row[0].name),
    )
    pairs: Counter[tuple[int, int]] = Counter()
    for items in spans.values():
        for a, b in combinations(items, 2):
            if a.code_id != b.code_id and a.start < b.end and b.start < a.end:
                pairs[tuple(sorted((a.code_id, b.code_id)))] += 1  # type: ignore[index]
    names = {code.pk: code for code in codes}
    result.co_occurrence = sorted(
        ((names[a], names[b], count) for (a, b), count in pairs.items()),
        key=lambda row: (-row[2], row[0].name, row[1].name),
    )
    return result


def matrix_rows(result: Matrix) -> list[Sequence[Any]]:
    """The framework matrix as a table: one row per case, one column per code, each cell the
    excerpts coded there (quoted, separated by blank lines)."""
    rows: list[Sequence[Any]] = [["Source", *[code.name for code in result.codes]]]
    for case, cells in result.rows():
        rows.append([case.title, *["\n\n".join(f"“{c.excerpt}”" for c in cell) for cell in cells]])
    return rows


def frequency_rows(result: Matrix) -> list[Sequence[Any]]:
    return [["Code", "Codings", "Sources"]] + [
        [code.name, count, cases] for code, count, cases in result.frequencies
    ]


def co_occurrence_rows(result: Matrix) -> list[Sequence[Any]]:
    return [["Code", "Other code", "Overlapping codings"]] + [
        [a.name, b.name, count] for a, b, count in result.co_occurrence
    ]
