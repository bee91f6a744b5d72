"""Page lookups: the small, fixed queries of the pages, run on the store itself.

Why not the query workers. The workers (``graph.engine.workers``) exist to stop arbitrary SPARQL:
any visitor's query may run for ever, so it runs in a process that can be killed. A page
(a resource, search) asks a handful of queries whose shape is fixed and whose cost grows
only with the size of one resource (its description, its links counted by predicate, one
page of them, the labels of at most a few hundred IRIs): nothing a visitor can make
pathological. Queued behind visitors' queries for two workers, a page of 0.1 s took 20 to
30 s under load (``bench/RESULTS.md``, "Load"). So lookups run in threads of the server
process on the live store: each pyoxigraph query reads a consistent RocksDB snapshot, and
pyoxigraph releases the GIL while it evaluates, so the server stays responsive; what a write
has not finished is hidden by the embedded backends themselves.

The bound. ``Lookups.run`` waits at most ``timeout`` seconds (a few, not the query limit),
then answers ``QueryTimeout``; the thread cannot be stopped and ends with its query, so the
threads are few (``threads``), and a lookup that waits for one counts that wait.

>>> from graph.store import open_store
>>> with open_store("memory") as store:
...     Lookups(store).run(lambda view: view.graphs(), "public")
['https://w3id.org/civicgraph/graph/meta']
"""

from __future__ import annotations

import concurrent.futures
import threading
import time
import traceback
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import BinaryIO, TypeVar

import pyoxigraph as ox

from graph.errors import QueryTimeout, StoreError
from graph.sparql.request import QueryJob, Scope, visible_graphs
from graph.store import DEFAULT_GRAPH, QueryResult, Store, Term, named_only

T = TypeVar("T")

#: seconds a lookup may take at most (waiting for a thread included)
LOOKUP_LIMIT = 5.0
#: the page parts (a resource's story) kept until the next write, the most recently asked
PAGE_PARTS = 512
#: threads running lookups at once (more than the cores: a search may wait for the index
#: being built again after a write, and the pages must not wait behind it)
LOOKUP_THREADS = 8

#: told of every lookup query: the query (as a job), its seconds, and its error or None
LookupObserver = Callable[[QueryJob, float, BaseException | None], None]


def _embedded(store: Store) -> bool:
    """Whether ``store`` is (a view of) an embedded pyoxigraph store."""
    return store.native is not None


def _default_graph_is_empty(store: Store) -> bool:
    """Whether ``store`` is embedded and its own (unnamed) default graph holds nothing: the
    union default graph is then exactly the union of its named graphs."""
    native = store.native
    if native is None:
        return False
    return next(iter(native.quads_for_pattern(None, None, None, ox.DefaultGraph())),
                None) is None


