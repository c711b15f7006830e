"""The collaboration network: people, studies, organisations and communities of practice.

**Nodes**: registry people, studies, organisations, and communities of practice (CoPs).

**Edges** (undirected, unweighted; two nodes joined by several relations get one edge, and the
relations are listed on it):

- person - study: every role assignment (any role, ended ones included: the network is the
  collaboration's history, not a snapshot), every secondment, and a placement's study;
- person - organisation: the person's organisation (employer), a secondment's home
  organisation, a placement's host organisation and its academic affiliation;
- study - organisation: the study's partner organisations;
- CoP - study: a study's community;
- person - CoP: a person who led one of the community's activities, and a current member of
  the community (an active associate whose email address is a registry person's; associates
  who are not in the registry are not in the network).

**Sides** (for brokerage between research and practice): universities are on the research side
and every other kind of organisation on the practice side; studies are on the research side and
CoPs on the practice side; a person takes the side of their organisation, or, without one, the
side most of their roles are on (research roles: chief investigator, researcher, implementation
researcher, researcher in residence; practice roles: diffusion fellow, clinician, manager,
commissioner, service user, carer). A person with neither (or as many of each) is unassigned:
unassigned nodes broker nothing and pairs with an unassigned end are not counted.

**Scores** of each node v:

- *betweenness*: the number of shortest paths between other pairs of nodes that pass through v
  (Brandes; a pair with several shortest paths counts each in proportion), shown as a share of
  all pairs of other nodes. Exact up to `EXACT_LIMIT` nodes; above that it is estimated from
  `SAMPLE_SOURCES` source nodes drawn with a fixed seed, scaled by n / k, and the estimate's
  standard error (from the spread between batches of sources) is kept with it.
- *brokerage* (Gould and Fernandez 1989, for an undirected network with two groups): every pair
  of v's neighbours that are not joined to each other is a pair v brokers. With a, c the ends:
  *coordinator* (a, c and v all on one side), *itinerant* (a and c on one side, v on the
  other), *gatekeeper or representative* (a and c on different sides: one shares v's side;
  with undirected ties the two roles cannot be told apart). The *cross-side brokerage* count is
  the number of brokered pairs whose ends are on different sides: the gatekeeper and
  representative pairs (liaison needs three groups, so with two sides it is always 0).

Results are stored in `NetworkSnapshot`, keyed by a hash of the nodes, sides and edges (the
data version): the scheduler job ("collaboration network"), the task `analyse_network`
(`tasks.py`, queued by managers from the page) and `coproduce analysenetwork` compute only when
the graph has changed. Each run also stores what the page shows (`page_data`: the summary and,
for every ranking and kind, the top `max(SIZES)` node ids with their scores and the links among
them), so the page reads one row and looks up the names of the nodes it lists: it never builds
the graph.
"""

from __future__ import annotations

import hashlib
import math
import random
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Q, Subquery
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from coproduce.community.models import Activity, Associate, CommunityOfPractice, Membership
from coproduce.registry.models import (
    Organisation,
    Person,
    Placement,
    RoleAssignment,
    Secondment,
    Study,
)

RESEARCH = "research"
PRACTICE = "practice"
UNASSIGNED = ""
SIDE_LABELS = {RESEARCH: "Research", PRACTICE: "Practice", UNASSIGNED: "Unassigned"}

KIND_LABELS = {
    "person": "Person",
    "study": "Study",
    "organisation": "Organisation",
    "cop": "Community of practice",
}

EXACT_LIMIT = 3000  # nodes: exact betweenness below this (well under a second with igraph)
SAMPLE_SOURCES = 64  # sources for the estimate above it (the bench's reference uses 256)
BATCH = 16  # sources per batch: the standard error comes from the spread between batches
SEED = 8

Role = RoleAssignment.Role
RESEARCH_ROLES = frozenset(
    {Role.CHIEF_INVESTIGATOR, Role.RESEARCHER, Role.IMPLEMENTATION_RESEARCHER}
    | {Role.RESEARCHER_IN_RESIDENCE}
)
PRACTICE_ROLES = frozenset(
    {Role.DIFFUSION_FELLOW, Role.CLINICIAN, Role.MANAGER, Role.COMMISSIONER}
    | {Role.SERVICE_USER, Role.CARER}
)


