"""Query worker processes: queries run outside the server process and are killed past the limit.

Why processes. pyoxigraph has no timeout and no way to cancel a query. Reading a result
lazily and checking a deadline between solutions stops a streaming query, but not one that
sorts or aggregates: Oxigraph computes those inside the first ``next()``, for as long as it
takes, holding a CPU. A worker process can be killed at any instant, and the server process
never runs the query, so it stays responsive whatever the query does.

How. ``QueryPool`` keeps ``size`` processes (started with ``spawn``, so no lock or thread of
the server is copied into them). Each request takes an idle worker, sends it a
``QueryJob`` and the current ``Snapshot`` (``graph.engine.snapshots``), and waits on the pipe until
the deadline. The worker opens the snapshot if it has not already, runs the job with
``graph.sparql.request.execute`` and sends back the whole serialised ``Answer`` — so a caller gets a
complete body or an error, never half a result. Past the deadline the worker is killed, a
fresh one is started in the background, and the caller gets ``QueryTimeout``. Opening a new
snapshot does not count against the query's time (it has its own, larger, limit); a fresh
worker opens the latest snapshot before it takes a query, so that a query following a killed
one is not delayed by that opening. With a ``memory_limit``, the resident memory of a worker
running a query is read every ``MEMORY_CHECK`` seconds (``/proc``, Linux), and a worker past
it is killed the same way (``QueryMemoryExceeded``): a cartesian product sorted at 10^6
triples takes about 2 GB in 10 s, which a time limit alone does not bound.

Turns. Workers are few (two on two cores), so who gets the next free one matters: a single
client sending pathological queries one after another would otherwise hold one of two
workers all the time. ``run`` names the ``client`` it runs for, and a free worker goes to the
waiting query whose client runs fewer than its share (half the workers, at least one), then
has used the workers least lately (seconds of worker time, halved every
``turns.USAGE_HALF_LIFE`` seconds), then came first. A client alone may use every worker; when
others wait, the one that has used them most waits longest. The wait for a worker counts
against the query's time limit. A client that had a query stopped by a limit after it held a
worker for half the limit or more, in the last ``turns.STOPPED_MEMORY`` seconds, waits at most
``queue_limit`` seconds, then its query is not run (``WorkersBusy``, a 503 with
``Retry-After``) rather than answered at the end of its limit. Other clients wait as long as
their limit allows: refusing them early would turn answers that come late into errors.

Lane. Turns decide who gets the next free worker, but a worker is held until its query ends:
two heavy queries of one client would hold both workers for the whole time limit, and a
cheap query of anyone else would wait that long (26 s, measured). So ``LANES`` more workers
are kept beside the pool's ``size``: a query may take one only when its client runs no
other query and had none stopped by a limit lately. A client alone still uses the whole
pool; whatever it runs, a query of a client that runs nothing gets a worker at once
(``tests/api/test_starvation.py``; the latency is in ``bench/RESULTS.md``, "Hostile
input"). A client that fills the lane too has taken all it may: the next client waits its
turn as above. A worker that dies on a query (a crash of the engine) is replaced in its own
group, and counts against its client like a stopped query (``WorkerCrashed``).

Background. Work no request waits for (the catalogue's answers evaluated again after a write,
``graph.queries.refreshing``) runs with ``background=True`` in workers of its own (at most
``background``, each started when a background query finds none idle), apart from the pool
and the lane, at niceness ``BACKGROUND_NICENESS`` (Linux, other Unixes): it never takes a
worker from a request, and when the cores are busy the requests' workers get them first (a
niceness of 10 gets about a tenth of a core a normal process wants). On an idle machine it
runs at full speed. Its queries are given more time than a request's
(``BACKGROUND_PATIENCE`` times the limit, ``graph.engine.execution``): at a lower priority,
their time on the clock says little of their cost. A request that wants the answer a
background query is computing, or is about to, may ``hurry`` it: the query gets the
server's priority until its run ends, another background query keeps its own (where the
system allows it: lowering a niceness needs privileges, e.g. root or ``CAP_SYS_NICE`` on
Linux; where it does not, the request runs the query itself, and the requests for it after
that one wait for that run). The server sets a worker's niceness when it starts it and when
it gives it a query, never the worker itself: a hurry that came meanwhile would be undone.

Costs, measured on 2 cores with 10^6 triples: a round trip through a worker adds about
0.2 ms to a query; starting a worker takes about 0.3 s; a checkpoint snapshot 15 ms and
opening it 45 ms (paid once per write, by the first query after it).
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import threading
import time
import weakref
from collections.abc import Hashable, Sequence
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

from graph.engine.failures import describe as _describe
from graph.engine.failures import rebuild as _rebuild
from graph.engine.snapshots import Snapshot, Snapshots, SnapshotStore
from graph.engine.turns import Turns
from graph.errors import (
    QueryMemoryExceeded,
    QueryTimeout,
    StoreError,
    StoreUnavailable,
    WorkerCrashed,
    WorkersBusy,
    how_it_ended,
)
from graph.sparql.request import QueryJob, Scope, execute, visible_graphs
from graph.sparql.results import Answer

log = logging.getLogger(__name__)

#: seconds a worker may take to start or to open a snapshot before it is given up
OPEN_LIMIT = 120.0
#: seconds between two looks at the memory of a worker running a query
MEMORY_CHECK = 0.1
#: seconds a query of a client stopped lately may wait for a free worker (``WorkersBusy``)
QUEUE_LIMIT = 5.0
#: workers kept, beside the pool's, for clients running no query (see "Lane" above)
LANES = 1
#: how much nicer than the server the workers of background queries run (see "Background")
BACKGROUND_NICENESS = 10
#: workers of background queries at most (``CIVICGRAPH_BACKGROUND_WORKERS``)
BACKGROUND_WORKERS = 2


def resident_bytes(pid: int) -> int:
    """Resident memory of process ``pid`` (0 where ``/proc`` cannot tell, i.e. not Linux)."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _niceness() -> int | None:
    """The server's niceness: its main thread's on Linux, where each thread has its own
    (a worker started from a lower-priority thread would inherit that thread's); None where
    the system has none."""
    try:
        return os.getpriority(os.PRIO_PROCESS, os.getpid())
    except (AttributeError, OSError):
        return None


