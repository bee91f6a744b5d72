"""Stores for the contribution and privacy tests: empty, or holding the example dataset.

``memory_store`` is the in-memory backend (``open_store("memory")``).
"""

from __future__ import annotations

import datetime as dt

import pyoxigraph as ox

from graph.ingest.spreadsheets.importing import metadata
from graph.namespaces import ID, VOCABULARY_GRAPH
from graph.privacy.persons import refresh_public_view
from graph.samples.example import EXAMPLE_GRAPHS, example_path
from graph.store import Store, open_store
from graph.vocabulary import vocabulary_triples

MOMENT = dt.datetime(2026, 11, 29, 10, 0, tzinfo=dt.UTC)


def memory_store() -> Store:
    """An empty in-memory store."""
    return open_store("memory")


def quads(store: Store) -> set[tuple[str, str, str, str]]:
    """Every quad of ``store`` as strings (blank nodes excepted), to compare states."""
    result = store.query("SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert isinstance(result, ox.QuerySolutions)
    return {(str(r["g"]), str(r["s"]), str(r["p"]), str(r["o"])) for r in result
            if not isinstance(r["s"], ox.BlankNode) and not isinstance(r["o"], ox.BlankNode)}


def load_example(store: Store, *, threshold: int = 5) -> Store:
    """The example dataset and the vocabulary in ``store``, then the public view of persons."""
    vocabulary = vocabulary_triples()
    store.replace_graph(VOCABULARY_GRAPH, vocabulary, metadata=metadata(
        VOCABULARY_GRAPH, title="vocabulary", source="ontology/", licence=None,
        imported_by="tests", access="Public", triples=len(vocabulary), sha256="-",
        moment=MOMENT))
    for graph in EXAMPLE_GRAPHS:
        triples = [q.triple for q in ox.parse(example_path(graph).read_bytes(),
                                              ox.RdfFormat.TURTLE, base_iri=ID)]
        store.replace_graph(graph.iri, triples, metadata=metadata(
            graph.iri, title=graph.title, source=graph.source, licence=graph.licence,
            imported_by="tests", access="Public" if graph.public else "Restricted",
            triples=len(triples), sha256="-", moment=MOMENT))
    refresh_public_view(store, threshold=threshold, now=MOMENT)
    return store
