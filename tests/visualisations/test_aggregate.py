"""Fitting a map in the node budget."""

from __future__ import annotations

import networkx as nx

from tests.support.graphs import iri
from visualisations.aggregate import (
    cap_edges,
    choose_key,
    expand_filters,
    group_label,
    group_value,
    prune,
)
from visualisations.filters import Filters
from visualisations.maps import build
from visualisations.table import UsageTable


def test_group_values(tiny_table: UsageTable) -> None:
    assert group_value(tiny_table, iri("org", "a"), "field") == iri("field", "health")
    assert group_value(tiny_table, iri("org", "d"), "dep") == "none"
    assert group_value(tiny_table, iri("org", "b"), "kind") == iri("org-kind", "union")


def test_choose_key_skips_what_cannot_split(tiny_table: UsageTable) -> None:
    orgs = sorted(tiny_table.organisations)
    assert choose_key(tiny_table, Filters(), None, orgs) == "field"  # no stored communities
    assert choose_key(tiny_table, Filters(), "dep", orgs) == "dep"
    health = [iri("org", "a"), iri("org", "c")]
    # a and c share field, kind and département: nothing splits them
    assert choose_key(tiny_table, Filters(), "field", health) is None


def test_expanding_a_group_adds_its_filter() -> None:
    f = expand_filters(Filters(min_weight=2), "group:field:" + iri("field", "health"))
    assert f.fields == (iri("field", "health"),) and f.min_weight == 2
    assert expand_filters(Filters(), "group:dep:93").departements == ("93",)


def test_group_labels() -> None:
    assert group_label("community", "3", "fr", lambda i, lang: i) == "Communauté 3"
    assert group_label("field", "none", "en", lambda i, lang: i) == "Not classified"
    assert group_label("field", "x", "en", lambda i, lang: i.upper()) == "X"


def test_prune_keeps_the_strongest_and_the_centre() -> None:
    g = nx.star_graph(10)
    g.add_edge(20, 21, weight=0.5)
    removed = prune(g, 3, keep=[21])
    assert removed == 10 and set(g) == {0, 21, 1}


def test_cap_edges_keeps_the_heaviest() -> None:
    g = nx.Graph()
    g.add_weighted_edges_from([("a", "b", 3), ("b", "c", 1), ("c", "d", 2)])
    assert cap_edges(g, 2) == 1 and not g.has_edge("b", "c")


def test_build_groups_above_the_budget(tiny_table: UsageTable) -> None:
    built = build(tiny_table, "organisations-tools", budget=6)
    assert built.reduction.grouped_by == "field" and built.reduction.organisations == 4
    groups = [n for n, d in built.graph.nodes(data=True) if d["kind"] == "group"]
    assert len(groups) == 2 and len(built.graph) == 5
    assert built.graph.nodes[groups[0]]["label_en"] in ("Health", "Urban question")
    assert set(built.positions) == set(built.graph)
    small = build(tiny_table, "organisations-tools", budget=100)
    assert small.reduction.reduced is False and len(small.graph) == 7


def test_organisation_map_groups_into_group_pairs(tiny_table: UsageTable) -> None:
    built = build(tiny_table, "organisations", budget=3)
    health = "group:field:" + iri("field", "health")
    urban = "group:field:" + iri("field", "urban-question")
    # mailman: 2 health users x 1 urban user; loomio: only urban users; etherpad: health only
    assert built.graph.edges[health, urban]["weight"] == 2
