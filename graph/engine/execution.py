"""The query engine of the service: every query under the time limit and the result cap.

``QueryEngine.run`` takes a ``QueryJob`` and returns a complete serialised ``Answer``, or
raises ``QueryTimeout`` / ``ResultTooLarge`` before anything was sent. How it is stopped
depends on the store:

- embedded stores (on disk or in memory): in worker processes over snapshots
  (``graph.engine.workers``); a query past the limit is killed;
- a remote SPARQL server: in a thread that waits for the HTTP answer; past the limit the
  caller gets ``QueryTimeout`` at once, and the remote request is abandoned, ending at the
  remote store's own HTTP timeout (set the server's query timeout too, e.g. Fuseki's
  ``arq:queryTimeout``, so the remote engine stops as well);
- ``workers=0`` runs embedded stores in threads the same way: the answer is prompt, but the
  query keeps a CPU until it ends (for debugging, or where processes cannot be started).

``QueryEngine.view(scope)`` is a read-only ``Store`` whose queries go through the engine and
see only what ``scope`` may read; the catalogue runs on it. The pages' own small queries
(resource pages, search) do not queue for the workers: ``QueryEngine.lookup`` runs them on the
store in threads, under a shorter bound (``graph.engine.lookups``).
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import threading
import time
import traceback
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from contextvars import ContextVar
from typing import BinaryIO, TypeVar

import pyoxigraph as ox

from graph.engine.answers import CAPACITY, AnswerCache, Flight, job_key
from graph.engine.lookups import LOOKUP_LIMIT, Lookups
from graph.engine.snapshots import Snapshots, VersionedStore
from graph.engine.workers import BACKGROUND_WORKERS, QUEUE_LIMIT, QueryPool
from graph.errors import (
    QueryFailed,
    QueryMemoryExceeded,
    QueryTimeout,
    ResultTooLarge,
    StoreError,
    StoreUnavailable,
)
from graph.privacy.access import public_graphs
from graph.sparql.request import Dataset, QueryJob, Scope, execute
from graph.sparql.results import Answer, parse_answer
from graph.store import QueryResult, Store, Term

T = TypeVar("T")

#: how many times the time limit a background query has: its worker yields the cores to the
#: requests', so its time on the clock says little of what it cost (a 6 s query took over
#: 120 s beside two clients asking without pause, at 10^6 triples)
BACKGROUND_PATIENCE = 4

#: the client the queries of this context run for (their turns at the workers: graph.engine.workers)
CLIENT: ContextVar[Hashable] = ContextVar("civicgraph_client", default=None)


@contextlib.contextmanager
def acting_for(client: Hashable) -> Iterator[None]:
    """Run the engine's queries of the ``with`` block for ``client`` (e.g. an IP address)."""
    token = CLIENT.set(client)
    try:
        yield
    finally:
        CLIENT.reset(token)


#: told of every query the engine ran: the job, its seconds, and the error it raised or None
QueryObserver = Callable[[QueryJob, float, BaseException | None], None]


