"""How /store reads the name of a graph, over a real socket: an IRI outside ASCII is written
once and answered 201 with a ``Location`` a header can hold (the RFC 3987 §3.1 URI), whether
named by ``graph=`` or by the URL itself."""

from __future__ import annotations

import http.client
from collections.abc import Iterator
from types import SimpleNamespace

import httpx
import pytest
from starlette.requests import Request

from api.routes.graph_store import _direct
from api.settings import Settings
from graph.namespaces import STAGING_PREFIX
from graph.store import DEFAULT_GRAPH, open_store
from tests.support.live import CURATOR_TOKEN, Live, running

WRITE = {"Authorization": f"Bearer {CURATOR_TOKEN}", "Content-Type": "text/turtle"}
READ = {"Authorization": f"Bearer {CURATOR_TOKEN}", "Accept": "application/n-triples"}
#: a blank node: written twice, the graph would hold it twice
BODY = b'[] <http://example.org/p> "o" .'
#: a public URL a header cannot hold as it is
PUBLIC_URL = "http://exemple.org/\u0153uvre"


@pytest.fixture(scope="module")
def server() -> Iterator[Live]:
    with running(open_store("memory")) as live:
        yield live


@pytest.fixture(scope="module")
def elsewhere() -> Iterator[Live]:
    """A server whose public URL is outside ASCII (the graphs /store/… names are too)."""
    with running(open_store("memory"), public_url=PUBLIC_URL) as live:
        yield live


#: the graph's IRI, and its URI (what Location says)
NAMES = [
    ("http://example.org/\u0153uvre", "http://example.org/%C5%93uvre"),
    ("http://example.org/\u0416", "http://example.org/%D0%96"),
    ("urn:x:\u00e9", "urn:x:%C3%A9"),
    ("urn:x:a\u200bb", "urn:x:a%E2%80%8Bb"),
    ("urn:x:\u202eevil", "urn:x:%E2%80%AEevil"),
    ("http://example.org/a%20b\u00e9", "http://example.org/a%20b%C3%A9"),
    ("http://example.org/p?q=\u00fc#f\u00fc", "http://example.org/p?q=%C3%BC#f%C3%BC"),
]


@pytest.mark.parametrize("method", ["PUT", "POST"])
@pytest.mark.parametrize(("iri", "uri"), NAMES)
def test_a_new_graph_outside_ascii_by_graph_is_created_once(server: Live, method: str,
                                                           iri: str, uri: str) -> None:
    graph = f"{iri}-{method}" if "#" not in iri else iri.replace("#", f"-{method}#")
    expected = f"{uri}-{method}" if "#" not in uri else uri.replace("#", f"-{method}#")
    created = httpx.request(method, f"{server.url}/store", params={"graph": graph},
                            content=BODY, headers=WRITE, timeout=30)
    assert created.status_code == 201, created.text
    assert created.headers["location"] == expected
    assert server.store.count(graph) == 1
    again = httpx.request("PUT", f"{server.url}/store", params={"graph": graph},
                          content=BODY, headers=WRITE, timeout=30)
    assert again.status_code == 204 and server.store.count(graph) == 1


@pytest.mark.parametrize("method", ["PUT", "POST"])
@pytest.mark.parametrize("path", ["a", "%C3%A9", "a%20b"])
def test_a_new_graph_outside_ascii_by_its_url_is_created_once(elsewhere: Live, method: str,
                                                              path: str) -> None:
    url = f"{elsewhere.url}/store/{method}/{path}"
    created = httpx.request(method, url, content=BODY, headers=WRITE, timeout=30)
    assert created.status_code == 201, created.text
    location = created.headers["location"]
    assert location == f"http://exemple.org/%C5%93uvre/store/{method}/{path}"
    graph = f"{PUBLIC_URL}/store/{method}/{path}"
    assert elsewhere.store.count(graph) == 1
    assert httpx.put(url, content=BODY, headers=WRITE, timeout=30).status_code == 204
    assert elsewhere.store.count(graph) == 1


def test_the_url_as_sent_is_the_graph_iri(server: Live) -> None:
    base = f"{server.url}/store/"
    paths = ["docs%2Fa.ttl", "docs/a.ttl", "my%20graph", "a%25", "%C3%A9"]
    for number, path in enumerate(paths):
        body = f'<http://example.org/s> <http://example.org/p> "n{number}" .'.encode()
        created = httpx.put(base + path, content=body, headers=WRITE, timeout=30)
        assert created.status_code == 201, created.text
        assert created.headers["location"] == base + path
    for number, path in enumerate(paths):
        assert server.store.count(base + path) == 1, path
        for read in (httpx.get(base + path, headers=READ, timeout=30),
                     httpx.get(f"{server.url}/store", params={"graph": base + path},
                               headers=READ, timeout=30)):
            assert read.status_code == 200, read.text
            assert read.text.count('"n') == 1 and f'"n{number}"' in read.text


