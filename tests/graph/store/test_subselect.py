"""Aggregates lifted out of SELECT expressions (``graph.store.subselect``)."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from graph.privacy.access import public_graphs
from graph.queries.catalogue import get_query, list_queries
from graph.store.binding import bind_values
from graph.store.subselect import lift_aggregates
from tests.support.stores import example_store

EX = "http://example.org/"


@pytest.mark.parametrize("query", [
    "SELECT ?s WHERE { ?s ?p ?o }",
    "SELECT * WHERE { ?s ?p ?o }",
    "SELECT ?s (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?s",
    "ASK { ?s ?p ?o }",
    "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "SELECT ?s (COALESCE(MIN(?o) AS ?broken",               # left to the engine to report
    'SELECT ?s ("COALESCE(MIN(?o), 1)" AS ?text) WHERE { ?s ?p ?o }',
])
def test_queries_without_nested_aggregates_are_unchanged(query: str) -> None:
    assert lift_aggregates(query) == query


def test_the_rewrite_keeps_modifiers_keys_and_the_prologue() -> None:
    query = ("PREFIX ex: <http://example.org/> SELECT DISTINCT ?s "
             "(CONCAT(?s2, MIN(STR(?o))) AS ?first) (COUNT(*) AS ?n) "
             "WHERE { ?s ex:p ?o . BIND(STR(?s) AS ?s2) } GROUP BY ?s ?s2 HAVING (COUNT(*) > 0) "
             "ORDER BY DESC(?n) ?key LIMIT 5 OFFSET 1")
    lifted = lift_aggregates(query)
    assert lifted.startswith("PREFIX ex: <http://example.org/> SELECT DISTINCT ?s "
                             "(CONCAT(?s2, ?cg_agg1) AS ?first) ?n WHERE { { SELECT ")
    assert "(MIN(STR(?o)) AS ?cg_agg1)" in lifted and "(COUNT(*) AS ?n)" in lifted
    assert "HAVING (COUNT(*) > 0) } }" in lifted
    assert lifted.endswith("} } ORDER BY DESC(?n) ?key LIMIT 5 OFFSET 1")
    inner = lifted.split("{ SELECT ", 1)[1].split(" WHERE", 1)[0]
    assert "?s2" in inner.split() and "?key" in inner.split()


@pytest.mark.parametrize("tail", ["\n# why this order\nORDER BY ?s", "\n# the end"])
def test_a_comment_after_the_group_does_not_swallow_the_closing_brackets(tail: str) -> None:
    query = (f"SELECT ?s (COALESCE(MIN(?o), 1) AS ?first) WHERE {{ ?s <{EX}p> ?o }}\n"
             f"GROUP BY ?s{tail}")
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode(EX + "a"), ox.NamedNode(EX + "p"), ox.Literal("z")))
    assert [str(r["first"]) for r in store.query(lift_aggregates(query))] == ['"z"']


def test_the_rewrite_answers_the_same_on_small_data() -> None:
    store = ox.Store()
    for s, o in (("a", "z"), ("a", "b"), ("c", "d")):
        store.add(ox.Quad(ox.NamedNode(EX + s), ox.NamedNode(EX + "p"), ox.Literal(o)))
    store.add(ox.Quad(ox.NamedNode(EX + "a"), ox.NamedNode(EX + "q"), ox.Literal("label")))
    query = (f"SELECT ?s (COALESCE(MIN(?l), MAX(?o)) AS ?name) (COUNT(?o) AS ?n) WHERE {{ "
             f"?s <{EX}p> ?o OPTIONAL {{ ?s <{EX}q> ?l }} }} GROUP BY ?s ORDER BY ?name")
    rows = [[str(r[v]) for v in ("s", "name", "n")] for r in store.query(query)]
    lifted = [[str(r[v]) for v in ("s", "name", "n")] for r in store.query(lift_aggregates(query))]
    assert lifted == rows
    assert [r[1] for r in rows] == ['"d"', '"label"']


@pytest.mark.parametrize("name", [q.name for q in list_queries()])
def test_every_catalogue_query_answers_the_same_once_lifted(name: str) -> None:
    store = example_store()
    query = get_query(name)
    text = bind_values(query.sparql, query.bind({}))
    graphs = public_graphs(store)
    expected = [str(r) for r in store.query(text, default_graph=graphs)]  # type: ignore[union-attr]
    lifted = lift_aggregates(text)
    assert lifted != text   # they all use the label fallback COALESCE(MIN(...), MIN(...))
    assert [str(r) for r in store.query(lifted, default_graph=graphs)] == expected  # type: ignore[union-attr]
