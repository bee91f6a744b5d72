"""What a query can read (``graph.queries.footprint``): predicates, classes and anchors."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from graph.queries.catalogue import list_queries
from graph.queries.footprint import TYPE, Summary, footprint

CG = "https://w3id.org/civicgraph/ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
PREFIXES = f"PREFIX cg: <{CG}>\nPREFIX rdfs: <{RDFS}>\n"


def _triple(subject: str, predicate: str, obj: str) -> ox.Triple:
    return ox.Triple(ox.NamedNode(subject), ox.NamedNode(predicate), ox.NamedNode(obj))


@pytest.mark.parametrize("text", [
    "SELECT * { ?s ?p ?o }",                                     # a variable predicate
    "SELECT * { ?s !cg:tool ?o }",                               # a negated property set
    "SELECT ?x { ?x cg:broader* ?y }",                           # a zero-length path alone
])
def test_a_pattern_matching_any_triple_has_no_footprint(text: str) -> None:
    assert footprint(PREFIXES + text) is None


def test_patterns_in_exists_optional_and_subqueries_count() -> None:
    found = footprint(PREFIXES + """SELECT ?u {
      ?u a cg:ToolUsage .
      OPTIONAL { ?u cg:observedOn ?d }
      FILTER NOT EXISTS { ?p cg:answersNeed ?u }
      { SELECT ?u (COUNT(*) AS ?n) { ?u cg:tool/cg:software ?s } GROUP BY ?u }
    }""")
    assert found is not None
    assert {CG + "observedOn", CG + "answersNeed", CG + "tool", CG + "software"} <= \
        found.predicates
    assert found.classes == {CG + "ToolUsage"} and not found.any_class
    assert not found.meets(Summary(frozenset({CG + "needs"}), frozenset()))
    assert found.meets(Summary(frozenset({TYPE}), frozenset({CG + "ToolUsage"})))
    assert not found.meets(Summary(frozenset({TYPE}), frozenset({CG + "Need"})))


def test_a_zero_length_path_bound_by_another_pattern_is_no_wildcard() -> None:
    found = footprint(PREFIXES + "SELECT ?p { ?u cg:practice ?x . ?x cg:broader* ?p }")
    assert found is not None and CG + "broader" in found.predicates


def test_an_optional_label_is_anchored_to_the_class_of_its_subject() -> None:
    found = footprint(PREFIXES + """SELECT ?s ?l {
      ?s a cg:Software . OPTIONAL { ?s rdfs:label ?l } }""")
    assert found is not None
    assert found.anchors[RDFS + "label"] == (("type", frozenset({CG + "Software"})),)
    label = _triple("urn:org", RDFS + "label", "urn:x")
    assert not found.meets_triple(label, lambda subject, anchor: False)
    assert found.meets_triple(label, lambda subject, anchor: True)


def test_an_optional_that_can_replace_rows_is_not_anchored() -> None:
    # the nested OPTIONAL may bind ?s differently in the right side's solutions
    found = footprint(PREFIXES + """SELECT ?s ?l {
      ?s a cg:Software . OPTIONAL { ?t cg:tool ?x OPTIONAL { ?s rdfs:label ?l } } }""")
    assert found is not None and RDFS + "label" not in found.anchors


def test_a_class_given_by_values_limits_the_type_triples() -> None:
    found = footprint(PREFIXES + "SELECT ?f { VALUES ?k { cg:Need } ?f a ?k }")
    assert found is not None and not found.any_class and found.classes == {CG + "Need"}
    assert footprint(PREFIXES + "SELECT ?f { ?f a ?k }").any_class  # type: ignore[union-attr]


@pytest.mark.parametrize("query", list_queries(), ids=lambda q: q.name)
def test_every_catalogue_query_has_a_footprint(query: object) -> None:
    sparql = query.sparql  # type: ignore[attr-defined]
    bound = frozenset(p.name for p in query.params)  # type: ignore[attr-defined]
    assert footprint(sparql, bound) is not None
