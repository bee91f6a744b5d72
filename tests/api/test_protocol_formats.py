"""Every result format name real clients send in ``format=`` / ``output=`` / ``results=``
(SPARQLWrapper, Jena, Virtuoso's and Fuseki's names, media types), for the query form it
applies to, and Accept negotiation with q-values."""

from __future__ import annotations

import httpx
import pyoxigraph as ox
import pytest

from tests.support.live import Live

SELECT = "SELECT ?s WHERE { ?s ?p ?o } LIMIT 2"
ASK = "ASK { ?s ?p ?o }"
CONSTRUCT = "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 2"
DESCRIBE = "DESCRIBE ?s WHERE { ?s ?p ?o } LIMIT 1"

SOLUTIONS = {
    "json": "application/sparql-results+json", "srj": "application/sparql-results+json",
    "application/sparql-results+json": "application/sparql-results+json",
    "application/json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml", "srx": "application/sparql-results+xml",
    "application/sparql-results+xml": "application/sparql-results+xml",
    "csv": "text/csv", "text/csv": "text/csv", "tsv": "text/tab-separated-values",
    "text/tab-separated-values": "text/tab-separated-values",
}
GRAPHS = {
    "xml": "application/rdf+xml", "rdf+xml": "application/rdf+xml",
    "rdfxml": "application/rdf+xml", "rdf": "application/rdf+xml",
    "application/rdf+xml": "application/rdf+xml", "n3": "text/turtle",
    "turtle": "text/turtle", "ttl": "text/turtle", "text/turtle": "text/turtle",
    "text/n3": "text/turtle", "json-ld": "application/ld+json",
    "jsonld": "application/ld+json", "json": "application/ld+json",
    "application/ld+json": "application/ld+json", "nt": "application/n-triples",
    "ntriples": "application/n-triples", "n-triples": "application/n-triples",
    "application/n-triples": "application/n-triples",
}
PARSERS = {
    "application/rdf+xml": ox.RdfFormat.RDF_XML, "text/turtle": ox.RdfFormat.TURTLE,
    "application/ld+json": ox.RdfFormat.JSON_LD, "application/n-triples": ox.RdfFormat.N_TRIPLES,
}
RESULT_PARSERS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}


def ask(live: Live, query: str, params: dict[str, str] | None = None,
        accept: str | None = None) -> httpx.Response:
    headers = {"Accept": accept} if accept is not None else {}
    return httpx.get(f"{live.url}/sparql", params={"query": query, **(params or {})},
                     headers=headers, timeout=30)


def media_type(response: httpx.Response) -> str:
    assert response.status_code == 200, response.text
    return response.headers["content-type"].split(";")[0]


@pytest.mark.parametrize("parameter", ["format", "output", "results"])
@pytest.mark.parametrize(("name", "expected"), SOLUTIONS.items())
def test_solution_format_names(live: Live, parameter: str, name: str, expected: str) -> None:
    response = ask(live, SELECT, {parameter: name})
    assert media_type(response) == expected
    if expected == "text/csv":   # lossy: Oxigraph does not read it back
        assert len(response.text.strip().splitlines()) == 3
    else:
        solutions = ox.parse_query_results(response.content, RESULT_PARSERS[expected])
        assert isinstance(solutions, ox.QuerySolutions)
        assert len(list(solutions)) == 2


@pytest.mark.parametrize(("name", "expected"), SOLUTIONS.items())
def test_boolean_format_names(live: Live, name: str, expected: str) -> None:
    response = ask(live, ASK, {"format": name})
    assert media_type(response) == expected
    if expected in ("text/csv", "text/tab-separated-values"):
        assert response.text.strip() == "true"
    else:
        assert bool(ox.parse_query_results(response.content, RESULT_PARSERS[expected]))


@pytest.mark.parametrize("query", [CONSTRUCT, DESCRIBE])
@pytest.mark.parametrize(("name", "expected"), GRAPHS.items())
def test_graph_format_names(live: Live, query: str, name: str, expected: str) -> None:
    response = ask(live, query, {"format": name})
    assert media_type(response) == expected
    assert list(ox.parse(response.content, format=PARSERS[expected]))


def test_sparqlwrapper_sends_the_same_name_three_times(live: Live) -> None:
    params = {"format": "xml", "output": "xml", "results": "xml"}
    assert media_type(ask(live, CONSTRUCT, params)) == "application/rdf+xml"
    assert media_type(ask(live, SELECT, params)) == "application/sparql-results+xml"


@pytest.mark.parametrize(("query", "name"), [
    (SELECT, "yaml"), (SELECT, "turtle"), (ASK, "rdf+xml"), (CONSTRUCT, "csv"),
    (CONSTRUCT, "application/sparql-results+json"),
])
def test_unknown_or_misapplied_names_are_406_listing_the_accepted_ones(
        live: Live, query: str, name: str) -> None:
    response = ask(live, query, {"format": name})
    assert response.status_code == 406
    available = response.json()["available"]
    assert ("turtle" in available) is (query == CONSTRUCT)
    assert ("json" in available)


@pytest.mark.parametrize(("query", "accept", "expected"), [
    (CONSTRUCT, "application/rdf+xml;q=0.9, text/turtle;q=0.5", "application/rdf+xml"),
    (CONSTRUCT, "text/turtle;q=0.2, application/n-triples", "application/n-triples"),
    (CONSTRUCT, "application/xml", "application/rdf+xml"),
    (CONSTRUCT, "text/n3", "text/turtle"),
    (SELECT, "application/xml;q=0.5, text/csv;q=0.6", "text/csv"),
    (SELECT, "application/sparql-results+json;q=0, */*;q=0.1", "application/sparql-results+xml"),
])
def test_accept_with_q_values(live: Live, query: str, accept: str, expected: str) -> None:
    assert media_type(ask(live, query, accept=accept)) == expected


@pytest.mark.parametrize(("name", "expected"), [
    ("xml", "application/rdf+xml"), ("turtle", "text/turtle"), ("n3", "text/turtle"),
    ("json-ld", "application/ld+json"), ("nt", "application/n-triples"),
])
def test_the_service_description_takes_format_names(live: Live, name: str,
                                                    expected: str) -> None:
    response = httpx.get(f"{live.url}/sparql", params={"format": name}, timeout=30)
    assert media_type(response) == expected
    assert list(ox.parse(response.content, format=PARSERS[expected]))


def test_relative_iris_resolve_against_the_endpoint(live: Live) -> None:
    response = ask(live, "CONSTRUCT { <s> <p> 1 } WHERE {}", {"format": "nt"})
    assert media_type(response) == "application/n-triples"
    (triple,) = [q.triple for q in ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES)]
    assert triple.subject == ox.NamedNode(f"{live.url}/s")
    own = ask(live, "BASE <http://ex/> CONSTRUCT { <s> <p> 1 } WHERE {}", {"format": "nt"})
    assert b"<http://ex/s>" in own.content