def organisation_side(kind: str) -> str:
    return RESEARCH if kind == Organisation.Kind.UNIVERSITY else PRACTICE


# --- the graph ---------------------------------------------------------------------------------


@dataclass
class Node:
    id: str  # "person:12", "study:3", "organisation:5", "cop:2"
    kind: str
    label: str
    side: str = UNASSIGNED
    url: str = ""

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def side_label(self) -> str:
        return SIDE_LABELS[self.side]


@dataclass
class Graph:
    nodes: list[Node]
    edges: list[tuple[int, int]]  # indices into nodes, a < b, no repeats
    relations: dict[tuple[int, int], list[str]] = field(default_factory=dict)

    @property
    def version(self) -> str:
        """Changes whenever a node, a side or an edge does (not when a name does)."""
        digest = hashlib.sha256()
        for node in self.nodes:
            digest.update(f"{node.id}|{node.side}\n".encode())
        digest.update(b"--\n")
        for a, b in sorted(self.edges):
            digest.update(f"{self.nodes[a].id}|{self.nodes[b].id}\n".encode())
        return digest.hexdigest()


class _Builder:
    def __init__(self) -> None:
        self.nodes: list[Node] = []
        self.index: dict[str, int] = {}
        self.relations: dict[tuple[int, int], list[str]] = defaultdict(list)

    def add(self, node: Node) -> None:
        if node.id not in self.index:
            self.index[node.id] = len(self.nodes)
            self.nodes.append(node)

    def link(self, a: str, b: str, relation: str) -> None:
        if a not in self.index or b not in self.index or a == b:
            return
        i, j = sorted((self.index[a], self.index[b]))
        if relation not in self.relations[(i, j)]:
            self.relations[(i, j)].append(relation)

    def graph(self) -> Graph:
        """Without nodes that have no edge: they are in nobody's network."""
        used = sorted({i for pair in self.relations for i in pair})
        renumber = {old: new for new, old in enumerate(used)}
        relations = {(renumber[a], renumber[b]): kinds for (a, b), kinds in self.relations.items()}
        return Graph([self.nodes[i] for i in used], sorted(relations), relations)


