"""Every projection on the hand-made graph of conftest.py, whose answers are worked out by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from graph.errors import InputError
from tests.support.graphs import iri
from visualisations.filters import Filters
from visualisations.projection import (
    TooLarge,
    org_org,
    org_tool,
    practice_tool,
    tool_map,
    tool_tool,
)
from visualisations.table import UsageTable

A, B, C, D = (iri("org", x) for x in "abcd")
MAILMAN, ETHERPAD, LOOMIO = (iri("software", x) for x in ("mailman", "etherpad", "loomio"))


def weights(g) -> dict[frozenset[str], float]:  # type: ignore[no-untyped-def]
    return {frozenset((a, b)): w for a, b, w in g.edges(data="weight")}


def test_org_tool_weights_count_practice_observations(tiny_table: UsageTable) -> None:
    g = org_tool(tiny_table)
    assert weights(g) == {
        frozenset((A, MAILMAN)): 2, frozenset((A, ETHERPAD)): 1, frozenset((B, MAILMAN)): 1,
        frozenset((B, LOOMIO)): 2, frozenset((C, MAILMAN)): 1, frozenset((C, ETHERPAD)): 1,
        frozenset((D, LOOMIO)): 1,
    }
    assert g.nodes[A]["kind"] == "organisation" and g.nodes[MAILMAN]["kind"] == "software"
    assert g.edges[A, MAILMAN]["practices"] == 2 and g.edges[A, MAILMAN]["usages"] == 1


def test_restricted_graphs_never_reach_a_projection(tiny_table: UsageTable) -> None:
    assert iri("org", "secret") not in org_tool(tiny_table)


def test_levels_roll_up_to_the_software(tiny_table: UsageTable) -> None:
    g = org_tool(tiny_table)
    assert iri("space", "a-list") not in g and iri("instance", "framapad") not in g
    assert g.has_edge(A, ETHERPAD)  # through the Framapad instance


@pytest.mark.parametrize(("query", "edges"), [
    ({"field": "health"}, {(A, MAILMAN), (A, ETHERPAD), (C, MAILMAN), (C, ETHERPAD)}),
    ({"wave": "2025"}, {(B, MAILMAN), (B, LOOMIO), (C, ETHERPAD), (D, LOOMIO)}),
    ({"from": "2025-01-01"}, {(B, MAILMAN), (B, LOOMIO), (C, ETHERPAD), (D, LOOMIO)}),
    ({"to": "2024-03-31"}, {(A, MAILMAN), (A, ETHERPAD)}),
    ({"dep": "93"}, {(A, MAILMAN), (A, ETHERPAD), (C, MAILMAN), (C, ETHERPAD)}),
    ({"category": "communication"}, {(A, MAILMAN), (B, MAILMAN), (C, MAILMAN)}),
    ({"kind": "union"}, {(B, MAILMAN), (B, LOOMIO)}),
    ({"practice": "decision-making"}, {(B, LOOMIO), (D, LOOMIO)}),
    ({"status": "trial"}, {(B, MAILMAN)}),
    ({"min_weight": "2"}, {(A, MAILMAN), (B, LOOMIO)}),
    ({"field": "housing", "category": "participation"}, {(B, LOOMIO), (D, LOOMIO)}),
])
def test_org_tool_filters(tiny_table: UsageTable, query: dict[str, str],
                          edges: set[tuple[str, str]]) -> None:
    g = org_tool(tiny_table, Filters.from_query(query))
    assert set(weights(g)) == {frozenset(e) for e in edges}
    assert set(g) == {n for e in edges for n in e}


def test_practice_filter_counts_only_the_matching_practices(tiny_table: UsageTable) -> None:
    g = org_tool(tiny_table, Filters.from_query({"practice": "voting"}))
    assert g.edges[B, LOOMIO]["weight"] == 1  # u4 records voting and consensus


def test_tool_tool_counts_organisations_using_both(tiny_table: UsageTable) -> None:
    g = tool_tool(tiny_table)
    assert weights(g) == {frozenset((MAILMAN, ETHERPAD)): 2, frozenset((MAILMAN, LOOMIO)): 1}
    assert g.nodes[MAILMAN]["organisations"] == 3
    assert g.nodes[LOOMIO]["organisations"] == 2


def test_org_org_adds_shared_tools_and_practices(tiny_table: UsageTable) -> None:
    g = org_org(tiny_table)
    assert weights(g) == {frozenset((A, B)): 2, frozenset((A, C)): 3, frozenset((B, C)): 1,
                          frozenset((B, D)): 2}
    assert (g.edges[A, C]["tools"], g.edges[A, C]["practices"]) == (2, 1)
    assert not g.has_edge(A, D)  # no shared software: never a pair


def test_org_org_refuses_too_many_pairs(tiny_table: UsageTable) -> None:
    with pytest.raises(TooLarge) as caught:
        org_org(tiny_table, max_pairs=3)
    assert isinstance(caught.value, InputError) and caught.value.size == 5


def test_practice_tool_counts_organisations(tiny_table: UsageTable) -> None:
    p = lambda slug: iri("practice", slug)  # noqa: E731
    assert weights(practice_tool(tiny_table)) == {
        frozenset((p("internal-discussion"), MAILMAN)): 2,
        frozenset((p("announcement"), MAILMAN)): 2,
        frozenset((p("document-co-editing"), ETHERPAD)): 1,
        frozenset((p("minutes-taking"), ETHERPAD)): 1,
        frozenset((p("voting"), LOOMIO)): 2,
        frozenset((p("consensus-decision"), LOOMIO)): 1,
    }


def test_map_of_one_tool(tiny_table: UsageTable) -> None:
    g = tool_map(tiny_table, MAILMAN)
    discussion = iri("practice", "internal-discussion")
    announcement = iri("practice", "announcement")
    effects = {iri("effect", e) for e in
               ("remote-members-included", "information-overload", "platform-dependency")}
    assert set(g) == {MAILMAN, discussion, announcement, A, B, C} | effects
    assert g.edges[MAILMAN, discussion]["weight"] == 2
    assert g.edges[MAILMAN, announcement]["weight"] == 2
    assert {frozenset(e) for e in g.edges(A)} == {
        frozenset((A, discussion)), frozenset((A, announcement)),
        frozenset((A, iri("effect", "remote-members-included")))}
    assert g.nodes[A]["since"] == "2020-01-01"
    assert g.nodes[B]["statuses"] == [iri("status", "trial")]
    assert g.nodes[C]["waves"] == [iri("wave", "2024")]
    assert g.graph["centre"] == MAILMAN


def test_map_of_one_tool_with_filters(tiny_table: UsageTable) -> None:
    g = tool_map(tiny_table, MAILMAN, Filters.from_query({"wave": "2025"}))
    assert set(g) == {MAILMAN, iri("practice", "announcement"), B,
                      iri("effect", "platform-dependency")}


def test_projections_are_deterministic(tiny_table: UsageTable) -> None:
    first, second = org_tool(tiny_table), org_tool(tiny_table)
    assert list(first.nodes(data=True)) == list(second.nodes(data=True))
    assert list(first.edges(data=True)) == list(second.edges(data=True))


def test_grouped_projection_counts_members(tiny_table: UsageTable) -> None:
    from visualisations.aggregate import grouping

    g = org_tool(tiny_table, group_of=grouping(tiny_table, "field"))
    health, urban = "group:field:" + iri("field", "health"), "group:field:" + iri(
        "field", "urban-question")
    assert g.nodes[health]["count"] == 2 and g.nodes[urban]["count"] == 2
    assert weights(g) == {frozenset((health, MAILMAN)): 3, frozenset((health, ETHERPAD)): 2,
                          frozenset((urban, MAILMAN)): 1, frozenset((urban, LOOMIO)): 3}


def test_time_window_uses_the_observation_day(tiny_table: UsageTable) -> None:
    f = Filters(since=dt.date(2024, 3, 1), until=dt.date(2024, 3, 1))
    assert set(org_tool(tiny_table, f)) == {A, MAILMAN, ETHERPAD}