class ScopedStore(Store):
    """What ``scope`` may read of ``store``, queried in the calling thread. Read-only.

    ``default_graph=None`` is the union of the visible graphs (asked as the union default
    graph when they are all the graphs, which Oxigraph evaluates faster)."""

    def __init__(self, store: Store, scope: Scope, visible: Sequence[str], whole: bool,
                 observers: Sequence[LookupObserver] = ()) -> None:
        self.store = store
        self.scope = scope
        self.visible = list(visible)
        self.whole = whole
        self.kind = store.kind
        self.observers = observers

    def query(self, sparql: str, *, substitutions: Mapping[str, Term] | None = None,
              default_graph: Sequence[str] | None = None,
              named_graphs: Sequence[str] | None = None) -> QueryResult:
        allowed = set(self.visible)
        default = None if default_graph is None and self.whole else \
            [g for g in (self.visible if default_graph is None else default_graph)
             if g in allowed]
        named = None if named_graphs is None and self.whole else \
            [g for g in named_only(self.visible if named_graphs is None else named_graphs)
             if g in allowed]
        started = time.perf_counter()
        error: BaseException | None = None
        try:
            return self.store.query(sparql, substitutions=substitutions,
                                    default_graph=default, named_graphs=named)
        except BaseException as raised:
            error = raised
            raise
        finally:
            for observer in self.observers:
                observer(QueryJob(sparql, self.scope), time.perf_counter() - started, error)
            error = None

    def update(self, sparql: str) -> None:
        raise StoreError("a lookup view is read-only")

    def replace_graph(self, graph: str, triples: Iterable[ox.Triple | ox.Quad],
                      *, metadata: Iterable[ox.Triple] = ()) -> None:
        raise StoreError("a lookup view is read-only")

    def drop_graph(self, graph: str) -> None:
        raise StoreError("a lookup view is read-only")

    def graphs(self) -> list[str]:
        return named_only(self.visible)

    def count(self, graph: str | None = None) -> int:
        if graph is not None:
            return self.store.count(graph) if graph in self.graphs() else 0
        return sum(self.store.count(g) for g in self.graphs())

    def dump(self, out: BinaryIO, format: ox.RdfFormat,
             graphs: Sequence[str] | None = None) -> None:
        named = self.graphs()
        wanted = named if graphs is None else [g for g in graphs if g in named]
        self.store.dump(out, format, wanted)


