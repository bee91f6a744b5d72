"""civicgraph's internal name for the store's default graph (``DEFAULT_GRAPH``) is refused
by /sparql as a graph of a query's dataset, with a 400 saying it is reserved, as the Graph
Store and SPARQL Update refuse it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from graph.errors import InputError
from graph.sparql.request import Dataset, requested_dataset
from graph.store import DEFAULT_GRAPH, open_store
from tests.support.live import app_client

JSON = {"Accept": "application/sparql-results+json"}


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    store = open_store("memory")
    store.update('INSERT DATA { <http://example.org/s> <http://example.org/p> "own" }')
    with app_client(store) as client:
        yield client


@pytest.mark.parametrize("query", [
    "SELECT * FROM <urn:civicgraph:default-graph> WHERE { ?s ?p ?o }",
    "SELECT * FROM NAMED <urn:civicgraph:default-graph> WHERE { GRAPH ?g { ?s ?p ?o } }",
    "PREFIX cg: <urn:civicgraph:> SELECT * FROM cg:default-graph WHERE { ?s ?p ?o }",
])
def test_a_from_clause_naming_the_internal_default_graph_is_a_400(
        client: TestClient, query: str) -> None:
    answer = client.get("/sparql", params={"query": query}, headers=JSON)
    assert answer.status_code == 400, answer.text
    assert f"<{DEFAULT_GRAPH}> is reserved" in answer.json()["message"]


def test_a_from_clause_naming_another_graph_still_reads_it(client: TestClient) -> None:
    answer = client.get("/sparql", params={
        "query": "SELECT * FROM <urn:civicgraph:other> WHERE { ?s ?p ?o }"}, headers=JSON)
    assert answer.status_code == 200 and answer.json()["results"]["bindings"] == []


@pytest.mark.parametrize(("default", "named"), [([DEFAULT_GRAPH], []), ([], [DEFAULT_GRAPH]),
                                                (["http://a", DEFAULT_GRAPH], [])])
def test_the_protocol_dataset_naming_the_internal_default_graph_is_refused(
        default: list[str], named: list[str]) -> None:
    with pytest.raises(InputError, match="is reserved"):
        requested_dataset(default, named)


def test_the_protocol_dataset_of_other_graphs() -> None:
    assert requested_dataset([], []) is None
    assert requested_dataset(["http://a"], []) == Dataset(("http://a",), ())


@pytest.mark.parametrize("parameter", ["default-graph-uri", "named-graph-uri"])
def test_the_protocol_naming_the_internal_default_graph_is_a_400(
        client: TestClient, parameter: str) -> None:
    answer = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }",
                                           parameter: DEFAULT_GRAPH}, headers=JSON)
    assert answer.status_code == 400, answer.text
    assert f"<{DEFAULT_GRAPH}> is reserved" in answer.json()["message"]
