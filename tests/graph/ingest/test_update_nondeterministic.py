"""An update whose effect depends on ``RAND()``, ``NOW()``, ``UUID()``, ``STRUUID()`` or
``BNODE()`` writes what its checked run on the scratch copy made, not what a second run on
the store would make (``graph.ingest.writing.apply_update``): the shapes, the privacy guard,
the meta graphs' guard and the graph's description (size, digest) all judge the triples the
store ends up holding."""

from __future__ import annotations

import contextlib

import pyoxigraph as ox
import pytest

from graph.errors import InputError, ShapeViolation
from graph.ingest import writing
from graph.ingest.provenance import digest
from graph.namespaces import CG, GRAPH, ID, META_GRAPH, VOID, XSD
from graph.store import DEFAULT_GRAPH, Store
from tests.graph.ingest.test_writing import state, usage
from tests.support.stores import load_example, memory_store

NOTES = GRAPH + "notes-nondeterministic"
#: tries of a write that passes its checks on one run in two: its second run on the store
#: differed from the checked one in about one try in four before this was fixed
TRIES = 40


def _recorded(store: Store, graph: str, predicate: str) -> set[str]:
    rows = store.query(
        f"SELECT ?v WHERE {{ GRAPH <{META_GRAPH}> {{ <{graph}> <{predicate}> ?v }} }}",
        default_graph=[], named_graphs=[META_GRAPH])
    assert isinstance(rows, ox.QuerySolutions)
    return {row["v"].value for row in rows}


def _triples(store: Store, graph: str) -> list[ox.Triple]:
    return writing.read(store, graph)


def _block(graph: str, body: str) -> str:
    return body if graph == DEFAULT_GRAPH else f"GRAPH <{graph}> {{ {body} }}"


@pytest.mark.parametrize("function", ["STRUUID()", "UUID()", "NOW()", "RAND()", "BNODE()"])
@pytest.mark.parametrize("graph", [NOTES, DEFAULT_GRAPH])
def test_the_store_holds_what_the_checked_run_made(function: str, graph: str) -> None:
    store = memory_store()
    writing.apply_update(store, f"INSERT DATA {{ {_block(graph, '<urn:e:a> <urn:e:p> 1 .')} }}",
                         who="tests")
    writing.apply_update(store, f"""
        INSERT {{ {_block(graph, '<urn:e:a> <urn:e:id> ?v .')} }}
        WHERE {{ BIND({function} AS ?v) }}""", who="tests")
    held = _triples(store, graph)
    assert len(held) == 2
    assert _recorded(store, graph, VOID + "triples") == {"2"}
    if function != "BNODE()":
        # the description was made from the checked run: its digest is the store's (a blank
        # node is written anew, under another label: the digest reads labels)
        assert _recorded(store, graph, CG + "sha256") == {digest(held)}


def test_a_write_refused_on_its_checked_run_is_never_made_on_the_store() -> None:
    """A usage without its status breaks the core shapes: a write of it that passes its
    checks on one run in two must either be refused or write nothing."""
    store = load_example(memory_store())
    node = f"{ID}usage/random-1"
    body = " ".join(f"<{t.subject.value}> <{t.predicate.value}> {t.object} ."
                    for t in usage(1, frozenset({CG + "status"})))
    body = body.replace(f"{ID}usage/property-1", node)
    before = state(store)
    for _ in range(TRIES):
        with contextlib.suppress(ShapeViolation):   # refused on its checked run: fine
            writing.apply_update(store, f"INSERT {{ GRAPH <{NOTES}> {{ {body} }} }} "
                                        "WHERE { FILTER(RAND() < 0.5) }", who="tests")
        assert not bool(store.query(f"ASK {{ GRAPH ?g {{ <{node}> ?p ?o }} }}")), \
            "a write its checks refused, or never saw, is in the store"
    # nothing was written, not even an empty graph's description
    assert state(store)[0] - before[0] == set()