def _nicer(niceness: int) -> int:
    """The niceness of background work in a server of ``niceness``."""
    return min(niceness + BACKGROUND_NICENESS, 19)   # 19: the most on Unix


def _prioritise(worker: _Worker, niceness: int | None) -> bool:
    """Give ``worker`` ``niceness``; whether the system allowed it."""
    pid = worker.process.pid
    if niceness is None or pid is None:
        return False
    try:
        os.setpriority(os.PRIO_PROCESS, pid, niceness)
    except (AttributeError, OSError):
        return False
    return True


def _serve(conn: Connection) -> None:
    """A worker's loop: open snapshots as told, run jobs, send answers or error tuples."""
    store: SnapshotStore | None = None
    visible: dict[Scope, Sequence[str]] = {}
    everything: frozenset[str] | None = None
    conn.send(("ready",))
    while True:
        try:
            snapshot, job = conn.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        try:
            if store is None or store.snapshot.id != snapshot.id:
                store = None
                visible.clear()
                store = SnapshotStore(snapshot)
                everything = store.everything()
                conn.send(("opened",))
            if job is None:   # only open the snapshot: a fresh worker, before its first query
                continue
            opened = store

            def graphs_for(scope: Scope, opened: SnapshotStore = opened) -> Sequence[str]:
                if scope not in visible:
                    visible[scope] = visible_graphs(opened, scope)
                return visible[scope]

            conn.send(("ok", execute(store, job, graphs_for, everything)))
        except Exception as error:  # every failure goes back to the server
            conn.send(("error", *_describe(error)))


class _Worker:
    """One worker process and the server's end of its pipe."""

    def __init__(self, context: Any, *, lane: bool = False, background: bool = False) -> None:
        #: a worker of the lane kept for clients running no query (see "Lane" above)
        self.lane = lane
        #: a worker of background queries, at a lower priority (see "Background" above)
        self.background = background
        self.conn, child = context.Pipe(duplex=True)
        self.process: BaseProcess = context.Process(
            target=_serve, args=(child,), name="civicgraph-query-worker", daemon=True)
        self.process.start()
        child.close()
        # the server's niceness, not that of the thread starting it (it inherits that one);
        # set before the pool knows the worker, so a hurry is never undone by it
        niceness = _niceness()
        _prioritise(self, _nicer(niceness) if niceness is not None and background else niceness)
        self.snapshot: int | None = None

    def wait_ready(self, limit: float) -> bool:
        if not self.conn.poll(limit):
            return False
        try:
            return bool(self.conn.recv() == ("ready",))
        except (EOFError, OSError):
            return False

    def stop(self) -> None:
        """SIGKILL the process; returns at once."""
        with contextlib.suppress(Exception):
            self.process.kill()

    def kill(self) -> None:
        """SIGKILL the process and reap it (up to 5 s: freeing gigabytes takes a while)."""
        self.stop()
        self.process.join(5)
        with contextlib.suppress(Exception):
            self.conn.close()

    def open(self, snapshot: Snapshot, limit: float) -> bool:
        """Have the worker open ``snapshot`` now (its first query then need not); whether it
        answered within ``limit`` seconds (if not, it is unusable)."""
        try:
            self.conn.send((snapshot, None))
            if not self.conn.poll(limit):
                return False
            reply = self.conn.recv()
        except (EOFError, OSError):
            return False
        if reply == ("opened",):
            self.snapshot = snapshot.id
        return True


