"""Nothing reaches the network: SERVICE, LOAD, FROM, remote JSON-LD contexts and external XML
entities fetch nothing (a loopback listener would see the connection).
"""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from tests.support.hostile import (
    AUTH,
    NOTE,
    Listener,
    external_entity,
    remote_context_json_ld,
    snapshot,
)
from tests.support.live import Live

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
