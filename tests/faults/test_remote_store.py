"""The remote store goes away mid-request, then comes back: 503 meanwhile, then answers.

``civicgraph serve`` runs over an ``oxigraph serve`` (the example dataset loaded through it).
The Oxigraph server is killed with SIGKILL while the API waits for a slow query: that request
gets a clear 503 (JSON, with ``Retry-After``), never a 500, and so does every page that needs
the store while it is away, promptly. Once a new Oxigraph server listens on the same port over
the same data, the API answers again by itself, without a restart.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from bench.servers import free_port
from tests.support.faults import CURATOR_TOKEN, Serve, kill, start_oxigraph, start_serve
from tests.support.waiting import until

pytestmark = pytest.mark.slow

EXAMPLE = "https://w3id.org/civicgraph/graph/example"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
JSON = "application/json"
RESULTS = "application/sparql-results+json"
BEARER = {"Authorization": f"Bearer {CURATOR_TOKEN}"}

#: (what, method, path, headers, body): requests that need the store
NEEDS_STORE: list[tuple[str, str, str, dict[str, str], bytes | None]] = [
    ("sparql query", "GET", "/sparql?query=ASK%20%7B%3Fs%20%3Fp%20%3Fo%7D",
     {"Accept": RESULTS}, None),
    ("catalogue query", "GET", "/queries/tools_by_practice", {"Accept": JSON}, None),
    ("resource page", "GET", "/id/org/vecam", {"Accept": "text/html"}, None),
    ("resource data", "GET", "/id/org/vecam", {"Accept": "text/turtle"}, None),
    ("search", "GET", "/search?q=loomio", {"Accept": JSON}, None),
    ("graph store read", "GET", f"/store?graph={EXAMPLE}",
     {"Accept": "application/n-triples"}, None),
    ("health", "GET", "/health", {}, None),
    ("sparql update", "POST", "/sparql",
     {"Content-Type": "application/sparql-update", **BEARER},
     b"INSERT DATA { GRAPH <urn:civicgraph:faults> { <urn:a> <urn:b> <urn:c> } }"),
    ("graph store write", "PUT", "/store?graph=urn:civicgraph:faults",
     {"Content-Type": "application/n-triples", **BEARER}, b"<urn:a> <urn:b> <urn:d> .\n"),
]
#: pages that may answer from what the server already holds (cached maps, static pages)
MAY_BE_CACHED: list[tuple[str, str]] = [
    ("home", "/"), ("map gallery", "/maps"), ("map", "/maps/tool-co-usage"),
    ("catalogue", "/queries"), ("dumps", "/dumps"),
]


def ask(server: Serve, method: str, path: str, headers: dict[str, str],
        body: bytes | None) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    response = httpx.request(method, server.url + path, headers=headers, content=body,
                             timeout=60)
    return response, time.monotonic() - started


def test_a_remote_store_that_dies_gives_503_then_the_api_recovers(
        tmp_path: Path, serving: list[Serve]) -> None:
    port = free_port()
    location = tmp_path / "oxigraph"
    oxigraph = start_oxigraph(location, port)
    try:
        server = start_serve(f"http://127.0.0.1:{port}", query_timeout="20")
        serving.append(server)
        for what, method, path, headers, body in NEEDS_STORE:
            response, _ = ask(server, method, path, headers, body)
            assert response.status_code < 300, f"{what}: {response.status_code}"

        # the store dies while the API waits for it
        slow: dict[str, Any] = {}

        def run_slow() -> None:
            slow["response"], slow["seconds"] = ask(
                server, "GET", "/sparql?" + httpx.QueryParams(query=SLOW).__str__(),
                {"Accept": RESULTS}, None)

        thread = threading.Thread(target=run_slow)
        thread.start()
        time.sleep(1.0)
        kill(oxigraph)
        thread.join(60)
        response = slow["response"]
        assert response.status_code == 503, response.text
        assert response.json()["error"] == "StoreUnavailable"
        assert response.headers.get("retry-after")
        assert slow["seconds"] < 10, "the API waited for the query time limit"

        # while it is away: 503 for what needs it, promptly; never a 500
        for what, method, path, headers, body in NEEDS_STORE:
            response, seconds = ask(server, method, path, headers, body)
            assert response.status_code == 503, f"{what}: {response.status_code} " \
                                                f"{response.text[:300]}"
            assert response.headers.get("retry-after"), what
            assert seconds < 5, f"{what} took {seconds:.1f} s"
            if "json" in response.headers.get("content-type", ""):
                assert response.json()["status"] in (503, "unavailable"), what
        for what, path in MAY_BE_CACHED:
            response, seconds = ask(server, "GET", path, {"Accept": "text/html"}, None)
            assert response.status_code in (200, 503), f"{what}: {response.status_code}"
            assert seconds < 5, f"{what} took {seconds:.1f} s"

        # it comes back on the same port: the API answers again, without a restart (once
        # the last failed health probe, kept for a second, has expired)
        oxigraph = start_oxigraph(location, port)
        until(lambda: ask(server, "GET", "/health", {}, None)[0].status_code == 200,
              within=30, what="the API sees the store again")
        for what, method, path, headers, body in NEEDS_STORE:
            response, _ = ask(server, method, path, headers, body)
            assert response.status_code < 300, f"{what}: {response.status_code} " \
                                               f"{response.text[:300]}"
        for what, path in MAY_BE_CACHED:
            response, _ = ask(server, "GET", path, {"Accept": "text/html"}, None)
            assert response.status_code == 200, f"{what}: {response.status_code}"
        assert server.process.poll() is None
    finally:
        kill(oxigraph)
