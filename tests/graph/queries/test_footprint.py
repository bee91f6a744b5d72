"""What a query can read (``graph.queries.footprint``): predicates, classes and anchors."""

from __future__ import annotations

from collections.abc import Callable

import pyoxigraph as ox
import pytest

from graph.queries.catalogue import list_queries
from graph.queries.footprint import TYPE, Anchor, Summary, footprint

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


def test_a_choice_of_rdf_type_with_itself_is_a_class() -> None:
    # ``a|a`` reads a type stated by several graphs once (a path is evaluated as a set)
    found = footprint(PREFIXES + """SELECT ?s ?l {
      ?s a|a cg:Software . OPTIONAL { ?s rdfs:label|cg:name ?l } }""")
    assert found is not None and not found.any_class and found.classes == {CG + "Software"}
    for predicate in (RDFS + "label", CG + "name"):
        assert found.anchors[predicate] == (("type", frozenset({CG + "Software"})),)


def test_a_class_given_by_values_limits_the_type_triples() -> None:
    found = footprint(PREFIXES + "SELECT ?f { VALUES ?k { cg:Need } ?f a ?k }")
    assert found is not None and not found.any_class and found.classes == {CG + "Need"}
    assert footprint(PREFIXES + "SELECT ?f { ?f a ?k }").any_class  # type: ignore[union-attr]


@pytest.mark.parametrize("query", list_queries(), ids=lambda q: q.name)
def test_every_catalogue_query_has_a_footprint(query: object) -> None:
    sparql = query.sparql  # type: ignore[attr-defined]
    bound = frozenset(p.name for p in query.params)  # type: ignore[attr-defined]
    assert footprint(sparql, bound) is not None


X = "urn:x:"
#: the cases below: a query, the data, a triple (``:s :p "0"`` unless given) whose subject
#: ``:s`` has no class and is named by no other triple, and whether adding it changes the
#: answer (and then may not be anchored away)
ACROSS_JOINS = [
    # a pattern in a sub-SELECT that projects its subject, joined with a class
    ("SELECT * { ?v a :C { SELECT ?v ?o { ?v :p ?o } } }", ':c a :C ; :p "1" .', None, False),
    # ... grouped by the subject, in an OPTIONAL (a label as the catalogue reads it)
    ("""SELECT * { ?v a :C OPTIONAL { { SELECT ?v ?tag (MIN(STR(?o)) AS ?m) {
          ?v :p ?o BIND(LANG(?o) AS ?tag) } GROUP BY ?v ?tag } FILTER(?tag = "") } }""",
     ':c a :C ; :p "1" .', None, False),
    # ... through two sub-SELECTs
    ("""SELECT * { ?v a :C OPTIONAL { SELECT ?v ?m {
          { SELECT ?v (MIN(?o) AS ?m) { ?v :p ?o } GROUP BY ?v } } } }""",
     ':c a :C ; :p "1" .', None, False),
    # ... named by one of two UNION branches, or by a choice of predicates
    ("SELECT * { { ?x :q ?v } UNION { ?x :r ?v } { SELECT ?v ?o { ?v :p ?o } } }",
     ':x :q :c . :c :p "1" .', None, False),
    ("SELECT * { ?x :q|:r ?v { SELECT ?v (COUNT(*) AS ?n) { ?v :p ?o } GROUP BY ?v } }",
     ':x :q :c . :c :p "1" .', None, False),
    # ... on the left of a MINUS, in a GRAPH
    ("SELECT * { ?v a :C { ?v :p ?o MINUS { ?v :r ?z } } }", ':c a :C ; :p "1" .', None,
     False),
    ("SELECT * { GRAPH ?g { ?v a :C } { SELECT ?v ?o { GRAPH ?h { ?v :p ?o } } } }",
     ':c a :C ; :p "1" .', None, False),
    # a choice of predicates read in an OPTIONAL, a class read through a|a
    ("SELECT * { ?x :q ?v OPTIONAL { ?v :p|:r ?l } }", ':x :q :c . :c :p "1" .', None, False),
    ("SELECT * { ?v a|a :C { SELECT ?v ?o { ?v :p ?o } } }", ':c a :C ; :p "1" .', None,
     False),
    # refused: a sub-SELECT that does not project the subject (its ?v is another variable)
    ("SELECT * { ?v a :C { SELECT ?o { ?v :p ?o } } }", ':c a :C ; :p "1" .', None, True),
    # refused: a LIMIT (the new row pushes out the one that joined)
    ("SELECT * { ?v a :C { SELECT ?v ?o { ?v :p ?o } ORDER BY ?o LIMIT 1 } }",
     ':c a :C ; :p "1" .', None, True),
    # refused: an aggregate of all rows (one row, whatever the subjects)
    ("SELECT * { ?v a :C { SELECT (MIN(?o) AS ?v) { ?v :p ?o } } }", ":c a :C . :a :p :c .",
     (X + "s", X + "p", X + "b"), True),
    # refused: the right of an OPTIONAL whose left leaves ?v unbound
    ("SELECT * { ?v a :C { ?w :q ?z OPTIONAL { SELECT ?v ?o { ?v :p ?o } } } }",
     ":c a :C . :w :q :z .", None, True),
    # refused: the right of a MINUS, an EXISTS
    ("SELECT * { ?v a :C { ?w :q ?z MINUS { ?v :p ?o . ?w :r ?y } } }",
     ":c a :C . :w :q :z ; :r :y .", None, True),
    ("SELECT * { ?v a :C { ?w :q ?z FILTER NOT EXISTS { ?v :p ?o } } }",
     ":c a :C . :w :q :z .", None, True),
    # refused: a UNION branch that leaves ?v unbound
    ("SELECT * { { ?v a :C } UNION { ?w :q ?z } { SELECT ?v { ?v :p ?o } } }",
     ':c a :C ; :p "1" . :w :q :z .', None, True),
]


