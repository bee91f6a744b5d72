"""Hostile and broken input on every endpoint and CLI command: each gets a clear 4xx (an exit
code 1 or 2 on the command line), never a 5xx or a traceback, nothing reaches the network,
and the store is exactly as it was (every quad, every graph, compared before and after).

The script injections that must stay text on every page are checked here in the HTML, and
in a browser in tests/browser/test_security_in_browser.py.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from api.cli import main
from api.settings import PLACEHOLDER_TOKENS, Settings
from graph.namespaces import graph_iri
from tests.api.conftest import CURATOR_TOKEN, Live, running
from tests.api.hostile import (
    NOT_UTF8,
    PAGES,
    PAYLOADS,
    deep_json_ld,
    deep_turtle,
    external_entity,
    hostile_store,
    laughs,
    quadratic_blowup,
    remote_context_json_ld,
    snapshot,
    xlsx_laughs,
)

AUTH = {"Authorization": f"Bearer {CURATOR_TOKEN}"}
MAX_BODY = 8 * 1024 * 1024
NOTE = graph_iri("notes")
TURTLE = {"Content-Type": "text/turtle"}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
SPARQL_QUERY = {"Content-Type": "application/sparql-query"}
SPARQL_UPDATE = {"Content-Type": "application/sparql-update"}


@pytest.fixture(scope="module")
def server() -> Iterator[Live]:
    with running(hostile_store(), max_body_bytes=MAX_BODY, body_timeout=2.0,
                 query_timeout=5.0) as live:
        live.app.state.maps.table()
        yield live


@pytest.fixture
def unchanged(server: Live) -> Iterator[None]:
    """The store holds exactly the same quads after the test."""
    before = snapshot(server.store)
    yield
    assert snapshot(server.store) == before


class Listener:
    """A socket listening on loopback that records every connection made to it."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.connections = 0
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while not self.stopped.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self.stopped.set()
        self.thread.join(5)
        self.sock.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    watching = Listener()
    try:
        yield watching
    finally:
        watching.close()


# --- the curator token ---------------------------------------------------------------------

@pytest.mark.parametrize("token", [*sorted(PLACEHOLDER_TOKENS - {""}), " change-me ",
                                   "CHANGE-ME", "Secret", "short-token"])
def test_placeholder_or_short_tokens_are_refused_when_the_settings_are_read(token: str) -> None:
    with pytest.raises(ValueError, match=r"placeholder|shorter") as info:
        Settings(curator_token=token)
    assert token.strip() not in str(info.value) or token.strip().lower() in PLACEHOLDER_TOKENS


