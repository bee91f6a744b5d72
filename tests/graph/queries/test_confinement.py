"""The confinement analysis behind splicing (``graph.queries.confinement``) and the order
merged rows are put back in (``graph.queries.splicing``), against Oxigraph's own."""

from __future__ import annotations

import io
import json
import random
from decimal import Decimal

import pyoxigraph as ox
import pytest

from graph.queries.confinement import BOTH, OBJECT, SUBJECT, plan
from graph.queries.splicing import Splice, Unsortable, confine, merged

P = "<urn:p>"
L = "<urn:l>"


@pytest.mark.parametrize(("text", "keys"), [
    (f"SELECT ?s ?o {{ ?s {P} ?o }}", {"s", "o"}),
    (f"SELECT ?s (COUNT(*) AS ?n) {{ ?s {P} ?o }} GROUP BY ?s", {"s"}),
    (f"SELECT DISTINCT ?s {{ ?s {P} ?o OPTIONAL {{ ?s {L} ?l }} }} ORDER BY ?s", {"s"}),
    (f"SELECT ?s ?l {{ ?s {P} ?o OPTIONAL {{ ?s {L} ?l }} }}", {"s"}),
    (f"SELECT ?s {{ {{ SELECT ?s {{ ?s {P} ?o }} }} }}", {"s"}),
    (f"SELECT ?s ?o {{ {{ ?s {P} ?o }} UNION {{ ?s {L} ?o }} }}", {"s", "o"}),
    (f"SELECT ?s {{ ?s {P} ?o FILTER(?o > 1) }}", {"s"}),
    (f"SELECT ?s ?x {{ ?s {P} ?o BIND(STR(?o) AS ?x) }}", {"s"}),
    (f"SELECT ?s {{ VALUES ?lang {{ 'en' }} ?s {P} ?o }}", {"s"}),
])
def test_what_a_query_may_be_spliced_by(text: str, keys: set[str]) -> None:
    found = plan(text)
    assert found.reason is None and found.keys == keys


@pytest.mark.parametrize(("text", "reason"), [
    (f"SELECT ?s {{ ?s {P} ?o }} LIMIT 10", "LIMIT or OFFSET"),
    (f"SELECT ?s {{ ?s {P} ?o }} OFFSET 1", "LIMIT or OFFSET"),
    (f"SELECT (COUNT(*) AS ?n) {{ ?s {P} ?o }}", "aggregate over every row"),
    (f"SELECT ?o (COUNT(?s) AS ?n) {{ ?s {P} ?o }} GROUP BY ?o HAVING(?n > 1) ORDER BY ?s",
     "ORDER BY"),
    (f"SELECT ?s {{ ?s {P} ?o }} ORDER BY STR(?s)", "ORDER BY"),
    ("SELECT ?s ?p { ?s a <urn:C> ; ?p ?o }", "variable predicate"),
    # ?l is unbound where no label: a VALUES of ?l would bind it, not filter rows
    (f"SELECT ?l {{ ?s {P} ?o OPTIONAL {{ ?s {L} ?l }} }}", "bound in every row"),
    # ?k bound after an OPTIONAL that may bind it another way
    (f"SELECT ?k {{ ?s {P} ?o OPTIONAL {{ ?s {L} ?k }} ?k {P} ?o }}", "bound in every row"),
    (f"SELECT ?x {{ ?s {P} ?o BIND(STR(?o) AS ?x) }}", "bound in every row"),
    ("SELECT ?s { ?s <urn:p> ?o } ORDER BY ?s", None),
])
def test_what_a_query_may_not_be_spliced_by_and_why(text: str, reason: str | None) -> None:
    found = plan(text)
    if reason is None:
        assert found.reason is None
    else:
        assert found.reason is not None and reason in found.reason and not found.keys


