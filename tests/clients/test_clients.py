"""Real SPARQL clients against a running server: SPARQLWrapper and rdflib's SPARQLStore."""

from __future__ import annotations

import gc
import warnings
from collections.abc import Iterator
from typing import Any
from urllib.error import HTTPError

import pytest
import rdflib
from rdflib.plugins.stores.sparqlstore import SPARQLStore, SPARQLUpdateStore
from SPARQLWrapper import CSV, GET, JSON, POST, POSTDIRECTLY, TURTLE, URLENCODED, XML
from SPARQLWrapper import SPARQLWrapper as Wrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from tests.support.live import Live

ORG = "http://www.w3.org/ns/org#"
VECAM = "https://w3id.org/civicgraph/id/org/vecam"
NOTES = "https://w3id.org/civicgraph/graph/client-notes"


@pytest.fixture(autouse=True)
def _close_leaked_sockets() -> Iterator[None]:
    """rdflib's SPARQLConnector leaves its HTTP responses open; collect them here, quietly,
    rather than let a later test trip on their ResourceWarning."""
    yield
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()


def wrapper(live: Live, method: str = GET) -> Wrapper:
    client = Wrapper(f"{live.url}/sparql")
    client.setMethod(method)
    return client


@pytest.mark.parametrize(("method", "request_method"), [
    (GET, None), (POST, URLENCODED), (POST, POSTDIRECTLY),
])
def test_sparqlwrapper_select_json(live: Live, method: str, request_method: str | None) -> None:
    client = wrapper(live, method)
    if request_method:
        client.setRequestMethod(request_method)
    client.setQuery(f"SELECT ?o WHERE {{ ?o a <{ORG}FormalOrganization> }} ORDER BY ?o LIMIT 5")
    client.setReturnFormat(JSON)
    answer: Any = client.queryAndConvert()
    rows = answer["results"]["bindings"]
    assert len(rows) == 5
    assert all(row["o"]["type"] == "uri" for row in rows)


@pytest.mark.parametrize("fmt", [XML, CSV])
def test_sparqlwrapper_other_result_formats(live: Live, fmt: str) -> None:
    client = wrapper(live)
    client.setQuery("SELECT ?s WHERE { ?s ?p ?o } LIMIT 3")
    client.setReturnFormat(fmt)
    result = client.query()
    assert result.response.status == 200
    converted = result.convert()
    assert converted  # a DOM document for XML, bytes for CSV


def test_sparqlwrapper_ask_and_construct(live: Live) -> None:
    client = wrapper(live)
    client.setQuery(f"ASK {{ <{VECAM}> ?p ?o }}")
    client.setReturnFormat(JSON)
    asked: Any = client.queryAndConvert()
    assert asked["boolean"] is True
    client.setQuery(f"CONSTRUCT WHERE {{ <{VECAM}> ?p ?o }}")
    client.setReturnFormat(TURTLE)
    turtle: Any = client.queryAndConvert()
    graph = rdflib.Graph().parse(data=turtle, format="turtle")
    assert (rdflib.URIRef(VECAM), None, None) in graph


def test_sparqlwrapper_sees_errors(live: Live) -> None:
    client = wrapper(live)
    client.setQuery("SELECT ?s WHERE { ?s ?p }")
    client.setReturnFormat(JSON)
    with pytest.raises(QueryBadFormed, match="column"):
        client.query()


def test_sparqlwrapper_update_with_the_token(fresh_live: Live, token: str) -> None:
    client = wrapper(fresh_live, POST)
    client.addCustomHttpHeader("Authorization", f"Bearer {token}")
    client.setQuery(f'INSERT DATA {{ GRAPH <{NOTES}> {{ <{VECAM}> <{ORG}note> "seen" }} }}')
    result = client.query()
    assert result.response.status == 204
    assert fresh_live.store.count(NOTES) == 1


def test_sparqlwrapper_update_without_the_token_fails(fresh_live: Live) -> None:
    client = wrapper(fresh_live, POST)
    client.setQuery(f'INSERT DATA {{ GRAPH <{NOTES}> {{ <{VECAM}> <{ORG}note> "seen" }} }}')
    with pytest.raises(Exception, match="401"):
        client.query()
    assert fresh_live.store.count(NOTES) == 0


def test_sparqlwrapper_gets_a_503_for_a_query_past_the_time_limit(serve: object) -> None:
    from tests.support.stores import example_store

    with serve(example_store(), query_timeout=1.0) as server:  # type: ignore[operator]
        client = wrapper(server)
        client.setQuery("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }")
        client.setReturnFormat(JSON)
        with pytest.raises(HTTPError) as raised:
            client.query()
        assert raised.value.code == 503


@pytest.mark.parametrize("method", ["GET", "POST", "POST_FORM"])
def test_rdflib_sparqlstore_selects_in_json(live: Live, method: str) -> None:
    store = SPARQLStore(f"{live.url}/sparql", returnFormat="json", method=method)
    rows = list(rdflib.Graph(store=store).query(
        f"SELECT ?o WHERE {{ ?o a <{ORG}FormalOrganization> }} LIMIT 4"))
    assert len(rows) == 4
    assert all(isinstance(row[0], rdflib.URIRef) for row in rows)  # type: ignore[index]


def test_rdflib_sparqlstore_reads(live: Live) -> None:
    # rdflib's default Accept: SPARQL XML results, and RDF/XML for CONSTRUCT
    store = SPARQLStore(f"{live.url}/sparql")
    graph = rdflib.Graph(store=store)
    rows = list(graph.query(f"SELECT ?o WHERE {{ ?o a <{ORG}FormalOrganization> }} LIMIT 4"))
    assert len(rows) == 4
    assert (rdflib.URIRef(VECAM), None, None) in graph
    labels = list(graph.objects(rdflib.URIRef(VECAM),
                                rdflib.URIRef("http://www.w3.org/2000/01/rdf-schema#label")))
    assert labels
    constructed = graph.query(f"CONSTRUCT WHERE {{ <{VECAM}> ?p ?o }}")
    assert constructed.graph is not None
    assert len(constructed.graph) == len(list(graph.triples((rdflib.URIRef(VECAM), None, None))))


def test_rdflib_sparqlupdatestore_writes_and_reads_back(fresh_live: Live, token: str) -> None:
    endpoint = f"{fresh_live.url}/sparql"
    store = SPARQLUpdateStore(endpoint, endpoint, headers={"Authorization": f"Bearer {token}"})
    graph = rdflib.Graph(store=store, identifier=rdflib.URIRef(NOTES))
    subject = rdflib.URIRef(VECAM)
    graph.add((subject, rdflib.URIRef(f"{ORG}note"), rdflib.Literal("seen by rdflib")))
    assert fresh_live.store.count(NOTES) == 1
    # the curator reads it back through the same store (the graph is not public)
    assert (subject, rdflib.URIRef(f"{ORG}note"), rdflib.Literal("seen by rdflib")) in graph
    graph.remove((subject, None, None))
    assert fresh_live.store.count(NOTES) == 0


def test_rdflib_sparqlupdatestore_without_the_token_changes_nothing(fresh_live: Live) -> None:
    endpoint = f"{fresh_live.url}/sparql"
    store = SPARQLUpdateStore(endpoint, endpoint)
    graph = rdflib.Graph(store=store, identifier=rdflib.URIRef(NOTES))
    before = fresh_live.store.count()
    with pytest.raises(Exception, match="401"):
        graph.add((rdflib.URIRef(VECAM), rdflib.URIRef(f"{ORG}note"), rdflib.Literal("x")))
    assert fresh_live.store.count() == before
