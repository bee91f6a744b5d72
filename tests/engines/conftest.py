"""Fixtures of the engine tests: real SPARQL engines on 127.0.0.1, and civicgraph over them.

- ``virtuoso_server``: Virtuoso Open Source 7 (Debian's ``virtuoso-opensource``) started for the
  session by ``.ci/engines/virtuoso`` in a private directory, on free loopback ports, with a
  random ``dba`` password; stopped afterwards. If the package is missing, the script installs
  it (``.ci/setup --system`` normally has).
- ``oxigraph_server``: ``oxigraph serve`` for the session (``tests.graph.conftest``'s helpers).
- ``store``: an empty ``VirtuosoStore`` (every graph but Virtuoso's own dropped first), so that
  the store contract tests run on Virtuoso as they are.
- ``replicas``: start ``civicgraph serve`` processes over a store URL (``Replica``).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from graph.store import Store
from graph.store.staging import is_staging
from graph.store.virtuoso import VirtuosoStore
from tests.graph.conftest import Server, free_port, start_server, stop_server

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / ".ci" / "engines" / "virtuoso"
CURATOR_TOKEN = "engines-test-curator-token-0123456789"  # noqa: S105 - a test value


@dataclass(frozen=True)
class Virtuoso:
    """A running Virtuoso: its HTTP URL, SQL port and ``dba`` password."""

    url: str
    sql_port: int
    user: str
    password: str
    directory: Path

    @property
    def location(self) -> str:
        """The store location civicgraph takes (``--store``, ``CIVICGRAPH_STORE``)."""
        return self.url.replace("http://", f"virtuoso+http://{self.user}:{self.password}@")

    def open(self, **options: object) -> VirtuosoStore:
        return VirtuosoStore(self.url, user=self.user, password=self.password,
                             **options)  # type: ignore[arg-type]


def start_virtuoso(directory: Path) -> Virtuoso:
    """Install Virtuoso if needed, then start it in ``directory`` (bounded waits)."""
    if shutil.which("virtuoso-t") is None:
        subprocess.run([str(SCRIPT), "install"], check=True, timeout=600)
    done = subprocess.run([str(SCRIPT), "start", str(directory)], capture_output=True,
                          text=True, timeout=180, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"Virtuoso did not start: {done.stderr.strip()}")
    env = dict(line.split("=", 1) for line in done.stdout.split() if "=" in line)
    return Virtuoso(env["VIRTUOSO_URL"], int(env["VIRTUOSO_SQL_PORT"]), env["VIRTUOSO_USER"],
                    env["VIRTUOSO_PASSWORD"], directory)


def stop_virtuoso(server: Virtuoso) -> None:
    subprocess.run([str(SCRIPT), "stop", str(server.directory)], capture_output=True,
                   timeout=60, check=False)


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


def empty_virtuoso(server: Virtuoso, **options: object) -> VirtuosoStore:
    """A ``VirtuosoStore`` on ``server`` holding no graph but Virtuoso's own."""
    store = server.open(**options)
    for row in store._select("SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"):
        graph = row["g"].value
        if is_staging(graph) or not store.is_hidden(graph):
            store.update(f"DROP SILENT GRAPH <{graph}>")
    return store


@pytest.fixture
def store(virtuoso_server: Virtuoso) -> Iterator[Store]:
    """An empty Virtuoso store (the contract tests' ``store``)."""
    opened = empty_virtuoso(virtuoso_server)
    try:
        yield opened
    finally:
        opened.close()


def empty_oxigraph(server: Server) -> None:
    httpx.post(f"{server.url}/update", content=b"DROP ALL",
               headers={"Content-Type": "application/sparql-update"}, timeout=30
               ).raise_for_status()


@dataclass
class Replica:
    """A ``civicgraph serve`` process on a loopback port."""

    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def start_replica(store: str, log: Path, *, empty: bool = True,
                  extra_env: dict[str, str] | None = None, wait: float = 60.0) -> Replica:
    """``civicgraph serve --store STORE`` on a free port; returns once ``/health`` says ok."""
    port = free_port()
    env = {**os.environ, "CIVICGRAPH_CURATOR_TOKEN": CURATOR_TOKEN,
           "CIVICGRAPH_LOG_LEVEL": "warning", **(extra_env or {})}
    command = [sys.executable, "-c", "from api.cli import main; main()", "serve", "--store", store,
               "--host", "127.0.0.1", "--port", str(port)]
    if empty:
        command.append("--empty")
    handle = log.open("wb")
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=handle,
                               stderr=subprocess.STDOUT)
    handle.close()
    replica = Replica(f"http://127.0.0.1:{port}", process, log)
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"civicgraph serve exited: {log.read_text()[-2000:]}")
        try:
            if httpx.get(f"{replica.url}/health", timeout=2).status_code == 200:
                return replica
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    replica.stop()
    raise RuntimeError(f"civicgraph serve did not answer within {wait:g} s: "
                       f"{log.read_text()[-2000:]}")


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
