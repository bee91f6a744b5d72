"""Hostile and broken requests on every endpoint: each gets a clear 4xx, never a 5xx or a
traceback, and the store is exactly as it was (every quad, every graph, compared before and
after); request bodies too large or too slow are refused; nested data is stored up to the
depth bound (graph.ingest.bounds) and refused past it.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from graph.namespaces import graph_iri
from tests.support.graphs import SECRET_GRAPH
from tests.support.hostile import (
    AUTH,
    FORM,
    HOSTILE_GRAPH,
    MAX_BODY,
    NOT_UTF8,
    NOTE,
    SPARQL_QUERY,
    SPARQL_UPDATE,
    TURTLE,
    deep_json_ld,
    deep_turtle,
    hostile_store,
    laughs,
    quadratic_blowup,
    snapshot,
    xlsx_laughs,
)
from tests.support.live import CURATOR_TOKEN, Live, running

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
    # using-graph-uri is honoured (SPARQL 1.1 Protocol), never a way round the privacy guard
    ("update with using-graph-uri of a restricted graph", "POST",
     f"/sparql?using-graph-uri={SECRET_GRAPH}",
     {"data": {"update": f"INSERT {{ GRAPH <{HOSTILE_GRAPH}> {{ ?s ?p ?o }} }} "
                         "WHERE { ?s ?p ?o }"}, "headers": AUTH}, {422}),
    ("update with using-graph-uri and its own WITH", "POST", "/sparql?using-graph-uri=http://x/",
     {"data": {"update": "WITH <http://x/> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }"},
      "headers": AUTH}, {400}),
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
    ("resource page overflow", "GET", "/id/org/xss?page=" + "9" * 30, {}, {400}),
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


@pytest.fixture(scope="module")
def impatient() -> Iterator[Live]:
    """A server that gives a request body 2 s to arrive (the shared one gives the default 30
    s: an 8 MiB upload on a loaded machine may take more than 2)."""
    with running(hostile_store(), body_timeout=2.0, query_timeout=5.0) as live:
        yield live


@pytest.mark.parametrize("path", ["/sparql", f"/store?graph={NOTE}"])
def test_a_slow_body_gets_408_and_others_are_served_meanwhile(impatient: Live,
                                                             path: str) -> None:
    server = impatient
    before = snapshot(server.store)
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
    assert snapshot(server.store) == before


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
def test_nested_turtle_up_to_the_bound_is_stored_and_shown_past_it_refused(serve: Any) -> None:
    from graph.ingest.bounds import RDF_DEPTH

    with serve(hostile_store(), query_timeout=20.0) as live:
        graph = graph_iri("deep")
        too_deep = httpx.put(f"{live.url}/store", params={"graph": graph},
                             content=deep_turtle(RDF_DEPTH + 1), headers={**TURTLE, **AUTH},
                             timeout=60)
        assert too_deep.status_code == 400 and "nesting depth" in too_deep.text
        assert graph not in live.store.graphs()
        put = httpx.put(f"{live.url}/store", params={"graph": graph},
                        content=deep_turtle(RDF_DEPTH), headers={**TURTLE, **AUTH}, timeout=60)
        assert put.status_code == 201, put.text[:300]
        for accept in ("text/html", "text/turtle"):
            page = httpx.get(f"{live.url}/id/org/deep", headers={**AUTH, "Accept": accept},
                             timeout=60)
            assert page.status_code in (200, 503), page.text[:300]
        assert httpx.get(f"{live.url}/health", timeout=30).status_code == 200