@pytest.mark.parametrize(("text", "predicate", "ends"), [
    # a sub-SELECT that does not project ?s: its ?s is another variable
    (f"SELECT ?o {{ ?x {P} ?o {{ SELECT ?o {{ ?s {L} ?o }} }} }}", L, {"o": OBJECT}),
    # grouped by ?o: a label of ?s changes the count of its ?o, not the rows of ?s
    (f"SELECT ?s ?o {{ ?s {P} ?o {{ SELECT ?o (COUNT(?s) AS ?n) {{ ?s {L} ?o }} GROUP BY ?o }} }}",
     L, {"o": OBJECT}),
    # the right of an OPTIONAL whose left binds ?s in every row
    (f"SELECT ?s ?o {{ ?s {P} ?o OPTIONAL {{ ?s {L} ?l }} }}", L, {"s": SUBJECT}),
    # the right of a MINUS, an EXISTS: nothing
    (f"SELECT ?s {{ ?s {P} ?o MINUS {{ ?s {L} ?l }} }}", L, {}),
    (f"SELECT ?o {{ ?s {P} ?o FILTER EXISTS {{ ?s {L} ?l }} }}", L, {}),
    # an EXISTS evaluated with ?s bound in every row it filters: confined by ?s
    (f"SELECT ?s {{ ?s {P} ?o FILTER EXISTS {{ ?s {L} ?l }} }}", L, {"s": SUBJECT}),
    (f"SELECT ?s {{ ?s {P} ?o FILTER NOT EXISTS {{ ?x {L} ?s }} }}", L, {"s": OBJECT}),
    # not where ?s may be unbound in the rows filtered
    (f"SELECT ?o {{ ?o {P} ?x OPTIONAL {{ ?s {P} ?o }} FILTER EXISTS {{ ?s {L} ?l }} }}",
     L, {}),
    # a LIMIT inside: a new row may push another out
    (f"SELECT ?s {{ ?s {P} ?o {{ SELECT ?s {{ ?s {L} ?l }} LIMIT 3 }} }}", L, {}),
    # paths: p? either end, a sequence's first step its start, a starred step nothing
    (f"SELECT ?s ?o {{ ?s {P}? ?o . ?s a <urn:C> }}", "urn:p", {"s": BOTH}),
    (f"SELECT ?s ?o {{ ?s {P}/{L}* ?o }}", "urn:p", {"s": SUBJECT}),
    (f"SELECT ?s ?o {{ ?s {P}/{L}* ?o }}", "urn:l", {}),
])
def test_which_variables_confine_a_pattern(text: str, predicate: str, ends: dict[str, str]
                                           ) -> None:
    found = plan(text)
    name = predicate.strip("<>")
    assert [dict(p.ends) for p in found.patterns if p.predicate == name] == [ends]


def _always(_subject: object, _anchor: object) -> bool:
    return True


def _triple(s: str, p: str, o: str) -> ox.Triple:
    return ox.Triple(ox.NamedNode(s), ox.NamedNode(p), ox.NamedNode(o))


def test_a_change_is_confined_by_one_variable_to_the_terms_it_names() -> None:
    found = plan(f"SELECT ?s ?o {{ ?s {P} ?o OPTIONAL {{ ?s {L} ?l }} }}")
    splice = confine(found, [(_triple("urn:a", "urn:l", "urn:x"), _always, True),
                             (_triple("urn:b", "urn:l", "urn:y"), _always, True)])
    assert splice == Splice({"s": frozenset({ox.NamedNode("urn:a"), ox.NamedNode("urn:b")})})
    # one triple confined by ?s, another by ?o only: the rows of either
    found = plan(f"SELECT ?s ?o {{ ?s {P} ?o OPTIONAL {{ ?s {L} ?l }} "
                 f"OPTIONAL {{ ?o <urn:m> ?m }} }}")
    splice = confine(found, [(_triple("urn:a", "urn:l", "urn:x"), _always, True),
                             (_triple("urn:b", "urn:m", "urn:y"), _always, True),
                             (_triple("urn:c", "urn:l", "urn:z"), _always, True)])
    assert splice == Splice({"o": frozenset({ox.NamedNode("urn:b")}),
                             "s": frozenset({ox.NamedNode("urn:a"), ox.NamedNode("urn:c")})})
    # a triple both variables confine goes to the one chosen for most
    splice = confine(found, [(_triple("urn:a", "urn:l", "urn:x"), _always, True),
                             (_triple("urn:a", "urn:p", "urn:b"), _always, True)])
    assert splice == Splice({"s": frozenset({ox.NamedNode("urn:a")})})
    # an anchor that does not hold: the triple does not matter
    found = plan(f"SELECT ?s {{ ?s a <urn:C> ; {L} ?l }}")
    assert confine(found, [(_triple("urn:a", "urn:l", "urn:x"), lambda s, a: False, True)]) == \
        "no changed triple meets a pattern: the footprint says otherwise"


XSD = "http://www.w3.org/2001/XMLSchema#"
#: terms of each kind Oxigraph orders among themselves, and with the kinds before them
KINDS = {
    "strings": ['"a"', '"b"', '"B"', '"é"', '"a"@en', '"a"@de', '"b"@fr', '""', '"10"'],
    "numbers": ["1", "2", "10", "-3", "1.5", "0.0", f'"1"^^<{XSD}double>',
                f'"2.5e0"^^<{XSD}double>', f'"7"^^<{XSD}int>'],
    "dates": [f'"2020-01-01"^^<{XSD}date>', f'"2019-12-31"^^<{XSD}date>',
              f'"2020-01-02"^^<{XSD}date>'],
    "booleans": ["true", "false"],
}
OTHERS = ["<urn:b>", "<urn:a>", "<urn:a/b>", "UNDEF"]