def _holds(store: ox.Store) -> Callable[[object, Anchor], bool]:
    """Whether a subject satisfies an anchor in ``store``."""
    def holds(subject: object, anchor: Anchor) -> bool:
        kind, value = anchor
        if kind == "value":
            return subject in value
        if kind == "type":
            return any(any(store.quads_for_pattern(subject, ox.NamedNode(TYPE),  # type: ignore[arg-type]
                                                   ox.NamedNode(c))) for c in value)
        if kind == "subject-of":
            return any(store.quads_for_pattern(subject, ox.NamedNode(value), None))  # type: ignore[arg-type]
        return any(store.quads_for_pattern(None, ox.NamedNode(value), subject))  # type: ignore[arg-type]

    return holds


def _answer(store: ox.Store, text: str) -> list[str]:
    result = store.query(text, use_default_graph_as_union=True)
    assert isinstance(result, ox.QuerySolutions)
    return sorted(str(row) for row in result)


@pytest.mark.parametrize(("text", "data", "added", "changes"), ACROSS_JOINS)
def test_a_triple_about_another_subject_changes_an_answer_only_where_it_meets_the_footprint(
        text: str, data: str, added: tuple[str, str, str] | None, changes: bool) -> None:
    # the triple is added to the data (and removed: the same two answers, the anchors
    # judged on the data that holds it either way)
    query = f"PREFIX : <{X}>\n{text}"
    store = ox.Store()
    graph = ox.NamedNode(X + "g")
    store.load(f"@prefix : <{X}> .\n{data}".encode(), ox.RdfFormat.TURTLE, to_graph=graph)
    s, p, o = added or (X + "s", X + "p", None)
    triple = ox.Triple(ox.NamedNode(s), ox.NamedNode(p),
                       ox.NamedNode(o) if o else ox.Literal("0"))
    before = _answer(store, query)
    store.add(ox.Quad(triple.subject, triple.predicate, triple.object, graph))
    assert (_answer(store, query) != before) == changes
    found = footprint(query)
    assert found is not None
    assert found.meets_triple(triple, _holds(store)) == changes
