"""The collaboration network: brokerage and betweenness against hand-worked values, the graph
built from the registry, the cache, and the page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coproduce.implementation import network
from coproduce.implementation.models import NetworkSnapshot
from coproduce.registry.models import Organisation
from tests import factories

R, P, U = network.RESEARCH, network.PRACTICE, network.UNASSIGNED

# Drawn by hand:
#
#   4(R) --- 0(R) --- 6(unassigned)
#    |      / | \
#    |   2(P) |  3(R)
#    |      \ | / |
#    |       1(P) |
#   5(P) ---------+   (5 is joined to 3 and to 4)
#
SIDES = [R, P, P, R, R, P, U]
EDGES = [(0, 1), (0, 2), (0, 3), (0, 4), (1, 2), (1, 3), (3, 5), (4, 5), (0, 6)]

# Worked out pair by pair (only pairs of neighbours NOT joined to each other count; pairs with
# the unassigned node 6 at an end do not count; unassigned 6 brokers nothing):
# 0 (R), neighbours 1P 2P 3R 4R: {1,2} joined, {1,3} joined, {1,4} {2,3} {2,4} cross,
#   {3,4} both research like 0: coordinator.                      -> coord 1, itin 0, cross 3
# 1 (P), neighbours 0R 2P 3R: {0,2} joined, {0,3} joined, {2,3} cross  -> 0, 0, 1
# 2 (P), neighbours 0R 1P: joined                                       -> 0, 0, 0
# 3 (R), neighbours 0R 1P 5P: {0,1} joined, {0,5} cross, {1,5} both practice: itinerant
#                                                                       -> 0, 1, 1
# 4 (R), neighbours 0R 5P: {0,5} cross                                  -> 0, 0, 1
# 5 (P), neighbours 3R 4R: both research, unlike 5: itinerant           -> 0, 1, 0
EXPECTED = {
    0: (1, 0, 3),
    1: (0, 0, 1),
    2: (0, 0, 0),
    3: (0, 1, 1),
    4: (0, 0, 1),
    5: (0, 1, 0),
    6: (0, 0, 0),
}


def test_brokerage_on_a_hand_drawn_graph() -> None:
    result = network.brokerage(SIDES, EDGES)
    got = {
        v: (result.coordinator[v], result.itinerant[v], result.cross_side[v])
        for v in range(len(SIDES))
    }
    assert got == EXPECTED
    assert result.liaison == [0] * len(SIDES)  # two sides: no liaison


def test_brokerage_ignores_repeated_edges_and_direction() -> None:
    doubled = EDGES + [(b, a) for a, b in EDGES]
    assert (
        network.brokerage(SIDES, doubled).cross_side == network.brokerage(SIDES, EDGES).cross_side
    )


def test_betweenness_on_tiny_graphs() -> None:
    # A path 0-1-2-3 with 4 hanging off 1. Through 1: (0,2) (0,3) (0,4) (2,4) (3,4) = 5;
    # through 2: (0,3) (1,3) (3,4) = 3; the ends lie on no one's path.
    path = network.betweenness(5, [(0, 1), (1, 2), (2, 3), (1, 4)])
    assert path.exact
    assert path.values == [0, 5, 3, 0, 0]
    # A square 0-1-2-3-0: opposite corners have two shortest paths, one through each of the
    # other corners, so each corner carries half a path.
    square = network.betweenness(4, [(0, 1), (1, 2), (2, 3), (3, 0)])
    assert square.values == [0.5, 0.5, 0.5, 0.5]


def test_the_estimate_from_every_source_is_exact() -> None:
    edges = [(0, 1), (1, 2), (2, 3), (1, 4), (3, 5), (5, 6), (6, 2)]
    exact = network.betweenness(7, edges)
    sampled = network.betweenness(7, edges, exact_limit=0, samples=7, batch=7)
    assert not sampled.exact
    assert sampled.sources == 7
    assert sampled.values == pytest.approx(exact.values)


def test_the_estimate_is_reproducible_and_keeps_a_standard_error() -> None:
    edges = [(i, (i * 7 + 3) % 200) for i in range(200)] + [(i, i + 1) for i in range(199)]
    first = network.betweenness(200, edges, exact_limit=0, samples=64, batch=16)
    second = network.betweenness(200, edges, exact_limit=0, samples=64, batch=16)
    assert first.values == second.values
    assert first.sources == 64
    assert any(error > 0 for error in first.errors)


@pytest.fixture
def collaboration(study: Any) -> dict[str, Any]:
    uni = factories.OrganisationFactory(name="Uni", kind=Organisation.Kind.UNIVERSITY)
    trust = factories.OrganisationFactory(name="Trust", kind=Organisation.Kind.NHS_TRUST)
    study.partners.set([uni, trust])
    ci = factories.PersonFactory(full_name="Chief", organisation=uni)
    factories.RoleAssignmentFactory(person=ci, study=study, role="chief_investigator")
    fellow = factories.PersonFactory(full_name="Fellow", organisation=None)
    factories.SecondmentFactory(person=fellow, study=study, home_organisation=trust)
    factories.RoleAssignmentFactory(person=fellow, study=study, role="diffusion_fellow")
    return {"study": study, "uni": uni, "trust": trust, "ci": ci, "fellow": fellow}


def test_the_graph_from_the_registry(collaboration: dict[str, Any]) -> None:
    graph = network.build()
    by_id = {node.id: node for node in graph.nodes}
    ci, fellow = collaboration["ci"], collaboration["fellow"]
    study, trust = collaboration["study"], collaboration["trust"]
    assert by_id[f"person:{ci.pk}"].side == R  # from the university
    assert by_id[f"person:{fellow.pk}"].side == P  # no organisation: from the fellow's role
    assert by_id[f"study:{study.pk}"].side == R
    assert by_id[f"organisation:{trust.pk}"].side == P
    index = {node.id: i for i, node in enumerate(graph.nodes)}
    pair = tuple(sorted((index[f"person:{fellow.pk}"], index[f"study:{study.pk}"])))
    assert set(graph.relations[pair]) == {"Seconded to", "Diffusion fellow"}  # one edge
    assert len(graph.edges) == len(set(graph.edges))
    # The fellow brokers the study (research) and the trust (practice)... but the trust is a
    # partner of the study, so they are joined and nothing is brokered on that pair.
    analysis = network.analyse(graph)
    assert analysis.scores[f"person:{fellow.pk}"]["cross"] == 0
    assert analysis.scores[f"study:{study.pk}"]["cross"] > 0


def test_results_are_cached_by_data_version(
    collaboration: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    graph = network.build()
    first = network.cached(graph)
    assert NetworkSnapshot.objects.count() == 1
    calls: list[Any] = []
    monkeypatch.setattr(network, "analyse", lambda g: calls.append(g))
    assert network.cached(network.build()).scores == first.scores
    assert network.refresh() == "unchanged"
    assert calls == []
    # A new role changes the graph: computed again, and only the latest is kept.
    monkeypatch.undo()
    factories.RoleAssignmentFactory(person=collaboration["ci"], study=factories.StudyFactory())
    assert network.refresh() == "computed"
    assert NetworkSnapshot.objects.count() == 1
    assert NetworkSnapshot.objects.get().version == network.build().version


def test_the_network_page_lists_the_nodes_it_draws(
    reader_client: Client, collaboration: dict[str, Any]
) -> None:
    network.refresh()
    response = reader_client.get(reverse("implementation:network"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Boundary spanners" in html
    assert 'id="network-spec"' in html
    rows = response.context["rows"]
    spec = response.context["spec"]
    nodes = spec["data"][0]["values"]
    assert [n["name"] for n in nodes] == [row.node.label for row in rows]
    assert "Fellow" in html
    assert "Chief" in html
    response = reader_client.get(reverse("implementation:network") + "?order=brokerage&kind=person")
    assert {row.node.kind for row in response.context["rows"]} == {"person"}


def _grow(extra: int) -> None:
    trust = Organisation.objects.get(name="Trust")
    for i in range(extra):
        study = factories.StudyFactory()
        study.partners.add(trust)
        person = factories.PersonFactory(full_name=f"Person {i}", organisation=trust)
        factories.RoleAssignmentFactory(person=person, study=study, role="clinician")
        factories.SecondmentFactory(person=person, study=study, home_organisation=trust)
        factories.PlacementFactory(person=person, study=study)


def _never(*args: Any) -> Any:
    raise AssertionError("the page must not build or analyse the graph")


def test_the_page_query_count_does_not_grow(
    manager_client: Client, collaboration: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The stored run, the task's state and one query per kind of node listed (for today's
    names), whatever the size; the page never builds or analyses the graph."""
    urls = [reverse("implementation:network") + query for query in ("", "?order=brokerage")]
    urls.append(reverse("implementation:network") + "?kind=person&size=100")

    def measure() -> list[tuple[int, int]]:
        monkeypatch.setattr(network, "build", _never)
        monkeypatch.setattr(network, "analyse", _never)
        counts = []
        for url in urls:
            with CaptureQueriesContext(connection) as queries:
                response = manager_client.get(url)
            assert response.status_code == 200
            rows = response.context["rows"]
            kinds = len({row.node.kind for row in rows})
            counts.append((len(queries.captured_queries) - kinds, len(rows)))
        monkeypatch.undo()
        return counts

    assert network.refresh() == "computed"
    manager_client.get(urls[0])  # the session's first request
    small = measure()
    _grow(40)
    assert network.refresh() == "computed"
    large = measure()
    assert [queries for queries, _ in large] == [queries for queries, _ in small]
    assert all(
        rows_large > rows_small
        for (_, rows_small), (_, rows_large) in zip(small, large, strict=True)
    )
    # Session, user, second factor, groups, the stored run, the task's state.
    assert small[0][0] <= 6


