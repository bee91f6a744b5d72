"""Network metrics computed in the background: never on a request.

Betweenness on the organisation–tool projection takes about a minute at 10^6 triples, so a
map never waits for it. ``MetricsRunner.submit(version, table)`` is called when a new usage
table has been read (after a write); one thread computes the metrics of the latest table
submitted (tables submitted meanwhile are skipped: only the newest matters), and until it is
done ``latest()`` keeps answering the previous metrics.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from visualisations.metrics import Metrics, compute
from visualisations.projection import org_tool
from visualisations.table import UsageTable

log = logging.getLogger("civicgraph.maps")


@dataclass(frozen=True)
class Computed:
    """The metrics of the org–tool projection of the table of data ``version``."""

    version: str
    metrics: Metrics


def org_tool_metrics(table: UsageTable) -> Metrics:
    """Every metric of the organisation–tool projection of ``table``."""
    return compute(org_tool(table))


class MetricsRunner:
    """One background thread at a time computes ``work(table)`` for the newest table."""

    def __init__(self, work: Callable[[UsageTable], Metrics] = org_tool_metrics,
                 start: Callable[[Callable[[], None], str], threading.Thread] | None = None
                 ) -> None:
        self.work = work
        self._start = start or _thread
        self._lock = threading.Lock()
        self._pending: tuple[str, UsageTable] | None = None
        self._running = False
        self._latest: Computed | None = None
        self.closed = False
        #: how many computations finished (tests, logs)
        self.runs = 0

    def latest(self) -> Computed | None:
        """The newest metrics computed; never waits."""
        return self._latest

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
                    return
                version, table = self._pending
                self._pending = None
            try:
                metrics = self.work(table)
            except Exception:  # the next table submitted tries again
                log.exception("maps: computing the metrics of %s failed", version)
                continue
            self._latest = Computed(version, metrics)
            self.runs += 1


def _thread(target: Callable[[], None], name: str) -> threading.Thread:
    thread = threading.Thread(target=target, name=name, daemon=True)
    thread.start()
    return thread
