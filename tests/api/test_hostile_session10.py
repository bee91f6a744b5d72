"""Defects a hostile client found over HTTP (session 10), each with the request that showed it.

Every test here failed on the code before its fix. The server is a real one over its own copy
of the example dataset; a refused write must leave every quad of the store as it was.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.support.hostile import snapshot
from tests.support.live import CURATOR_TOKEN, Live, running
from tests.support.stores import example_store

AUTH = {"Authorization": f"Bearer {CURATOR_TOKEN}"}


@pytest.fixture(scope="module")
def live() -> Iterator[Live]:
    with running(example_store()) as server:
        yield server


def _import(live: Live, body: bytes, source: str, name: str = "orgs.csv") -> httpx.Response:
    return httpx.post(f"{live.url}/imports", headers=AUTH, timeout=60,
                      files={"file": (name, body, "text/csv")}, data={"source": source})


# --- POST /imports: a CSV cut short inside a quoted cell --------------------------------------

@pytest.mark.parametrize("body", [
    # the closing quote is missing: the rest of the file would become one cell
    'nom,nature\n"Collectif A,association\nCollectif B,association\nCollectif C,association\n',
    # a file cut short in the middle of a quoted cell
    'nom,nature\nCollectif A,association\n"Collectif non fermé',
])
def test_a_csv_cut_short_inside_quotes_is_refused_with_its_row(live: Live, body: str) -> None:
    before = snapshot(live.store)
    response = _import(live, body.encode(), "session10 truncated")
    assert response.status_code == 422, response.text
    errors = response.json()["errors"]
    opened = body.count("\n", 0, body.index('"')) + 1
    assert [e["row"] for e in errors] == [opened]
    assert "quote" in errors[0]["message"]
    assert snapshot(live.store) == before


def test_quotes_that_close_still_import_every_row(live: Live) -> None:
    body = b'nom,nature\n"Collectif, A",association\n"Le ""B""",association\n'
    response = _import(live, body, "session10 quoted")
    assert response.status_code == 200, response.text
    assert response.json()["rows"]["imported"] == 2


# --- the Graph Store: graph= given twice -------------------------------------------------------

EXAMPLE_GRAPH = "https://w3id.org/civicgraph/graph/example"
TRIPLE = b'<http://example.org/s> <http://www.w3.org/2000/01/rdf-schema#label> "x" .'


@pytest.mark.parametrize(("method", "body"), [
    ("DELETE", None), ("PUT", TRIPLE), ("POST", TRIPLE), ("GET", None)])
def test_a_graph_named_twice_is_refused_and_neither_is_touched(
        live: Live, method: str, body: bytes | None) -> None:
    before = snapshot(live.store)
    response = httpx.request(
        method, f"{live.url}/store", headers={**AUTH, "Content-Type": "text/turtle"},
        params=[("graph", "http://example.org/session10-none"), ("graph", EXAMPLE_GRAPH)],
        content=body, timeout=60)
    assert response.status_code == 400, response.text
    assert "graph" in response.json()["message"]
    assert snapshot(live.store) == before


# --- the form writes: a field given twice --------------------------------------------------------

def test_forget_with_two_persons_erases_neither(live: Live) -> None:
    """An erasure cannot be undone: with two ``person`` fields it must not pick one."""
    before = snapshot(live.store)
    response = httpx.post(f"{live.url}/persons/forget", headers=AUTH, timeout=60,
                          data={"person": ["personne-unknown", "personne-01"]})
    assert response.status_code == 400, response.text
    assert "person" in response.json()["message"]
    assert snapshot(live.store) == before


@pytest.mark.parametrize("field", ["source", "kind", "licence", "skip_invalid"])
def test_an_import_with_a_field_given_twice_writes_nothing(live: Live, field: str) -> None:
    values = {"source": ["session10 a", "session10 b"], "kind": ["organisations"] * 2,
              "licence": ["CC0-1.0", "CC-BY-4.0"], "skip_invalid": ["false", "true"]}
    data = {"source": "session10 twice", field: values[field]}
    before = snapshot(live.store)
    response = httpx.post(f"{live.url}/imports", headers=AUTH, timeout=60, data=data,
                          files={"file": ("orgs.csv", b"nom\nCollectif Double\n", "text/csv")})
    assert response.status_code == 400, response.text
    assert field in response.json()["message"]
    assert snapshot(live.store) == before


