"""A token past what Oxigraph's RDF parsers read (16 MiB: a literal or an IRI) is the input's
fault: a 400 naming the bound (and the line when known) at every door that reads RDF, never a
500; and a result holding RDF 1.2 triple terms asked for in JSON-LD, which cannot write them,
is a 406 naming the formats that can (not a 503 telling the client to retry, nor a 500)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pyoxigraph as ox
import pytest

from graph.engine.parsing import TOKEN_BYTES, Parsers
from graph.errors import BoundExceeded
from tests.support.live import CURATOR_TOKEN, Live
from tests.support.stores import example_store

AUTH = {"Authorization": f"Bearer {CURATOR_TOKEN}"}
LONG = "a" * (TOKEN_BYTES + 1000)
TRIPLE_TERM = "<urn:a> <urn:b> <<( <urn:s> <urn:p> <urn:o> )>>"
XML = ('<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
       'rdf:about="urn:s"><p xmlns="urn:x#">{}</p></rdf:Description></rdf:RDF>')

DOCUMENTS = {
    "turtle literal": ("Turtle", f'\n<urn:s> <urn:p> "{LONG}" .', 2),
    "turtle IRI": ("Turtle", f"<urn:s> <urn:p> <urn:{LONG}> .", 1),
    "n-triples": ("N-Triples", f'<urn:s> <urn:p> "{LONG}" .\n', 1),
    "json-ld": ("JSON-LD", json.dumps({"@id": "urn:s", "urn:p": LONG}), 1),
    # read by the parser, but longer than 16 MiB as N-Triples (each newline written \n)
    "rdf/xml": ("RDF/XML", XML.format(LONG), None),
    "turtle newlines": ("Turtle", '<urn:s> <urn:p> """' + "\n" * (TOKEN_BYTES // 2 + 10)
                        + '""" .', None),
}


@pytest.mark.parametrize("name", list(DOCUMENTS))
def test_a_token_past_the_buffer_is_a_bound_exceeded(name: str) -> None:
    fmt, text, line = DOCUMENTS[name]
    with pytest.raises(BoundExceeded) as raised:
        Parsers(size=0).rdf_triples(text.encode(), fmt)
    assert raised.value.limit == TOKEN_BYTES
    assert raised.value.line == line
    assert "16777216" in str(raised.value)


def test_a_long_token_below_the_buffer_is_read() -> None:
    flat = Parsers(size=0).rdf_triples(f'<urn:s> <urn:p> "{"a" * (1 << 20)}" .'.encode(),
                                       "Turtle")
    assert len(flat) > 1 << 20


def test_an_update_with_a_token_past_the_buffer_is_refused() -> None:
    with pytest.raises(BoundExceeded) as raised:
        Parsers(size=0).prepare_update(
            f'INSERT DATA {{ GRAPH <urn:g:u> {{\n<urn:s> <urn:p> "{LONG}" }} }}')
    assert raised.value.line == 2
    Parsers(size=0).prepare_update('INSERT DATA { GRAPH <urn:g:u> { <urn:s> <urn:p> "a" } }')


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    from tests.support.live import running

    with running(example_store(), max_body_bytes=64 << 20, max_query_bytes=64 << 20) as live:
        yield live


@pytest.mark.parametrize(("method", "media_type", "name"), [
    ("PUT", "text/turtle", "turtle literal"), ("POST", "application/n-triples", "n-triples"),
    ("PUT", "application/ld+json", "json-ld"), ("POST", "text/turtle", "turtle IRI"),
    ("PUT", "application/rdf+xml", "rdf/xml"),
])
def test_the_graph_store_answers_400(big: Live, method: str, media_type: str,
                                     name: str) -> None:
    answer = httpx.request(method, f"{big.url}/store", params={"graph": "urn:g:long"},
                           content=DOCUMENTS[name][1].encode(), timeout=120,
                           headers={**AUTH, "Content-Type": media_type})
    assert answer.status_code == 400, answer.text
    body = answer.json()
    assert body["error"] == "BoundExceeded"
    assert body["limit"] == TOKEN_BYTES and body["line"] == DOCUMENTS[name][2]
    assert big.store.count("urn:g:long") == 0


def test_a_sparql_update_answers_400(big: Live) -> None:
    update = f'INSERT DATA {{ GRAPH <urn:g:long> {{ <urn:s> <urn:p> "{LONG}" }} }}'
    answer = httpx.post(f"{big.url}/sparql", content=update.encode(), timeout=120,
                        headers={**AUTH, "Content-Type": "application/sparql-update"})
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"] == "BoundExceeded"
    assert big.store.count("urn:g:long") == 0


@pytest.mark.parametrize("accept", ["application/ld+json", "application/ld+json, */*;q=0.1"])
def test_a_construct_of_triple_terms_in_json_ld_is_406(big: Live, accept: str) -> None:
    query = f"CONSTRUCT {{ {TRIPLE_TERM} }} WHERE {{}}"
    answer = httpx.post(f"{big.url}/sparql", data={"query": query},
                        headers={"Accept": accept}, timeout=60)
    assert answer.status_code == 406, answer.text
    body = answer.json()
    assert "Retry-After" not in answer.headers
    assert {"text/turtle", "application/n-triples", "application/n-quads",
            "application/trig"} <= set(body["available"])
    assert "application/ld+json" not in body["available"]
    turtle = httpx.post(f"{big.url}/sparql", data={"query": query},
                        headers={"Accept": "text/turtle"}, timeout=60)
    assert turtle.status_code == 200


def test_a_graph_holding_triple_terms_in_json_ld_is_406(big: Live) -> None:
    big.store.update(f"INSERT DATA {{ GRAPH <urn:g:terms> {{ {TRIPLE_TERM} }} }}")
    url = f"{big.url}/store"
    answer = httpx.get(url, params={"graph": "urn:g:terms"}, timeout=60,
                       headers={**AUTH, "Accept": "application/ld+json"})
    assert answer.status_code == 406, answer.text
    assert answer.json()["available"] == ["text/turtle", "application/n-triples",
                                          "application/rdf+xml"]
    for accept in answer.json()["available"]:
        fine = httpx.get(url, params={"graph": "urn:g:terms"}, timeout=60,
                         headers={**AUTH, "Accept": accept})
        assert fine.status_code == 200
        fmt = ox.RdfFormat.from_media_type(accept)
        assert fmt is not None
        assert any(isinstance(q.object, ox.Triple) for q in ox.parse(fine.content, format=fmt))
