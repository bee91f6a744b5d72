"""A parameter that takes one value, given twice, is a 400 naming it.

``format=json&format=xml`` on ``/sparql`` answered in the first format, and FastAPI reads a
scalar query parameter given twice as its last value: the server must not guess which one
the client meant (as ``graph=``, ``query=``, ``update=`` and the form writes' fields,
``tests/api/test_hostile_session10.py``). On ``/sparql`` only, a format named twice by names
of one format is no guess, and SPARQLWrapper sends ``format=tsv&format=text/tab-separated-
values`` (``tests/clients/test_sparqlwrapper.py``). Parameters that take several values
(``default-graph-uri``, a map's ``field``, the search's ``kind``) still do.
"""

from __future__ import annotations

import httpx
import pytest

from tests.support.live import CURATOR_TOKEN, Live

AUTH = {"Authorization": f"Bearer {CURATOR_TOKEN}"}
ASK = "ASK { ?s ?p ?o }"
EXAMPLE = "https://w3id.org/civicgraph/graph/example"


@pytest.mark.parametrize(("path", "params", "name"), [
    ("/sparql", [("query", ASK), ("format", "json"), ("format", "xml")], "format"),
    ("/sparql", [("query", ASK), ("format", "json"), ("format", "text/csv")], "format"),
    ("/sparql", [("format", "turtle"), ("format", "application/rdf+xml")], "format"),
    ("/sparql", [("query", ASK), ("output", "json"), ("output", "csv")], "output"),
    ("/sparql", [("query", ASK), ("results", "json"), ("results", "xml")], "results"),
    ("/queries/tools_by_practice", [("format", "csv"), ("format", "json")], "format"),
    ("/search", [("q", "framasoft"), ("q", "loomio")], "q"),
    ("/search", [("q", "framasoft"), ("limit", "5"), ("limit", "50")], "limit"),
    ("/maps/organisations-tools", [("colour", "community"), ("colour", "field")], "colour"),
    ("/maps/organisations-tools", [("from", "2020-01-01"), ("from", "2024-01-01")], "from"),
    ("/maps/organisations-tools/export.json", [("full", "1"), ("full", "0")], "full"),
    ("/id/org/vecam", [("page", "1"), ("page", "2")], "page"),
    ("/store", [("graph", EXAMPLE), ("graph", EXAMPLE)], "graph"),
])
def test_a_single_valued_parameter_given_twice_is_a_400_naming_it(
        live: Live, path: str, params: list[tuple[str, str]], name: str) -> None:
    response = httpx.get(f"{live.url}{path}", params=params, timeout=60,
                         headers={"Accept": "application/json, text/turtle;q=0.5"})
    assert response.status_code == 400, (response.status_code, response.text[:300])
    assert f"parameter '{name}'" in response.text


def test_format_twice_in_a_posted_form_is_a_400(live: Live) -> None:
    response = httpx.post(f"{live.url}/sparql", timeout=60, content=(
        b"query=ASK%20%7B%7D&format=json&format=xml"),
        headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 400, response.text
    assert "parameter 'format'" in response.json()["message"]


def test_format_in_the_url_and_in_the_form_is_a_400(live: Live) -> None:
    response = httpx.post(f"{live.url}/sparql?format=xml", timeout=60,
                          content=b"query=ASK%20%7B%7D&format=json",
                          headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 400, response.text
    assert "parameter 'format'" in response.json()["message"]


@pytest.mark.parametrize(("path", "params"), [
    ("/sparql", [("query", ASK), ("default-graph-uri", EXAMPLE),
                 ("default-graph-uri", "http://example.org/other"), ("format", "json")]),
    # SPARQLWrapper sends format, output and results at once, and for TSV, JSON-LD and
    # RDF/XML each twice: the short name and the media type, one format
    ("/sparql", [("query", ASK), ("format", "json"), ("output", "json"),
                 ("results", "json")]),
    ("/sparql", [("query", "SELECT * WHERE { ?s ?p ?o } LIMIT 1"), ("format", "tsv"),
                 ("format", "text/tab-separated-values"), ("output", "tsv"),
                 ("output", "text/tab-separated-values")]),
    ("/search", [("q", "framasoft"), ("kind", "tool"), ("kind", "organisation")]),
    ("/maps/organisations-tools/export.json", [("field", "health"), ("field", "urban-question")]),
])
def test_parameters_that_take_several_values_still_do(
        live: Live, path: str, params: list[tuple[str, str]]) -> None:
    response = httpx.get(f"{live.url}{path}", params=params, timeout=60,
                         headers={"Accept": "application/json"})
    assert response.status_code == 200, (response.status_code, response.text[:300])
