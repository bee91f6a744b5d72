"""SPARQL XML results and RDF/XML (from /sparql and /id/…) are well-formed or refused: a term
holding a character XML 1.0 cannot carry, or a predicate no XML element can be named by, is
answered 4xx naming it and the formats that carry it, never a malformed 200; a carriage return
in a literal reads back as one. Every 200 here is read back by rdflib and ElementTree."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator

import pyoxigraph as ox
import pytest
import rdflib
from fastapi.testclient import TestClient

from graph.namespaces import CG, RDF, RDFS
from graph.store.embedded import MemoryStore
from tests.support.live import app_client

ID = "https://w3id.org/civicgraph/id/"
GRAPH = "https://w3id.org/civicgraph/graph/xml-answers"
LABEL = ox.NamedNode(RDFS + "label")
#: characters XML 1.0 cannot carry, even as a character reference
BAD = {"vt": "\v", "nul": "\x00", "soh": "\x01", "us": "\x1f", "fffe": "\ufffe",
       "ffff": "\uffff"}
#: predicates no XML element can be named by (Oxigraph 0.5.13 writes them malformed, or
#: refuses them with an OSError)
UNNAMEABLE = {
    "digits": "http://ex.org/123", "urn": "urn:x:1", "slash": "http://ex.org/p/",
    "prefix": ID, "hash": "http://ex.org/p#", "rdf-ns": RDF, "digit-after-prefix": ID + "1",
    "description": RDF + "Description", "li": RDF + "li", "about": RDF + "about",
    "about-each": RDF + "aboutEach", "bag-id": RDF + "bagID",
    "xmlns": "http://www.w3.org/2000/xmlns/a",
}
#: predicates that are (the end after the last delimiter need not be a name: Oxigraph and
#: rdflib split at the longest one). Non-ASCII names are left out: Python's expat reads names
#: by the tables of XML 1.0's fourth edition, and refuses some of the fifth's.
NAMEABLE = {
    "plain": "http://ex.org/p", "digit-then-letter": "http://ex.org/1a", "urn": "urn:x:a",
    "hash": "http://ex.org/p#x", "dot": "http://ex.org/a.b", "dash-first": "http://ex.org/-a",
    "underscore": "http://ex.org/_a", "colon": "http://ex.org/a:b", "query": "http://ex.org/a?b=c",
    "prefixed": ID + "a", "rdf": RDF + "value", "latin": "http://ex.org/é",
    "rdf-member": RDF + "_1", "xml-like": "http://ex.org/xmlns",
}
CR = "line one\r\nline two\rthree"


def _thing(name: str) -> ox.NamedNode:
    return ox.NamedNode(f"{ID}thing/{name}")


def _triples() -> Iterator[ox.Triple]:
    for key, char in BAD.items():
        yield ox.Triple(_thing(f"char-{key}"), LABEL, ox.Literal(f"before{char}after"))
    for kind, predicates in (("bad", UNNAMEABLE), ("good", NAMEABLE)):
        for key, iri in predicates.items():
            yield ox.Triple(_thing(f"{kind}-{key}"), ox.NamedNode(iri), ox.Literal("v"))
    yield ox.Triple(_thing("cr"), LABEL, ox.Literal(CR))
    typed = ox.NamedNode(RDF + "type")
    # a subject whose first triple is a type Oxigraph names its element after, then others
    yield ox.Triple(_thing("typed"), typed, ox.NamedNode("urn:x:1"))
    yield ox.Triple(_thing("typed"), LABEL, ox.Literal("typed"))
    yield ox.Triple(_thing("only-typed"), typed, ox.NamedNode("http://ex.org/123"))


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    store = MemoryStore()
    store.replace_graph(GRAPH, list(_triples()), metadata=[ox.Triple(
        ox.NamedNode(GRAPH), ox.NamedNode(CG + "access"), ox.NamedNode(CG + "Public"))])
    with app_client(store) as opened:
        yield opened


def _sparql(client: TestClient, query: str, accept: str) -> tuple[int, bytes, str]:
    answer = client.get("/sparql", params={"query": query}, headers={"Accept": accept})
    message = answer.json()["message"] if answer.status_code >= 400 else ""
    return answer.status_code, answer.content, message


def _graph(body: bytes) -> rdflib.Graph:
    """``body`` read as RDF/XML by ElementTree (a parse error is the defect) and rdflib."""
    ET.fromstring(body)  # noqa: S314 (our own output)
    return rdflib.Graph().parse(data=body, format="xml")


#: the ways /sparql gives a subject's values: a one-subject lookup (answered in the server)
#: and any other query (answered by a query worker)
SELECTS = {"lookup": "SELECT ?o WHERE {{ <{s}> ?p ?o }}",
           "worker": "SELECT ?o WHERE {{ <{s}> ?p ?o FILTER(true) }}"}
GRAPH_QUERIES = {"construct": "CONSTRUCT WHERE {{ <{s}> ?p ?o }}", "describe": "DESCRIBE <{s}>"}


@pytest.mark.parametrize("path", list(SELECTS))
@pytest.mark.parametrize("char", list(BAD))
def test_sparql_xml_results_holding_such_a_character_are_refused(
        client: TestClient, char: str, path: str) -> None:
    query = SELECTS[path].format(s=_thing(f"char-{char}").value)
    status, _, message = _sparql(client, query, "application/sparql-results+xml")
    assert status == 406, message
    assert f"U+{ord(BAD[char]):04X}" in message and "?o" in message
    assert "SPARQL XML results" in message and "application/sparql-results+json" in message
    status, body, _ = _sparql(client, query, "application/sparql-results+json")
    assert status == 200
    assert [row["o"]["value"] for row in json.loads(body)["results"]["bindings"]] == \
        [f"before{BAD[char]}after"]


@pytest.mark.parametrize("form", list(GRAPH_QUERIES))
@pytest.mark.parametrize("char", list(BAD))
def test_rdf_xml_answers_holding_such_a_character_are_refused(
        client: TestClient, char: str, form: str) -> None:
    query = GRAPH_QUERIES[form].format(s=_thing(f"char-{char}").value)
    status, _, message = _sparql(client, query, "application/rdf+xml")
    assert status == 406, message
    assert f"U+{ord(BAD[char]):04X}" in message and "RDF/XML" in message
    assert "text/turtle" in message and "application/n-triples" in message
    status, body, _ = _sparql(client, query, "application/n-triples")
    assert status == 200
    assert [q.triple.object for q in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)] == \
        [ox.Literal(f"before{BAD[char]}after")]


def test_a_carriage_return_reads_back_from_every_xml_answer(client: TestClient) -> None:
    thing = _thing("cr")
    answer = client.get("/id/thing/cr.rdf")
    assert answer.status_code == 200, answer.text
    assert str(_graph(answer.content).value(rdflib.URIRef(thing.value), rdflib.RDFS.label)) \
        == CR
    for form in GRAPH_QUERIES.values():
        status, body, message = _sparql(client, form.format(s=thing.value),
                                        "application/rdf+xml")
        assert status == 200, message
        assert str(_graph(body).value(rdflib.URIRef(thing.value), rdflib.RDFS.label)) == CR
    status, body, message = _sparql(client, SELECTS["worker"].format(s=thing.value),
                                    "application/sparql-results+xml")
    assert status == 200, message
    assert [literal.text for literal in ET.fromstring(body).iter(  # noqa: S314
        "{http://www.w3.org/2005/sparql-results#}literal")] == [CR]


@pytest.mark.parametrize("key", list(UNNAMEABLE))
def test_an_rdf_xml_document_with_an_unnameable_predicate_is_a_406(
        client: TestClient, key: str) -> None:
    answer = client.get(f"/id/thing/bad-{key}.rdf")
    assert answer.status_code == 406, answer.text
    assert f"<{UNNAMEABLE[key]}>" in answer.json()["message"]
    assert sorted(answer.json()["available"]) == [
        "application/ld+json", "application/n-triples", "text/turtle"]
    assert client.get(f"/id/thing/bad-{key}.ttl").status_code == 200


@pytest.mark.parametrize("form", list(GRAPH_QUERIES))
@pytest.mark.parametrize("key", list(UNNAMEABLE))
def test_an_rdf_xml_answer_with_an_unnameable_predicate_is_refused(
        client: TestClient, key: str, form: str) -> None:
    query = GRAPH_QUERIES[form].format(s=_thing(f"bad-{key}").value)
    status, _, message = _sparql(client, query, "application/rdf+xml")
    assert status == 406, message
    assert f"<{UNNAMEABLE[key]}>" in message and "text/turtle" in message
    assert _sparql(client, query, "text/turtle")[0] == 200


@pytest.mark.parametrize("key", list(NAMEABLE))
def test_rdf_xml_with_a_nameable_predicate_reads_back(client: TestClient, key: str) -> None:
    thing = rdflib.URIRef(_thing(f"good-{key}").value)
    expected = {(thing, rdflib.URIRef(NAMEABLE[key]), rdflib.Literal("v"))}
    answer = client.get(f"/id/thing/good-{key}.rdf")
    assert answer.status_code == 200, answer.text
    assert expected <= set(_graph(answer.content))
    for form in GRAPH_QUERIES.values():
        status, body, message = _sparql(client, form.format(s=thing), "application/rdf+xml")
        assert status == 200, message
        assert set(_graph(body)) == expected


def test_a_type_no_element_can_be_named_by_is_written_as_a_property(
        client: TestClient) -> None:
    thing = rdflib.URIRef(_thing("typed").value)
    status, body, message = _sparql(client, f"CONSTRUCT WHERE {{ <{thing}> ?p ?o }}",
                                    "application/rdf+xml")
    assert status == 200, message
    assert set(_graph(body)) == {(thing, rdflib.RDF.type, rdflib.URIRef("urn:x:1")),
                                 (thing, rdflib.RDFS.label, rdflib.Literal("typed"))}


def test_a_subject_with_only_such_a_type_is_refused(client: TestClient) -> None:
    status, _, message = _sparql(client, f"DESCRIBE <{_thing('only-typed').value}>",
                                 "application/rdf+xml")
    assert status == 406, message
    assert "<http://ex.org/123>" in message and "text/turtle" in message


@pytest.mark.parametrize(("query", "accept"), [
    (SELECTS["worker"].format(s=_thing("char-vt").value), "application/sparql-results+xml"),
    (SELECTS["lookup"].format(s=_thing("char-vt").value), "application/sparql-results+xml"),
    (GRAPH_QUERIES["construct"].format(s=_thing("bad-urn").value), "application/rdf+xml"),
])
def test_sparql_answers_such_a_refusal_406(client: TestClient, query: str,
                                          accept: str) -> None:
    assert _sparql(client, query, accept)[0] == 406
