"""Turns at the query workers: fair between clients, and a prompt refusal when none is free."""

from __future__ import annotations

import os
import signal
import threading
import time
from typing import Any

import pyoxigraph as ox
import pytest

from graph.engine import execution
from graph.engine.execution import BACKGROUND_PATIENCE, QueryEngine, acting_for
from graph.engine.snapshots import VersionedStore
from graph.engine.turns import Turns
from graph.engine.workers import BACKGROUND_NICENESS, WorkerCrashed
from graph.errors import QueryTimeout, WorkersBusy
from graph.sparql.request import QueryJob
from graph.store.embedded import MemoryStore
from tests.support.waiting import until

ENDLESS = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . "
           "?m ?n2 ?o . ?q ?r ?t }")
SMALL = "ASK { ?s ?p ?o }"


def turns(workers: int, share: int) -> Turns:
    found = Turns(share=share)
    for n in range(workers):
        found.put(n)  # type: ignore[arg-type]  # any token stands for a worker here
    return found


def in_order(pool: Turns, clients: list[str]) -> list[str]:
    """Start a waiting ``take`` for each of ``clients`` (one after another), then free one
    worker at a time; the clients in the order they were served."""
    served: list[str] = []
    lock = threading.Lock()

    def wait(client: str) -> None:
        worker = pool.take(client, 10)
        assert worker is not None
        with lock:
            served.append(client)

    threads = []
    for number, client in enumerate(clients, start=1):
        threads.append(threading.Thread(target=wait, args=(client,)))
        threads[-1].start()
        until(lambda n=number: len(pool._waiting) == n)  # each waits before the next
    for _ in clients:
        count = len(served)
        pool.put("worker")  # type: ignore[arg-type]
        deadline = time.monotonic() + 5
        while len(served) == count and time.monotonic() < deadline:
            time.sleep(0.01)
    for thread in threads:
        thread.join(5)
    return served


def test_a_client_alone_may_take_every_worker() -> None:
    pool = turns(2, share=1)
    assert pool.take("a", 0) is not None and pool.take("a", 0) is not None
    assert pool.take("a", 0.05) is None and pool.qsize() == 0


def test_the_client_that_used_the_workers_least_goes_first() -> None:
    pool = turns(0, share=1)
    pool._running["heavy"] += 1
    pool.done("heavy", 9.0)        # a pathological query held a worker 9 s
    pool._running["light"] += 1
    pool.done("light", 0.1)
    assert in_order(pool, ["heavy", "light", "new"]) == ["new", "light", "heavy"]


def test_a_client_running_its_share_waits_behind_the_others() -> None:
    pool = turns(0, share=1)
    pool._running["busy"] += 1     # it holds one worker now
    assert in_order(pool, ["busy", "other"]) == ["other", "busy"]


def test_equal_clients_are_served_in_order_of_arrival() -> None:
    assert in_order(turns(0, share=1), ["a", "b", "c"]) == ["a", "b", "c"]


@pytest.fixture
def engine() -> Any:
    store = VersionedStore(MemoryStore())
    store.update("INSERT DATA { GRAPH <urn:g> { " + " ".join(
        f"<urn:s{i}> <urn:p> {ox.Literal(str(i))} ." for i in range(40)) + " } }")
    engine = QueryEngine(store, timeout=3.0, workers=1, queue_limit=0.5)
    engine.start()
    yield engine
    engine.close()


def holding_a_worker(engine: QueryEngine, client: str) -> bool:
    pool = engine._pool
    return pool is not None and pool._idle._running[client] > 0


def hold(engine: QueryEngine, client: str) -> None:
    """Hold a worker for ``client`` until the time limit stops the query."""
    with acting_for(client), pytest.raises(QueryTimeout):
        engine.run(QueryJob(ENDLESS, "all"))


def test_a_client_stopped_lately_is_refused_promptly_when_no_worker_is_free(
        engine: QueryEngine) -> None:
    with acting_for("127.0.0.2"), pytest.raises(QueryTimeout):   # stopped at its limit
        engine.run(QueryJob(ENDLESS, "all"))
    # the stopped worker's replacement is in the pool (else the next client takes the lane)
    until(lambda: engine._pool is not None and engine._pool._idle.qsize() == 1)
    holding = threading.Thread(target=hold, args=(engine, "127.0.0.3"))
    holding.start()                   # another client holds the pool's only worker for 3 s
    try:
        until(lambda: holding_a_worker(engine, "127.0.0.3"))
        started = time.monotonic()
        with acting_for("127.0.0.2"), pytest.raises(WorkersBusy):
            engine.run(QueryJob(SMALL, "all"))
        # refused after its 0.5 s turn at the queue, before the worker is free at the limit
        assert holding.is_alive() and time.monotonic() - started >= 0.5
    finally:   # else a failure here closes the engine under the holder: an error elsewhere
        holding.join(10)


