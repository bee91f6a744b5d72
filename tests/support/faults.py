"""The fault tests' helpers: real ``civicgraph`` processes, killed, and the store they leave.

Every test here runs the real command line (``civicgraph load``, ``import``, ``serve``) in a
subprocess, kills it with SIGKILL or takes its store away, then opens the store again as a
restart would and compares every named graph with the triple sets it may hold.

- ``graph_contents(location)``: every named graph of an on-disk store after a restart (opening
  runs the store's recovery), as sets of N-Triples lines, staging graphs included if any is
  left, so that a test can see them;
- ``StoreWatch``: what a running process is doing to a store directory, read from its files
  (pyoxigraph's bulk loader writes ``bulk-*.sst`` files before ingesting them; RocksDB appends
  a transaction to the ``*.log`` write-ahead log when it commits);
- ``Serve``: ``civicgraph serve`` on a free loopback port, with the curator token in its
  environment, and the resident memory of its process tree;
- ``Disk``, ``mount_tmpfs``: a tiny file system of its own (a tmpfs mounted for the test,
  which needs root) that a test can fill, enlarge or make read-only (the fixture
  ``small_disk`` of ``tests/faults/conftest.py`` makes one).
"""

from __future__ import annotations

import contextlib
import os
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil
import pyoxigraph as ox

from bench.servers import free_port, oxigraph_executable
from graph.store.embedded import OxigraphStore

CIVICGRAPH = str(Path(sys.executable).parent / "civicgraph")
CURATOR_TOKEN = "faults-curator-token-0123456789"  # noqa: S105 - a test value
G = "https://w3id.org/civicgraph/graph/"


def civicgraph_env(**settings: str) -> dict[str, str]:
    """The environment of a ``civicgraph`` subprocess: this one, without any CIVICGRAPH_
    setting of the caller's, plus ``settings`` (``store="..."`` -> ``CIVICGRAPH_STORE``)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CIVICGRAPH_")}
    env.update({f"CIVICGRAPH_{k.upper()}": v for k, v in settings.items()})
    return env


def graph_contents(location: Path) -> dict[str, frozenset[str]]:
    """Every named graph of the on-disk store at ``location``, opened as a restart opens it
    (which removes what an interrupted import left), as sets of N-Triples lines."""
    store = OxigraphStore(location)
    try:
        raw = store.ox
        return {g.value: frozenset(str(q.triple) for q in raw.quads_for_pattern(
                    None, None, None, g))
                for g in raw.named_graphs() if isinstance(g, ox.NamedNode)}
    finally:
        store.close()


def triples_of(path: Path, fmt: ox.RdfFormat = ox.RdfFormat.N_TRIPLES) -> frozenset[str]:
    """The triples of an RDF file as N-Triples lines (the file must have no blank node)."""
    triples = frozenset(str(t) for t in ox.parse(path=str(path), format=fmt))
    assert not any("_:" in t for t in triples), "compare files without blank nodes"
    return triples


def copy_store(source: Path, target: Path) -> Path:
    """A copy of a closed store directory."""
    shutil.copytree(source, target)
    return target


def assert_whole(after: dict[str, frozenset[str]],
                 allowed: dict[str, Sequence[frozenset[str] | None]]) -> dict[str, int]:
    """Check that every graph of ``after`` is one of its ``allowed`` contents (None: absent)
    and that no staging graph is left; the index of the content found, for each graph."""
    staging = [g for g in after if g.startswith(G + "staging/")]
    assert not staging, f"staging graphs left after a restart: {staging}"
    unexpected = set(after) - set(allowed)
    assert not unexpected, f"graphs that should not exist: {sorted(unexpected)}"
    found: dict[str, int] = {}
    for graph, options in allowed.items():
        content = after.get(graph)
        matches = [i for i, option in enumerate(options) if option == content]
        if not matches:
            sizes = ", ".join("absent" if o is None else str(len(o)) for o in options)
            have = "absent" if content is None else f"{len(content)} triples"
            raise AssertionError(f"{graph} holds a mix ({have}; allowed: {sizes})")
        found[graph] = matches[0]
    return found


@dataclass
class StoreWatch:
    """The files of a store directory, polled while another process writes it."""

    directory: Path
    baseline: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.baseline = self.files()

    def files(self) -> dict[str, int]:
        sizes: dict[str, int] = {}
        with contextlib.suppress(FileNotFoundError):
            for entry in os.scandir(self.directory):
                with contextlib.suppress(FileNotFoundError):
                    sizes[entry.name] = entry.stat().st_size
        return sizes

    def bulk_loading(self) -> bool:
        """Whether pyoxigraph's bulk loader has table files waiting to be ingested."""
        return any(n.startswith("bulk-") for n in self.files())

    def log_growth(self) -> int:
        """Bytes appended to the write-ahead logs since the watch started."""
        now = self.files()
        return sum(size - self.baseline.get(name, 0) for name, size in now.items()
                   if name.endswith(".log"))


