"""The SPARQL 1.1 Protocol at /sparql, over a real socket."""

# ruff: noqa: S608 - the queries here are built from the tests' own constants

from __future__ import annotations

import json
import socket
from typing import Any
from urllib.parse import urlencode

import httpx
import pyoxigraph as ox
import pytest

from graph.namespaces import META_GRAPH, VOCABULARY_GRAPH
from graph.publishing.service import SD
from graph.samples.example import EXAMPLE_GRAPHS
from tests.support.live import Live

PUBLIC_GRAPH = EXAMPLE_GRAPHS[0].iri
MEMBERS_GRAPH = EXAMPLE_GRAPHS[1].iri
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
PERSONS = "SELECT (COUNT(?p) AS ?n) WHERE { ?p a <http://xmlns.com/foaf/0.1/Person> }"
GRAPHS = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"


def get(live: Live, query: str, **options: Any) -> httpx.Response:
    params = {"query": query, **options.pop("params", {})}
    return httpx.get(f"{live.url}/sparql", params=params, timeout=30, **options)


def number(response: httpx.Response) -> int:
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# --- reading ------------------------------------------------------------------------------------

def test_get_query_answers_json_by_default(live: Live) -> None:
    response = get(live, COUNT)
    assert response.headers["content-type"] == "application/sparql-results+json"
    assert number(response) > 1000


def test_anonymous_readers_see_no_restricted_data(live: Live, token: str) -> None:
    assert number(get(live, PERSONS)) == 0
    assert number(get(live, PERSONS, headers=bearer(token))) > 0
    graphs = [b["g"]["value"] for b in get(live, GRAPHS).json()["results"]["bindings"]]
    assert PUBLIC_GRAPH in graphs and VOCABULARY_GRAPH in graphs and META_GRAPH in graphs
    assert MEMBERS_GRAPH not in graphs


@pytest.mark.parametrize("smuggle", [
    f"SELECT (COUNT(*) AS ?n) FROM <{MEMBERS_GRAPH}> WHERE {{ ?s ?p ?o }}",
    f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{MEMBERS_GRAPH}> {{ ?s ?p ?o }} }}",
    f"SELECT (COUNT(*) AS ?n) FROM NAMED <{MEMBERS_GRAPH}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
    f"PREFIX g: <{MEMBERS_GRAPH.rsplit('/', 1)[0]}/> "
    "SELECT (COUNT(*) AS ?n) FROM g:example-members WHERE { ?s ?p ?o }",
])
def test_restricted_graphs_cannot_be_named_by_anonymous_readers(live: Live, token: str,
                                                                smuggle: str) -> None:
    assert number(get(live, smuggle)) == 0
    assert number(get(live, smuggle, headers=bearer(token))) > 0


def test_default_graph_uri_is_honoured_and_scoped(live: Live) -> None:
    vocabulary = number(get(live, COUNT, params={"default-graph-uri": VOCABULARY_GRAPH}))
    everything = number(get(live, COUNT))
    assert 0 < vocabulary < everything
    assert number(get(live, COUNT, params={"default-graph-uri": MEMBERS_GRAPH})) == 0


def test_named_graph_uri_limits_graph_patterns(live: Live) -> None:
    response = get(live, GRAPHS, params={"named-graph-uri": VOCABULARY_GRAPH})
    assert [b["g"]["value"] for b in response.json()["results"]["bindings"]] == [VOCABULARY_GRAPH]


def test_protocol_dataset_overrides_from(live: Live) -> None:
    query = f"SELECT (COUNT(*) AS ?n) FROM <{PUBLIC_GRAPH}> WHERE {{ ?s ?p ?o }}"
    from_clause = number(get(live, query))
    overridden = number(get(live, query, params={"default-graph-uri": VOCABULARY_GRAPH}))
    assert from_clause != overridden
    assert overridden == number(get(live, COUNT, params={"default-graph-uri": VOCABULARY_GRAPH}))


