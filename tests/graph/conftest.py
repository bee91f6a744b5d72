"""Fixtures of the store, loading and validation tests.

``oxigraph_server`` starts a real Oxigraph server (the ``oxigraph`` executable installed next to
this Python, started by ``bench/servers.py``) on a free port of 127.0.0.1 for the whole
session; ``store`` is each backend in turn, empty: memory, on disk in a fresh directory, and
remote against that server (emptied before each test with ``DROP ALL``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bench.servers import Server, start_server, stop_server
from graph.store import Store
from graph.store.embedded import MemoryStore, OxigraphStore
from tests.support.engines import empty_remote

BACKENDS = ["memory", "oxigraph", "remote"]


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server = start_server(tmp_path_factory.mktemp("oxigraph-server"))
    try:
        yield server
    finally:
        stop_server(server.process)


def make_store(kind: str, tmp_path: Path, server: Server | None) -> Store:
    if kind == "memory":
        return MemoryStore()
    if kind == "oxigraph":
        return OxigraphStore(tmp_path / "store")
    assert server is not None
    return empty_remote(server)


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """An empty store of each backend."""
    server = request.getfixturevalue("oxigraph_server") if request.param == "remote" else None
    opened = make_store(request.param, tmp_path, server)
    try:
        yield opened
    finally:
        opened.close()


# --- the catalogue tests (tests/graph/queries/test_catalogue_*.py) ---------------------------

@pytest.fixture(scope="module", params=["memory", "remote"])
def example_store(request: pytest.FixtureRequest,
                  tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """The vocabulary and the three example graphs (restricted ones too), in memory, or on an
    Oxigraph server of this module's own (the session's server is emptied by other tests),
    where parameters are bound by a VALUES block instead of SEP-0007 substitution."""
    import pyoxigraph as ox

    from graph.ingest.loading import load_vocabulary
    from graph.samples.example import EXAMPLE_GRAPHS, example_path
    from graph.store import open_store

    server = None
    if request.param == "remote":
        server = start_server(tmp_path_factory.mktemp("catalogue-server"))
    store = open_store(server.url if server else "memory")
    try:
        load_vocabulary(store)
        for graph in EXAMPLE_GRAPHS:
            store.replace_graph(graph.iri, ox.parse(example_path(graph).read_bytes(),
                                                    format=ox.RdfFormat.TURTLE))
        yield store
    finally:
        store.close()
        if server is not None:
            stop_server(server.process)


@pytest.fixture(scope="module")
def raw() -> Any:
    """The public example graph and the vocabulary as plain Python (a ``catalogue.Raw``)."""
    from tests.graph.queries.catalogue import Raw

    return Raw()
