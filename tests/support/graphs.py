"""The small hand-made graph of the map tests, whose projections are worked out by hand, and
the example dataset described as the maps read it, each in an in-memory store with its meta
graph.

- ``tiny_store()``: the concepts, the public graph ``TINY`` and the restricted graph ``SECRET``
  (``tests/visualisations/data/``); ``turtle(text)`` parses Turtle where ``id:kind/slug``
  abbreviates an instance IRI, ``meta(graph, access)`` describes a graph;
- ``example_store()`` / ``fill_example(store)``: the vocabulary and the example dataset;
- ``XSS``: a string that would run if a page wrote data unescaped.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pyoxigraph as ox

from graph.namespaces import CG, DCTERMS, PROV, RDF, VOCABULARY_GRAPH, XSD, graph_iri
from graph.store import Store, open_store

ID = "https://w3id.org/civicgraph/id/"
DATA = Path(__file__).resolve().parents[1] / "visualisations" / "data"
PUBLIC_GRAPH = graph_iri("tiny")
SECRET_GRAPH = graph_iri("restricted/tiny")
XSS = "<img src=x onerror=alert(1)>"


PREFIXES = """
@prefix cg: <https://w3id.org/civicgraph/ns#> .
@prefix id: <https://w3id.org/civicgraph/id/> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix schema: <https://schema.org/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""


CONCEPTS = (DATA / "concepts.ttl").read_text("utf-8")

TINY = (DATA / "tiny.ttl").read_text("utf-8")

SECRET = (DATA / "secret.ttl").read_text("utf-8")


def memory_store() -> Store:
    """An empty in-memory store."""
    return open_store("memory")


def meta(graph: str, access: str = "Public") -> list[ox.Triple]:
    s = ox.NamedNode(graph)
    return [
        ox.Triple(s, ox.NamedNode(RDF + "type"), ox.NamedNode(PROV + "Entity")),
        ox.Triple(s, ox.NamedNode(DCTERMS + "title"), ox.Literal(graph)),
        ox.Triple(s, ox.NamedNode(PROV + "generatedAtTime"),
                  ox.Literal("2026-11-29T10:00:00Z", datatype=ox.NamedNode(XSD + "dateTime"))),
        ox.Triple(s, ox.NamedNode(CG + "access"), ox.NamedNode(CG + access)),
    ]


def turtle(text: str) -> list[ox.Triple]:
    """Parse ``text``, where ``id:kind/slug`` abbreviates an instance IRI."""
    text = re.sub(r"\bid:([a-z-]+)/([A-Za-z0-9-]+)", rf"<{ID}\1/\2>", text)
    return list(ox.parse((PREFIXES + text).encode(), ox.RdfFormat.TURTLE))


def tiny_store() -> Store:
    store = memory_store()
    store.replace_graph(VOCABULARY_GRAPH, turtle(CONCEPTS), metadata=meta(VOCABULARY_GRAPH))
    store.replace_graph(PUBLIC_GRAPH, turtle(TINY), metadata=meta(PUBLIC_GRAPH))
    store.replace_graph(SECRET_GRAPH, turtle(SECRET), metadata=meta(SECRET_GRAPH, "Restricted"))
    return store


def iri(kind: str, slug: str) -> str:
    return f"{ID}{kind}/{slug}"


NOW = dt.datetime(2026, 11, 29, 12, 0, tzinfo=dt.UTC)


def example_store() -> Store:
    """The vocabulary and the example dataset (public and restricted graphs), in memory."""
    return fill_example(memory_store())


def fill_example(store: Store) -> Store:
    """Load the vocabulary and the example dataset into ``store``."""
    from graph.samples.example import EXAMPLE_GRAPHS, example_path
    from graph.vocabulary import vocabulary_triples

    store.replace_graph(VOCABULARY_GRAPH, vocabulary_triples(), metadata=meta(VOCABULARY_GRAPH))
    for graph in EXAMPLE_GRAPHS:
        triples = [q.triple for q in ox.parse(example_path(graph).read_bytes(),
                                              format=ox.RdfFormat.TURTLE)]
        store.replace_graph(graph.iri, triples,
                            metadata=meta(graph.iri, "Public" if graph.public else "Restricted"))
    return store
