"""A triple stated in two graphs is one triple of a resource's description: an RDF graph is a
set, whatever the engine yields over the union (oxigraph#1919)."""

from __future__ import annotations

import pyoxigraph as ox

from graph.namespaces import CG, RDFS
from graph.publishing import describe
from graph.store.embedded import MemoryStore

THING = ox.NamedNode("https://w3id.org/civicgraph/id/thing/x")
SAME = ox.Triple(THING, ox.NamedNode(RDFS + "comment"), ox.Literal("same"))
ONCE = ox.Triple(THING, ox.NamedNode(RDFS + "label"), ox.Literal("x"))
GRAPHS = ("https://w3id.org/civicgraph/graph/one", "https://w3id.org/civicgraph/graph/two")


def stated_twice() -> MemoryStore:
    """``SAME`` in two public graphs, ``ONCE`` in the first only."""
    store = MemoryStore()
    for n, graph in enumerate(GRAPHS):
        store.replace_graph(graph, [SAME, ONCE] if n == 0 else [SAME], metadata=[ox.Triple(
            ox.NamedNode(graph), ox.NamedNode(CG + "access"), ox.NamedNode(CG + "Public"))])
    return store


def test_the_document_of_a_resource_holds_each_triple_once() -> None:
    triples = describe.document(stated_twice(), THING.value)
    assert sorted(map(str, triples)) == sorted(map(str, [SAME, ONCE]))


def test_the_page_of_a_resource_shows_a_value_once_with_both_sources() -> None:
    page = describe.describe(stated_twice(), THING.value)
    comments = [v for p in page.properties if p.iri == RDFS + "comment" for v in p.values]
    assert [(v.text, v.graphs) for v in comments] == [("same", GRAPHS)]
    assert len(page.triples) == 2