def test_a_client_running_nothing_gets_the_lane_while_the_pool_is_held(
        engine: QueryEngine) -> None:
    holding = threading.Thread(target=hold, args=(engine, "127.0.0.3"))
    holding.start()
    try:
        until(lambda: holding_a_worker(engine, "127.0.0.3"))
        with acting_for("127.0.0.4"):
            # the pool's only worker is held until the time limit: the lane answers
            answer = engine.run(QueryJob(SMALL, "all"))
        assert answer.body and holding.is_alive()
    finally:
        holding.join(10)


def test_a_worker_that_crashes_on_a_query_counts_against_its_client(
        engine: QueryEngine) -> None:
    """A worker process that dies under a query (SIGSEGV, as a parser overflowing its stack
    does): its client gets ``WorkerCrashed`` and is counted as stopped; the engine goes on
    answering others with a fresh worker."""
    failures: list[BaseException] = []

    def crashing() -> None:
        with acting_for("127.0.0.5"):
            try:
                engine.run(QueryJob(ENDLESS, "all"))
            except BaseException as error:
                failures.append(error)

    running = threading.Thread(target=crashing)
    running.start()
    until(lambda: holding_a_worker(engine, "127.0.0.5"))
    pool = engine._pool
    assert pool is not None
    busy = [w for w in pool._all if not w.lane]
    assert len(busy) == 1 and busy[0].process.pid is not None
    os.kill(busy[0].process.pid, signal.SIGSEGV)
    running.join(10)
    assert len(failures) == 1 and isinstance(failures[0], WorkerCrashed), failures
    assert "ended by SIGSEGV" in str(failures[0])   # what happened, said
    assert pool._idle.recently_stopped("127.0.0.5")
    assert not pool._idle.recently_stopped("127.0.0.6")
    with acting_for("127.0.0.6"):
        assert engine.run(QueryJob(SMALL, "all")).body


def test_a_background_query_runs_in_a_worker_of_its_own_at_a_lower_priority(
        engine: QueryEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    """While a background query holds its worker, requests have the pool and the lane; the
    background worker is ``BACKGROUND_NICENESS`` nicer than the server, whatever the priority
    of the thread that asks first (the catalogue's refresher runs nicer itself)."""
    monkeypatch.setattr(execution, "BACKGROUND_PATIENCE", 1)   # stopped at 3 s, not 12
    assert engine._pool is not None
    monkeypatch.setattr(engine._pool, "background", 1)   # one: the replacement runs the next
    failures: list[BaseException] = []

    def background() -> None:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(),
                       os.getpriority(os.PRIO_PROCESS, 0) + 5)   # this thread only (Linux)
        try:
            engine.run(QueryJob(ENDLESS, "all"), background=True)
        except BaseException as error:
            failures.append(error)

    running = threading.Thread(target=background)
    running.start()
    try:
        pool = engine._pool
        assert pool is not None
        until(lambda: pool._background._running[None] > 0)
        [worker] = [w for w in pool._all if w.background]
        assert worker.process.pid is not None
        nicer = min(os.getpriority(os.PRIO_PROCESS, 0) + BACKGROUND_NICENESS, 19)  # Unix's most
        assert os.getpriority(os.PRIO_PROCESS, worker.process.pid) == nicer
        assert all(os.getpriority(os.PRIO_PROCESS, w.process.pid or 0)
                   == os.getpriority(os.PRIO_PROCESS, 0) for w in pool._all if not w.background)
        assert pool._idle.qsize() == 1   # the pool's worker is left to requests
        with acting_for("127.0.0.7"):
            assert engine.run(QueryJob(SMALL, "all")).body
        assert running.is_alive()
        # a request waiting for it gives it the server's priority, where the system allows
        hurried = pool.hurry(QueryJob(ENDLESS, "all"))
        assert os.getpriority(os.PRIO_PROCESS, worker.process.pid) == (
            os.getpriority(os.PRIO_PROCESS, 0) if hurried else nicer)
    finally:
        running.join(10)
    assert len(failures) == 1 and isinstance(failures[0], QueryTimeout), failures
    # the next background query runs nicer again
    engine.run(QueryJob(SMALL + " # once", "all"), background=True)   # not a kept answer
    [worker] = [w for w in pool._all if w.background]   # the stopped one's replacement
    pool.hurry(QueryJob(SMALL + " # once", "all"))   # a hurry of the query before
    engine.run(QueryJob(SMALL + " # again", "all"), background=True)
    assert worker.process.pid is not None
    assert os.getpriority(os.PRIO_PROCESS, worker.process.pid) == nicer


