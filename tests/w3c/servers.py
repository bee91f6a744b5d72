"""The servers the W3C suite runs against, and the doors a client uses on each.

``civicgraph`` is ``civicgraph serve`` on a memory store in standard dataset mode
(``CIVICGRAPH_UNION_DEFAULT_GRAPH=false``) with a curator token, the default graph and the
graphs the tests create restricted (``CIVICGRAPH_DEFAULT_ACCESS=restricted``: the suite's data
holds persons, names and mailboxes, which civicgraph's privacy guard refuses in public graphs)
and read as the curator; ``oxigraph`` is the Oxigraph
server of the ``oxigraph`` PyPI package, the reference the failures are measured against. Both
run as child processes on free ports of 127.0.0.1, their logs in a file.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

CURATOR_TOKEN = "w3c-runner-curator-token-0123456789"  # noqa: S105 - a test value
#: graphs civicgraph manages itself (meta, vocabulary, …): never part of a W3C dataset
CIVICGRAPH_GRAPHS = "https://w3id.org/civicgraph/"
#: where civicgraph names the graphs POSTed to the Graph Store without a name: test data
UPLOADS = CIVICGRAPH_GRAPHS + "graph/uploads/"


@dataclass
class Target:
    """A running SPARQL server and its endpoints."""

    name: str
    url: str
    query_path: str
    update_path: str
    store_path: str
    process: subprocess.Popen[bytes] | None = None
    write_headers: dict[str, str] = field(default_factory=dict)
    #: sent with every query too (civicgraph: the curator, who reads restricted graphs)
    read_headers: dict[str, str] = field(default_factory=dict)
    client: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=30))
    #: the files loaded by the last test when it wrote nothing else (a next test reading the
    #: same files skips the reload: each write costs civicgraph a validation and a commit)
    loaded: tuple[object, ...] | None = None

    @property
    def query_url(self) -> str:
        return self.url + self.query_path

    @property
    def update_url(self) -> str:
        return self.url + self.update_path

    @property
    def store_url(self) -> str:
        return self.url + self.store_path


def _executable(name: str) -> str:
    candidate = Path(sys.executable).parent / name
    if candidate.is_file():
        return str(candidate)
    found = shutil.which(name)
    if found is None:
        raise RuntimeError(f"{name} is not installed (pip install -e '.[test]')")
    return found


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(target: Target, log: Path, deadline_s: float = 60) -> None:
    """Poll until ``target`` answers ``ASK {}`` (bounded by ``deadline_s``)."""
    assert target.process is not None
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        if target.process.poll() is not None:
            raise RuntimeError(f"{target.name} exited: {log.read_text(errors='replace')[-2000:]}")
        try:
            answer = target.client.get(target.query_url, params={"query": "ASK {}"},
                                       headers={"Accept": "application/sparql-results+json"})
            if answer.is_success:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    stop(target)
    raise RuntimeError(f"{target.name} did not answer within {deadline_s} s")


def stop(target: Target) -> None:
    target.client.close()
    process = target.process
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=15)


def start_civicgraph(workdir: Path, *, union_default_graph: bool = False) -> Target:
    port = _free_port()
    env = dict(os.environ, CIVICGRAPH_CURATOR_TOKEN=CURATOR_TOKEN,
               CIVICGRAPH_UNION_DEFAULT_GRAPH="true" if union_default_graph else "false",
               CIVICGRAPH_DEFAULT_ACCESS="restricted",
               CIVICGRAPH_LOG_LEVEL="warning", CIVICGRAPH_PUBLIC_URL=f"http://127.0.0.1:{port}",
               CIVICGRAPH_SLOW_QUERY_SECONDS="60")
    log = workdir / "civicgraph.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [_executable("civicgraph"), "serve", "--store", "memory", "--empty",
             "--host", "127.0.0.1", "--port", str(port)],
            stdout=sink, stderr=subprocess.STDOUT, env=env, cwd=workdir)
    curator = {"Authorization": f"Bearer {CURATOR_TOKEN}"}
    target = Target("civicgraph", f"http://127.0.0.1:{port}", "/sparql", "/sparql", "/store",
                    process, curator, curator)
    _wait(target, log)
    return target


def start_oxigraph(workdir: Path) -> Target:
    port = _free_port()
    log = workdir / "oxigraph.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [_executable("oxigraph"), "serve", "--location", str(workdir / "oxigraph-store"),
             "--bind", f"127.0.0.1:{port}"],
            stdout=sink, stderr=subprocess.STDOUT, cwd=workdir)
    target = Target("oxigraph", f"http://127.0.0.1:{port}", "/query", "/update", "/store",
                    process)
    _wait(target, log)
    return target


@contextmanager
def running(name: str, workdir: Path) -> Iterator[Target]:
    """``civicgraph`` or ``oxigraph`` for the ``with`` block."""
    workdir.mkdir(parents=True, exist_ok=True)
    target = start_civicgraph(workdir) if name == "civicgraph" else start_oxigraph(workdir)
    try:
        yield target
    finally:
        stop(target)