def test_staff_only(client: Client, collaboration: dict[str, Any]) -> None:
    url = reverse("implementation:network")
    assert client.get(url).status_code == 302
    nobody = factories.UserFactory(username="nobody")
    client.force_login(nobody)
    assert client.get(url).status_code == 403


def test_dates_do_not_matter_to_the_version(collaboration: dict[str, Any]) -> None:
    before = network.build().version
    collaboration["study"].end = dt.date(2040, 1, 1)
    collaboration["study"].save()
    assert network.build().version == before


# --- the stored run, the task and the button --------------------------------------------------


def test_without_a_stored_run_the_page_says_so_and_offers_the_run(
    manager_client: Client, reader_client: Client, collaboration: dict[str, Any]
) -> None:
    url = reverse("implementation:network")
    html = manager_client.get(url).content.decode()
    assert "has not been analysed yet" in html
    assert "Run the analysis</button>" in html
    assert "Boundary spanners" not in html
    html = reader_client.get(url).content.decode()
    assert "has not been analysed yet" in html
    assert "Run the analysis" not in html  # managers only
    assert NetworkSnapshot.objects.count() == 0  # the page computed nothing


def _queued() -> list[str]:
    from django_tasks_db.models import DBTaskResult

    from coproduce.implementation.tasks import analyse_network

    return list(
        DBTaskResult.objects.filter(task_path=analyse_network.module_path).values_list(
            "status", flat=True
        )
    )


