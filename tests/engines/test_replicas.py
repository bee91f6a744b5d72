"""Two API replicas (``civicgraph serve`` processes) over one Oxigraph server.

Nothing a replica needs lives in another replica: what one writes, the other reads at once —
through SPARQL, the Graph Store, the catalogue and the dumps — and both accept the curator
token from their settings.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable

import httpx
import pyoxigraph as ox
import pytest

from bench.servers import CURATOR_TOKEN, Replica, Server
from graph.samples.example import EXAMPLE_GRAPHS
from graph.store.remote import RemoteStore
from tests.support.engines import empty_oxigraph

PUBLIC = EXAMPLE_GRAPHS[0].iri
NOTE = "https://w3id.org/civicgraph/id/org/replica-note"
COMMENT = "http://www.w3.org/2000/01/rdf-schema#comment"
CURATOR = {"Authorization": f"Bearer {CURATOR_TOKEN}"}

pytestmark = pytest.mark.slow


def said(replica: Replica, text: str) -> bool:
    """Whether an anonymous reader of ``replica`` sees ``<NOTE> rdfs:comment text``."""
    response = httpx.get(f"{replica.url}/sparql", timeout=30, params={
        "query": f"ASK {{ <{NOTE}> <{COMMENT}> {ox.Literal(text)} }}"},
        headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.text
    return bool(response.json()["boolean"])


def dumped(replica: Replica) -> bytes:
    response = httpx.get(f"{replica.url}/dumps/civicgraph.nq.gz", timeout=60)
    assert response.status_code == 200
    return gzip.decompress(response.content) if response.content[:2] == b"\x1f\x8b" \
        else response.content


def test_two_replicas_over_one_oxigraph_server(oxigraph_server: Server,
                                               replicas: Callable[..., Replica]) -> None:
    empty_oxigraph(oxigraph_server)
    first = replicas(oxigraph_server.url, empty=False)   # loads the example dataset
    second = replicas(oxigraph_server.url)
    assert not said(first, "from the first") and not said(second, "from the first")

    # a SPARQL update through the first replica ...
    update = (f"INSERT DATA {{ GRAPH <{PUBLIC}> {{ <{NOTE}> <{COMMENT}> "
              f"{ox.Literal('from the first')} }} }}")
    response = httpx.post(f"{first.url}/sparql", content=update.encode(), timeout=30,
                          headers={**CURATOR, "Content-Type": "application/sparql-update"})
    assert response.status_code == 204, response.text
    # ... is read through the second at once
    assert said(second, "from the first")

    # a Graph Store write through the second is read through the first
    turtle = f"<{NOTE}> <{COMMENT}> {ox.Literal('from the second')} .\n".encode()
    response = httpx.post(f"{second.url}/store", params={"graph": PUBLIC}, content=turtle,
                          timeout=30, headers={**CURATOR, "Content-Type": "text/turtle"})
    assert response.status_code in (200, 204), response.text
    assert said(first, "from the second")
    read = httpx.get(f"{first.url}/store", params={"graph": PUBLIC}, timeout=30,
                     headers={"Accept": "application/n-triples"})
    assert f"{ox.Literal('from the second')}".encode() in read.content

    # the same catalogue answer from both, and the token of the settings works on both
    answers = [httpx.get(f"{r.url}/queries/tools_by_practice", timeout=60,
                         headers={"Accept": "application/json"}) for r in (first, second)]
    assert answers[0].status_code == answers[1].status_code == 200
    assert answers[0].json() == answers[1].json()
    for replica in (first, second):
        wrong = httpx.post(f"{replica.url}/sparql", content=update.encode(), timeout=30,
                           headers={"Authorization": "Bearer wrong",
                                    "Content-Type": "application/sparql-update"})
        assert wrong.status_code == 401


def test_a_replica_started_later_sees_what_the_others_wrote(
        oxigraph_server: Server, replicas: Callable[..., Replica]) -> None:
    empty_oxigraph(oxigraph_server)
    store = RemoteStore(oxigraph_server.url)
    try:
        store.replace_graph(PUBLIC, [ox.Triple(ox.NamedNode(NOTE), ox.NamedNode(COMMENT),
                                               ox.Literal("written before"))])
    finally:
        store.close()
    late = replicas(oxigraph_server.url)
    health = httpx.get(f"{late.url}/health", headers=CURATOR, timeout=30).json()
    # a starting server also derives the (here empty) public view of persons, so the store
    # holds more than the one triple written before: the replica must report all of it (to
    # the curator; anonymous callers are told the size of the public data only)
    shared = RemoteStore(oxigraph_server.url)
    try:
        assert shared.count(PUBLIC) == 1
        assert health["status"] == "ok" and health["quads"] == shared.count() > 1
    finally:
        shared.close()


def test_a_replica_dumps_what_another_wrote(oxigraph_server: Server,
                                             replicas: Callable[..., Replica]) -> None:
    empty_oxigraph(oxigraph_server)
    first = replicas(oxigraph_server.url, empty=False)
    second = replicas(oxigraph_server.url)
    assert NOTE.encode() not in dumped(second)
    update = (f"INSERT DATA {{ GRAPH <{PUBLIC}> {{ <{NOTE}> <{COMMENT}> "
              f"{ox.Literal('dumped')} }} }}")
    response = httpx.post(f"{first.url}/sparql", content=update.encode(), timeout=30,
                          headers={**CURATOR, "Content-Type": "application/sparql-update"})
    assert response.status_code == 204
    assert NOTE.encode() in dumped(first)
    assert NOTE.encode() in dumped(second)
