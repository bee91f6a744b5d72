"""How /store reads the name of a graph, over a real socket: an IRI outside ASCII is written
once and answered 201 with a ``Location`` a header can hold (the RFC 3987 §3.1 URI), whether
named by ``graph=`` or by the URL itself."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from graph.store import open_store
from tests.support.live import CURATOR_TOKEN, Live, running

WRITE = {"Authorization": f"Bearer {CURATOR_TOKEN}", "Content-Type": "text/turtle"}
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
@pytest.mark.parametrize("path", ["a"])
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
