"""Community names and edge captions."""

from __future__ import annotations

import networkx as nx

from visualisations.naming import community_names, edge_caption


def label(iri: str, lang: str) -> str:
    return iri.rsplit("/", 1)[-1].title()


def test_communities_are_named_by_their_most_connected_tools() -> None:
    g = nx.Graph()
    for o in ("o1", "o2", "o3"):
        g.add_node(o, kind="organisation", field="id/field/health")
    g.add_node("s1", kind="software", label_en="Loomio")
    g.add_node("s2", kind="software", label_en="Framadate")
    g.add_node("s3", kind="software", label_en="Mattermost")
    g.add_edges_from([("o1", "s1", {"weight": 3}), ("o2", "s1", {"weight": 2}),
                      ("o2", "s2", {"weight": 2}), ("o3", "s3", {"weight": 1})])
    names = community_names(g, {"o1": 0, "o2": 0, "s1": 0, "s2": 0, "o3": 1, "s3": 1},
                            label, "en")
    assert names == {0: "Loomio, Framadate", 1: "Mattermost"}


def test_without_tools_the_shared_field_names_it_and_names_are_unique() -> None:
    g = nx.Graph()
    for o in ("o1", "o2", "o3"):
        g.add_node(o, kind="organisation", field="id/field/health")
    g.add_node("o4", kind="organisation")
    names = community_names(g, {"o1": 0, "o2": 0, "o3": 1, "o4": 2}, label, "fr")
    assert names == {0: "Health", 1: "Health (2)", 2: "Communauté 3"}


def test_edge_caption_says_what_the_weight_counts() -> None:
    text = edge_caption({"weight": 3, "usages": 2, "practice_iris": ("p/voting",),
                         "statuses": ("s/active",), "since": "2020-01-01",
                         "until": "2024-01-01"}, "org-tool", "A", "Loomio", label, "en", str)
    assert text.splitlines() == ["A — Loomio", "3.0 practice observation(s), 2.0 usage(s)",
                                 "Practices: Voting", "Status: Active",
                                 "2020-01-01 – 2024-01-01"]