def test_background_queries_run_side_by_side_in_workers_of_their_own(
        engine: QueryEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two background queries at once run in two background workers, both nicer than the
    server, and the pool's workers are left to requests; a third waits for one of them."""
    monkeypatch.setattr(execution, "BACKGROUND_PATIENCE", 1)   # stopped at 3 s, not 12
    pool = engine._pool
    assert pool is not None and pool.background == 2
    failures: list[BaseException] = []

    def background(n: int) -> None:
        try:
            engine.run(QueryJob(f"{ENDLESS} # {n}", "all"), background=True)
        except BaseException as error:
            failures.append(error)

    running = [threading.Thread(target=background, args=(n,)) for n in range(3)]
    for thread in running:
        thread.start()
    try:
        until(lambda: pool._background._running[None] == 2)
        workers = [w for w in pool._all if w.background]
        assert len(workers) == 2 and len(pool._background._waiting) == 1
        nicer = min(os.getpriority(os.PRIO_PROCESS, 0) + BACKGROUND_NICENESS, 19)
        assert all(os.getpriority(os.PRIO_PROCESS, w.process.pid or 0) == nicer
                   for w in workers)
        assert pool._idle.qsize() == 1   # the pool's worker: the lane's is apart
        with acting_for("127.0.0.8"):
            assert engine.run(QueryJob(SMALL, "all")).body
    finally:
        for thread in running:
            thread.join(15)
    assert len(failures) == 3 and all(isinstance(f, QueryTimeout) for f in failures)
    assert len([w for w in pool._all if w.background]) <= 2


def test_a_background_query_has_a_longer_time_limit(engine: QueryEngine,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    pool = engine._pool
    assert pool is not None
    limits: list[tuple[bool, float | None]] = []
    real = pool.run

    def run(job: QueryJob, **options: Any) -> Any:
        limits.append((options.get("background", False), options.get("timeout")))
        return real(job, **options)

    monkeypatch.setattr(pool, "run", run)
    engine.run(QueryJob(SMALL + " # in the background", "all"), background=True)
    engine.run(QueryJob(SMALL + " # for a request", "all"))
    assert limits == [(True, engine.timeout * BACKGROUND_PATIENCE), (False, engine.timeout)]


def niceness_when_asked(engine: QueryEngine, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The niceness of each worker as a query is sent to it, from now on."""
    pool = engine._pool
    assert pool is not None
    seen: list[int] = []
    real = pool._ask

    def ask(worker: Any, *args: Any) -> Any:
        seen.append(os.getpriority(os.PRIO_PROCESS, worker.process.pid))
        return real(worker, *args)

    monkeypatch.setattr(pool, "_ask", ask)
    return seen


@pytest.mark.parametrize("moment", ["as its worker starts", "as it takes its worker"])
def test_a_background_query_hurried_before_it_reaches_its_worker_runs_hurried(
        engine: QueryEngine, monkeypatch: pytest.MonkeyPatch, moment: str) -> None:
    """A request may hurry a background query between the query's flight and its worker
    (started for it, or taken for it): the worker must not go back to the background's
    niceness when the query reaches it, or the request waits for a run at a tenth of a
    core."""
    pool = engine._pool
    assert pool is not None
    job = QueryJob(SMALL, "all")
    hurried: list[bool] = []
    if moment == "as its worker starts":
        spawn = pool._spawn

        def spawning(**options: bool) -> Any:
            worker = spawn(**options)
            if options.get("background"):   # the process runs; its first lines are to come
                hurried.append(pool.hurry(QueryJob(SMALL, "all")))
            return worker

        monkeypatch.setattr(pool, "_spawn", spawning)
    else:
        pool._start_background()
        take = pool._background.take

        def taking(client: Any, wait: float) -> Any:
            worker = take(client, wait)
            hurried.append(pool.hurry(QueryJob(SMALL, "all")))
            return worker

        monkeypatch.setattr(pool._background, "take", taking)
    seen = niceness_when_asked(engine, monkeypatch)
    assert engine.run(job, background=True).body
    assert hurried == [True] or (hurried == [False] and os.geteuid() != 0), hurried
    if not hurried[0]:
        pytest.skip("lowering a niceness needs privileges here")
    assert seen == [os.getpriority(os.PRIO_PROCESS, 0)]
    # the next background query runs nicer again
    engine.run(QueryJob(SMALL + " # next", "all"), background=True)
    assert seen[1] == min(os.getpriority(os.PRIO_PROCESS, 0) + BACKGROUND_NICENESS, 19)


@pytest.mark.parametrize("moment", ["with its first query", "after a query it ran stopped"])
def test_a_background_worker_that_could_not_start_is_started_again(
        engine: QueryEngine, monkeypatch: pytest.MonkeyPatch, moment: str) -> None:
    """A background worker the system would not start (out of processes) is started by
    the next background query, rather than that query waiting for it to its time limit."""
    monkeypatch.setattr(execution, "BACKGROUND_PATIENCE", 1)   # a wait stopped at 3 s
    pool = engine._pool
    assert pool is not None
    spawn = pool._spawn
    started: list[bool] = []
    refused = 1 if moment == "with its first query" else 2   # the first, or its replacement

    def spawning(**options: bool) -> Any:
        if options.get("background"):
            started.append(len(started) + 1 != refused)
            if not started[-1]:
                raise OSError("out of processes")
        return spawn(**options)

    monkeypatch.setattr(pool, "_spawn", spawning)
    if moment == "with its first query":
        with pytest.raises(OSError):
            engine.run(QueryJob(SMALL, "all"), background=True)
    else:   # its replacement is started meanwhile, in a thread of its own
        with pytest.raises(QueryTimeout):
            engine.run(QueryJob(ENDLESS, "all"), background=True)
        until(lambda: len(started) == 2)
        until(lambda: not pool._background_started, what="the background worker given up")
    assert engine.run(QueryJob(SMALL + " # next", "all"), background=True).body
    assert started[-1]
