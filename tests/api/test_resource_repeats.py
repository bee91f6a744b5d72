"""A triple stated in two public graphs appears once in the resource's documents (every
format) and once on its page: an RDF graph is a set (oxigraph#1919 yields it per graph)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from graph.namespaces import CG, RDFS
from graph.store.embedded import MemoryStore
from tests.support.live import app_client

THING = ox.NamedNode("https://w3id.org/civicgraph/id/thing/x")
SAME = ox.Triple(THING, ox.NamedNode(RDFS + "comment"), ox.Literal("same"))
GRAPHS = ("https://w3id.org/civicgraph/graph/one", "https://w3id.org/civicgraph/graph/two")


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    store = MemoryStore()
    for graph in GRAPHS:
        store.replace_graph(graph, [SAME], metadata=[ox.Triple(
            ox.NamedNode(graph), ox.NamedNode(CG + "access"), ox.NamedNode(CG + "Public"))])
    with app_client(store) as opened:
        yield opened


@pytest.mark.parametrize(("suffix", "fmt"), [("ttl", ox.RdfFormat.TURTLE),
                                             ("nt", ox.RdfFormat.N_TRIPLES),
                                             ("rdf", ox.RdfFormat.RDF_XML)])
def test_a_document_holds_the_triple_once(client: TestClient, suffix: str,
                                          fmt: ox.RdfFormat) -> None:
    response = client.get(f"/id/thing/x.{suffix}")
    assert response.status_code == 200, response.text
    assert [q.triple for q in ox.parse(response.content, format=fmt)] == [SAME]
    assert response.content.count(b'"same"') + response.content.count(b">same<") == 1


def test_the_json_ld_document_holds_the_value_once(client: TestClient) -> None:
    response = client.get("/id/thing/x.jsonld")
    assert response.status_code == 200, response.text
    assert json.dumps(response.json()).count('"same"') == 1


def test_the_page_shows_the_value_once(client: TestClient) -> None:
    response = client.get("/id/thing/x", headers={"Accept": "text/html"})
    assert response.status_code == 200, response.text
    assert response.text.count("<span>same</span>") == 1       # the table of properties
    assert response.text.count('{"@value": "same"}') == 1      # the page's JSON-LD


@pytest.mark.parametrize("query", [
    pytest.param(f"DESCRIBE {THING}", id="describe"),
    pytest.param(f"CONSTRUCT {{ {THING} ?p ?o }} WHERE {{ {THING} ?p ?o }}", id="construct"),
])
def test_sparql_graph_answers_hold_the_triple_once(client: TestClient, query: str) -> None:
    response = client.get("/sparql", params={"query": query},
                          headers={"Accept": "application/n-triples"})
    assert response.status_code == 200, response.text
    assert [q.triple for q in ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES)] \
        == [SAME]