def test_the_cli_refuses_to_start_with_a_placeholder_token(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CIVICGRAPH_CURATOR_TOKEN", "change-me")
    result = CliRunner().invoke(main, ["serve", "--store", "memory", "--empty"])
    assert result.exit_code == 2
    assert "CIVICGRAPH_CURATOR_TOKEN" in result.output and "placeholder" in result.output
    assert "Traceback" not in result.output


def test_a_short_token_is_never_echoed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CIVICGRAPH_CURATOR_TOKEN", "hunter2-hunter")
    result = CliRunner().invoke(main, ["stats", "--store", "memory"])
    assert result.exit_code == 2 and "shorter than 16" in result.output
    assert "hunter2" not in result.output


def test_tokens_are_compared_in_constant_time(server: Live,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    import hmac

    calls: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    for token in (CURATOR_TOKEN, CURATOR_TOKEN[:-1] + "X", "x"):
        httpx.get(f"{server.url}/sparql", params={"query": "ASK {}"}, timeout=30,
                  headers={"Authorization": f"Bearer {token}"})
    assert [a for a, _ in calls] == [t.encode() for t in
                                     (CURATOR_TOKEN, CURATOR_TOKEN[:-1] + "X", "x")]


WRITES: list[tuple[str, str, dict[str, Any]]] = [
    ("POST", "/sparql", {"data": {"update": f"INSERT DATA {{ GRAPH <{NOTE}> {{ <a:b> <a:c> 1 }} }}",
                                  }}),
    ("POST", "/sparql", {"content": f"DROP GRAPH <{graph_iri('tiny')}>", "headers": SPARQL_UPDATE}),
    ("PUT", f"/store?graph={NOTE}", {"content": "<a:b> <a:c> 1 .", "headers": TURTLE}),
    ("POST", f"/store?graph={NOTE}", {"content": "<a:b> <a:c> 1 .", "headers": TURTLE}),
    ("POST", "/store", {"content": "<a:b> <a:c> 1 .", "headers": TURTLE}),
    ("DELETE", f"/store?graph={graph_iri('tiny')}", {}),
    ("POST", "/imports", {"files": {"file": ("o.csv", b"name\nA\n", "text/csv")},
                          "data": {"source": "s"}}),
]
BAD_TOKENS = [None, "Bearer wrong-token-0123456789", "Bearer", "Basic dXNlcjpwYXNz",
              CURATOR_TOKEN, "Bearer " + CURATOR_TOKEN + "x", b"Bearer \xff\xfe"]


@pytest.mark.parametrize(("method", "path", "kwargs"), WRITES)
@pytest.mark.parametrize("authorization", BAD_TOKENS)
def test_writes_without_a_valid_token_change_nothing(
        server: Live, unchanged: None, method: str, path: str, kwargs: dict[str, Any],
        authorization: str | bytes | None) -> None:
    headers = dict(kwargs.get("headers", {}))
    if authorization is not None:
        headers["Authorization"] = authorization  # type: ignore[assignment]
    response = httpx.request(method, server.url + path, timeout=30,
                             **{**kwargs, "headers": headers})
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert CURATOR_TOKEN not in response.text


def test_with_writes_disabled_every_write_is_403(serve: Any) -> None:
    store = hostile_store()
    before = snapshot(store)
    with serve(store, curator_token="") as live:
        for method, path, kwargs in WRITES:
            response = httpx.request(method, live.url + path, timeout=30,
                                     **{**kwargs, "headers": {**kwargs.get("headers", {}),
                                                              **AUTH}})
            assert response.status_code == 403, (path, response.text)
    assert snapshot(store) == before


def test_the_token_is_never_logged(serve: Any, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("DEBUG")
    with serve(hostile_store(), log_level="debug") as live:
        for token in (CURATOR_TOKEN, "wrong-" + CURATOR_TOKEN):
            headers = {"Authorization": f"Bearer {token}"}
            httpx.get(f"{live.url}/sparql", params={"query": "ASK {}"}, headers=headers)
            httpx.post(f"{live.url}/sparql", data={"update": "INSERT DATA { <a:b> }"},
                       headers=headers)
    text = "\n".join(r.getMessage() + str(r.__dict__) for r in caplog.records)
    assert "civicgraph.access" in {r.name for r in caplog.records}
    assert CURATOR_TOKEN not in text


# --- every endpoint, hostile requests ---------------------------------------------------------

DEEP_GROUPS = "SELECT * WHERE " + "{" * 5000 + " ?s ?p ?o " + "}" * 5000
HOSTILE_REQUESTS: list[tuple[str, str, str, dict[str, Any], set[int]]] = [
    # malformed SPARQL
    ("syntax", "GET", "/sparql", {"params": {"query": "SELEC ?s WHERE {"}}, {400}),
    ("empty query", "GET", "/sparql", {"params": {"query": ""}}, {400}),
    ("two queries", "GET", "/sparql?query=ASK{}&query=ASK{}", {}, {400}),
    ("query and update", "POST", "/sparql", {"data": {"query": "ASK {}", "update": "CLEAR ALL"}},
     {400}),
    ("update by GET", "GET", "/sparql", {"params": {"update": "CLEAR ALL"}}, {400}),
    ("deep groups", "GET", "/sparql", {"params": {"query": DEEP_GROUPS}}, {400, 200}),
    ("null byte", "GET", "/sparql", {"params": {"query": "ASK { ?s ?p \x00 }"}}, {400}),
    ("bad format", "GET", "/sparql", {"params": {"query": "ASK {}", "format": "exe"}},
     {400, 406}),
    ("bad accept", "GET", "/sparql", {"params": {"query": "ASK {}"},
                                      "headers": {"Accept": "image/png"}}, {406}),
    ("update with token, syntax", "POST", "/sparql",
     {"data": {"update": "INSERT DATA { <a:b> }"}, "headers": AUTH}, {400}),
    ("update with token, LOAD", "POST", "/sparql",
     {"data": {"update": "LOAD <file:///etc/passwd>"}, "headers": AUTH}, {400}),
    ("update with token, escaped SERVICE", "POST", "/sparql",
     {"data": {"update": "INSERT { ?s ?p ?o } WHERE { \\u0053ERVICE <http://x/> "
                         "{ ?s ?p ?o } }"}, "headers": AUTH}, {400}),
    ("update with using-graph-uri", "POST", "/sparql?using-graph-uri=http://x/",
     {"data": {"update": "CLEAR SILENT GRAPH <http://x/>"}, "headers": AUTH}, {400}),
    # wrong content types
    ("sparql text/plain", "POST", "/sparql",
     {"content": "ASK {}", "headers": {"Content-Type": "text/plain"}}, {415}),
    ("sparql json", "POST", "/sparql",
     {"content": '{"query": "ASK {}"}', "headers": {"Content-Type": "application/json"}},
     {415}),
    ("sparql no type", "POST", "/sparql", {"content": b"ASK {}"}, {415}),
    ("store json", "PUT", f"/store?graph={NOTE}",
     {"content": "{}", "headers": {"Content-Type": "application/json", **AUTH}}, {415}),
    ("store no type", "PUT", f"/store?graph={NOTE}", {"content": b"x", "headers": AUTH},
     {415}),
    ("store trig", "PUT", f"/store?graph={NOTE}",
     {"content": "<a:b> <a:c> 1 .", "headers": {"Content-Type": "application/trig", **AUTH}},
     {415}),
    ("imports not multipart", "POST", "/imports",
     {"content": "name\nA\n", "headers": {"Content-Type": "text/csv", **AUTH}}, {400, 415, 422}),
    # non-UTF-8 bytes
    ("sparql body not UTF-8", "POST", "/sparql",
     {"content": b"ASK { ?s ?p " + NOT_UTF8 + b" }", "headers": SPARQL_QUERY}, {400}),
    ("update body not UTF-8", "POST", "/sparql",
     {"content": b"INSERT DATA { <a:b> <a:c> \"" + NOT_UTF8 + b"\" }",
      "headers": {**SPARQL_UPDATE, **AUTH}}, {400}),
    ("form not UTF-8", "POST", "/sparql",
     {"content": b"query=ASK%20%7B%FF%7D", "headers": FORM}, {400}),
    ("raw form not UTF-8", "POST", "/sparql",
     {"content": b"query=ASK " + NOT_UTF8, "headers": FORM}, {400}),
    ("query string not UTF-8", "GET", "/sparql?query=ASK%20%7B%FF%FE%7D", {}, {400}),
    ("turtle not UTF-8", "PUT", f"/store?graph={NOTE}",
     {"content": b'<a:b> <a:c> "' + NOT_UTF8 + b'" .', "headers": {**TURTLE, **AUTH}}, {400}),
    ("search not UTF-8", "GET", "/search?q=%FF%FE%FD", {}, {200, 400}),
    ("id not UTF-8", "GET", "/id/org/%FF%FE", {}, {404}),
    ("queries not UTF-8", "GET", "/queries/%FF", {}, {404}),
    ("accept not UTF-8", "GET", "/id/org/xss", {"headers": {"Accept": b"\xff\xfe"}},
     {200, 406}),
    ("language not UTF-8", "GET", "/", {"headers": {"Accept-Language": b"\xff;q=\xfe"}}, {200}),
    ("content type not UTF-8", "POST", "/sparql",
     {"content": b"ASK {}", "headers": {"Content-Type": b"application/\xff"}}, {415}),
    ("csv not UTF-8", "POST", "/imports",
     {"files": {"file": ("o.csv", b"name;commune\n" + NOT_UTF8 + b";Paris\n", "text/csv")},
      "data": {"source": "s"}, "headers": AUTH}, {400, 422}),
    # RDF that explodes
    ("billion laughs", "PUT", f"/store?graph={NOTE}",
     {"content": laughs(), "headers": {"Content-Type": "application/rdf+xml", **AUTH}}, {400}),
    ("quadratic blowup", "PUT", f"/store?graph={NOTE}",
     {"content": quadratic_blowup(), "headers": {"Content-Type": "application/rdf+xml",
                                                 **AUTH}}, {400}),
    ("deep JSON-LD", "PUT", f"/store?graph={NOTE}",
     {"content": deep_json_ld(), "headers": {"Content-Type": "application/ld+json", **AUTH}},
     {400}),
    ("deep JSON arrays", "PUT", f"/store?graph={NOTE}",
     {"content": b'{"@id": "http://e/a", "http://e/p": ' + b"[" * 100_000 + b"1"
      + b"]" * 100_000 + b"}", "headers": {"Content-Type": "application/ld+json", **AUTH}},
     {400}),
    ("JSON-LD not JSON", "PUT", f"/store?graph={NOTE}",
     {"content": b"{" + NOT_UTF8, "headers": {"Content-Type": "application/ld+json", **AUTH}},
     {400}),
    ("XLSX laughs", "POST", "/imports",
     {"files": {"file": ("o.xlsx", xlsx_laughs(), "application/octet-stream")},
      "data": {"source": "s"}, "headers": AUTH}, {400, 422}),
    ("XLSX not a zip", "POST", "/imports",
     {"files": {"file": ("o.xlsx", b"PK\x03\x04" + NOT_UTF8 * 10, "application/zip")},
      "data": {"source": "s"}, "headers": AUTH}, {400, 422}),
    # injection through parameters
    ("catalogue IRI injection", "GET", "/queries/tools_by_practice",
     {"params": {"practice": "<http://x> } UNION { ?s ?p ?o"}}, {400}),
    ("catalogue slug injection", "GET", "/queries/tools_by_practice",
     {"params": {"practice": "voting> } ; DROP ALL ; #"}}, {400}),
    ("catalogue javascript IRI", "GET", "/queries/tools_by_practice",
     {"params": {"practice": "javascript:alert(1)"}}, {400}),
    ("catalogue unknown parameter", "GET", "/queries/tools_by_practice",
     {"params": {"practise": "voting"}}, {400}),
    ("catalogue unknown format", "GET", "/queries/tools_by_practice?format=exe", {}, {406}),
    ("search quote injection", "GET", "/search",
     {"params": {"q": '") } UNION { GRAPH ?g { ?s ?p ?o } } #'}}, {200}),
    ("search regex", "GET", "/search", {"params": {"q": "(a+)+$.*[\\"}}, {200}),
    ("search too long", "GET", "/search", {"params": {"q": "a" * 10_000}}, {400}),
    ("search bad limit", "GET", "/search?q=ab&limit=-1", {}, {400}),
    ("search huge limit", "GET", "/search?q=ab&limit=" + "9" * 40, {}, {400}),
    ("search bad kind", "GET", "/search?q=ab&kind=%3Cscript%3E", {}, {400}),
    ("maps bad date", "GET", "/maps/organisations-tools?from=2025-13-45", {}, {400}),
    ("maps bad weight", "GET", "/maps/organisations-tools/embed?min_weight=1e309", {},
     {200, 400}),
    ("maps bad slug", "GET", "/maps/organisations-tools?field=%22%3E%3Cscript%3E", {}, {400}),
    ("maps bad colour", "GET", "/maps/organisations?colour=%3Cscript%3E", {}, {400}),
    ("maps javascript IRI", "GET", "/maps/neighbourhood?iri=javascript:alert(1)", {}, {400}),
    ("maps unknown export", "GET", "/maps/organisations/export.exe", {}, {404}),
    ("store graph not an IRI", "GET", "/store?graph=%3Cscript%3E", {}, {400}),
    ("store graph with spaces", "GET", "/store?graph=http://x/%20%7D%20UNION", {}, {400}),
    ("store graph and default", "GET", f"/store?graph={NOTE}&default", {}, {400}),
    ("store meta graph", "PUT", f"/store?graph={graph_iri('meta')}",
     {"content": "<a:b> <a:c> 1 .", "headers": {**TURTLE, **AUTH}}, {400}),
    ("resource page overflow", "GET", "/id/org/xss?page=" + "9" * 30, {}, {422}),
    ("resource kind injection", "GET", "/id/..%2F..%2Fetc/passwd", {}, {404}),
    # path traversal
    ("dump traversal", "GET", "/dumps/..%2F..%2F..%2Fetc%2Fpasswd", {}, {404}),
    ("dump dotdot", "GET", "/dumps/%2E%2E", {}, {404}),
    ("dump absolute", "GET", "/dumps/%2Fetc%2Fpasswd", {}, {404}),
    ("dump other name", "GET", "/dumps/civicgraph.nq.gz%00.txt", {}, {404}),
    ("static traversal", "GET", "/static/..%2F..%2Fapi%2Fsettings.py", {}, {404}),
    ("static dotdot", "GET", "/static/%2e%2e/%2e%2e/api/settings.py", {}, {404}),
    ("static backslash", "GET", "/static/..%5C..%5Capi%5Csettings.py", {}, {404}),
    ("map asset traversal", "GET", "/maps/assets/..%2F..%2Fsettings.py", {}, {404}),
    ("query file traversal", "GET", "/queries/..%2F..%2Fapi%2Fsettings.rq", {}, {404}),
    ("ns version traversal", "GET", "/ns/..%2F..%2Fetc%2Fpasswd", {}, {404}),
    ("upload file name traversal", "POST", "/imports",
     {"files": {"file": ("../../../../tmp/civicgraph-pwned.csv", b"name\n", "text/csv")},
      "data": {"source": "s"}, "headers": AUTH}, {400, 422}),
    # malformed protocol details
    ("huge header", "GET", "/", {"headers": {"X-Junk": "a" * 60_000}}, {200, 400, 431}),
    ("many parameters", "GET", "/search?" + "&".join(f"kind=k{i}" for i in range(2000)), {},
     {400, 414}),
    ("unknown method", "PATCH", "/sparql", {"content": b"x"}, {405}),
    ("TRACE", "TRACE", "/", {}, {405}),
]


@pytest.mark.parametrize(("name", "method", "path", "kwargs", "expected"),
                         HOSTILE_REQUESTS, ids=[c[0] for c in HOSTILE_REQUESTS])
def test_hostile_requests_get_a_clear_4xx_and_change_nothing(
        server: Live, unchanged: None, name: str, method: str, path: str,
        kwargs: dict[str, Any], expected: set[int]) -> None:
    started = time.monotonic()
    response = httpx.request(method, server.url + path, timeout=30, **kwargs)
    assert response.status_code in expected, (response.status_code, response.text[:300])
    assert response.status_code < 500
    assert time.monotonic() - started < 15
    if response.status_code >= 400 and "json" in response.headers.get("content-type", ""):
        body = response.json()
        assert body.get("message") or body.get("detail") or body.get("errors"), body
    assert not Path("/tmp/civicgraph-pwned.csv").exists()


def _multipart(filename: bytes) -> bytes:
    body = (b"--x\r\nContent-Disposition: form-data; name=\"source\"\r\n\r\ns\r\n"
            b"--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + filename
            + b"\"\r\nContent-Type: text/csv\r\n\r\nname\nA\n\r\n--x--\r\n")
    return (b"POST /imports HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
            + CURATOR_TOKEN.encode() + b"\r\nContent-Type: multipart/form-data; boundary=x\r\n"
            + b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)


RAW_REQUESTS = [
    ("path not UTF-8", b"GET /id/org/\xff\xfe HTTP/1.1\r\nHost: x\r\n\r\n"),
    ("query not UTF-8", b"GET /sparql?query=ASK%20{\xff} HTTP/1.1\r\nHost: x\r\n\r\n"),
    ("header not UTF-8", b"GET /search?q=ab HTTP/1.1\r\nHost: x\r\nAccept: \xff\xfe\r\n"
                         b"Accept-Language: \xe9\r\n\r\n"),
    ("bad content length", b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n"),
    ("negative content length", b"POST /sparql HTTP/1.1\r\nHost: x\r\n"
                                b"Content-Length: -5\r\n\r\n"),
    ("two content lengths", b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                            b"Content-Length: 6\r\n\r\nASK{}"),
    ("bad chunk", b"POST /sparql HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                  b"Content-Type: application/sparql-query\r\n\r\nzz\r\nASK\r\n0\r\n\r\n"),
    ("file name not UTF-8", _multipart(b"\xff\xfe.csv")),
    ("file name traversal", _multipart(b"../../../../tmp/civicgraph-pwned.csv")),
    ("no host", b"GET / HTTP/1.1\r\n\r\n"),
    ("garbage", b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03" + NOT_UTF8 + b"\r\n\r\n"),
]


@pytest.mark.parametrize("request_bytes", [r for _, r in RAW_REQUESTS],
                         ids=[name for name, _ in RAW_REQUESTS])
def test_malformed_http_gets_a_4xx(server: Live, unchanged: None,
                                   request_bytes: bytes) -> None:
    sock = _raw_request(server, request_bytes)
    try:
        status = _read_status(sock)
    finally:
        sock.close()
    assert 400 <= status < 500 or (status == 200 and b"/search" in request_bytes), status
    assert not Path("/tmp/civicgraph-pwned.csv").exists()


def test_the_server_still_answers_after_the_hostile_requests(server: Live) -> None:
    health = httpx.get(f"{server.url}/health", timeout=30)
    assert health.status_code == 200 and health.json()["status"] == "ok"


# --- nothing reaches the network -------------------------------------------------------------

def _network_requests(url: str) -> list[tuple[str, str, dict[str, Any]]]:
    query = {"Accept": "application/sparql-results+json"}
    return [
        ("GET", "/sparql", {"params": {"query": f"SELECT * WHERE {{ SERVICE <{url}/sparql> "
                                                "{ ?s ?p ?o } }"}}),
        ("GET", "/sparql", {"params": {"query": f"SELECT * WHERE {{ SERVICE SILENT <{url}> "
                                                "{ ?s ?p ?o } }"}}),
        ("GET", "/sparql", {"params": {"query": f"SELECT * FROM <{url}/data.ttl> "  # noqa: S608
                                                "WHERE { ?s ?p ?o }"}, "headers": query}),
        ("GET", "/sparql", {"params": {"query": f"SELECT * FROM NAMED <{url}/g> WHERE "  # noqa: S608
                                                "{ GRAPH ?g { ?s ?p ?o } }"}}),
        ("GET", "/sparql", {"params": {"query": f"SELECT * WHERE {{ GRAPH <{url}/g> "
                                                "{ ?s ?p ?o } }"}}),
        ("GET", "/sparql", {"params": {"query": f"DESCRIBE <{url}/x>"}}),
        ("GET", "/sparql", {"params": {"query": "SELECT * WHERE { ?s ?p ?o }",
                                       "default-graph-uri": f"{url}/g",
                                       "named-graph-uri": f"{url}/h"}}),
        ("POST", "/sparql", {"data": {"update": f"LOAD <{url}/data.ttl>"}, "headers": AUTH}),
        ("POST", "/sparql", {"data": {"update": f"LOAD SILENT <{url}/d> INTO GRAPH <{url}/g>"},
                             "headers": AUTH}),
        ("POST", "/sparql", {"data": {"update": f"INSERT {{ GRAPH <{NOTE}> {{ ?s ?p ?o }} }} "
                                                f"WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"},
                             "headers": AUTH}),
        ("POST", "/sparql", {"data": {"update": f"INSERT {{ GRAPH <{NOTE}> {{ ?s ?p ?o }} }} "
                                                f"USING <{url}/g> WHERE {{ ?s ?p ?o }}"},
                             "headers": AUTH}),
        ("PUT", f"/store?graph={NOTE}", {"content": remote_context_json_ld(url + "/ctx"),
                                         "headers": {"Content-Type": "application/ld+json",
                                                     **AUTH}}),
        ("PUT", f"/store?graph={NOTE}", {"content": external_entity(url + "/x"),
                                         "headers": {"Content-Type": "application/rdf+xml",
                                                     **AUTH}}),
        ("GET", "/store", {"params": {"graph": f"{url}/g"}}),
        ("GET", "/maps/neighbourhood", {"params": {"iri": f"{url}/x"}}),
        ("GET", "/queries/tools_by_practice", {"params": {"practice": f"{url}/x"}}),
    ]


def test_nothing_is_fetched_from_the_network(server: Live, listener: Listener) -> None:
    before = snapshot(server.store)
    statuses = []
    for method, path, kwargs in _network_requests(listener.url):
        response = httpx.request(method, server.url + path, timeout=30, **kwargs)
        statuses.append((path, response.status_code))
        assert response.status_code < 500, (path, kwargs, response.text[:300])
    time.sleep(0.5)
    assert listener.connections == 0, statuses
    # SERVICE and LOAD are refused outright; the rest read nothing the store does not hold
    assert [s for _, s in statuses[:2]] == [400, 400]
    assert [s for _, s in statuses[7:10]] == [400, 400, 400]
    after = snapshot(server.store)
    assert {q for q in after - before if listener.url in q} == set()


def test_the_listener_would_see_a_connection(listener: Listener) -> None:
    """The network test can fail: a real fetch is seen."""
    with pytest.raises(httpx.HTTPError):  # the listener hangs up without answering
        httpx.get(listener.url, timeout=2)
    deadline = time.monotonic() + 5
    while listener.connections == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert listener.connections == 1


# --- data that would be script ----------------------------------------------------------------

@pytest.mark.parametrize("path", PAGES)
def test_data_is_never_markup_on_any_page(server: Live, path: str) -> None:
    # (a query URL asked for a page is redirected to the query page: followed)
    response = httpx.get(server.url + path, timeout=60, headers={"Accept": "text/html"},
                         follow_redirects=True)
    assert response.status_code < 500
    assert response.headers["content-type"].startswith("text/html"), path
    html = response.text
    for payload in PAYLOADS:
        assert payload not in html, (path, payload)
    assert not re.search(r"<(img|svg)[^>]*\bon\w+=", html, re.IGNORECASE)
    assert not re.search(r"""(href|src|action)\s*=\s*["']?\s*(javascript|data|vbscript):""",
                         html, re.IGNORECASE), path
    assert not re.search(r"<script>\s*alert", html)


def test_the_hostile_data_is_really_shown(server: Live) -> None:
    """The page test can fail: the payloads are on the pages, as text."""
    html = httpx.get(f"{server.url}/id/org/xss", headers={"Accept": "text/html"}).text
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "DESCRIBE" in html  # the javascript: IRI became a link to the query editor
    embed = httpx.get(f"{server.url}/maps/organisations-tools/embed").text
    assert "\\u003cimg src=x onerror=alert(1)\\u003e" in embed
    dumps = httpx.get(f"{server.url}/dumps", headers={"Accept": "text/html"}).text
    assert "&#34;&gt;&lt;script&gt;alert(2)" in dumps or "&quot;&gt;&lt;script&gt;" in dumps


@pytest.mark.parametrize("path", ["/maps/organisations-tools/thumbnail.svg",
                                  "/maps/tool/xss/thumbnail.svg"])
def test_thumbnails_hold_no_script(server: Live, path: str) -> None:
    svg = httpx.get(server.url + path, timeout=60).text
    assert "<script" not in svg and "onerror" not in svg and "onload" not in svg


# --- request bodies: too large, too slow -----------------------------------------------------

@pytest.mark.parametrize(("method", "path", "headers"), [
    ("POST", "/sparql", SPARQL_QUERY),
    ("POST", "/sparql", FORM),
    ("PUT", f"/store?graph={NOTE}", {**TURTLE, **AUTH}),
    ("POST", "/imports", {"Content-Type": "multipart/form-data; boundary=x", **AUTH}),
    ("GET", "/health", {"Content-Type": "text/plain"}),
])
@pytest.mark.parametrize("chunked", [False, True])
def test_oversized_bodies_get_413(server: Live, unchanged: None, method: str, path: str,
                                  headers: dict[str, str], chunked: bool) -> None:
    body = b"# " + b"x" * (MAX_BODY + 10) + b"\n"

    def pieces() -> Iterator[bytes]:
        for at in range(0, len(body), 16_384):
            yield body[at:at + 16_384]

    response = httpx.request(method, server.url + path, headers=headers, timeout=30,
                             content=pieces() if chunked else body)
    if chunked and path == "/health":  # a body nobody reads is never refused
        assert response.status_code == 200
    elif chunked and "boundary" in headers.get("Content-Type", ""):  # not multipart: seen first
        assert response.status_code == 400, response.text[:300]
    elif chunked and headers is FORM:  # a form field is limited to 1 MiB (Starlette)
        assert response.status_code == 400 and "maximum size" in response.text
    else:
        assert response.status_code == 413, response.text[:300]
        assert response.json()["error"] == "PayloadTooLarge"


def test_the_limit_is_exact(serve: Any) -> None:
    with serve(hostile_store(), max_body_bytes=4096) as live:
        for size, status in ((4096, 200), (4097, 413)):
            response = httpx.post(f"{live.url}/sparql", content=("ASK {}").ljust(size),
                                  headers=SPARQL_QUERY, timeout=30)
            assert response.status_code == status


def _raw_request(server: Live, head: bytes) -> socket.socket:
    host, port = server.url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=10)
    sock.sendall(head)
    return sock


def _read_status(sock: socket.socket) -> int:
    data = b""
    while b"\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return int(data.split(b" ", 2)[1])


@pytest.mark.parametrize("path", ["/sparql", f"/store?graph={NOTE}"])
def test_a_slow_body_gets_408_and_others_are_served_meanwhile(server: Live, unchanged: None,
                                                             path: str) -> None:
    method = b"POST" if path == "/sparql" else b"PUT"
    sock = _raw_request(server, method + b" " + path.encode() + b" HTTP/1.1\r\nHost: x\r\n"
                        b"Content-Type: application/sparql-query\r\n"
                        b"Authorization: Bearer " + CURATOR_TOKEN.encode() + b"\r\n"
                        b"Content-Length: 1000\r\n\r\nASK {")
    try:
        started = time.monotonic()
        for _ in range(3):  # a byte now and then, never the whole body
            other = httpx.get(f"{server.url}/health", timeout=5)
            assert other.status_code == 200
            sock.sendall(b" ")
            time.sleep(0.5)
        status = _read_status(sock)
        assert status == 408
        assert 1.5 < time.monotonic() - started < 6
    finally:
        sock.close()


def test_slow_headers_do_not_stop_other_clients(server: Live) -> None:
    socks = [_raw_request(server, b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ") for _ in range(20)]
    try:
        for _ in range(3):
            for sock in socks:
                sock.sendall(b"a")
            assert httpx.get(f"{server.url}/health", timeout=5).status_code == 200
    finally:
        for sock in socks:
            sock.close()


# --- deep but valid data ---------------------------------------------------------------------

@pytest.mark.slow
def test_deeply_nested_turtle_is_stored_and_shown_without_error(serve: Any) -> None:
    with serve(hostile_store(), query_timeout=20.0) as live:
        graph = graph_iri("deep")
        put = httpx.put(f"{live.url}/store", params={"graph": graph}, content=deep_turtle(),
                        headers={**TURTLE, **AUTH}, timeout=60)
        assert put.status_code == 201, put.text[:300]
        for accept in ("text/html", "text/turtle"):
            page = httpx.get(f"{live.url}/id/org/deep", headers={**AUTH, "Accept": accept},
                             timeout=60)
            assert page.status_code in (200, 503), page.text[:300]
        assert httpx.get(f"{live.url}/health", timeout=30).status_code == 200


# --- the command line --------------------------------------------------------------------------

@pytest.fixture
def cli_store(tmp_path: Path) -> str:
    """An embedded store that already holds the vocabulary and a small graph."""
    path = str(tmp_path / "store")
    data = tmp_path / "small.ttl"
    data.write_text("<https://w3id.org/civicgraph/id/org/a> "
                    "<http://www.w3.org/2000/01/rdf-schema#label> \"A\" .\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["load", "--store", path, "-q", "--no-validate",
                                       str(data)])
    assert result.exit_code == 0, result.output
    return path


def _store_quads(path: str) -> frozenset[str]:
    from graph.store import open_store

    with open_store(path) as store:
        return snapshot(store)


def _cli_cases(tmp: Path, url: str) -> list[tuple[str, list[str], set[int]]]:
    files = {
        "laughs.rdf": laughs(), "blowup.rdf": quadratic_blowup(), "deep.jsonld": deep_json_ld(),
        "remote.jsonld": remote_context_json_ld(url + "/ctx"),
        "external.rdf": external_entity(url + "/x"),
        "latin1.ttl": b'<a:b> <a:c> "caf\xe9" .', "garbage.nt": NOT_UTF8 * 100,
        "laughs.xlsx": xlsx_laughs(), "latin1.csv": b"name;commune\nCaf\xe9;Paris\n",
        "binary.csv": NOT_UTF8 * 50, "empty.ttl": b"", "query.rq": b"SELECT " + NOT_UTF8,
    }
    for name, data in files.items():
        (tmp / name).write_bytes(data)

    def f(name: str) -> str:
        return str(tmp / name)

    return [
        ("query syntax", ["query", "SELEC ?s {"], {2}),
        ("query SERVICE", ["query", f"SELECT * {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"], {2}),
        ("query FROM remote", ["query", f"SELECT * FROM <{url}/g> {{ ?s ?p ?o }}"], {0}),  # noqa: S608
        ("query GRAPH remote", ["query", f"SELECT * {{ GRAPH <{url}/g> {{ ?s ?p ?o }} }}"],
         {0}),
        ("query file not UTF-8", ["query", "--file", f("query.rq")], {1, 2}),
        ("query unknown name", ["query", "--name", "../../etc/passwd"], {2}),
        ("query parameter injection", ["query", "--name", "tools_by_practice", "-p",
                                       "practice=<http://x> } UNION { ?s ?p ?o"], {2}),
        ("load laughs", ["load", "-q", f("laughs.rdf")], {1, 2}),
        ("load blowup", ["load", "-q", f("blowup.rdf")], {1, 2}),
        ("load deep JSON-LD", ["load", "-q", f("deep.jsonld")], {1, 2}),
        ("load remote context", ["load", "-q", f("remote.jsonld")], {1, 2}),
        ("load external entity", ["load", "-q", f("external.rdf")], {1, 2}),
        ("load not UTF-8", ["load", "-q", f("latin1.ttl")], {1, 2}),
        ("load garbage", ["load", "-q", f("garbage.nt")], {1, 2}),
        ("load empty", ["load", "-q", "--graph", "not an iri", f("empty.ttl")], {1, 2}),
        ("load graph injection", ["load", "-q", "--graph", f"{graph_iri('x')}> }} ; DROP ALL",
                                  f("latin1.ttl")], {1, 2}),
        ("validate laughs", ["validate", f("laughs.rdf")], {1, 2}),
        ("validate deep JSON-LD", ["validate", f("deep.jsonld")], {1, 2}),
        ("import XLSX laughs", ["import", "--source", "s", f("laughs.xlsx")], {1, 2}),
        ("import latin-1 CSV", ["import", "--source", "s", f("latin1.csv")], {1, 2}),
        ("import binary CSV", ["import", "--source", "s", f("binary.csv")], {1, 2}),
        ("forget injection", ["forget", "--yes", "x> } ; DROP ALL ; #"], {0, 1, 2}),
        ("forget javascript", ["forget", "--yes", "javascript:alert(1)"], {0, 1, 2}),
    ]


@pytest.mark.slow
def test_hostile_input_on_the_command_line(tmp_path: Path, cli_store: str,
                                           listener: Listener) -> None:
    before = _store_quads(cli_store)
    runner = CliRunner()
    for name, args, codes in _cli_cases(tmp_path, listener.url):
        result = runner.invoke(main, [*args, "--store", cli_store])
        assert result.exit_code in codes, (name, result.exit_code, result.output[-500:])
        assert result.exception is None or isinstance(result.exception, SystemExit), \
            (name, repr(result.exception))
        assert "Traceback" not in result.output, name
        if result.exit_code:
            assert "error" in result.output.lower() or "refused" in result.output.lower(), \
                (name, result.output[-300:])
        assert _store_quads(cli_store) == before, name
    assert listener.connections == 0
