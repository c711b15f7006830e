"""Collaboration-network analytics on a synthetic 100k-node, ~500k-edge graph.

`make bench` runs this after bench/dispatch.py. The graph (fixed seed) mimics the
collaboration's: 80,000 people, 10,000 studies, 5,000 organisations (a fifth universities) and
5,000 communities of practice; each person works at an organisation, holds roles on ~3.5 studies
and belongs to ~1.3 communities, with studies, organisations and communities drawn from
heavy-tailed (Zipf-like) popularity; each study has three partner organisations and each
community a study. Sides as in production (`coproduce/implementation/network.py`).

Timed in the same run, each including building the igraph graph from the edge list:

- reference: igraph betweenness from 256 sampled sources, scaled by n / 256 (the figure the
  issue quotes: ~7 s on 2 cores);
- ours: the production estimator, `network.betweenness`: 64 sources in batches of 16 (the
  standard error of every score comes from the spread between batches), scaled by n / 64;
- a second reference (256 other sources), to show how far two reference runs agree: the
  ranking a 256-source estimate gives is itself only approximate;
- brokerage (production `network.brokerage`) on the whole graph;
- the page's cost when nothing changed: hashing the graph to its data version (the scores are
  then read from the cache, one row).

It prints each figure, the reference / ours ratio, and how many of the reference's top 50 are in
ours (and in the second reference's). The last line is a JSON object.
Options: --no-second-reference (saves one reference run).
"""

from __future__ import annotations

import heapq
import itertools
import json
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coproduce.settings")

import django  # noqa: E402

django.setup()

import igraph  # noqa: E402

from coproduce.implementation import network  # noqa: E402

PEOPLE, STUDIES, ORGANISATIONS, COPS = 80_000, 10_000, 5_000, 5_000
ROLES, MEMBERSHIPS, PARTNERS = 280_000, 104_000, 3
SEED = 8
TOP = 50
REFERENCE_SOURCES = 256


def synthetic() -> tuple[int, list[tuple[int, int]], list[str]]:
    rng = random.Random(SEED)
    n = PEOPLE + STUDIES + ORGANISATIONS + COPS
    study0, org0, cop0 = PEOPLE, PEOPLE + STUDIES, PEOPLE + STUDIES + ORGANISATIONS

    def zipf(k: int) -> list[float]:
        return list(itertools.accumulate(1.0 / (i + 1) ** (1 / 1.2) for i in range(k)))

    w_study, w_org, w_cop = zipf(STUDIES), zipf(ORGANISATIONS), zipf(COPS)
    universities = set(rng.sample(range(ORGANISATIONS), ORGANISATIONS // 5))
    org_side = [
        network.RESEARCH if o in universities else network.PRACTICE for o in range(ORGANISATIONS)
    ]
    edges: set[tuple[int, int]] = set()
    employer = rng.choices(range(ORGANISATIONS), cum_weights=w_org, k=PEOPLE)
    for person, org in enumerate(employer):
        edges.add((person, org0 + org))
    for study in rng.choices(range(STUDIES), cum_weights=w_study, k=ROLES):
        edges.add((rng.randrange(PEOPLE), study0 + study))
    for study in range(STUDIES):
        for org in rng.choices(range(ORGANISATIONS), cum_weights=w_org, k=PARTNERS):
            edges.add((study0 + study, org0 + org))
    for cop in rng.choices(range(COPS), cum_weights=w_cop, k=MEMBERSHIPS):
        edges.add((rng.randrange(PEOPLE), cop0 + cop))
    for cop in range(COPS):
        edges.add((study0 + rng.randrange(STUDIES), cop0 + cop))
    sides = (
        [org_side[o] for o in employer]
        + [network.RESEARCH] * STUDIES
        + org_side
        + [network.PRACTICE] * COPS
    )
    return n, sorted(edges), sides


def top(values: list[float], k: int = TOP) -> set[int]:
    return set(heapq.nlargest(k, range(len(values)), key=values.__getitem__))


def reference(n: int, edges: list[tuple[int, int]], seed: int) -> tuple[list[float], float]:
    sources = random.Random(seed).sample(range(n), REFERENCE_SOURCES)
    started = time.perf_counter()
    graph = igraph.Graph(n=n, edges=edges)
    raw = graph.betweenness(directed=False, sources=sources)
    values = [x * n / REFERENCE_SOURCES for x in raw]
    return values, time.perf_counter() - started


def main() -> None:
    second = "--no-second-reference" not in sys.argv
    started = time.perf_counter()
    n, edges, sides = synthetic()
    print(
        f"synthetic graph: {n:,} nodes, {len(edges):,} edges "
        f"(built in {time.perf_counter() - started:.1f} s, seed {SEED})"
    )

    ref, ref_seconds = reference(n, edges, seed=1)
    print(f"reference, igraph {REFERENCE_SOURCES} sources: {ref_seconds:.2f} s")

    started = time.perf_counter()
    ours = network.betweenness(n, edges)
    ours_seconds = time.perf_counter() - started
    print(
        f"ours, {ours.sources} sources in batches of {network.BATCH} with standard errors: "
        f"{ours_seconds:.2f} s"
    )
    ratio = ref_seconds / ours_seconds
    overlap = len(top(ours.values) & top(ref))
    print(f"ratio reference / ours: {ratio:.1f}x")
    print(f"top {TOP} by betweenness: {overlap} of the reference's in ours")
    # How sure ours is of its top 50: the median relative standard error among them.
    errors = sorted(ours.errors[v] / ours.values[v] for v in top(ours.values) if ours.values[v])
    median_error = errors[len(errors) // 2] if errors else 0.0
    print(f"ours: median relative standard error over its top {TOP}: {median_error:.0%}")

    floor = None
    if second:
        ref2, ref2_seconds = reference(n, edges, seed=2)
        floor = len(top(ref2) & top(ref))
        print(
            f"second reference ({ref2_seconds:.2f} s): {floor} of the first reference's top "
            f"{TOP} in its own"
        )

    started = time.perf_counter()
    broker = network.brokerage(sides, edges)
    brokerage_seconds = time.perf_counter() - started
    print(
        f"brokerage (all roles, all nodes): {brokerage_seconds:.2f} s; "
        f"largest cross-side count {max(broker.cross_side):,}"
    )

    nodes = [network.Node(f"n:{i}", "person", str(i), side) for i, side in enumerate(sides)]
    graph = network.Graph(nodes, edges)
    started = time.perf_counter()
    graph.version  # noqa: B018 - timed: what the page pays when the data has not changed
    version_seconds = time.perf_counter() - started
    print(f"data version hash (the page's cost on a cache hit): {version_seconds:.2f} s")

    print(
        json.dumps(
            {
                "nodes": n,
                "edges": len(edges),
                "reference_seconds": round(ref_seconds, 2),
                "ours_seconds": round(ours_seconds, 2),
                "ratio": round(ratio, 2),
                "ours_sources": ours.sources,
                "top50_overlap_with_reference": overlap,
                "top50_overlap_second_reference": floor,
                "ours_median_relative_error_top50": round(median_error, 3),
                "brokerage_seconds": round(brokerage_seconds, 2),
                "version_hash_seconds": round(version_seconds, 2),
                "cpus": os.cpu_count(),
            }
        )
    )


if __name__ == "__main__":
    main()