class QueryEngine:
    """Runs queries on ``store`` with at most ``timeout`` seconds and ``result_limit`` rows.
    ``observers`` are called after each query (the logs and metrics of the API), lookups
    included; a lookup may take ``lookup_timeout`` seconds (at most ``timeout``).
    ``union_default_graph`` is the dataset mode of the jobs it makes
    (``graph.sparql.request.scope_dataset``)."""

    def __init__(self, store: Store, *, timeout: float = 30.0, result_limit: int = 100_000,
                 workers: int = 2, worker_memory: int | None = None,
                 lookup_timeout: float = LOOKUP_LIMIT, queue_limit: float = QUEUE_LIMIT,
                 answer_cache: int = CAPACITY, union_default_graph: bool = True,
                 background_workers: int = BACKGROUND_WORKERS) -> None:
        self.store = store
        self._background_workers = max(1, background_workers)
        self.union_default_graph = union_default_graph
        self.timeout = timeout
        self.result_limit = result_limit
        self.workers = workers
        #: bytes a query worker may hold while it runs a query (None: no bound)
        self.worker_memory = worker_memory
        #: seconds a query of a client stopped lately may wait for a worker (``WorkersBusy``)
        self.queue_limit = queue_limit
        self._pool: QueryPool | None = None
        self._threads: concurrent.futures.ThreadPoolExecutor | None = None
        self._lock = threading.Lock()
        #: set by ``close``: no pool (nor snapshot) is made again after it
        self._closed = False
        self.observers: list[QueryObserver] = []
        self.lookups = Lookups(store, timeout=min(lookup_timeout, timeout),
                               observers=self.observers)
        #: answers kept until the next write (embedded stores); capacity 0: none, and
        #: identical queries asked at once each run
        self.answers = AnswerCache(capacity=answer_cache)

    @property
    def uses_processes(self) -> bool:
        """Whether queries run in worker processes that can be stopped."""
        return self.workers > 0 and isinstance(self.store, VersionedStore) \
            and self.store.exclusive

    @property
    def background_workers(self) -> int:
        """How many background queries run at once: the workers' own (``graph.engine.workers``,
        "Background"), else one (threads, a remote store)."""
        return self._background_workers if self.uses_processes else 1

    def run(self, job: QueryJob, *, background: bool = False) -> Answer:
        """The complete answer to ``job``; blocks the calling thread. On an embedded store,
        the answer is kept until the next write (``graph.engine.answers``). ``background``:
        work no request waits for, run in a background worker at a lower priority
        (``graph.engine.workers``, "Background") with ``BACKGROUND_PATIENCE`` times the time
        limit; an ask of the same query meanwhile gives
        it a request's priority and waits for it (where the system does not allow that, the
        first such ask runs the query itself and the asks after it wait for that run; when
        the time limit stopped the background run, its followers run the query)."""
        started = time.perf_counter()
        error: BaseException | None = None
        version = self._version()
        key = job_key(job) if version is not None and self.answers.capacity > 0 else None
        flight: Flight | None = None
        leading, answer = False, None
        try:
            if key is not None and version is not None:
                kept = self.answers.get(key, version)
                if kept is not None:
                    return kept
                flight, leading = self.answers.flight(key, version, background=background)
                if not leading and flight.background and not background \
                        and not self._hurry(job):
                    # at a tenth of a core, the background run may take far longer than a
                    # request's: run it here, for the asks after this one too
                    flight, leading = self.answers.overtake(key, version, flight)
                if not leading:
                    # the same query is running: wait for its answer
                    followed = self._follow(flight)
                    if followed is not None:
                        return followed
            answer = self._run(job, background=background)
            if key is not None and version is not None and self._version() == version:
                self.answers.put(key, version, answer)   # no write came meanwhile
            return answer
        except BaseException as raised:
            error = raised
            raise
        finally:
            if leading and flight is not None and key is not None and version is not None:
                self.answers.land(key, version, flight, answer, error)
            for observer in self.observers:
                observer(job, time.perf_counter() - started, error)
            error = None  # no cycle through this frame: pyoxigraph objects die where made

    def _follow(self, flight: Flight) -> Answer | None:
        """The answer of the run ``flight`` follows; its error if a limit of the query
        stopped it (this run would be stopped too); None if it failed otherwise."""
        if not flight.done.wait(self.timeout):
            raise QueryTimeout(self.timeout)
        failed = flight.error
        if isinstance(failed, QueryTimeout):
            if flight.background:   # stopped at a lower priority: this run may end in time
                return None
            raise QueryTimeout(self.timeout)
        if isinstance(failed, QueryMemoryExceeded):
            raise QueryMemoryExceeded(failed.megabytes)
        if isinstance(failed, ResultTooLarge):
            raise ResultTooLarge(failed.limit)
        return flight.answer   # None: run it here (e.g. the leader's client was refused)

    def _hurry(self, job: QueryJob) -> bool:
        """Give the background run of ``job`` the priority of a request; whether it has it
        (in threads, it always had)."""
        if not self.uses_processes:
            return True
        return self._process_pool().hurry(job)

    def _version(self) -> int | None:
        """The store's write counter when this process makes every write (embedded)."""
        return self.store.version if self.store.exclusive else None

    def _run(self, job: QueryJob, *, background: bool = False) -> Answer:
        if self.uses_processes:
            limit = self.timeout * (BACKGROUND_PATIENCE if background else 1)
            return self._process_pool().run(job, timeout=limit, client=CLIENT.get(),
                                            background=background)
        future = self._thread_pool().submit(_execute_here, self.store, job)
        try:
            return future.result(timeout=self.timeout)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise QueryTimeout(self.timeout) from None

    def start(self) -> None:
        """Start the worker processes now rather than with the first query."""
        if self.uses_processes:
            self._process_pool()

    def job(self, sparql: str, scope: Scope, **options: object) -> QueryJob:
        """A ``QueryJob`` with this engine's result cap and dataset mode."""
        options.setdefault("union_default_graph", self.union_default_graph)
        return QueryJob(sparql, scope, limit=self.result_limit, **options)  # type: ignore[arg-type]

    def lookup(self, function: Callable[[Store], T], scope: Scope) -> T:
        """``function(view)`` on what ``scope`` may read, directly on the store in a lookup
        thread (not in the workers), within the lookup bound (``QueryTimeout`` past it)."""
        return self.lookups.run(function, scope)

    def page_part(self, name: str, function: Callable[[Store], T], scope: Scope, *,
                  timeout: float) -> T:
        """``function(view)`` as ``lookup`` does, waited for at most ``timeout`` seconds and
        kept under ``name`` until the next write (``Lookups.part``)."""
        return self.lookups.part(name, scope, function, timeout=timeout)

    def view(self, scope: Scope) -> StoreView:
        """A read-only store of what ``scope`` may read, queried through this engine."""
        return StoreView(self, scope)

    def _process_pool(self) -> QueryPool:
        with self._lock:
            self._open()
            if self._pool is None:
                assert isinstance(self.store, VersionedStore)
                self._pool = QueryPool(Snapshots(self.store), size=self.workers,
                                       timeout=self.timeout, memory_limit=self.worker_memory,
                                       queue_limit=self.queue_limit,
                                       background=self._background_workers)
            return self._pool

    def _thread_pool(self) -> concurrent.futures.ThreadPoolExecutor:
        with self._lock:
            self._open()
            if self._threads is None:
                self._threads = concurrent.futures.ThreadPoolExecutor(
                    max_workers=max(self.workers, 4), thread_name_prefix="civicgraph-query")
            return self._threads

    def _open(self) -> None:
        """Raise ``StoreUnavailable`` once closed (a pool made then would outlive the server:
        a background evaluation after the shutdown left a checkpoint of the store behind)."""
        if self._closed:
            raise StoreUnavailable("the query engine is closed: the server is stopping")

    def close(self) -> None:
        """Stop the workers and delete the snapshots; a query asked after is refused."""
        self.lookups.close()
        with self._lock:
            self._closed = True
            if self._pool is not None:
                self._pool.close()
                self._pool = None
            if self._threads is not None:
                self._threads.shutdown(wait=False, cancel_futures=True)
                self._threads = None