@pytest.mark.parametrize(("accept", "expected"), [
    ("application/sparql-results+json", "application/sparql-results+json"),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv; charset=utf-8"),
    ("text/tab-separated-values", "text/tab-separated-values; charset=utf-8"),
    ("application/json", "application/sparql-results+json"),
    ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
    ("text/*;q=0.9, application/sparql-results+json;q=0.1", "text/csv; charset=utf-8"),
    ("*/*", "application/sparql-results+json"),
    ("", "application/sparql-results+json"),
])
def test_select_results_follow_accept(live: Live, accept: str, expected: str) -> None:
    response = get(live, "SELECT ?s WHERE { ?s a <http://www.w3.org/ns/org#Organization> } "
                   "LIMIT 3", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"] == expected
    assert "Accept" in response.headers["vary"]


@pytest.mark.parametrize(("fmt", "media_type"), [
    ("turtle", "text/turtle"), ("ntriples", "application/n-triples"),
    ("nquads", "application/n-quads"), ("trig", "application/trig"),
    ("jsonld", "application/ld+json"), ("rdfxml", "application/rdf+xml"),
])
def test_construct_in_every_graph_format(live: Live, fmt: str, media_type: str) -> None:
    query = ("CONSTRUCT { ?s a ?t } WHERE { ?s a ?t . "
             'FILTER(STRSTARTS(STR(?s), "https://w3id.org/civicgraph/id/org/")) }')
    by_accept = get(live, query, headers={"Accept": media_type})
    by_param = get(live, query, params={"format": fmt})
    for response in (by_accept, by_param):
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].split(";")[0] == media_type
    parsed = list(ox.parse(by_accept.content, format=ox.RdfFormat.from_media_type(media_type)))
    assert len(parsed) >= 10
    assert len(parsed) == len(list(ox.parse(by_param.content,
                                            format=ox.RdfFormat.from_media_type(media_type))))


def test_ask_and_describe(live: Live) -> None:
    assert get(live, "ASK { ?s ?p ?o }").json() == {"head": {}, "boolean": True}
    response = get(live, "DESCRIBE <https://w3id.org/civicgraph/id/org/vecam>",
                   headers={"Accept": "application/n-triples"})
    assert response.status_code == 200
    assert "<https://w3id.org/civicgraph/id/org/vecam>" in response.text


def test_post_form_and_post_direct(live: Live) -> None:
    form = httpx.post(f"{live.url}/sparql", data={"query": COUNT}, timeout=30)
    direct = httpx.post(f"{live.url}/sparql", content=COUNT,
                        headers={"Content-Type": "application/sparql-query; charset=utf-8"},
                        timeout=30)
    assert number(form) == number(direct) == number(get(live, COUNT))


def test_post_direct_takes_the_dataset_from_the_url(live: Live) -> None:
    response = httpx.post(f"{live.url}/sparql", content=COUNT,
                          params={"default-graph-uri": VOCABULARY_GRAPH},
                          headers={"Content-Type": "application/sparql-query"}, timeout=30)
    assert number(response) == number(get(live, COUNT,
                                          params={"default-graph-uri": VOCABULARY_GRAPH}))


# --- errors -------------------------------------------------------------------------------------

def test_malformed_query_is_400_with_the_parser_position(live: Live) -> None:
    response = get(live, "SELECT ?s WHERE {\n  ?s ?p \n}")
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "QuerySyntaxError"
    # Oxigraph reports the furthest position its parser reached
    assert body["line"] == 3 and body["column"] in (1, 2)
    assert body["message"].startswith(f"line 3, column {body['column']}: expected")


def test_malformed_query_page_for_a_browser(live: Live) -> None:
    response = get(live, "SELEC nothing", headers={"Accept": "text/html"})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/html")
    assert "QuerySyntaxError" in response.text


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { service silent <http://example.org/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { \\u0053ERVICE <http://example.org/sparql> { ?s ?p ?o } }",
    "PREFIX ex: <http://ex/> SELECT * WHERE { ?s ex:p\\# ?o . SERVICE <http://e/> { ?a ?b ?c } }",
])
def test_service_is_refused(live: Live, query: str) -> None:
    response = get(live, query)
    assert response.status_code == 400
    assert response.json()["error"] == "ForbiddenOperation"