class Lookups:
    """Runs page lookups on ``store`` in ``threads`` threads, each within ``timeout`` s."""

    def __init__(self, store: Store, *, timeout: float = LOOKUP_LIMIT,
                 threads: int = LOOKUP_THREADS,
                 observers: Sequence[LookupObserver] = ()) -> None:
        self.store = store
        self.timeout = timeout
        self.threads = threads
        self.observers = observers
        self._executor: concurrent.futures.ThreadPoolExecutor | None = None
        self._visible: dict[tuple[Scope, int], tuple[list[str], bool]] = {}
        self._kept: dict[tuple[str, Scope], tuple[int, object]] = {}
        self._building: dict[tuple[str, Scope], threading.Lock] = {}
        self._parts: OrderedDict[tuple[str, Scope], tuple[int, object]] = OrderedDict()
        self._parts_building: set[tuple[str, Scope]] = set()
        self._lock = threading.Lock()

    def view(self, scope: Scope) -> ScopedStore:
        """What ``scope`` may read, queried in the calling thread."""
        version = self.store.version
        key = (scope, version) if version is not None else None
        with self._lock:
            known = self._visible.get(key) if key else None
        if known is None:
            graphs = visible_graphs(self.store, scope)
            whole = set(self.store.graphs()) <= set(graphs) and (
                DEFAULT_GRAPH in graphs or _default_graph_is_empty(self.store)) and \
                _embedded(self.store)
            known = (graphs, whole)
            if key:
                with self._lock:
                    # the store's version changes with every write: older entries are stale
                    self._visible = {k: v for k, v in self._visible.items() if k[1] == version}
                    self._visible[key] = known
        return ScopedStore(self.store, scope, known[0], known[1], self.observers)

    def kept(self, name: str, scope: Scope, build: Callable[[Store], T], *,
             stale: bool = False) -> tuple[T, bool] | None:
        """``(value, fresh)``: ``build(view)`` on what ``scope`` may read, kept under
        ``name`` until the store is written. One caller builds, the others wait for it; with
        ``stale``, a caller that finds a value of an earlier version gets it at once
        (``fresh`` False) while it is built again in the background. None for a store that
        others may write without this process knowing (a remote one): nothing is kept."""
        version = self.store.version
        if version is None or not self.store.exclusive:
            return None
        key = (name, scope)
        with self._lock:
            building = self._building.setdefault(key, threading.Lock())
            held = self._kept.get(key)
        if held is not None and held[0] == version:
            return held[1], True  # type: ignore[return-value]
        if stale and held is not None:
            if building.acquire(blocking=False):
                threading.Thread(target=self._build, args=(key, scope, build, building),
                                 name="civicgraph-rebuild", daemon=True).start()
            return held[1], False  # type: ignore[return-value]
        with building:
            return self._build(key, scope, build), True

    def _build(self, key: tuple[str, Scope], scope: Scope, build: Callable[[Store], T],
               release: threading.Lock | None = None) -> T:
        """The value of ``key`` for the store's version now (built unless it is already);
        releases ``release`` when done."""
        try:
            version = self.store.version or 0
            with self._lock:
                held = self._kept.get(key)
            if held is not None and held[0] == version:
                return held[1]  # type: ignore[return-value]
            # built from the store as it is now; a write during the build changes the
            # version, so the next caller builds again
            value = build(self.view(scope))
            with self._lock:
                self._kept[key] = (version, value)
            return value
        finally:
            if release is not None:
                release.release()

    def run(self, function: Callable[[Store], T], scope: Scope, *,
            timeout: float | None = None) -> T:
        """``function(view)`` in a lookup thread, where ``view`` is what ``scope`` may read;
        ``QueryTimeout`` after ``timeout`` seconds (``self.timeout`` by default)."""
        limit = self.timeout if timeout is None else timeout
        future = self._pool().submit(_cleanly, lambda: function(self.view(scope)))
        try:
            return future.result(timeout=limit)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise QueryTimeout(limit) from None

    def part(self, name: str, scope: Scope, build: Callable[[Store], T], *,
             timeout: float) -> T:
        """``build(view)`` for one part of a page (a resource's story), waited for at most
        ``timeout`` seconds, then kept until the store is written (the ``PAGE_PARTS`` most
        recently asked). Past ``timeout`` it raises ``QueryTimeout`` while the build goes on
        and is kept for the next caller; a caller finding the part being built raises at once
        rather than start a second build or hold a lookup thread waiting for it. A store that
        others may write (a remote one) keeps nothing: each call builds."""
        version = self.store.version
        if version is None or not self.store.exclusive:
            return self.run(build, scope, timeout=timeout)
        key = (name, scope)
        with self._lock:
            held = self._parts.get(key)
            if held is not None and held[0] == version:
                self._parts.move_to_end(key)
                return held[1]  # type: ignore[return-value]
            if key in self._parts_building:
                raise QueryTimeout(timeout)
            self._parts_building.add(key)

        def kept(view: Store) -> T:
            try:
                value = build(view)
                with self._lock:
                    self._parts[key] = (version, value)
                    self._parts.move_to_end(key)
                    while len(self._parts) > PAGE_PARTS:
                        self._parts.popitem(last=False)
                return value
            finally:
                with self._lock:
                    self._parts_building.discard(key)

        try:
            future = self._pool().submit(_cleanly, lambda: kept(self.view(scope)))
        except BaseException:
            with self._lock:
                self._parts_building.discard(key)
            raise
        try:
            return future.result(timeout=timeout)
        except concurrent.futures.TimeoutError:
            raise QueryTimeout(timeout) from None

    def _pool(self) -> concurrent.futures.ThreadPoolExecutor:
        with self._lock:
            if self._executor is None:
                self._executor = concurrent.futures.ThreadPoolExecutor(
                    max_workers=self.threads, thread_name_prefix="civicgraph-lookup")
            return self._executor

    def close(self) -> None:
        """Stop taking lookups (those under way end by themselves)."""
        with self._lock:
            if self._executor is not None:
                self._executor.shutdown(wait=False, cancel_futures=True)
                self._executor = None


def _cleanly(call: Callable[[], T]) -> T:
    """``call()``, leaving no pyoxigraph result in the frames of an error it raises: those
    objects must be dropped by the thread that made them, and the error goes to another."""
    try:
        return call()
    except BaseException as error:
        traceback.clear_frames(error.__traceback__)
        raise


__all__ = ["LOOKUP_LIMIT", "PAGE_PARTS", "Lookups", "ScopedStore"]