def test_an_import_with_two_files_writes_nothing(live: Live) -> None:
    before = snapshot(live.store)
    response = httpx.post(f"{live.url}/imports", headers=AUTH, timeout=60,
                          data={"source": "session10 two files"},
                          files=[("file", ("a.csv", b"nom\nCollectif A\n", "text/csv")),
                                 ("file", ("b.csv", b"nom\nCollectif B\n", "text/csv"))])
    assert response.status_code == 400, response.text
    assert "file" in response.json()["message"]
    assert snapshot(live.store) == before


@pytest.mark.parametrize("kind", ["bogus", "Organisations ", "outils"])
def test_an_import_of_an_unknown_kind_says_so(live: Live, kind: str) -> None:
    """The form's ``kind`` was looked up and, unknown, silently ignored: the report then
    blamed the sheet's name and headers, which were right."""
    before = snapshot(live.store)
    response = httpx.post(f"{live.url}/imports", headers=AUTH, timeout=60,
                          data={"source": "session10 kind", "kind": kind},
                          files={"file": ("organisations.csv", b"nom\nCollectif K\n", "text/csv")})
    assert response.status_code == 422, response.text
    [error] = response.json()["errors"]
    assert f"unknown kind {kind!r}" in error["message"]
    assert "organisations" in error["message"]
    assert snapshot(live.store) == before


def test_a_commune_without_its_insee_code_is_not_dropped_silently(live: Live) -> None:
    """``commune`` alone was read and left out of the graph, with a 200 and no word."""
    response = _import(live, b"nom,commune\nCollectif Sans Code,Montreuil\n",
                       "session10 commune")
    assert response.status_code == 200, response.text
    [warning] = response.json()["warnings"]
    assert (warning["row"], warning["column"], warning["value"]) == (2, "commune", "Montreuil")
    assert "INSEE" in warning["message"]


def test_a_commune_with_its_insee_code_reads_back_without_warning(live: Live) -> None:
    response = _import(live, "nom,commune,code INSEE\nCollectif Codé,Montreuil,93048\n".encode(),
                       "session10 commune code")
    assert response.status_code == 200, response.text
    assert response.json()["warnings"] == []
    graph = next(iter(response.json()["graphs"]))
    turtle = httpx.get(f"{live.url}/store", params={"graph": graph}, headers=AUTH).text
    assert '"Montreuil"' in turtle and '"93048"' in turtle


# --- the pages: an odd query string ----------------------------------------------------------

@pytest.mark.parametrize("iri", ["http://x y", "http://x>y", "https://exemple.fr/{a}"])
@pytest.mark.parametrize("view", ["", "/embed", "/export.json", "/export.gexf"])
def test_a_neighbourhood_of_a_malformed_iri_is_a_400(live: Live, iri: str, view: str) -> None:
    """The embed and the exports answered 500 (pyoxigraph refused the IRI deep in the map's
    query), the page a 200 about nothing."""
    response = httpx.get(f"{live.url}/maps/neighbourhood{view}", params={"iri": iri},
                         headers={"Accept": "application/json"}, timeout=60)
    assert response.status_code == 400, response.text
    assert response.json()["parameter"] == "iri"


@pytest.mark.parametrize(("sheet", "body"), [
    ("activities", "nom,type,début,fin\nEnquête 2026,enquête,01/03/2026,31/02/2026\n"),
    ("activities", "name,type,start,end\nSurvey 2026,survey,2026-13-01,2026-03-01\n"),
])
def test_a_bad_date_is_reported_once(live: Live, sheet: str, body: str) -> None:
    """A bad start or end date was reported twice, word for word: once by the check that the
    period does not end before it starts, once when the cell was mapped."""
    response = _import(live, body.encode(), "session10 dates", name=f"{sheet}.csv")
    assert response.status_code == 422, response.text
    errors = [(e["row"], e["column"], e["message"]) for e in response.json()["errors"]]
    assert len(errors) == 1, errors


