"""Loading into Virtuoso: batched and resumable, from the CLI, and ``serve`` over Virtuoso."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from bench.servers import ROOT, Replica, Virtuoso
from graph.errors import StoreUnavailable
from graph.namespaces import CG, STAGING_PREFIX, graph_iri
from graph.samples.synthetic import write
from tests.support.engines import empty_virtuoso

EX = "http://example.org/"
G = graph_iri("virtuoso-batched")
P = ox.NamedNode(EX + "p")


def content(n: int) -> list[ox.Triple]:
    blank = ox.BlankNode()
    return [*(ox.Triple(ox.NamedNode(f"{EX}s{i}"), P, ox.Literal(f"v{i}")) for i in range(n)),
            ox.Triple(ox.NamedNode(EX + "shared"), P, blank),
            ox.Triple(blank, P, ox.Literal("behind a blank node"))]


def described(sha256: str) -> list[ox.Triple]:
    return [ox.Triple(ox.NamedNode(G), ox.NamedNode(CG + "sha256"), ox.Literal(sha256))]


class Cut(httpx.BaseTransport):
    """Counts the batches Virtuoso's Graph Store accepted; fails after ``after`` of them."""

    def __init__(self, after: int | None = None) -> None:
        self.inner = httpx.HTTPTransport()
        self.after = after
        self.posted = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        upload = request.method == "POST" and request.url.path == "/sparql-graph-crud-auth"
        if upload and self.after is not None and self.posted >= self.after:
            raise httpx.ConnectError("connection cut", request=request)
        response = self.inner.handle_request(request)
        if upload and response.status_code < 300:   # not the digest challenge
            self.posted += 1
        return response

    def close(self) -> None:
        self.inner.close()


def staging_graphs(server: Virtuoso) -> list[str]:
    store = server.open()
    try:
        rows = store._select("SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        return [r["g"].value for r in rows if r["g"].value.startswith(STAGING_PREFIX)]
    finally:
        store.close()


def test_an_interrupted_load_into_virtuoso_resumes(virtuoso_server: Virtuoso) -> None:
    empty_virtuoso(virtuoso_server).close()
    cut = Cut(after=2)
    store = virtuoso_server.open(batch_size=10, transport=cut)
    try:
        with pytest.raises(StoreUnavailable):
            store.replace_graphs({G: content(35)}, metadata=described("abc"))
    finally:
        store.close()
    assert len(staging_graphs(virtuoso_server)) == 2
    again = Cut()
    store = virtuoso_server.open(batch_size=10, transport=again)
    try:
        assert G not in store.graphs()
        store.replace_graphs({G: content(35)}, metadata=described("abc"))
        assert again.posted == 5 - 2           # 4 batches and the blank nodes, 2 already sent
        assert store.count(G) == 37
        assert bool(store.query(f"ASK {{ <{EX}shared> <{P.value}> ?b . ?b <{P.value}> ?x }}"))
    finally:
        store.close()
    assert staging_graphs(virtuoso_server) == []


def civicgraph(*arguments: str, store: str = "",
               timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """The ``civicgraph`` command, with ``CIVICGRAPH_STORE`` set to ``store``."""
    environment = {**os.environ, "CIVICGRAPH_STORE": store}
    if not store:
        del environment["CIVICGRAPH_STORE"]
    return subprocess.run(
        [sys.executable, "-c", "from api.cli import main; main()", *arguments], cwd=ROOT,
        capture_output=True, text=True, timeout=timeout, check=False, env=environment)


@pytest.mark.slow
def test_civicgraph_load_and_stats_on_virtuoso(virtuoso_server: Virtuoso, tmp_path: Path) -> None:
    empty_virtuoso(virtuoso_server).close()
    data = tmp_path / "generated.nt"
    triples = write(30, data)
    loaded = civicgraph("load", str(data), "--store", virtuoso_server.location, "--quiet")
    assert loaded.returncode == 0, loaded.stderr
    assert f"({triples} triples)" in loaded.stdout
    again = civicgraph("load", str(data), "--store", virtuoso_server.location, "--quiet")
    assert again.returncode == 0 and again.stdout.startswith("unchanged:")
    # the store named by the environment, as by --store
    stats = civicgraph("stats", "--json", store=virtuoso_server.location)
    assert stats.returncode == 0, stats.stderr
    figures = json.loads(stats.stdout)
    counts = {g["graph"]: g["triples"] for g in figures["graphs"]}
    assert counts[graph_iri("generated")] == triples
    assert not any(g.startswith(STAGING_PREFIX) for g in counts)


def test_a_wrong_password_is_said_plainly(virtuoso_server: Virtuoso, tmp_path: Path) -> None:
    wrong = virtuoso_server.location.replace(virtuoso_server.password, "not-the-password")
    data = tmp_path / "small.nt"
    write(1, data)
    failed = civicgraph("load", str(data), "--store", wrong, "--quiet", "--no-validate")
    assert failed.returncode == 1
    assert "SPARQL_UPDATE role" in failed.stderr
    assert "not-the-password" not in failed.stderr


@pytest.mark.slow
def test_serve_over_virtuoso(virtuoso_server: Virtuoso,
                             replicas: Callable[..., Replica]) -> None:
    empty_virtuoso(virtuoso_server).close()
    replica = replicas(virtuoso_server.location, empty=False)
    health = httpx.get(f"{replica.url}/health", timeout=30).json()
    assert health["status"] == "ok" and health["store"] == "virtuoso"
    assert health["quads"] > 5000
    answer = httpx.get(f"{replica.url}/queries/tools_by_practice", timeout=60,
                       headers={"Accept": "application/json"})
    assert answer.status_code == 200