def _execute_here(store: Store, job: QueryJob) -> Answer:
    """``execute``, leaving no pyoxigraph result in the frames of an error it raises: those
    objects must be dropped by the thread that made them, and an error travels to another."""
    try:
        return execute(store, job)
    except BaseException as error:
        traceback.clear_frames(error.__traceback__)
        if type(error) is RuntimeError:   # pyoxigraph's evaluation errors: the query's fault
            raise QueryFailed(str(error)) from None
        raise


class StoreView(Store):
    """What ``scope`` may read of the engine's store; queries run through the engine.

    ``default_graph=None`` is the union of the visible graphs; graphs outside them are
    ignored. Writes are refused."""

    def __init__(self, engine: QueryEngine, scope: Scope) -> None:
        self.engine = engine
        self.scope = scope
        self.kind = engine.store.kind

    def query(self, sparql: str, *, substitutions: Mapping[str, Term] | None = None,
              default_graph: Sequence[str] | None = None,
              named_graphs: Sequence[str] | None = None) -> QueryResult:
        dataset = Dataset(None if default_graph is None else tuple(default_graph),
                          None if named_graphs is None else tuple(named_graphs))
        job = self.engine.job(sparql, self.scope, dataset=dataset,
                              substitutions=dict(substitutions or {}),
                              solutions_format="tsv", graph_format="ntriples")
        return parse_answer(self.engine.run(job))

    def update(self, sparql: str) -> None:
        raise StoreError("a store view is read-only")

    def replace_graph(self, graph: str, triples: Iterable[ox.Triple | ox.Quad],
                      *, metadata: Iterable[ox.Triple] = ()) -> None:
        raise StoreError("a store view is read-only")

    def drop_graph(self, graph: str) -> None:
        raise StoreError("a store view is read-only")

    def graphs(self) -> list[str]:
        store = self.engine.store
        return public_graphs(store) if self.scope == "public" else store.graphs()

    def count(self, graph: str | None = None) -> int:
        graphs = self.graphs()
        if graph is not None:
            return self.engine.store.count(graph) if graph in graphs else 0
        return sum(self.engine.store.count(g) for g in graphs)

    def dump(self, out: BinaryIO, format: ox.RdfFormat,
             graphs: Sequence[str] | None = None) -> None:
        visible = self.graphs()
        wanted = visible if graphs is None else [g for g in graphs if g in visible]
        self.engine.store.dump(out, format, wanted)
