"""Stores for the API tests: the example dataset with its public and restricted graphs."""

from __future__ import annotations

import pyoxigraph as ox

from graph.namespaces import CG, DCTERMS, RDF, VOCABULARY_GRAPH, VOID
from graph.samples.example import EXAMPLE_GRAPHS, example_path
from graph.store import Store, open_store
from graph.vocabulary import vocabulary_triples


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