@pytest.mark.parametrize(("accept", "params"), [
    ("image/png", {}),
    ("text/turtle", {}),                      # a graph format for a SELECT
    ("application/sparql-results+json;q=0", {}),
    ("", {"format": "turtle"}),
])
def test_unsatisfiable_accept_is_406(live: Live, accept: str, params: dict[str, str]) -> None:
    response = get(live, "SELECT * WHERE { ?s ?p ?o } LIMIT 1", headers={"Accept": accept},
                   params=params)
    assert response.status_code == 406
    assert "application/sparql-results+json" in response.text or "json" in response.text


def test_unknown_format_parameter_is_406_naming_the_accepted_ones(live: Live) -> None:
    response = get(live, "SELECT * WHERE { ?s ?p ?o } LIMIT 1", params={"format": "yaml"})
    assert response.status_code == 406
    assert {"json", "xml", "csv", "tsv"} <= set(response.json()["available"])


def test_other_body_types_are_415(live: Live) -> None:
    response = httpx.post(f"{live.url}/sparql", content=COUNT,
                          headers={"Content-Type": "text/plain"}, timeout=30)
    assert response.status_code == 415
    assert "application/sparql-query" in response.json()["accepted"]


def test_post_without_query_or_update_is_400(live: Live) -> None:
    response = httpx.post(f"{live.url}/sparql", data={"nothing": "here"}, timeout=30)
    assert response.status_code == 400


def test_update_by_get_is_refused(live: Live) -> None:
    response = httpx.get(f"{live.url}/sparql", params={"update": "CLEAR ALL"}, timeout=30)
    assert response.status_code == 400


def test_wrong_bearer_token_on_a_read_is_401(live: Live) -> None:
    response = get(live, COUNT, headers=bearer("not-the-token"))
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")


# --- updates ------------------------------------------------------------------------------------

NOTE = ('INSERT DATA { GRAPH <https://w3id.org/civicgraph/graph/notes> { '
        '<https://w3id.org/civicgraph/id/org/vecam> <http://www.w3.org/2000/01/rdf-schema#comment>'
        ' "checked" } }')
NOTES = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://w3id.org/civicgraph/graph/notes> " \
        "{ ?s ?p ?o } }"


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"},
                                     {"Authorization": "Basic dXNlcjpwYXNz"}])
def test_update_without_the_token_is_401_and_changes_nothing(fresh_live: Live,
                                                            headers: dict[str, str]) -> None:
    before = fresh_live.store.count()
    form = httpx.post(f"{fresh_live.url}/sparql", data={"update": NOTE}, headers=headers,
                      timeout=30)
    direct = httpx.post(f"{fresh_live.url}/sparql", content=NOTE, timeout=30,
                        headers={**headers, "Content-Type": "application/sparql-update"})
    assert form.status_code == direct.status_code == 401
    assert fresh_live.store.count() == before


def test_update_with_the_token_is_applied_and_read_back(fresh_live: Live, token: str) -> None:
    response = httpx.post(f"{fresh_live.url}/sparql", content=NOTE, timeout=30,
                          headers={**bearer(token), "Content-Type": "application/sparql-update"})
    assert response.status_code == 204
    # a graph an update creates is described at the default access, public unless
    # CIVICGRAPH_DEFAULT_ACCESS says otherwise (tests/api/test_default_access.py): the
    # curator and the public both read it back
    assert number(get(fresh_live, NOTES, headers=bearer(token))) == 1
    assert number(get(fresh_live, NOTES)) == 1


def test_load_is_refused_even_to_a_curator(fresh_live: Live, token: str) -> None:
    response = httpx.post(f"{fresh_live.url}/sparql", timeout=30, headers=bearer(token),
                          data={"update": "LOAD <http://example.org/data.ttl>"})
    assert response.status_code == 400
    assert response.json()["error"] == "ForbiddenOperation"


def test_malformed_update_is_400(fresh_live: Live, token: str) -> None:
    response = httpx.post(f"{fresh_live.url}/sparql", timeout=30, headers=bearer(token),
                          data={"update": "INSERT DATA { <a> }"})
    assert response.status_code == 400
    assert response.json()["line"] == 1


def test_writes_are_disabled_without_a_configured_token(serve: Any) -> None:
    from tests.support.stores import example_store

    # (a placeholder token is refused when the settings are read: tests/api/test_hostile_tokens.py)
    with serve(example_store(), curator_token="") as server:
        response = httpx.post(f"{server.url}/sparql", data={"update": NOTE}, timeout=30,
                              headers=bearer("change-me"))
        assert response.status_code == 403
        assert get(server, COUNT, headers=bearer("change-me")).status_code == 401


