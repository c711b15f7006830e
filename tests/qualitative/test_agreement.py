"""Agreement figures against hand-worked examples and the `krippendorff` package."""

from __future__ import annotations

import math
import random

import krippendorff
import numpy as np
import pytest

from coproduce.qualitative.agreement import (
    Span,
    cohen_kappa,
    krippendorff_alpha,
    project_agreement,
    units_for,
)

# Krippendorff (2011), "Computing Krippendorff's alpha-reliability", the nominal example with
# four observers, twelve units and missing values: alpha = 0.743.
K2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
]
# The same paper's two-observer binary example (Ben and Gerry): alpha = 0.095.
BEN = [0, 1, 0, 0, 0, 0, 0, 0, 1, 0]
GERRY = [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]


def _units(rows: list[list[int | None]]) -> list[tuple[float, list[int | None]]]:
    return [(1.0, [row[i] for row in rows]) for i in range(len(rows[0]))]


def _library(rows: list[list[int | None]]) -> float:
    data = np.array([[np.nan if v is None else v for v in row] for row in rows], dtype=float)
    return float(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))


def test_krippendorff_worked_example() -> None:
    assert round(krippendorff_alpha(_units(K2011)) or 0, 3) == 0.743
    assert krippendorff_alpha(_units(K2011)) == pytest.approx(_library(K2011))


def test_two_coders_binary_worked_example() -> None:
    assert round(krippendorff_alpha(_units([BEN, GERRY])) or 0, 3) == 0.095
    # Cohen's kappa by hand: p_o = 6/10, p_e = 0.2*0.4 + 0.8*0.6 = 0.56, kappa = 0.04/0.44.
    assert cohen_kappa(_units([BEN, GERRY])) == pytest.approx(0.04 / 0.44)


def test_cohen_kappa_textbook_table() -> None:
    # 50 items: both yes 20, both no 15, A yes B no 5, A no B yes 10: p_o 0.7, p_e 0.5.
    units = [(20.0, [1, 1]), (15.0, [0, 0]), (5.0, [1, 0]), (10.0, [0, 1])]
    assert cohen_kappa(units) == pytest.approx(0.4)


def test_weighted_segments_equal_characters_against_the_library() -> None:
    rng = random.Random(20)
    length = 400
    spans = []
    for coder in (1, 2, 3):
        for _ in range(6):
            start = rng.randrange(0, length - 20)
            spans.append(Span(coder, 7, start, min(length, start + rng.randrange(1, 60))))
    coders = [1, 2, 3]
    units = units_for(length, spans, coders, 7)
    assert sum(w for w, _ in units) == length
    per_char = [
        [int(any(s.coder == c and s.start <= i < s.end for s in spans)) for i in range(length)]
        for c in coders
    ]
    assert krippendorff_alpha(units) == pytest.approx(_library(per_char))


def test_undefined_when_nobody_varies() -> None:
    assert krippendorff_alpha([(10.0, [0, 0])]) is None
    assert cohen_kappa([(10.0, [1, 1])]) is None


def test_project_agreement_counts_a_silent_coder_as_missing() -> None:
    # Source 1 (10 characters): both coded code 1 on 0-5, coder 2 also 5-10.
    # Source 2: only coder 1 coded anything, so coder 2 is missing there, not "0".
    sources = [
        (10, [Span(1, 1, 0, 5), Span(2, 1, 0, 10)]),
        (10, [Span(1, 1, 0, 10)]),
    ]
    rows, overall = project_agreement(sources, [(1, "Code")], [1, 2])
    # Only source 1 is pairable: 5 agree (1,1), 5 disagree (0,1) -> kappa 0 (p_o .5, p_e .5).
    assert rows[0].kappa == pytest.approx(0.0)
    assert overall.alpha == rows[0].alpha
    assert not math.isnan(rows[0].alpha or 0)
