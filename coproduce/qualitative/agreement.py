"""Intercoder agreement over characters: Cohen's kappa (two coders) and Krippendorff's alpha.

Units are the characters of each source. For one code, a coder's value at a character is 1 if
any of their codings of that code covers it, else 0; a coder who coded nothing in a source did
not code that source (missing, not 0). "Overall" pools every (code, character) unit. Characters
are grouped into segments between coding boundaries, and each segment counts as many units as
it has characters, so the figures equal a character-by-character count at any text length.

- Cohen J. A coefficient of agreement for nominal scales. Educ Psychol Meas 1960;20:37-46:
  kappa = (p_o - p_e) / (1 - p_e), p_e from each coder's own proportions.
- Krippendorff K. Computing Krippendorff's alpha-reliability. Annenberg School for
  Communication, University of Pennsylvania, 2011 (nominal data, any number of coders,
  missing values): alpha = 1 - D_o / D_e from the coincidence matrix. The tests check this
  module against the `krippendorff` package and against the paper's worked examples.
Reconciled codings are the team's agreed coding and are never counted.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise

Unit = tuple[float, Sequence[int | None]]  # (weight, one value per coder; None = missing)


def cohen_kappa(units: Iterable[Unit]) -> float | None:
    """Cohen's kappa for two coders over weighted units; None when undefined (p_e = 1)."""
    total = agree = 0.0
    first: dict[int, float] = defaultdict(float)
    second: dict[int, float] = defaultdict(float)
    for weight, values in units:
        a, b = values
        if a is None or b is None:
            continue
        total += weight
        agree += weight if a == b else 0
        first[a] += weight
        second[b] += weight
    if total == 0:
        return None
    p_o = agree / total
    p_e = sum(first[c] * second[c] for c in set(first) | set(second)) / (total * total)
    if p_e == 1:
        return None
    return (p_o - p_e) / (1 - p_e)


def krippendorff_alpha(units: Iterable[Unit]) -> float | None:
    """Krippendorff's alpha for nominal values; units with fewer than two values are not
    pairable and drop out. None when there is no variation at all (D_e = 0)."""
    coincidences: dict[tuple[int, int], float] = defaultdict(float)
    for weight, values in units:
        present = [v for v in values if v is not None]
        m = len(present)
        if m < 2:
            continue
        for i, c in enumerate(present):
            for j, k in enumerate(present):
                if i != j:
                    coincidences[(c, k)] += weight / (m - 1)
    totals: dict[int, float] = defaultdict(float)
    for (c, _), count in coincidences.items():
        totals[c] += count
    n = sum(totals.values())
    if n <= 1:
        return None
    observed = sum(count for (c, k), count in coincidences.items() if c != k)
    expected = sum(totals[c] * totals[k] for c in totals for k in totals if c != k)
    if expected == 0:
        return None
    return 1 - (n - 1) * observed / expected


@dataclass(frozen=True)
class Span:
    coder: int
    code: int
    start: int
    end: int


def units_for(length: int, spans: Sequence[Span], coders: Sequence[int], code: int) -> list[Unit]:
    """Weighted units of one source for one code: segments between boundaries."""
    mine = [s for s in spans if s.code == code]
    cuts = sorted(
        {0, length, *(min(s.start, length) for s in mine), *(min(s.end, length) for s in mine)}
    )
    units: list[Unit] = []
    for left, right in pairwise(cuts):
        if right <= left:
            continue
        values = [
            int(any(s.coder == coder and s.start <= left and right <= s.end for s in mine))
            for coder in coders
        ]
        units.append((float(right - left), values))
    return units


@dataclass
class Agreement:
    code: str
    kappa: float | None
    alpha: float | None
    characters: int
    coders: int


def project_agreement(
    sources: Sequence[tuple[int, Sequence[Span]]],
    codes: Sequence[tuple[int, str]],
    coders: Sequence[int],
) -> tuple[list[Agreement], Agreement]:
    """Per code and overall, over the given sources (length, independent spans).

    A coder counts in a source only if they coded something in it; kappa is given when
    exactly two coders are compared."""
    per_code: dict[int, list[Unit]] = defaultdict(list)
    for length, spans in sources:
        present = sorted({s.coder for s in spans})
        for code_id, _ in codes:
            for weight, values in units_for(length, spans, present, code_id):
                full: list[int | None] = [None] * len(coders)
                for coder, value in zip(present, values, strict=True):
                    if coder in coders:
                        full[coders.index(coder)] = value
                per_code[code_id].append((weight, full))
    rows = []
    pooled: list[Unit] = []
    total_chars = sum(length for length, _ in sources)
    for code_id, name in codes:
        units = per_code[code_id]
        pooled.extend(units)
        rows.append(
            Agreement(
                name,
                cohen_kappa(units) if len(coders) == 2 else None,
                krippendorff_alpha(units),
                total_chars,
                len(coders),
            )
        )
    overall = Agreement(
        "All codes",
        cohen_kappa(pooled) if len(coders) == 2 else None,
        krippendorff_alpha(pooled),
        total_chars,
        len(coders),
    )
    return rows, overall