def test_only_managers_queue_the_analysis(
    reader_client: Client, member_client: Client, collaboration: dict[str, Any]
) -> None:
    url = reverse("implementation:network")
    assert reader_client.post(url).status_code == 403
    assert member_client.post(url).status_code == 403
    assert _queued() == []


def test_the_button_queues_the_task_and_the_page_then_shows_its_figures(
    manager_client: Client, collaboration: dict[str, Any]
) -> None:
    from django.core.management import call_command

    url = reverse("implementation:network")
    response = manager_client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == url
    html = response.content.decode()
    assert "The network analysis is queued" in html
    assert "Queued</strong>" in html
    assert "Run the analysis</button>" not in html  # not twice
    assert _queued() == ["READY"]
    manager_client.post(url)  # a second press does not queue another
    assert _queued() == ["READY"]

    call_command("db_worker", "--batch", "--queue-name", "*", "--no-reload", verbosity=0)
    assert _queued() == ["SUCCESSFUL"]
    stored = NetworkSnapshot.objects.get()
    assert stored.checked_at is not None
    response = manager_client.get(url)
    html = response.content.decode()
    assert "Queued</strong>" not in html
    assert "Run the analysis again</button>" in html
    assert f"Figures from the analysis of {stored.computed_at:%-d %B %Y}" in html
    # The stored figures are the analysis of the network as it is.
    expected = network.analyse(network.build())
    assert f"{expected.nodes} nodes and {expected.edges} links" in html
    rows = response.context["rows"]
    assert rows
    for row in rows:
        assert row.score["b"] == expected.scores[row.node.id]["b"]
        assert row.score["cross"] == expected.scores[row.node.id]["cross"]
    best = max(expected.scores.values(), key=lambda score: score["b"])["b"]
    assert rows[0].score["b"] == best
    links = response.context["spec"]["data"][1]["values"]
    assert links
    assert all(link["source"] < len(rows) for link in links)