def build() -> Graph:
    """The network from the database: eleven queries, whatever its size."""
    b = _Builder()
    for pk, title, slug in Study.objects.order_by("pk").values_list("pk", "title", "slug"):
        url = reverse("implementation:study", args=[slug])
        b.add(Node(f"study:{pk}", "study", title, RESEARCH, url))
    for pk, name, kind in Organisation.objects.order_by("pk").values_list("pk", "name", "kind"):
        b.add(Node(f"organisation:{pk}", "organisation", name, organisation_side(kind)))
    for pk, name, slug, study_id in CommunityOfPractice.objects.order_by("pk").values_list(
        "pk", "name", "slug", "study_id"
    ):
        url = reverse("community_staff:cop", args=[slug])
        b.add(Node(f"cop:{pk}", "cop", name, PRACTICE, url))
        if study_id:
            b.link(f"cop:{pk}", f"study:{study_id}", "Community of the study")

    roles: dict[int, list[str]] = defaultdict(list)
    role_rows = list(RoleAssignment.objects.order_by().values_list("person_id", "study_id", "role"))
    for person_id, _, role in role_rows:
        roles[person_id].append(role)
    for pk, name, org_id, org_kind in Person.objects.order_by("pk").values_list(
        "pk", "full_name", "organisation_id", "organisation__kind"
    ):
        if org_id:
            side = organisation_side(org_kind)
        else:
            research = sum(role in RESEARCH_ROLES for role in roles[pk])
            practice = sum(role in PRACTICE_ROLES for role in roles[pk])
            side = RESEARCH if research > practice else PRACTICE if practice > research else ""
        b.add(Node(f"person:{pk}", "person", name, side))
        if org_id:
            b.link(f"person:{pk}", f"organisation:{org_id}", "Works at")

    labels = dict(Role.choices)
    for person_id, study_id, role in role_rows:
        b.link(f"person:{person_id}", f"study:{study_id}", str(labels.get(role, role)))
    for person_id, study_id, home_id in Secondment.objects.order_by().values_list(
        "person_id", "study_id", "home_organisation_id"
    ):
        b.link(f"person:{person_id}", f"study:{study_id}", "Seconded to")
        b.link(f"person:{person_id}", f"organisation:{home_id}", "Seconded from")
    for person_id, host_id, academic_id, study_id in Placement.objects.order_by().values_list(
        "person_id", "host_organisation_id", "academic_affiliation_id", "study_id"
    ):
        b.link(f"person:{person_id}", f"organisation:{host_id}", "In residence at")
        b.link(f"person:{person_id}", f"organisation:{academic_id}", "Academic affiliation")
        if study_id:
            b.link(f"person:{person_id}", f"study:{study_id}", "In residence for")
    for study_id, org_id in Study.partners.through.objects.order_by().values_list(
        "study_id", "organisation_id"
    ):
        b.link(f"study:{study_id}", f"organisation:{org_id}", "Partner")
    for cop_id, person_id in (
        Activity.objects.filter(lead_person__isnull=False)
        .order_by()
        .values_list("cop_id", "lead_person_id")
        .distinct()
    ):
        b.link(f"person:{person_id}", f"cop:{cop_id}", "Led an activity")
    # Addresses are stored lower case on both sides; lower(email) is what the unique index on
    # people covers, so PostgreSQL looks each one up instead of scanning every person per row.
    same_email = (
        Person.objects.annotate(email_ci=Lower("email"))
        .filter(email_ci=OuterRef("associate__email"))
        .exclude(email="")
        .order_by()
    )
    members = (
        Membership.objects.filter(left__isnull=True, associate__status=Associate.Status.ACTIVE)
        .filter(~Q(associate__email=None) & ~Q(associate__email=""))
        .annotate(person_id=Subquery(same_email.values("pk")[:1]))
        .filter(person_id__isnull=False)
        .order_by()
        .values_list("cop_id", "person_id")
    )
    for cop_id, person_id in members:
        b.link(f"person:{person_id}", f"cop:{cop_id}", "Member")
    return b.graph()


# --- the analytics -----------------------------------------------------------------------------


@dataclass
class Betweenness:
    values: list[float]  # per node; estimated when sources < n
    errors: list[float]  # standard error per node (0 when exact)
    sources: int  # how many sources: n when exact
    exact: bool


def betweenness(
    n: int,
    edges: Sequence[tuple[int, int]],
    *,
    exact_limit: int = EXACT_LIMIT,
    samples: int = SAMPLE_SOURCES,
    batch: int = BATCH,
    seed: int = SEED,
) -> Betweenness:
    """Exact betweenness for small graphs; above `exact_limit`, estimated from `samples` sources.

    The estimate samples source nodes uniformly without replacement (fixed seed), runs Brandes'
    single-source dependency accumulation from each (igraph), and scales the sum by n / k. The
    sources are run in batches of `batch`; the spread of the batch estimates gives each node's
    standard error, which the page shows with the score. Counts pairs once (undirected).
    """
    import igraph

    graph = igraph.Graph(n=n, edges=list(edges))
    if n <= exact_limit:
        values = [float(x) for x in graph.betweenness(directed=False)]
        return Betweenness(values, [0.0] * n, n, True)
    order = list(range(n))
    random.Random(seed).shuffle(order)  # noqa: S311 - a reproducible sample, not a secret
    k = min(samples, n)
    batches = [order[i : i + batch] for i in range(0, k, batch)]
    total = [0.0] * n
    squares = [0.0] * n
    for sources in batches:
        scale = n / len(sources)
        for v, x in enumerate(graph.betweenness(directed=False, sources=sources)):
            if x:
                y = x * scale
                total[v] += y
                squares[v] += y * y
    j = len(batches)
    means = [t / j for t in total]
    if j > 1:
        errors = [
            math.sqrt(max(q / j - m * m, 0.0) / (j - 1))
            for q, m in zip(squares, means, strict=True)
        ]
    else:
        errors = [0.0] * n
    return Betweenness(means, errors, k, False)


