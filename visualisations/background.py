"""Network metrics computed in the background: never on a request, never in the server's
interpreter.

Betweenness on the organisation–tool projection takes about a minute at 10^6 triples, so a
map never waits for it. ``MetricsRunner.submit(version, table)`` is called when a new usage
table has been read (after a write); one thread computes the metrics of the latest table
submitted (tables submitted meanwhile are skipped: only the newest matters), and until it is
done ``latest()`` keeps answering the previous metrics.

The default work (``MetricsRunner.org_tool_metrics_apart``) projects the table in that thread
(numpy, about a second at 10^6 triples) and runs the metrics, pure-Python networkx, in a new
Python process (``run_apart``; not a fork, which would copy a server's threads and open
store): a minute of Python in the server's process would hold its interpreter lock for half
of every request meanwhile; apart, it costs the server one core at most, and a server that
stops terminates it. Small projections are computed in the thread (``apart_above``).
"""

from __future__ import annotations

import logging
import os
import pickle
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import networkx as nx

from visualisations.metrics import Metrics, compute
from visualisations.projection import org_tool
from visualisations.table import UsageTable

log = logging.getLogger("civicgraph.maps")
A = TypeVar("A")
R = TypeVar("R")


class Stopped(Exception):
    """The computation was abandoned (the server stops)."""


@dataclass(frozen=True)
class Computed:
    """The metrics of the org–tool projection of the table of data ``version``."""

    version: str
    metrics: Metrics
    seconds: float = 0.0


def org_tool_metrics(table: UsageTable) -> Metrics:
    """Every metric of the organisation–tool projection of ``table`` (in this process)."""
    return compute(org_tool(table))


#: what the child process runs, at a lower priority: the pickled (work, argument) on its
#: stdin, the pickled result on its stdout, a traceback on its stderr
_CHILD = ("import os, pickle, sys; os.nice(NICENESS); "
          "work, argument = pickle.load(sys.stdin.buffer); "
          "pickle.dump(work(argument), sys.stdout.buffer, pickle.HIGHEST_PROTOCOL)")
#: the child yields the processor to the server's requests (background work, on 2 cores)
NICENESS = 10


def run_apart(work: Callable[[A], R], argument: A, *,
              stopping: Callable[[], bool] = lambda: False, poll: float = 0.2) -> R:
    """``work(argument)`` in a new Python process (``work`` a module-level function, both
    picklable), whatever this process's main module is. Raises ``Stopped`` as soon as
    ``stopping()`` (the process is terminated), and ``RuntimeError`` with the end of the
    child's traceback when ``work`` raised or the child died."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    with tempfile.TemporaryFile() as given, tempfile.TemporaryFile() as out, \
            tempfile.TemporaryFile() as errors:
        pickle.dump((work, argument), given, pickle.HIGHEST_PROTOCOL)
        given.seek(0)
        process = subprocess.Popen(  # noqa: S603 - this interpreter, our fixed code
            [sys.executable, "-c", _CHILD.replace("NICENESS", str(NICENESS))], stdin=given,
            stdout=out, stderr=errors, env=env)
        try:
            while True:
                try:
                    code = process.wait(poll)
                    break
                except subprocess.TimeoutExpired:
                    if stopping():
                        raise Stopped(getattr(work, "__name__", repr(work))) from None
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
        if code != 0:
            errors.seek(0)
            told = errors.read()[-4000:].decode("utf-8", "replace")
            raise RuntimeError(f"the metrics process ended with {code}:\n{told}")
        out.seek(0)
        return pickle.load(out)  # type: ignore[no-any-return]  # noqa: S301 - our own child


def _compute(g: nx.Graph) -> Metrics:
    return compute(g)


class MetricsRunner:
    """One background thread at a time computes ``work(table)`` for the newest table.
    ``work`` default: the org–tool projection here, its metrics in a new process."""

    def __init__(self, work: Callable[[UsageTable], Metrics] | None = None,
                 start: Callable[[Callable[[], None], str], threading.Thread] | None = None,
                 *, apart_above: int = 2000) -> None:
        self.work = work or self.org_tool_metrics_apart
        #: projections of at most this many nodes are computed in the thread (milliseconds:
        #: not worth starting an interpreter)
        self.apart_above = apart_above
        self._start = start or _thread
        self._lock = threading.Lock()
        self._pending: tuple[str, UsageTable] | None = None
        self._running = False
        self._latest: Computed | None = None
        self.closed = False
        #: how many computations finished (tests, logs)
        self.runs = 0

    def org_tool_metrics_apart(self, table: UsageTable) -> Metrics:
        """``org_tool_metrics(table)``, the metrics computed in a new process that is
        terminated when the runner is closed (above ``apart_above`` nodes)."""
        g = org_tool(table)
        if g.number_of_nodes() <= self.apart_above:
            return compute(g)
        return run_apart(_compute, g, stopping=lambda: self.closed)

    def latest(self) -> Computed | None:
        """The newest metrics computed; never waits."""
        return self._latest

    def busy(self) -> bool:
        """Whether metrics are being computed (or waiting to be)."""
        return self._running

    def submit(self, version: str, table: UsageTable) -> None:
        """Compute the metrics of ``table`` (data ``version``) in the background."""
        with self._lock:
            if self._latest is not None and self._latest.version == version:
                return
            self._pending = (version, table)
            if self._running:
                return
            self._running = True
        self._start(self._loop, "civicgraph-maps-metrics")

    def _loop(self) -> None:
        while True:
            with self._lock:
                if self._pending is None or self.closed:
                    self._running = False
                    self._pending = None
                    return
                version, table = self._pending
                self._pending = None
            began = time.monotonic()
            try:
                metrics = self.work(table)
            except Stopped:
                continue
            except Exception:  # the next table submitted tries again
                log.exception("maps: computing the metrics of %s failed", version)
                continue
            seconds = time.monotonic() - began
            self._latest = Computed(version, metrics, seconds)
            self.runs += 1
            log.info("maps: metrics of %s computed in %.1f s (in the background)",
                     version, seconds)


def _thread(target: Callable[[], None], name: str) -> threading.Thread:
    thread = threading.Thread(target=target, name=name, daemon=True)
    thread.start()
    return thread