class Lines:
    """The lines a subprocess writes to a pipe, read by a thread, searchable while it runs."""

    def __init__(self, stream: object) -> None:
        self.lines: list[str] = []
        self._thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._thread.start()

    def _read(self, stream: object) -> None:
        try:
            for raw in stream:  # type: ignore[attr-defined]
                self.lines.append(raw.decode(errors="replace") if isinstance(raw, bytes)
                                  else raw)
        finally:
            stream.close()  # type: ignore[attr-defined]

    def seen(self, text: str) -> bool:
        return any(text in line for line in self.lines)

    def text(self) -> str:
        self._thread.join(10)
        return "".join(self.lines)


def run_civicgraph(*args: str, timeout: float = 120,
                   preexec: Callable[[], None] | None = None,
                   **settings: str) -> subprocess.CompletedProcess[str]:
    """Run ``civicgraph ARGS`` to its end."""
    return subprocess.run([CIVICGRAPH, *args], capture_output=True, text=True,
                          timeout=timeout, env=civicgraph_env(**settings), check=False,
                          preexec_fn=preexec)


def kill(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL ``process`` (if still running) and reap it."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(process.pid, signal.SIGKILL)
    process.wait(30)


@dataclass
class Serve:
    """A ``civicgraph serve`` subprocess on a free loopback port."""

    process: subprocess.Popen[bytes]
    url: str
    port: int
    output: Lines

    @property
    def token(self) -> str:
        return CURATOR_TOKEN

    def children(self) -> list[int]:
        with contextlib.suppress(psutil.NoSuchProcess):
            return [p.pid for p in psutil.Process(self.process.pid).children(recursive=True)]
        return []

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after 20 s; reaps the process."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                kill(self.process)
        self.output.text()


def start_serve(store: str | Path, *, port: int | None = None, ready_within: float = 90,
                args: Sequence[str] = (), preexec: Callable[[], None] | None = None,
                **settings: str) -> Serve:
    """Start ``civicgraph serve`` over ``store`` and wait (bounded) until ``/health`` answers
    200. ``settings`` become CIVICGRAPH_ variables (the curator token is set)."""
    port = port or free_port()
    env = civicgraph_env(curator_token=CURATOR_TOKEN, log_level="warning", **settings)
    process = subprocess.Popen(
        [CIVICGRAPH, "serve", "--store", str(store), "--port", str(port), *args],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, preexec_fn=preexec)
    assert process.stderr is not None
    server = Serve(process, f"http://127.0.0.1:{port}", port, Lines(process.stderr))
    deadline = time.monotonic() + ready_within
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"civicgraph serve exited: {server.output.text()[-2000:]}")
        try:
            if httpx.get(f"{server.url}/health", timeout=5).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"civicgraph serve did not answer within {ready_within} s")


def start_oxigraph(location: Path, port: int, *, ready_within: float = 30
                   ) -> subprocess.Popen[bytes]:
    """``oxigraph serve`` on ``127.0.0.1:port`` over ``location``, answering (bounded wait)."""
    process = subprocess.Popen(
        [oxigraph_executable(), "serve", "--location", str(location),
         "--bind", f"127.0.0.1:{port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + ready_within
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"oxigraph serve exited with {process.returncode}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/query", params={"query": "ASK {}"},
                         timeout=2).is_success:
                return process
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    kill(process)
    raise RuntimeError(f"oxigraph serve did not answer within {ready_within} s")


@dataclass
class Disk:
    """A small file system for one test: a tmpfs mounted at ``path``, or, where mounting is
    not allowed, a plain directory whose subprocesses may not write files past ``limit``
    bytes (RLIMIT_FSIZE, with SIGXFSZ ignored, so that a write fails with EFBIG)."""

    path: Path
    limit: int | None = None

    @property
    def mounted(self) -> bool:
        return self.limit is None

    def preexec(self) -> Callable[[], None] | None:
        """What a subprocess writing to this disk runs before ``exec``."""
        if self.limit is None:
            return None
        limit = self.limit

        def limited() -> None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)

        return limited

    def enlarge(self) -> None:
        """Make room: a bigger tmpfs, or no more file size limit."""
        if self.limit is None:
            subprocess.run(["mount", "-o", "remount,size=512m", str(self.path)], check=True,
                           capture_output=True)
        else:
            self.limit = None


def mount_tmpfs(path: Path, size: str, *, read_only: bool = False) -> bool:
    """Mount a tmpfs of ``size`` at ``path``; whether it worked."""
    options = f"size={size}" + (",ro" if read_only else "")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)],
                          capture_output=True, check=False)
    return done.returncode == 0
