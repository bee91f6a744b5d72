"""A query stopped at its time limit answers at the limit, and the next one is not delayed.

The worker that ran it is killed; the caller gets ``QueryTimeout`` without waiting for the
dead process's memory to be freed, and the worker started in its place opens the latest
snapshot of the store before it takes a query (so the next query does not pay for that).
"""

from __future__ import annotations

import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from graph.backends.embedded import OxigraphStore
from graph.errors import QueryTimeout
from graph.execution import QueryEngine
from graph.snapshots import VersionedStore

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