def _oxigraph(rows: list[tuple[str, str]], order: str) -> bytes:
    text = ("SELECT ?x ?y { VALUES (?x ?y) { " + " ".join(f"({x} {y})" for x, y in rows)
            + f" }} }} ORDER BY {order}")
    out = io.BytesIO()
    ox.Store().query(text).serialize(out, ox.QueryResultsFormat.JSON)  # type: ignore[union-attr]
    return out.getvalue()


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("seed", range(3))
def test_merged_rows_are_ordered_as_oxigraph_orders_them(kind: str, seed: int) -> None:
    chance = random.Random(seed)
    terms = KINDS[kind] + OTHERS
    rows = [(chance.choice(terms), chance.choice(terms)) for _ in range(40)]
    for order, keys in (("?x ?y", (("x", False), ("y", False))),
                        ("DESC(?x) ?y", (("x", True), ("y", False)))):
        old, new = _oxigraph(rows[:25], order), _oxigraph(rows[25:], order)
        body, count = merged(old, [("x", new)], Splice({"x": frozenset()}), keys)
        expected = json.loads(_oxigraph(rows, order))["results"]["bindings"]
        got = json.loads(body)["results"]["bindings"]
        assert count == len(rows)
        assert [[_value(r.get("x")), _value(r.get("y"))] for r in got] == \
            [[_value(r.get("x")), _value(r.get("y"))] for r in expected]


def _value(binding: dict[str, str] | None) -> object:
    """A term as Oxigraph orders it: a number by its value (1 and 1.0e0 tie)."""
    if binding is not None and binding.get("datatype", "").startswith(XSD) and \
            binding["datatype"][len(XSD):] in ("integer", "decimal", "double", "int"):
        return Decimal(binding["value"])
    return binding


@pytest.mark.parametrize("mix", [['"a"', "1"], [f'"2020-01-01"^^<{XSD}date>', "1"],
                                 ['"x"^^<urn:type>'], ["true", '"a"']])
def test_literals_oxigraph_does_not_order_together_are_not_merged(mix: list[str]) -> None:
    old = _oxigraph([(mix[0], "1")], "?x")
    new = _oxigraph([(mix[-1], "2")], "?x")
    with pytest.raises(Unsortable):
        merged(old, [("x", new)], Splice({"x": frozenset()}), (("x", False),))


def test_the_rows_of_the_keys_are_replaced() -> None:
    old = _oxigraph([("<urn:a>", "1"), ("<urn:b>", "2"), ("<urn:c>", "3")], "?x")
    new = _oxigraph([("<urn:b>", "20")], "?x")
    body, count = merged(old, [("x", new)], Splice({"x": frozenset({
        ox.NamedNode("urn:b"), ox.NamedNode("urn:c")})}), (("x", False),))
    rows = json.loads(body)["results"]["bindings"]
    assert count == 2 and [(r["x"]["value"], r["y"]["value"]) for r in rows] == \
        [("urn:a", "1"), ("urn:b", "20")]


def test_rows_of_two_variables_are_replaced_once_each() -> None:
    old = _oxigraph([("<urn:a>", "<urn:y>"), ("<urn:b>", "<urn:z>"), ("<urn:c>", "<urn:y>"),
                     ("<urn:d>", "<urn:w>")], "?x ?y")
    # the rows of x=a (both fresh rows) and of y=y (one of which is x=a's again)
    by_x = _oxigraph([("<urn:a>", "<urn:y>"), ("<urn:a>", "<urn:v>")], "?x ?y")
    by_y = _oxigraph([("<urn:a>", "<urn:y>"), ("<urn:e>", "<urn:y>")], "?x ?y")
    splice = Splice({"x": frozenset({ox.NamedNode("urn:a")}),
                     "y": frozenset({ox.NamedNode("urn:y")})})
    body, count = merged(old, [("x", by_x), ("y", by_y)], splice, (("x", False), ("y", False)))
    rows = [(r["x"]["value"], r["y"]["value"]) for r in json.loads(body)["results"]["bindings"]]
    assert rows == [("urn:a", "urn:v"), ("urn:a", "urn:y"), ("urn:b", "urn:z"),
                    ("urn:d", "urn:w"), ("urn:e", "urn:y")] and count == 5


def test_an_exists_in_a_select_expression_is_refused_not_raised() -> None:
    """rdflib cannot translate the pattern of an EXISTS in a SELECT expression further
    (``unhashable type: 'CompValue'``): nothing is assumed of such a query."""
    from graph.queries.footprint import footprint

    text = ("SELECT ?s ?l (EXISTS { ?s <urn:flag> ?f } AS ?flagged) "
            "WHERE { ?s <urn:label> ?l } ORDER BY ?l")
    assert footprint(text) is None
    assert plan(text).reason is not None and not plan(text).keys
