"""Fixtures of the store, loading and validation tests.

``oxigraph_server`` starts a real Oxigraph server (the ``oxigraph`` executable installed next to
this Python) on a free port of 127.0.0.1 for the whole session; ``store`` is each backend in
turn, empty: memory, on disk in a fresh directory, and remote against that server (emptied
before each test with ``DROP ALL``).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from graph.store import Store
from graph.store.embedded import MemoryStore, OxigraphStore
from graph.store.remote import RemoteStore

BACKENDS = ["memory", "oxigraph", "remote"]


@dataclass(frozen=True)
class Server:
    """A running Oxigraph server."""

    url: str
    process: subprocess.Popen[bytes]
    location: Path


def oxigraph_executable() -> str:
    """The ``oxigraph`` command of this virtual environment (the PyPI ``oxigraph`` package)."""
    candidate = Path(sys.executable).parent / "oxigraph"
    if candidate.is_file():
        return str(candidate)
    found = shutil.which("oxigraph")
    if found is None:
        raise RuntimeError("the oxigraph server is not installed: pip install oxigraph")
    return found


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(location: Path, *, attempts: int = 150) -> Server:
    """Start ``oxigraph serve`` on a free port and wait (at most ~15 s) until it answers."""
    port = free_port()
    process = subprocess.Popen(
        [oxigraph_executable(), "serve", "--location", str(location),
         "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    for _ in range(attempts):
        if process.poll() is not None:
            raise RuntimeError(f"oxigraph serve exited: {process.stderr.read()!r}")  # type: ignore[union-attr]
        try:
            if httpx.get(f"{url}/query", params={"query": "ASK {}"}, timeout=1).is_success:
                return Server(url, process, location)
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    stop_server(process)
    raise RuntimeError("oxigraph serve did not answer within 15 s")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
    if process.stderr is not None:
        process.stderr.close()


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server = start_server(tmp_path_factory.mktemp("oxigraph-server"))
    try:
        yield server
    finally:
        stop_server(server.process)


def empty_remote(server: Server) -> RemoteStore:
    """A ``RemoteStore`` on ``server``, emptied first."""
    httpx.post(f"{server.url}/update", content=b"DROP ALL",
               headers={"Content-Type": "application/sparql-update"}, timeout=30
               ).raise_for_status()
    return RemoteStore(server.url)


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