@dataclass
class Brokerage:
    coordinator: list[int]
    itinerant: list[int]
    gatekeeper: list[int]  # gatekeeper or representative: ends on different sides
    liaison: list[int]  # always 0 with two sides; kept to name all of Gould and Fernandez's roles

    @property
    def cross_side(self) -> list[int]:
        return [g + li for g, li in zip(self.gatekeeper, self.liaison, strict=True)]


def brokerage(sides: Sequence[str], edges: Iterable[tuple[int, int]]) -> Brokerage:
    """Gould-Fernandez brokerage counts per node of an undirected graph with sides.

    For v, a pair of neighbours (a, c) not joined to each other is brokered by v. Rather than
    look at every pair of neighbours (a hub has millions), count all pairs by the sides of
    their ends from v's neighbour counts, and take away the joined ones: each edge (a, c) is
    closed by every common neighbour of a and c (a triangle).
    """
    n = len(sides)
    adjacency: list[set[int]] = [set() for _ in range(n)]
    for a, c in edges:
        if a != c:
            adjacency[a].add(c)
            adjacency[c].add(a)
    # Joined pairs of neighbours of v, by the sides of the ends: same side / different sides.
    joined_same: list[dict[str, int]] = [defaultdict(int) for _ in range(n)]
    joined_cross = [0] * n
    for a in range(n):
        side_a = sides[a]
        if not side_a:
            continue
        for c in adjacency[a]:
            if c <= a or not sides[c]:
                continue
            for v in adjacency[a] & adjacency[c]:
                if sides[c] == side_a:
                    joined_same[v][side_a] += 1
                else:
                    joined_cross[v] += 1
    coordinator, itinerant, gatekeeper = [0] * n, [0] * n, [0] * n
    for v in range(n):
        side = sides[v]
        if not side:
            continue
        counts: dict[str, int] = defaultdict(int)
        for u in adjacency[v]:
            if sides[u]:
                counts[sides[u]] += 1
        for group, count in counts.items():
            unjoined = count * (count - 1) // 2 - joined_same[v][group]
            if group == side:
                coordinator[v] = unjoined
            else:
                itinerant[v] += unjoined
        groups = sorted(counts)
        cross_pairs = sum(
            counts[g] * counts[h] for i, g in enumerate(groups) for h in groups[i + 1 :]
        )
        gatekeeper[v] = cross_pairs - joined_cross[v]
    return Brokerage(coordinator, itinerant, gatekeeper, [0] * n)