def test_a_meta_graph_chosen_at_random_is_refused_or_untouched() -> None:
    store = memory_store()
    writing.apply_update(store, f"INSERT DATA {{ GRAPH <{NOTES}> {{ <urn:e:a> <urn:e:p> 1 }} }}",
                         who="tests")
    meta = _triples(store, META_GRAPH)
    for _ in range(TRIES):
        try:
            writing.apply_update(store, f"""
                INSERT {{ GRAPH ?g {{ <urn:e:x> <urn:e:p> 2 }} }}
                WHERE {{ BIND(IF(RAND() < 0.5, <{META_GRAPH}>, <{NOTES}>) AS ?g) }}""",
                                 who="tests")
        except InputError as error:
            assert "maintained by civicgraph" in str(error)
        assert not any(t.subject == ox.NamedNode("urn:e:x") for t in _triples(store, META_GRAPH))
    assert {t for t in _triples(store, META_GRAPH) if t.subject != ox.NamedNode(NOTES)} == \
        {t for t in meta if t.subject != ox.NamedNode(NOTES)}


def test_removals_and_blank_nodes_are_written_as_checked() -> None:
    """A random update that removes triples, some of them with blank nodes, and adds others:
    the store holds the checked run's graph (blank nodes up to their labels)."""
    store = memory_store()
    writing.apply_update(store, f"""INSERT DATA {{ GRAPH <{NOTES}> {{
        <urn:e:a> <urn:e:p> 1 , 2 , 3 . _:b <urn:e:p> 4 . <urn:e:c> <urn:e:q> _:b . }} }}""",
                         who="tests")
    for _ in range(10):
        writing.apply_update(store, f"""
            DELETE {{ GRAPH <{NOTES}> {{ ?s <urn:e:p> ?o }} }}
            INSERT {{ GRAPH <{NOTES}> {{ ?s <urn:e:p> ?n }} }}
            WHERE {{ GRAPH <{NOTES}> {{ ?s <urn:e:p> ?o }}
                     FILTER(RAND() < 0.5) BIND(?o + 10 AS ?n) }}""", who="tests")
        held = _triples(store, NOTES)
        assert _recorded(store, NOTES, VOID + "triples") == {str(len(held))}
        assert len(held) == 5
        # the blank node is still one node, object of one triple and subject of another
        blanks = {n for t in held for n in (t.subject, t.object) if isinstance(n, ox.BlankNode)}
        assert len(blanks) == 1


def test_a_random_update_leaving_a_graph_empty_or_dropped() -> None:
    store = memory_store()
    other = NOTES + "-other"
    writing.apply_update(store, f"INSERT DATA {{ GRAPH <{NOTES}> {{ <urn:e:a> <urn:e:p> 1 }} "
                                f"GRAPH <{other}> {{ <urn:e:a> <urn:e:p> 1 }} }}", who="tests")
    writing.apply_update(store, f"DELETE {{ GRAPH <{NOTES}> {{ ?s ?p ?o }} }} "
                                f"WHERE {{ GRAPH <{NOTES}> {{ ?s ?p ?o }} FILTER(RAND() < 2) }}",
                         who="tests")
    assert _triples(store, NOTES) == []
    assert _recorded(store, NOTES, VOID + "triples") == {"0"}
    writing.apply_update(store, f"DROP GRAPH <{other}> ; INSERT {{ GRAPH <{NOTES}> "
                                "{ <urn:e:a> <urn:e:when> ?t } } WHERE { BIND(NOW() AS ?t) }",
                         who="tests")
    assert other not in store.graphs()
    (when,) = _triples(store, NOTES)
    assert isinstance(when.object, ox.Literal) and when.object.datatype.value == XSD + "dateTime"
    assert _recorded(store, NOTES, CG + "sha256") == {digest([when])}


def test_the_words_in_strings_and_iris_are_not_calls() -> None:
    assert writing.nondeterministic("INSERT DATA { <urn:RAND()> <urn:p> \"NOW()\" }") is False
    assert writing.nondeterministic("INSERT { <urn:a> <urn:p> ?v } WHERE { BIND(now () AS ?v) }")
    assert writing.nondeterministic("INSERT { <urn:a> <urn:p> ?v } WHERE { BIND(sTrUuId() AS ?v) }")
    assert writing.nondeterministic("# RAND()\nINSERT DATA { <urn:a> <urn:p> 1 }") is False
