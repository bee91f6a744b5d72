"""Two background workers side by side: a hurry raises the query a request waits for, never
the other worker's, however many hurries come; failed starts keep the count of workers."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from typing import Any

import pyoxigraph as ox
import pytest

from graph.engine import workers
from graph.engine.execution import QueryEngine
from graph.engine.snapshots import VersionedStore
from graph.engine.workers import BACKGROUND_NICENESS, QueryPool
from graph.sparql.request import QueryJob
from graph.store.embedded import MemoryStore
from tests.support.waiting import until

ENDLESS = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . "
           "?m ?n2 ?o . ?q ?r ?t }")


@pytest.fixture
def pool() -> Iterator[QueryPool]:
    store = VersionedStore(MemoryStore())
    store.update("INSERT DATA { GRAPH <urn:g> { " + " ".join(
        f"<urn:s{i}> <urn:p> {ox.Literal(str(i))} ." for i in range(40)) + " } }")
    engine = QueryEngine(store, timeout=3.0, workers=1, queue_limit=0.5)
    engine.start()
    assert engine._pool is not None
    yield engine._pool
    engine.close()


def niceness(worker: Any) -> int:
    return os.getpriority(os.PRIO_PROCESS, worker.process.pid)


def server() -> int:
    return os.getpriority(os.PRIO_PROCESS, 0)


def nicer() -> int:
    return min(server() + BACKGROUND_NICENESS, 19)


def in_background(pool: QueryPool, job: QueryJob, errors: list[BaseException],
                  timeout: float = 2.0) -> threading.Thread:
    def run() -> None:
        try:
            pool.run(job, timeout=timeout, background=True)
        except BaseException as error:
            errors.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def job(n: int | str) -> QueryJob:
    return QueryJob(f"{ENDLESS} # {n}", "all")


def test_a_hurry_raises_the_worker_of_its_query_only(pool: QueryPool) -> None:
    errors: list[BaseException] = []
    threads = [in_background(pool, job(n), errors) for n in (1, 2)]
    try:
        until(lambda: pool._background._running[None] == 2)
        [first] = [w for w in pool._all if w.background and pool._running[w] == job(1)]
        [other] = [w for w in pool._all if w.background and pool._running[w] == job(2)]
        if not pool.hurry(job(1)):
            pytest.skip("lowering a niceness needs privileges here")
        assert niceness(first) == server()
        assert niceness(other) == nicer()   # the other query stays in the background
    finally:
        for thread in threads:
            thread.join(10)
    assert len(errors) == 2   # both stopped at their limit


def test_hurries_of_two_queries_not_yet_taken_both_hold(pool: QueryPool,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Two requests hurry two background queries before either reaches a worker: each runs
    at the server's priority (one hurry used to replace the other)."""
    pool._start_background()   # an idle background worker: a hurry may be given
    seen: list[tuple[QueryJob, int]] = []
    ask = pool._ask

    def asking(worker: Any, sent: QueryJob, *args: Any) -> Any:
        seen.append((sent, niceness(worker)))
        return ask(worker, sent, *args)

    monkeypatch.setattr(pool, "_ask", asking)
    if not (pool.hurry(job(3)) and pool.hurry(job(4))):
        pytest.skip("lowering a niceness needs privileges here")
    errors: list[BaseException] = []
    threads = [in_background(pool, job(n), errors, timeout=1.0) for n in (3, 4)]
    for thread in threads:
        thread.join(10)
    assert sorted(seen, key=lambda s: s[0].sparql) == [(job(3), server()), (job(4), server())]
    # the runs are over: the next background query is nicer again
    in_background(pool, job(5), errors, timeout=1.0).join(10)
    assert seen[-1] == (job(5), nicer())


def test_replacements_that_fail_to_start_keep_the_count_of_background_workers(
        pool: QueryPool, monkeypatch: pytest.MonkeyPatch) -> None:
    """A replacement that fails as it opens the store is counted out once: later background
    queries start no more than ``background`` workers."""
    errors: list[BaseException] = []
    threads = [in_background(pool, job(n), errors, timeout=1.0) for n in (6, 7)]
    until(lambda: pool._background._running[None] == 2)

    def broken(worker: Any, limit: float) -> bool:
        raise ValueError("the pipe broke")

    monkeypatch.setattr(workers._Worker, "wait_ready", broken)
    for thread in threads:   # stopped at their limit: each worker replaced, and that fails
        thread.join(10)
    until(lambda: not [w for w in pool._all if w.background], what="the replacements gone")
    until(lambda: pool._background_started == 0, what="the count back to 0")
    monkeypatch.undo()
    threads = [in_background(pool, job(f"{n} again"), errors, timeout=1.5) for n in range(4)]
    until(lambda: pool._background._running[None] == 2)
    assert len([w for w in pool._all if w.background]) == pool.background == 2
    for thread in threads:
        thread.join(10)


def test_after_a_background_query_stopped_the_next_waits_for_a_worker_its_whole_limit(
        pool: QueryPool, monkeypatch: pytest.MonkeyPatch) -> None:
    """A stopped query makes its client's next wait at most ``queue_limit`` (WorkersBusy):
    a hold on a heavy client. Background work has no client to hold back: its next query
    waits for the stopped worker's replacement (slow to start on a busy machine) within its
    own limit, rather than failing after half a second and leaving its answer unmaintained."""
    monkeypatch.setattr(pool, "background", 1)
    pool._start_background()
    admit = pool._admit

    def slowly(worker: Any) -> None:   # the replacement, as on a busy machine
        if threading.current_thread().name == "civicgraph-worker-start":
            threading.Event().wait(1.5)
        admit(worker)

    monkeypatch.setattr(pool, "_admit", slowly)
    errors: list[BaseException] = []
    in_background(pool, job("stopped"), errors, timeout=1.0).join(10)
    assert len(errors) == 1   # stopped at its limit, after holding the worker: "stopped"
    assert pool._background.recently_stopped(None)
    assert pool.run(QueryJob("ASK { ?s ?p ?o }", "all"), timeout=30, background=True).body


def test_a_background_query_running_as_the_pool_closes_ends_as_the_store_unavailable(
        pool: QueryPool) -> None:
    """A server stopping while the catalogue's round evaluates: the query's pipe is closed
    under it, and its error says the engine is gone (StoreUnavailable, which the round
    expects), not a bare OSError logged with a traceback."""
    from graph.errors import StoreUnavailable

    errors: list[BaseException] = []
    thread = in_background(pool, job("closing"), errors, timeout=30)
    until(lambda: pool._background._running[None] == 1)
    pool.close()
    thread.join(10)
    assert len(errors) == 1 and isinstance(errors[0], StoreUnavailable), errors