@dataclass
class Analysis:
    """Scores per node id, as cached."""

    scores: dict[str, dict[str, float]]
    nodes: int
    edges: int
    sources: int
    exact: bool
    seconds: float

    def as_json(self) -> dict[str, Any]:
        return {
            "scores": self.scores,
            "nodes": self.nodes,
            "edges": self.edges,
            "sources": self.sources,
            "exact": self.exact,
            "seconds": self.seconds,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Analysis:
        return cls(**data)

    @property
    def method(self) -> str:
        if self.exact:
            return "exact betweenness"
        return (
            f"betweenness estimated from {self.sources} of {self.nodes} source nodes "
            "(standard errors shown)"
        )


def analyse(graph: Graph) -> Analysis:
    started = time.perf_counter()
    n = len(graph.nodes)
    between = betweenness(n, graph.edges)
    broker = brokerage([node.side for node in graph.nodes], graph.edges)
    pairs = (n - 1) * (n - 2) / 2 if n > 2 else 1
    scores = {
        node.id: {
            "b": round(100 * between.values[i] / pairs, 4),
            "e": round(100 * between.errors[i] / pairs, 4),
            "coordinator": broker.coordinator[i],
            "itinerant": broker.itinerant[i],
            "cross": broker.cross_side[i],
            "degree": 0,
        }
        for i, node in enumerate(graph.nodes)
    }
    for a, b in graph.edges:
        scores[graph.nodes[a].id]["degree"] += 1
        scores[graph.nodes[b].id]["degree"] += 1
    return Analysis(
        scores,
        n,
        len(graph.edges),
        between.sources,
        between.exact,
        round(time.perf_counter() - started, 3),
    )


# --- the cache ---------------------------------------------------------------------------------


def cached(graph: Graph) -> Analysis:
    """The analysis of this graph: from the cache if its version is there, else computed (and
    stored with what the page shows)."""
    from coproduce.implementation.models import NetworkSnapshot

    version = graph.version
    snapshot = NetworkSnapshot.objects.filter(version=version).only("payload").first()
    if snapshot is not None:
        return Analysis.from_json(snapshot.payload)
    analysis = analyse(graph)
    try:
        with transaction.atomic():
            NetworkSnapshot.objects.create(
                version=version,
                payload=analysis.as_json(),
                page=page_data(graph, analysis),
                checked_at=timezone.now(),
            )
            NetworkSnapshot.objects.exclude(version=version).delete()
    except IntegrityError:  # computed at the same time elsewhere: theirs is the same
        pass
    return analysis


def refresh() -> str:
    """Scheduler job and task: compute the analysis when the data has changed since the last
    one; otherwise note the check (and fill in the page's figures of a run stored before they
    were kept)."""
    from coproduce.implementation.models import NetworkSnapshot

    graph = build()
    stored = NetworkSnapshot.objects.filter(version=graph.version)
    snapshot = stored.only("pk", "page").first()
    if snapshot is None:
        cached(graph)
        return "computed"
    if not snapshot.page:
        payload = stored.values_list("payload", flat=True).get()
        page = page_data(graph, Analysis.from_json(payload))
        stored.update(page=page, checked_at=timezone.now())
        return "stored"
    stored.update(checked_at=timezone.now())
    return "unchanged"


def page_data(graph: Graph, analysis: Analysis) -> dict[str, Any]:
    """What the page shows, for every ranking and kind: the top `max(SIZES)` node ids (a smaller
    size is a prefix), their scores and sides, and the links among each list (positions in it).
    A few hundred nodes whatever the network's size; names are looked up when shown."""
    top = max(SIZES)
    index_of = {node.id: i for i, node in enumerate(graph.nodes)}
    lists: dict[str, list[str]] = {}
    for order in ORDERS:
        for kind in KIND_FILTERS:
            rows = ranked(graph, analysis, order=order, kind=kind, size=top)
            lists[f"{order}:{kind}"] = [row.node.id for row in rows]
    shown = {index_of[node_id] for ids in lists.values() for node_id in ids}
    among = [(a, b) for a, b in graph.edges if a in shown and b in shown]
    stored: dict[str, Any] = {}
    for key, ids in lists.items():
        position = {index_of[node_id]: i for i, node_id in enumerate(ids)}
        links = [[position[a], position[b]] for a, b in among if a in position and b in position]
        stored[key] = {"ids": ids, "links": links}
    scores = {
        graph.nodes[i].id: {**analysis.scores[graph.nodes[i].id], "side": graph.nodes[i].side}
        for i in sorted(shown)
    }
    return {
        "nodes": analysis.nodes,
        "edges": analysis.edges,
        "sources": analysis.sources,
        "exact": analysis.exact,
        "seconds": analysis.seconds,
        "method": analysis.method,
        "scores": scores,
        "lists": stored,
    }


@dataclass
class StoredView:
    """The page's view of the last stored run: rows and links for one ranking, kind and size."""

    rows: list[Row]
    links: list[tuple[int, int]]
    summary: dict[str, Any]


def _names(ids: Iterable[str]) -> dict[str, tuple[str, str]]:
    """Current name and link of each node id: one query per kind present (at most four)."""
    wanted: dict[str, list[int]] = defaultdict(list)
    for node_id in ids:
        kind, _, key = node_id.partition(":")
        wanted[kind].append(int(key))
    found: dict[str, tuple[str, str]] = {}
    if wanted["person"]:
        for pk, name in Person.objects.filter(pk__in=wanted["person"]).values_list(
            "pk", "full_name"
        ):
            found[f"person:{pk}"] = (name, "")
    if wanted["study"]:
        for pk, title, slug in Study.objects.filter(pk__in=wanted["study"]).values_list(
            "pk", "title", "slug"
        ):
            found[f"study:{pk}"] = (title, reverse("implementation:study", args=[slug]))
    if wanted["organisation"]:
        for pk, name in Organisation.objects.filter(pk__in=wanted["organisation"]).values_list(
            "pk", "name"
        ):
            found[f"organisation:{pk}"] = (name, "")
    if wanted["cop"]:
        for pk, name, slug in CommunityOfPractice.objects.filter(pk__in=wanted["cop"]).values_list(
            "pk", "name", "slug"
        ):
            found[f"cop:{pk}"] = (name, reverse("community_staff:cop", args=[slug]))
    return found


def stored_view(page: dict[str, Any], *, order: str, kind: str, size: int) -> StoredView:
    """Rows for the page from a stored run's `page_data`, with today's names. A node deleted
    since the run is left out (and the rest renumbered); a name changed since shows as it is now.
    """
    chosen = page["lists"][f"{order}:{kind}"]
    ids = chosen["ids"][:size]
    names = _names(ids)
    rows: list[Row] = []
    position: dict[int, int] = {}
    for old, node_id in enumerate(ids):
        if node_id not in names:
            continue
        label, url = names[node_id]
        score = dict(page["scores"][node_id])
        side = score.pop("side", UNASSIGNED)
        node = Node(node_id, node_id.partition(":")[0], label, side, url)
        position[old] = len(rows)
        rows.append(Row(len(rows) + 1, len(rows), node, score))
    links = [
        (position[a], position[b]) for a, b in chosen["links"] if a in position and b in position
    ]
    summary = {key: page[key] for key in ("nodes", "edges", "sources", "exact", "seconds")}
    summary["method"] = page["method"]
    return StoredView(rows, links, summary)


# --- the page ----------------------------------------------------------------------------------

ORDERS = {"betweenness": "Betweenness", "brokerage": "Cross-side brokerage"}
KIND_FILTERS = {"": "All kinds", **KIND_LABELS}
SIZES = (25, 50, 100)


@dataclass(frozen=True)
class Row:
    rank: int
    index: int  # position in the graph view's node list
    node: Node
    score: dict[str, float]


def ranked(
    graph: Graph, analysis: Analysis, *, order: str = "betweenness", kind: str = "", size: int = 50
) -> list[Row]:
    key = "cross" if order == "brokerage" else "b"
    chosen = [
        (node, analysis.scores[node.id])
        for node in graph.nodes
        if (not kind or node.kind == kind) and node.id in analysis.scores
    ]
    chosen.sort(key=lambda pair: (-pair[1][key], -pair[1]["b"], pair[0].label))
    return [
        Row(rank, rank - 1, node, score)
        for rank, (node, score) in enumerate(chosen[:size], start=1)
    ]


KIND_COLOURS = {
    "person": "#005eb8",
    "study": "#007f3b",
    "organisation": "#ffb81c",
    "cop": "#ae2573",
}


def vega_spec(graph: Graph, rows: list[Row], description: str) -> dict[str, Any]:
    """A Vega force-directed layout of the ranked nodes and the edges among them."""
    position = {row.node.id: row.index for row in rows}
    index_of = {node.id: i for i, node in enumerate(graph.nodes)}
    wanted = {index_of[row.node.id] for row in rows}
    links = [
        (position[graph.nodes[a].id], position[graph.nodes[b].id])
        for a, b in graph.edges
        if a in wanted and b in wanted
    ]
    return spec_of(rows, links, description)


def spec_of(rows: list[Row], pairs: list[tuple[int, int]], description: str) -> dict[str, Any]:
    """The Vega spec for rows and the links among them (pairs of row indices)."""
    links = [{"source": a, "target": b} for a, b in pairs]
    nodes = [
        {
            "i": row.index,
            "name": row.node.label,
            "kind": row.node.kind_label,
            "side": row.node.side_label,
            "rank": row.rank,
            "betweenness": row.score["b"],
            "cross": int(row.score["cross"]),
        }
        for row in rows
    ]
    kinds = list(KIND_LABELS.values())
    return {
        "$schema": "https://vega.github.io/schema/vega/v5.json",
        "description": description,
        "width": 640,
        "height": 480,
        "padding": 4,
        "autosize": "none",
        "signals": [
            {"name": "cx", "update": "width / 2"},
            {"name": "cy", "update": "height / 2"},
            {"name": "selected", "value": -1},
            {
                "name": "fix",
                "value": False,
                "on": [
                    {
                        "events": "symbol:pointerout[!event.buttons], window:pointerup",
                        "update": "false",
                    },
                    {"events": "symbol:pointerover", "update": "fix || true"},
                    {
                        "events": "[symbol:pointerdown, window:pointerup] > window:pointermove!",
                        "update": "xy()",
                        "force": True,
                    },
                ],
            },
            {
                "name": "node",
                "value": None,
                "on": [{"events": "symbol:pointerover", "update": "fix === true ? item() : node"}],
            },
            {
                "name": "restart",
                "value": False,
                "on": [{"events": {"signal": "fix"}, "update": "fix && fix.length"}],
            },
            {
                "name": "picked",
                "value": -1,
                "on": [{"events": "symbol:click", "update": "datum.i"}],
            },
        ],
        "data": [
            {"name": "node-data", "values": nodes},
            {"name": "link-data", "values": links},
        ],
        "scales": [
            {
                "name": "colour",
                "type": "ordinal",
                "domain": kinds,
                "range": [KIND_COLOURS[k] for k in KIND_LABELS],
            },
            {
                "name": "size",
                "type": "sqrt",
                "domain": {"data": "node-data", "field": "betweenness"},
                "range": [60, 600],
                "zero": True,
            },
        ],
        "legends": [
            {"fill": "colour", "title": "Kind", "orient": "top-left", "symbolType": "circle"}
        ],
        "marks": [
            {
                "type": "path",
                "from": {"data": "link-data"},
                "interactive": False,
                # The table beside the graph is its accessible form: marks stay out of the tree.
                "aria": False,
                "encode": {
                    "update": {
                        "stroke": {
                            "signal": "datum.source.i === selected || datum.target.i === selected"
                            " ? '#212b32' : '#aeb7bd'"
                        },
                        "strokeWidth": {
                            "signal": "datum.source.i === selected || datum.target.i === selected"
                            " ? 2 : 1"
                        },
                    }
                },
                "transform": [
                    {
                        "type": "linkpath",
                        "require": {"signal": "force"},
                        "shape": "line",
                        "sourceX": "datum.source.x",
                        "sourceY": "datum.source.y",
                        "targetX": "datum.target.x",
                        "targetY": "datum.target.y",
                    }
                ],
            },
            {
                "name": "nodes",
                "type": "symbol",
                "zindex": 1,
                "aria": False,
                "from": {"data": "node-data"},
                "on": [
                    {
                        "trigger": "fix",
                        "modify": "node",
                        "values": "fix === true ? {fx: node.x, fy: node.y} : "
                        "{fx: fix[0], fy: fix[1]}",
                    },
                    {"trigger": "!fix", "modify": "node", "values": "{fx: null, fy: null}"},
                ],
                "encode": {
                    "enter": {
                        "fill": {"scale": "colour", "field": "kind"},
                        "tooltip": {
                            "signal": "{title: datum.name, 'Kind': datum.kind, 'Side': datum.side,"
                            " 'Rank': datum.rank, 'Betweenness (%)': datum.betweenness,"
                            " 'Cross-side brokerage': datum.cross}"
                        },
                    },
                    "update": {
                        "size": {"scale": "size", "field": "betweenness"},
                        "stroke": {"signal": "datum.i === selected ? '#212b32' : '#ffffff'"},
                        "strokeWidth": {"signal": "datum.i === selected ? 4 : 1"},
                        "cursor": {"value": "pointer"},
                    },
                },
                "transform": [
                    {
                        "type": "force",
                        "iterations": 300,
                        "restart": {"signal": "restart"},
                        "static": True,
                        "signal": "force",
                        "forces": [
                            {"force": "center", "x": {"signal": "cx"}, "y": {"signal": "cy"}},
                            {"force": "collide", "radius": 14},
                            {"force": "nbody", "strength": -40},
                            {"force": "link", "links": "link-data", "distance": 50},
                        ],
                    }
                ],
            },
        ],
    }
