"""Queries stopped by a limit: at the limit, without delaying the next one.

- Time: the worker that ran it is killed; the caller gets ``QueryTimeout`` without waiting
  for the dead process's memory to be freed, and the worker started in its place opens the
  latest snapshot of the store before it takes a query (so the next query does not pay).
- Memory: a query that makes its worker hold more than its share of
  ``CIVICGRAPH_MEMORY_LIMIT_MB`` is stopped the same way (``QueryMemoryExceeded``), long
  before its time limit.
"""

from __future__ import annotations

import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from api.settings import Settings
from graph.engine.execution import QueryEngine
from graph.engine.snapshots import VersionedStore
from graph.engine.workers import resident_bytes
from graph.errors import QueryMemoryExceeded, QueryTimeout
from graph.store.embedded import OxigraphStore

EX = "http://example.org/"
ENDLESS = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?c ?f ?i LIMIT 1"
SMALL = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def test_a_stopped_query_answers_at_its_limit_and_its_successor_is_ready(
        tmp_path: Path) -> None:
    store = VersionedStore(OxigraphStore(tmp_path / "store"))
    store.replace_graph(EX + "g", [ox.Triple(ox.NamedNode(f"{EX}s{i}"), ox.NamedNode(EX + "p"),
                                             ox.Literal(str(i))) for i in range(300)])
    engine = QueryEngine(store, timeout=2.0, workers=1)
    try:
        view = engine.view("all")
        assert len(list(view.query(SMALL))) == 1   # type: ignore[arg-type]
        pool = engine._pool
        assert pool is not None
        before = {w.process.pid for w in pool._all}

        started = time.monotonic()
        with pytest.raises(QueryTimeout):
            view.query(ENDLESS)
        assert time.monotonic() - started < 2.0 + 0.5

        # the replacement has opened the latest snapshot before taking any query
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            fresh = [w for w in pool._all if w.process.pid not in before]
            if fresh and pool._idle.qsize() == 1:
                break
            time.sleep(0.05)
        assert len(fresh) == 1 and pool._idle.qsize() == 1
        latest = pool.snapshots.latest()
        assert latest is not None and fresh[0].snapshot == latest.id
        assert len(list(view.query(SMALL))) == 1   # type: ignore[arg-type]
    finally:
        engine.close()
        store.close()


def test_a_query_that_takes_too_much_memory_is_stopped_before_its_time_limit(
        tmp_path: Path) -> None:
    store = VersionedStore(OxigraphStore(tmp_path / "store"))
    store.replace_graph(EX + "g", [ox.Triple(ox.NamedNode(f"{EX}s{i}"), ox.NamedNode(EX + "p"),
                                             ox.Literal(str(i))) for i in range(300)])
    probe = QueryEngine(store, timeout=60.0, workers=1)
    try:
        probe.view("all").query(SMALL)
        assert probe._pool is not None
        (worker,) = [w for w in probe._pool._all if not w.lane]   # the lane's worker aside
        assert worker.process.pid is not None
        idle = resident_bytes(worker.process.pid)
    finally:
        probe.close()
    assert idle > 0, "no /proc here: the memory bound cannot be read"

    engine = QueryEngine(store, timeout=60.0, workers=1, worker_memory=idle + 200 * 2**20)
    try:
        view = engine.view("all")
        started = time.monotonic()
        with pytest.raises(QueryMemoryExceeded, match="more than"):
            view.query(ENDLESS)      # sorts 27 million rows: gigabytes, given the time
        assert time.monotonic() - started < 30
        assert len(list(view.query(SMALL))) == 1   # type: ignore[arg-type]
    finally:
        engine.close()
        store.close()


def test_the_memory_bound_is_shared_by_the_server_and_its_workers() -> None:
    # two workers, the lane's, the server: a quarter each
    assert Settings(memory_limit_mb=4096, query_workers=2).worker_memory() == 2**30
    assert Settings(memory_limit_mb=4096, query_workers=0).worker_memory() == 4 * 2**30
    assert Settings(memory_limit_mb=0).worker_memory() is None