def test_a_graph_named_by_graph_is_read_at_its_own_url(server: Live) -> None:
    graph = f"{server.url}/store/named%2520graph"
    created = httpx.put(f"{server.url}/store", params={"graph": graph}, content=BODY,
                        headers=WRITE, timeout=30)
    assert created.status_code == 201, created.text
    read = httpx.get(graph, headers=READ, timeout=30)
    assert read.status_code == 200 and "example.org/p" in read.text
    assert httpx.delete(graph, headers=WRITE, timeout=30).status_code == 204
    assert graph not in server.store.graphs()


@pytest.mark.parametrize(("raw", "path", "iri"), [
    (b"/store/a%2Fb", "/store/a/b", "http://h.org/store/a%2Fb"),
    (b"/store/\xc3\xa9", "/store/\u00e9", "http://h.org/store/%C3%A9"),
    (None, "/store/a b%", "http://h.org/store/a%20b%25"),
    (b"/store/a/../b", "/store/a/../b", "http://h.org/store/b"),
    (b"/store/a/./b/.", "/store/a/./b/.", "http://h.org/store/a/b/"),
    (b"/store/%2E%2E/b%2F..", "/store/../b/..", "http://h.org/store/%2E%2E/b%2F.."),
])
def test_the_path_of_a_graph_named_by_its_url(raw: bytes | None, path: str, iri: str) -> None:
    """As sent; a byte no URI holds, or a server that gives no raw path: percent-encoded."""
    app = SimpleNamespace(state=SimpleNamespace(settings=Settings(public_url="http://h.org")))
    scope = {"type": "http", "method": "GET", "path": path, "query_string": b"",
             "headers": [], "app": app, **({"raw_path": raw} if raw is not None else {})}
    assert _direct(Request(scope)) == iri


def _as_sent(server: Live, method: str, path: str, body: bytes = b"") -> http.client.HTTPResponse:
    """``path`` sent as it is (``curl --path-as-is``): httpx removes its dot segments."""
    host, port = server.url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    connection.request(method, path, body=body, headers=WRITE)
    answer = connection.getresponse()
    answer.read()
    connection.close()
    return answer


def test_a_graph_named_with_dot_segments_is_read_at_its_own_url(server: Live) -> None:
    created = _as_sent(server, "PUT", "/store/dots/a/../b", BODY)
    assert created.status == 201
    assert created.getheader("location") == f"{server.url}/store/dots/b"
    read = httpx.get(f"{server.url}/store/dots/a/../b", headers=READ, timeout=30)
    assert str(read.url) == f"{server.url}/store/dots/b"
    assert read.status_code == 200 and "example.org/p" in read.text
    assert f"{server.url}/store/dots/a/../b" not in server.store.graphs()
    assert _as_sent(server, "PUT", "/store/dots/./b", BODY).status == 204


@pytest.mark.parametrize("path", ["/store/..", "/store/../sparql", "/store/a/../../x"])
def test_dot_segments_that_leave_the_store_name_no_graph(server: Live, path: str) -> None:
    before = server.store.graphs()
    assert _as_sent(server, "PUT", path, BODY).status == 400
    assert server.store.graphs() == before


@pytest.mark.parametrize("method", ["GET", "HEAD", "PUT", "POST", "DELETE"])
def test_the_internal_name_of_the_default_graph_is_refused(server: Live, method: str) -> None:
    kept = b'<http://example.org/kept> <http://example.org/p> "default" .'
    assert httpx.put(f"{server.url}/store?default", content=kept, headers=WRITE,
                     timeout=30).status_code in (201, 204)
    refused = httpx.request(method, f"{server.url}/store", params={"graph": DEFAULT_GRAPH},
                            content=BODY if method in ("PUT", "POST") else None,
                            headers={**WRITE, **READ}, timeout=30)
    assert refused.status_code == 400
    if method != "HEAD":
        message = refused.json()["message"]
        assert "reserved" in message and "?default" in message
    default = httpx.get(f"{server.url}/store?default", headers=READ, timeout=30)
    assert default.status_code == 200
    assert default.text.strip() == kept.decode()


#: civicgraph's own graph names (``graphstore.RESERVED``) other than its default graph's
RESERVED = ["urn:civicgraph:no-graph", "urn:civicgraph:load#", "urn:civicgraph:load#ledger",
            STAGING_PREFIX + "x", "urn:civicgraph:validation:1"]


@pytest.mark.parametrize("method", ["GET", "HEAD", "PUT", "POST", "DELETE"])
@pytest.mark.parametrize("graph", RESERVED)
def test_the_internal_graph_names_are_refused(server: Live, method: str, graph: str) -> None:
    before = {g: server.store.count(g) for g in server.store.graphs()}
    refused = httpx.request(method, f"{server.url}/store", params={"graph": graph},
                            content=BODY if method in ("PUT", "POST") else None,
                            headers={**WRITE, **READ}, timeout=30)
    assert refused.status_code == 400
    if method != "HEAD":
        message = refused.json()["message"]
        assert f"<{graph}> is reserved" in message and "name another graph" in message
    assert {g: server.store.count(g) for g in server.store.graphs()} == before