class QueryPool:
    """``size`` worker processes running queries on snapshots of a store, under a time limit.

    ``run`` blocks its calling thread (never call it on an event loop)."""

    def __init__(self, snapshots: Snapshots, *, size: int = 2, timeout: float = 30.0,
                 memory_limit: int | None = None, queue_limit: float = QUEUE_LIMIT,
                 lanes: int = LANES, background: int = BACKGROUND_WORKERS) -> None:
        if size < 1:
            raise ValueError("a query pool needs at least one worker")
        self.snapshots = snapshots
        self.size = size
        self.lanes = lanes
        self.timeout = timeout
        self.memory_limit = memory_limit
        self.queue_limit = queue_limit
        self._context = multiprocessing.get_context("spawn")
        self._idle = Turns(share=max(1, size // 2), closed=lambda: self._closed)
        #: the idle workers of background queries, and how many are started (or starting)
        self.background = max(1, background)
        self._background = Turns(share=self.background, closed=lambda: self._closed)
        self._background_started = 0
        #: the background queries hurried, until their runs end; what each worker runs
        self._hurried: list[QueryJob] = []
        self._running: dict[_Worker, QueryJob] = {}
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        starting = [self._spawn() for _ in range(size)] + \
            [self._spawn(lane=True) for _ in range(lanes)]
        for worker in starting:
            self._admit(worker)
        self._finalizer = weakref.finalize(self, _kill_all, self._all)

    def _spawn(self, *, lane: bool = False, background: bool = False) -> _Worker:
        worker = _Worker(self._context, lane=lane, background=background)
        with self._lock:
            self._all.add(worker)
        return worker

    def _admit(self, worker: _Worker) -> None:
        try:
            latest = self.snapshots.latest()
            ready = worker.wait_ready(OPEN_LIMIT) and not self._closed and (
                latest is None or worker.open(latest, OPEN_LIMIT))
        except BaseException:
            self._discard(worker)
            raise
        if ready:
            self._release(worker)
        else:
            self._discard(worker)

    def _release(self, worker: _Worker) -> None:
        """``worker`` is idle: back to its group."""
        if worker.background:
            self._background.put(worker)
        else:
            self._idle.put(worker, lane=worker.lane)

    def _discard(self, worker: _Worker) -> None:
        worker.kill()
        with self._lock:
            self._all.discard(worker)
            if worker.background:   # the next background query starts another
                self._background_started -= 1

    def _replace(self, worker: _Worker) -> None:
        """Kill ``worker`` now; reap it and start another in the background (the caller
        answers at once, however long the dead worker's memory takes to free)."""
        worker.stop()
        with self._lock:
            self._all.discard(worker)

        def start() -> None:
            worker.kill()
            if self._closed:
                return
            try:
                replacement = self._spawn(lane=worker.lane, background=worker.background)
            except Exception:  # e.g. out of processes
                log.exception("could not start a query worker")
                if worker.background:   # the next background query tries again
                    with self._lock:
                        self._background_started -= 1
                return
            try:
                self._admit(replacement)
            except Exception:   # discarded, and counted so, by _admit
                log.exception("could not start a query worker")

        threading.Thread(target=start, name="civicgraph-worker-start", daemon=True).start()

    def run(self, job: QueryJob, *, timeout: float | None = None,
            client: Hashable = None, background: bool = False) -> Answer:
        """Run ``job`` for ``client`` in a worker; ``QueryTimeout`` when it takes more than
        ``timeout`` seconds (the pool's by default), waiting for a free worker included;
        ``WorkersBusy`` when no worker came its turn within ``queue_limit`` seconds for a
        client that had a query stopped lately. ``background``: in a worker of background
        queries (see "Background" above)."""
        limit = self.timeout if timeout is None else timeout
        if background:
            self._start_background()
        turns = self._background if background else self._idle
        deadline = time.monotonic() + limit
        wait = max(limit, 0.0)
        if not background and turns.recently_stopped(client):   # background: no client to
            wait = min(wait, self.queue_limit)   # hold back, its next query waits its turn
        worker = turns.take(client, wait)
        if worker is None:
            raise WorkersBusy(wait) if wait < limit else QueryTimeout(limit)
        if background:   # nicer again, unless a request hurried this query already
            niceness = _niceness()
            with self._lock:
                self._running[worker] = job
                hurried = job in self._hurried
                _prioritise(worker, niceness if niceness is None or hurried
                            else _nicer(niceness))
        started = time.monotonic()
        try:
            reply = self._ask(worker, job, deadline, limit)
        except BaseException as error:
            self._end_hurry(job, background, worker)
            held = time.monotonic() - started
            # stopped: a crash, or a limit after holding the worker for half of it or more (a
            # heavy query, not one that waited long for its turn on a busy server)
            turns.done(client, held, stopped=isinstance(error, WorkerCrashed) or (
                held >= limit / 2 and isinstance(error, (QueryTimeout, QueryMemoryExceeded))))
            self._replace(worker)
            if self._closed:   # its pipe or process was closed under it: no crash, no limit
                raise StoreUnavailable("the query engine was closed") from error
            raise
        self._end_hurry(job, background, worker)
        turns.done(client, time.monotonic() - started)
        self._release(worker)
        if reply[0] == "ok":
            answer: Answer = reply[1]
            return answer
        raise _rebuild(*reply[1:])

    def hurry(self, job: QueryJob) -> bool:
        """Give ``job`` (a background query a request waits for) the server's priority until
        its run ends: its worker, or the idle ones if not yet taken (not one running another
        query); whether the system allowed it (False when no worker could be raised)."""
        niceness = _niceness()
        with self._lock:
            workers = [w for w in self._all if w.background and self._running.get(w, job) == job]
            hurried = bool(workers) and all(_prioritise(w, niceness) for w in workers)
            if hurried:
                self._hurried = [*self._hurried[-63:], job]   # bounded: a hurry its run missed
        return hurried

    def _end_hurry(self, job: QueryJob, background: bool, worker: _Worker) -> None:
        """The run of ``job`` in ``worker`` is over: a hurry of it no longer holds."""
        if background:
            with self._lock:
                self._running.pop(worker, None)
                self._hurried = [j for j in self._hurried if j != job]

    def _start_background(self) -> None:
        """Start a background worker if none is idle and fewer than ``background`` are."""
        with self._lock:
            if self._closed or self._background_started >= self.background or (
                    self._background_started and self._background.qsize()):
                return
            self._background_started += 1
        try:
            worker = self._spawn(background=True)
        except BaseException:   # e.g. out of processes: the next background query tries again
            with self._lock:
                self._background_started -= 1
            raise
        self._admit(worker)

    def _ask(self, worker: _Worker, job: QueryJob, deadline: float,
             limit: float) -> tuple[Any, ...]:
        snapshot = self.snapshots.current()
        sent = time.monotonic()
        try:
            worker.conn.send((snapshot, job))
            if worker.snapshot != snapshot.id:
                # opening a new snapshot has its own limit and does not count as query time
                if not worker.conn.poll(OPEN_LIMIT):
                    raise StoreError("a query worker could not open the store snapshot in time")
                first: tuple[Any, ...] = worker.conn.recv()
                if first[0] != "opened":
                    return first
                worker.snapshot = snapshot.id
                self.snapshots.collect(self._snapshots_in_use())
                deadline += time.monotonic() - sent
            if not self._wait(worker, deadline):
                raise QueryTimeout(limit)
            return worker.conn.recv()  # type: ignore[no-any-return]
        except (EOFError, BrokenPipeError, ConnectionResetError):
            worker.process.join(1.0)   # SIGABRT: the engine aborted (Oxigraph 0.5, sorting)
            how = how_it_ended(worker.process.exitcode)
            raise WorkerCrashed(f"the query worker stopped while it ran this query ({how}): "
                                "the engine failed on it, and would again") from None

    def _wait(self, worker: _Worker, deadline: float) -> bool:
        """Wait for ``worker``'s reply until ``deadline``; whether it came. A worker past
        ``memory_limit`` bytes is given up (``QueryMemoryExceeded``; the caller kills it)."""
        if self.memory_limit is None:
            return bool(worker.conn.poll(max(deadline - time.monotonic(), 0.0)))
        while True:
            left = deadline - time.monotonic()
            if worker.conn.poll(max(min(left, MEMORY_CHECK), 0.0)):
                return True
            pid = worker.process.pid
            if pid is not None and resident_bytes(pid) > self.memory_limit:
                raise QueryMemoryExceeded(self.memory_limit // 2**20)
            if left <= MEMORY_CHECK:
                return False

    def _snapshots_in_use(self) -> list[int]:
        with self._lock:
            return [w.snapshot for w in self._all if w.snapshot is not None]

    def close(self) -> None:
        """Stop every worker and delete the snapshots."""
        self._closed = True
        _kill_all(self._all)
        self.snapshots.close()


def _kill_all(workers: set[_Worker]) -> None:
    for worker in list(workers):
        worker.kill()
    workers.clear()


__all__ = ["BACKGROUND_NICENESS", "BACKGROUND_WORKERS", "QueryPool", "WorkerCrashed"]
