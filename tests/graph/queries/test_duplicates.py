"""A triple stated in several graphs counts once in every catalogue answer.

The union default graph is an RDF merge: a triple that two imports both state (the same
software described by two spreadsheets, an organisation's name in two sources) is one triple.
Oxigraph up to 0.5 yields such a triple once per graph when it evaluates a pattern over the
union (oxigraph/oxigraph#1919, fixed after 0.5.13): a bag where the merge is a set, which
inflates counts and multiplies the rows every join carries (a catalogue query took 50 times
as long at 10^6 triples after nine imports that repeated the software descriptions). The
catalogue's queries are written so that repeated triples change neither their rows nor their
counts: over generated data, and over the same data with a second graph repeating every
triple (or every other triple), or nine more graphs repeating the vocabulary and the software
descriptions (as nine imports using the same tools would), each query answers the same rows.

``single_source_facts`` counts the graphs that state a fact (``GRAPH ?g``): a graph repeating
the data is a second source, so it is compared on the data without the facts' own graphs
repeated (only the vocabulary and the software repeated).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyoxigraph as ox
import pytest

from graph.ingest.loading import load_vocabulary
from graph.namespaces import graph_iri
from graph.queries.catalogue import list_queries, run
from graph.samples.synthetic import generate
from graph.store import Store
from tests.support.stores import memory_store

#: queries whose answers count the graphs stating a fact: repeating a fact in another graph
#: rightly changes them
PER_SOURCE = frozenset({"single_source_facts"})
DATA = graph_iri("generated")
COPY = graph_iri("generated-copy")
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
SOFTWARE = "https://schema.org/SoftwareApplication"


def _store(copy: str) -> Store:
    store = memory_store()
    load_vocabulary(store, imported_by="tests")
    triples = list(generate(20, seed=11))
    store.replace_graph(DATA, triples)
    if copy == "none":
        return store
    native = store.native
    assert native is not None
    union = [ox.Triple(q.subject, q.predicate, q.object)
             for q in native.quads_for_pattern(None, None, None)]
    if copy == "every other":
        union = union[::2]
    if copy != "descriptions ten times":
        store.replace_graph(COPY, union)
        return store
    # what nine more imports of other organisations repeat: the vocabulary and the software
    # they use, never the facts of the first
    software = {t.subject for t in triples if t.predicate.value == RDF_TYPE
                and t.object.value == SOFTWARE}
    data = {q.subject for q in native.quads_for_pattern(None, None, None, ox.NamedNode(DATA))}
    described = [t for t in union if t.subject in software or t.subject not in data]
    for n in range(9):
        store.replace_graph(f"{COPY}-{n}", described)
    return store


@pytest.fixture(scope="module")
def stores() -> Iterator[dict[str, Store]]:
    opened: dict[str, Store] = {}

    class Lazy(dict):  # type: ignore[type-arg]
        def __missing__(self, copy: str) -> Store:
            opened[copy] = self[copy] = _store(copy)
            return opened[copy]

    yield Lazy()
    for store in opened.values():
        store.close()


def answer(store: Store, name: str, params: dict[str, str]) -> list[tuple[str | None, ...]]:
    result: Any = run(store, name, params)
    names = [v.value for v in result.variables]
    return sorted((tuple(None if row[n] is None else str(row[n]) for n in names)
                   for row in result), key=repr)


def _params(query: Any) -> dict[str, str]:
    return {"lang": "fr"} if any(p.name == "lang" for p in query.params) else {}


COPIES = ["every", "every other", "descriptions ten times"]


@pytest.mark.parametrize("copy", COPIES)
@pytest.mark.parametrize("query", list_queries(), ids=lambda q: q.name)
def test_a_triple_repeated_in_another_graph_changes_no_answer(
        stores: dict[str, Store], query: Any, copy: str) -> None:
    if query.name in PER_SOURCE and copy != "descriptions ten times":
        pytest.skip("counts the graphs stating a fact: a repeated fact is one more source")
    params = _params(query)
    expected = answer(stores["none"], query.name, params)
    assert answer(stores[copy], query.name, params) == expected


def test_the_copies_do_repeat_triples(stores: dict[str, Store]) -> None:
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    distinct = "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"
    for copy in COPIES:
        store = stores[copy]
        [[n]] = list(store.query(distinct))
        assert int(n.value) == len(stores["none"].native)  # type: ignore[arg-type]
        [[bag]] = list(store.query(count))
        assert int(bag.value) > int(n.value)
