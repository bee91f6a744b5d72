"""Fixtures of the engine tests: real SPARQL engines on 127.0.0.1, and civicgraph over them.

- ``virtuoso_server``: Virtuoso Open Source 7 (Debian's ``virtuoso-opensource``) started for the
  session by ``.ci/engines/virtuoso`` in a private directory, on free loopback ports, with a
  random ``dba`` password; stopped afterwards. If the package is missing, the script installs
  it (``.ci/setup --system`` normally has).
- ``oxigraph_server``: ``oxigraph serve`` for the session.
- ``store``: an empty ``VirtuosoStore`` (every graph but Virtuoso's own dropped first), so that
  the store contract tests run on Virtuoso as they are.
- ``replicas``: start ``civicgraph serve`` processes over a store URL (``Replica``).

The engines are started by ``bench/servers.py`` (shared with the benchmarks); the empty stores
over them come from ``tests/support/engines.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bench.servers import (
    Replica,
    Server,
    Virtuoso,
    start_replica,
    start_server,
    start_virtuoso,
    stop_server,
    stop_virtuoso,
)
from graph.store import Store
from tests.support.engines import empty_virtuoso


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Virtuoso]:
    server = start_virtuoso(tmp_path_factory.mktemp("virtuoso"))
    try:
        yield server
    finally:
        stop_virtuoso(server)


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server = start_server(tmp_path_factory.mktemp("oxigraph-server"))
    try:
        yield server
    finally:
        stop_server(server.process)


@pytest.fixture
def store(virtuoso_server: Virtuoso) -> Iterator[Store]:
    """An empty Virtuoso store (the contract tests' ``store``)."""
    opened = empty_virtuoso(virtuoso_server)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def replicas(tmp_path: Path) -> Iterator[Callable[..., Replica]]:
    """``replicas(store_url, **options)`` starts a replica, stopped after the test."""
    started: list[Replica] = []

    def start(store: str, **options: object) -> Replica:
        replica = start_replica(store, tmp_path / f"replica-{len(started)}.log",
                                **options)  # type: ignore[arg-type]
        started.append(replica)
        return replica

    try:
        yield start
    finally:
        for replica in started:
            replica.stop()