def test_the_stored_run_shows_names_as_they_are_now(
    reader_client: Client, collaboration: dict[str, Any]
) -> None:
    network.refresh()
    url = reverse("implementation:network")
    collaboration["ci"].full_name = "Chief Renamed"
    collaboration["ci"].save()
    html = reader_client.get(url).content.decode()
    assert "Chief Renamed" in html
    # A node deleted since the run is left out of the table and the graph.
    collaboration["uni"].delete()
    response = reader_client.get(url)
    ids = [row.node.id for row in response.context["rows"]]
    assert f"organisation:{collaboration['uni'].pk}" not in ids
    assert [row.rank for row in response.context["rows"]] == list(range(1, len(ids) + 1))
    assert len(response.context["spec"]["data"][0]["values"]) == len(ids)


def test_a_run_stored_before_the_page_figures_is_filled_in(
    reader_client: Client, collaboration: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    network.refresh()
    NetworkSnapshot.objects.update(page={}, checked_at=None)
    url = reverse("implementation:network")
    assert "has not been analysed yet" in reader_client.get(url).content.decode()
    monkeypatch.setattr(network, "analyse", _never)
    assert network.refresh() == "stored"  # from the stored scores, not computed again
    assert "Boundary spanners" in reader_client.get(url).content.decode()
    assert network.refresh() == "unchanged"


def test_the_command_runs_the_analysis(collaboration: dict[str, Any]) -> None:
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("analysenetwork", stdout=out)
    assert "collaboration network: computed" in out.getvalue()
    call_command("analysenetwork", stdout=out)
    assert "collaboration network: unchanged" in out.getvalue()
    assert NetworkSnapshot.objects.get().page["nodes"] > 0


def test_the_clock_queues_the_analysis_when_due_and_never_builds_the_graph(
    collaboration: dict[str, Any], settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from coproduce.comms import scheduler
    from coproduce.implementation import tasks

    def no_build() -> None:
        raise AssertionError("the clock must not build the graph")

    monkeypatch.setattr(network, "build", no_build)
    settings.COPRODUCE_NETWORK_REFRESH_MINUTES = 60
    queued = DBTaskResult.objects.filter(task_path=tasks.analyse_network.module_path)

    # No stored run: queued once, however many ticks pass before the worker takes it.
    assert scheduler.tick()["collaboration network"] == "queued"
    assert scheduler.tick()["collaboration network"] == "already queued"
    assert queued.count() == 1
    queued.delete()

    # A run checked ten minutes ago is not due; one checked two hours ago is.
    monkeypatch.undo()
    network.refresh()
    NetworkSnapshot.objects.update(checked_at=timezone.now() - dt.timedelta(minutes=10))
    monkeypatch.setattr(network, "build", no_build)
    assert tasks.queue_network_run_if_due() == "not due"
    NetworkSnapshot.objects.update(checked_at=timezone.now() - dt.timedelta(hours=2))
    assert tasks.queue_network_run_if_due() == "queued"
    assert queued.count() == 1