# --- service description, CORS, h2c ------------------------------------------------------------

def test_service_description(live: Live) -> None:
    response = httpx.get(f"{live.url}/sparql", headers={"Accept": "text/turtle"}, timeout=30)
    assert response.status_code == 200
    triples = {(t.subject, t.predicate, t.object) for t in
               (q.triple for q in ox.parse(response.content, format=ox.RdfFormat.TURTLE))}
    endpoint = ox.NamedNode(f"{live.url}/sparql")
    assert (endpoint, ox.NamedNode(SD + "endpoint"), endpoint) in triples
    assert (endpoint, ox.NamedNode(SD + "feature"), ox.NamedNode(SD + "UnionDefaultGraph")) \
        in triples
    names = {o.value for s, p, o in triples if p == ox.NamedNode(SD + "name")}
    assert PUBLIC_GRAPH in names and MEMBERS_GRAPH not in names
    described = [o for s, p, o in triples if p.value.endswith("description")]
    assert any("the public named graphs" in o.value for o in described)


def test_service_description_in_json_ld_and_browser_redirect(live: Live) -> None:
    response = httpx.get(f"{live.url}/sparql", headers={"Accept": "application/ld+json"})
    assert response.status_code == 200
    assert json.loads(response.content)
    browser = httpx.get(f"{live.url}/sparql", headers={"Accept": "text/html"})
    assert browser.status_code == 303
    assert browser.headers["location"] == "/query"


@pytest.mark.parametrize(("accept", "status"), [
    ("text/html", 303),                                          # a page only: the query page
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", 200),  # a browser: XML
    ("image/png", 406),                                          # neither
])
def test_a_query_url_asked_for_a_page_opens_the_query_page(live: Live, accept: str,
                                                           status: int) -> None:
    response = httpx.get(f"{live.url}/sparql", params={"query": COUNT},
                         headers={"Accept": accept})
    assert response.status_code == status, response.text[:300]
    if status == 303:
        assert response.headers["location"] == "/query?" + urlencode({"query": COUNT})
        page = httpx.get(live.url + response.headers["location"])
        assert page.status_code == 200 and "yasgui" in page.text
    if status == 200:
        assert response.headers["content-type"].startswith("application/sparql-results+xml")


def test_cors_lets_any_origin_read_without_credentials(live: Live) -> None:
    response = get(live, COUNT, headers={"Origin": "https://elsewhere.example"})
    assert response.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in response.headers
    preflight = httpx.options(f"{live.url}/sparql", headers={
        "Origin": "https://elsewhere.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert preflight.status_code == 200
    assert "POST" in preflight.headers["access-control-allow-methods"]
    refused = httpx.options(f"{live.url}/sparql", headers={
        "Origin": "https://elsewhere.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization"})
    assert refused.status_code == 400


def test_upgrade_h2c_with_a_post_body_is_read(live: Live) -> None:
    body = f"query={COUNT}".replace(" ", "+").replace("*", "%2A").replace("?", "%3F")
    host, port = live.url.removeprefix("http://").split(":")
    request = (
        "POST /sparql HTTP/1.1\r\n"
        f"Host: {host}:{port}\r\n"
        "Connection: Upgrade, HTTP2-Settings\r\n"
        "Upgrade: h2c\r\n"
        "HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n"
        "Accept: application/sparql-results+json\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\n\r\n{body}"
    ).encode()
    with socket.create_connection((host, int(port)), timeout=30) as conn:
        conn.sendall(request)
        received = b""
        while b"\r\n\r\n" not in received or not received.rstrip().endswith(b"}"):
            chunk = conn.recv(65536)
            if not chunk:
                break
            received += chunk
    head, _, content = received.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200"), head
    assert json.loads(content)["results"]["bindings"][0]["n"]["value"].isdigit()


def test_head_answers_like_get_without_a_body(live: Live) -> None:
    response = httpx.head(f"{live.url}/sparql", params={"query": "ASK { ?s ?p ?o }"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/sparql-results+json"
    assert response.content == b""
    assert httpx.head(f"{live.url}/store", params={"graph": META_GRAPH}).status_code == 200
