"""Metrics on small graphs whose answers are known, and their storage as data."""

from __future__ import annotations

import warnings

import networkx as nx
import pyoxigraph as ox
import pytest

from graph.store import Store
from tests.support.graphs import NOW, iri
from visualisations.metrics import (
    betweenness,
    communities,
    compute,
    metrics_graph,
    participation,
    write_metrics,
)
from visualisations.table import load_table


def two_cliques_and_a_bridge() -> nx.Graph:
    """Two 4-cliques of organisations, each also using its own tool, and tool ``t`` used by
    two organisations of each clique."""
    g = nx.Graph()
    for side in "ab":
        members = [f"{side}{i}" for i in range(4)]
        for m in members:
            g.add_node(m, kind="organisation")
        g.add_edges_from((x, y, {"weight": 3}) for i, x in enumerate(members)
                         for y in members[i + 1:])
        g.add_node(f"own-{side}", kind="software")
        g.add_edges_from((f"own-{side}", m, {"weight": 1}) for m in members)
    g.add_node("t", kind="software")
    g.add_edges_from([("t", "a0", {"weight": 1}), ("t", "a1", {"weight": 1}),
                      ("t", "b0", {"weight": 1}), ("t", "b1", {"weight": 1})])
    return g


def test_louvain_finds_the_two_cliques_deterministically() -> None:
    g = two_cliques_and_a_bridge()
    first = communities(g, seed=1)
    assert len(set(first.values())) == 2
    assert len({first[f"a{i}"] for i in range(4)} | {first["own-a"]}) == 1
    assert len({first[f"b{i}"] for i in range(4)} | {first["own-b"]}) == 1
    assert first["a0"] != first["b0"]
    assert communities(g, seed=1) == first
    shuffled = nx.Graph()
    shuffled.add_nodes_from(reversed(list(g.nodes(data=True))))
    shuffled.add_edges_from(reversed(list(g.edges(data=True))))
    assert communities(shuffled, seed=1) == first  # node order does not matter


def test_participation_and_bridging() -> None:
    g = two_cliques_and_a_bridge()
    m = compute(g, seed=1)
    assert m.participation["t"] == pytest.approx(0.5)  # 2 ties in each community
    assert m.participation["own-a"] == pytest.approx(0.0)
    assert m.bridging == ["t"]  # organisations never count as bridging tools
    assert m.degree["t"] == 4 and m.weighted_degree["a0"] == 3 * 3 + 1 + 1


def test_betweenness_exact_and_sampled() -> None:
    path = nx.path_graph(["x", "y", "z"])
    assert betweenness(path) == {"x": 0.0, "y": 1.0, "z": 0.0}
    star = nx.star_graph(300)
    sampled = betweenness(star, k=50, seed=3)
    assert sampled[0] == pytest.approx(1.0, rel=0.05)
    assert betweenness(star, k=50, seed=3) == sampled
    assert compute(star, betweenness_k=50).parameters["betweenness_sampled"] is True


def test_participation_of_an_isolated_node_is_absent() -> None:
    g = nx.Graph()
    g.add_node("alone")
    assert participation(g, {"alone": 0}) == {}


def test_write_metrics_stores_a_public_named_graph(tiny: Store) -> None:
    graph, _m = write_metrics(tiny, "tool-tool", seed=3, now=NOW)
    assert graph == metrics_graph("tool-tool")
    mailman = iri("software", "mailman")
    rows = {row["p"].value.rsplit("#", 1)[-1]: row["o"] for row in tiny.query(
        f"SELECT ?p ?o WHERE {{ GRAPH <{graph}> {{ <{mailman}> ?p ?o }} }}")}
    assert rows["degree"].value == "2" and float(rows["weightedDegree"].value) == 3.0
    assert float(rows["betweenness"].value) == 1.0
    ended = next(iter(tiny.query(
        f"SELECT ?t WHERE {{ GRAPH <{graph}> {{ <{graph}#run> "
        f"<http://www.w3.org/ns/prov#endedAtTime> ?t }} }}")))["t"]
    assert isinstance(ended, ox.Literal) and ended.value.startswith("2026-11-29T12:00:00")
    assert graph in [g for g in tiny.graphs()]
    from graph.privacy.access import is_public

    assert is_public(tiny, graph)


def test_stored_communities_reach_the_table(tiny: Store) -> None:
    write_metrics(tiny, "org-tool", seed=3, now=NOW)
    table = load_table(tiny)
    assert set(table.communities) == {iri("org", x) for x in "abcd"}
    assert all(v.isdigit() for v in table.communities.values())


def test_the_metrics_graph_description_conforms_to_the_meta_shapes(tiny: Store) -> None:
    import pyshacl
    import rdflib

    from graph.namespaces import META_GRAPH
    from graph.vocabulary import shapes_path

    graph, _ = write_metrics(tiny, "org-tool", now=NOW)
    data = rdflib.Graph()
    for row in tiny.query(f"SELECT ?p ?o WHERE {{ GRAPH <{META_GRAPH}> {{ <{graph}> ?p ?o }} }}"):
        data.parse(data=f"<{graph}> {row['p']} {row['o']} .", format="nt")
    assert len(data) >= 9
    with warnings.catch_warnings():  # rdflib's own deprecations inside pyshacl
        warnings.simplefilter("ignore", DeprecationWarning)
        conforms, _, report = pyshacl.validate(data, shacl_graph=str(shapes_path("meta")),
                                               inference="none")
    assert conforms, report
