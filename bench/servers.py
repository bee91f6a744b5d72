"""Real engines and processes on the loopback interface, shared by the benchmarks and the tests.

``bench/`` imports nothing from ``tests/``; the tests that need these import them from here
(``tests/support/__init__.py`` says so).

- an Oxigraph server (the ``oxigraph`` executable of the PyPI package): ``start_server``,
  ``stop_server``, ``free_port``;
- Virtuoso Open Source 7, started by ``.ci/engines/virtuoso`` in a private directory:
  ``start_virtuoso``, ``stop_virtuoso``, and the catalogue queries it answers otherwise
  (``DIFFERENT_ON_VIRTUOSO``);
- ``civicgraph serve`` processes over a store URL (``start_replica``);
- the resident memory of a process tree (``tree_rss``).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil

from graph.queries.catalogue import VIRTUOSO_DIFFERS
from graph.store.virtuoso import VirtuosoStore

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / ".ci" / "engines" / "virtuoso"
CURATOR_TOKEN = "engines-test-curator-token-0123456789"  # noqa: S105 - a test value


# -- Oxigraph server ---------------------------------------------------------------------------

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


# -- Virtuoso ----------------------------------------------------------------------------------

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


#: queries Virtuoso 7.2 answers otherwise over any data (``graph.queries.catalogue``)
DIFFERENT_ON_VIRTUOSO = VIRTUOSO_DIFFERS


# -- civicgraph serve --------------------------------------------------------------------------

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


# -- processes ---------------------------------------------------------------------------------

def tree_rss(pid: int) -> int:
    """Resident bytes of process ``pid`` and all its descendants."""
    try:
        root = psutil.Process(pid)
        processes = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    total = 0
    for process in processes:
        with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
            total += process.memory_info().rss
    return total
