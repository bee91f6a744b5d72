"""Stores holding the example dataset, and ways to compare their states.

- ``load_example(store)``: the vocabulary and the example dataset, described as an import
  describes them, then the public view of persons (the contribution and privacy tests);
- ``example_store()`` / ``fill_with_example(store)``: the vocabulary and the example dataset
  with a short description each, no public view (the API and engine tests);
- ``memory_store()``: an empty in-memory store; ``quads(store)``: its quads, to compare states.
"""

from __future__ import annotations

import datetime as dt

import pyoxigraph as ox

from graph.ingest.spreadsheets.importing import metadata
from graph.namespaces import CG, DCTERMS, ID, RDF, VOCABULARY_GRAPH, VOID
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


def _describe(graph: str, title: str, access: str, triples: int) -> list[ox.Triple]:
    node = ox.NamedNode(graph)
    return [
        ox.Triple(node, ox.NamedNode(RDF + "type"), ox.NamedNode(VOID + "Dataset")),
        ox.Triple(node, ox.NamedNode(DCTERMS + "title"), ox.Literal(title)),
        ox.Triple(node, ox.NamedNode(CG + "access"), ox.NamedNode(access)),
        ox.Triple(node, ox.NamedNode(VOID + "triples"),
                  ox.Literal(str(triples), datatype=ox.NamedNode(
                      "http://www.w3.org/2001/XMLSchema#integer"))),
    ]


def fill_with_example(store: Store) -> Store:
    """Load the vocabulary and the example dataset (public and restricted) into ``store``."""
    vocabulary = vocabulary_triples()
    store.replace_graph(VOCABULARY_GRAPH, vocabulary, metadata=_describe(
        VOCABULARY_GRAPH, "civicgraph vocabulary", CG + "Public", len(vocabulary)))
    for graph in EXAMPLE_GRAPHS:
        triples = [q.triple for q in ox.parse(example_path(graph).read_bytes(),
                                              format=ox.RdfFormat.TURTLE)]
        store.replace_graph(graph.iri, triples,
                            metadata=_describe(graph.iri, graph.title, graph.access, len(triples)))
    return store


def example_store(location: str = "memory") -> Store:
    """A new store (in memory by default) holding the example dataset."""
    return fill_with_example(open_store(location))