# --- the SPARQL protocol -------------------------------------------------------------------------

@pytest.mark.parametrize("query", ["ASK {}", "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1"])
def test_an_unknown_format_is_named_in_its_406(live: Live, query: str) -> None:
    """``format=pdf`` was answered "none of the media types in Accept can be produced", while
    the client sent no Accept at all: the 406 names the parameter and its value."""
    response = httpx.get(f"{live.url}/sparql", params={"query": query, "format": "pdf"},
                         headers={"Accept": "*/*"}, timeout=60)
    assert response.status_code == 406, response.text
    message = response.json()["message"]
    assert "format" in message and "'pdf'" in message and "Accept" not in message
    assert "json" in response.json()["available"] or "turtle" in response.json()["available"]


FORM = {"Content-Type": "application/x-www-form-urlencoded"}
ECHO = 'SELECT ?x WHERE { BIND("%s" AS ?x) }'


def test_a_form_update_in_raw_utf8_stores_the_text_as_sent(live: Live) -> None:
    """``curl -d 'update=…Évry…'`` sends the text's UTF-8 bytes unescaped: they were read as
    Latin-1 and "Évry" was stored as "Ãvry" with a 204."""
    graph = "http://example.org/session10-raw-utf8"
    text = "Évry-Courcouronnes, Saint-Ouen-sur-Seine ✊🏽 عربي"
    update = (f'INSERT DATA {{ GRAPH <{graph}> {{ <http://example.org/s> '
              f'<http://example.org/p> "{text}" }} }}')
    response = httpx.post(f"{live.url}/sparql", headers={**AUTH, **FORM}, timeout=60,
                          content=b"update=" + update.encode())
    assert response.status_code == 204, response.text
    read = httpx.get(f"{live.url}/store", params={"graph": graph}, timeout=60,
                     headers={**AUTH, "Accept": "application/n-triples"})
    assert f'"{text}"' in read.content.decode()


@pytest.mark.parametrize(("content_type", "body", "value"), [
    # raw UTF-8 bytes, percent-escaped UTF-8 and both mixed read the same
    ("application/x-www-form-urlencoded", (ECHO % "é").encode(), "é"),
    ("application/x-www-form-urlencoded", (ECHO % "%C3%A9+%2B").encode(), "é +"),
    ("application/x-www-form-urlencoded; charset=utf-8", (ECHO % "😀").encode(), "😀"),
    # a form that says it is Latin-1 is read as Latin-1, escapes included
    ("application/x-www-form-urlencoded; charset=iso-8859-1", (ECHO % "%E9").encode(), "é"),
    ("application/x-www-form-urlencoded; charset=iso-8859-1", (ECHO % "é").encode("latin-1"),
     "é"),
])
def test_a_form_query_reads_its_text_as_the_url_standard_says(
        live: Live, content_type: str, body: bytes, value: str) -> None:
    response = httpx.post(f"{live.url}/sparql", content=b"query=" + body, timeout=60,
                          headers={"Content-Type": content_type,
                                   "Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.text
    assert response.json()["results"]["bindings"][0]["x"]["value"] == value


def test_a_form_field_that_is_not_utf8_is_a_400_naming_it(live: Live) -> None:
    """``%E9`` alone is no UTF-8: it was read as U+FFFD and the query ran on another text."""
    before = snapshot(live.store)
    for body in (b"query=" + (ECHO % "caf%E9").encode(),
                 b"query=" + (ECHO % "caf").encode() + b"\xe9",
                 b"update=" + b'INSERT DATA { <http://e/s> <http://e/p> "caf\xe9" }'):
        response = httpx.post(f"{live.url}/sparql", content=body, timeout=60,
                              headers={**AUTH, **FORM})
        assert response.status_code == 400, response.text
        message = response.json()["message"]
        assert "UTF-8" in message and body.split(b"=")[0].decode() in message
    assert snapshot(live.store) == before


@pytest.mark.parametrize(("path", "query_string", "name"), [
    ("/sparql", "query=" + "SELECT%20%3Fx%20WHERE%20%7B%20BIND(%22caf%E9%22%20AS%20%3Fx)%20%7D",
     "query"),
    ("/search", "q=caf%E9", "q"),
    ("/search", "q=caf%C3%A9&lang=%FF", "lang"),
    ("/store", "graph=http://example.org/caf%E9", "graph"),
])
def test_a_query_string_that_is_not_utf8_is_a_400_naming_it(
        live: Live, path: str, query_string: str, name: str) -> None:
    """``%E9`` alone is no UTF-8: it was read as U+FFFD, and the query, the search or the
    graph asked was another than the one sent (a 200 about something else)."""
    response = httpx.get(f"{live.url}{path}?{query_string}", timeout=60,
                         headers={"Accept": "application/json"})
    assert response.status_code == 400, response.text
    message = response.json()["message"]
    assert "UTF-8" in message and repr(name) in message


def test_a_query_string_in_utf8_is_read_as_sent(live: Live) -> None:
    response = httpx.get(f"{live.url}/sparql?query=SELECT%20%3Fx%20WHERE%20%7B%20BIND(%22"
                         "caf%C3%A9+%F0%9F%98%80%22%20AS%20%3Fx)%20%7D", timeout=60,
                         headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.text
    assert response.json()["results"]["bindings"][0]["x"]["value"] == "café 😀"


@pytest.mark.parametrize(("path", "headers"), [
    ("/store?graph=http://example.org/session10-gzip", {**AUTH, "Content-Type": "text/turtle"}),
    ("/sparql", {"Content-Type": "application/sparql-query"}),
    ("/imports", {**AUTH, "Content-Type": "multipart/form-data; boundary=x"}),
])
def test_a_compressed_request_body_is_a_415_that_says_so(
        live: Live, path: str, headers: dict[str, str]) -> None:
    """A gzipped body was read as it came: a Turtle syntax error at line 1, column 1 ("'\\x1f'
    is not allowed"), or "the body is not UTF-8", for a body the client had compressed.
    RFC 9110 §8.4.1 and RFC 7694: 415, with the codings the server reads."""
    import gzip

    before = snapshot(live.store)
    body = gzip.compress(b'<http://example.org/s> <http://example.org/p> "x" .')
    response = httpx.request("PUT" if path.startswith("/store") else "POST", live.url + path,
                             content=body, timeout=60,
                             headers={**headers, "Content-Encoding": "gzip"})
    assert response.status_code == 415, response.text
    assert "gzip" in response.json()["message"]
    assert response.headers["accept-encoding"] == "identity"
    assert snapshot(live.store) == before


@pytest.mark.parametrize("body", ["person=personne-élodie".encode(),
                                  b"person=personne-%C3%A9lodie"])
def test_forget_reads_its_form_in_utf8(live: Live, body: bytes) -> None:
    """``curl -d person=personne-élodie`` sends raw UTF-8: it was read as Latin-1, and the
    person looked for was "personne-Ã©lodie"."""
    response = httpx.post(f"{live.url}/persons/forget", headers={**AUTH, **FORM},
                          content=body, timeout=60)
    assert response.status_code == 404, response.text
    assert "personne-élodie" in response.json()["message"]


def test_forget_with_a_person_that_is_not_utf8_is_a_400(live: Live) -> None:
    before = snapshot(live.store)
    response = httpx.post(f"{live.url}/persons/forget", headers={**AUTH, **FORM},
                          content=b"person=personne-%E9lodie", timeout=60)
    assert response.status_code == 400, response.text
    assert "'person'" in response.json()["message"]
    assert snapshot(live.store) == before
