"""Maps over a live store: the usage table and the built maps, cached per version of the data.

The data version (``data_version``: the public graphs' descriptions in the meta graph, plus
the write counter of a store that keeps one, ``VersionedStore``) is checked at most every
``recheck`` seconds, and at once after a write made through this process.

Stale while revalidate: when the version changes, the table is read again in one background
thread (imports that arrive meanwhile are coalesced into one more reading, and readings are
spaced so that they take at most half a core, ``pause``) while requests keep being answered
from the previous table, marked ``stale`` with its ``age``; only the very first table is
waited for. After ``warm``, a watcher starts that reading as soon as the store counts a
write, without waiting for a request. Reading again re-reads only the graphs that changed
(``visualisations.fragments``), patches their rows onto the table of the graphs that did not
(``visualisations.upkeep``), then builds the gallery's maps before the new table is served.
The table holds organisations, tools, usages and concepts, never persons; the neighbourhood
maps, which may show persons, read the store at every new version and are never
served stale, so a withdrawn consent leaves them with the next request.

Built maps and rendered documents are kept in a small LRU keyed by the version they were made
from, so a map asked twice is answered from memory.
"""

from __future__ import annotations

import logging
import threading
import time
import traceback
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, replace
from typing import NamedTuple, TypeVar

import pyoxigraph as ox

from graph.errors import NotFound
from graph.namespaces import DEFAULT_BASE
from graph.privacy.access import public_graphs
from graph.store import Store
from visualisations import maps
from visualisations.background import Computed, MetricsRunner
from visualisations.columns import columns
from visualisations.export import export
from visualisations.filters import Filters
from visualisations.fragments import FragmentCache, StoreState
from visualisations.geography import Geography, geography
from visualisations.maps import BuiltMap
from visualisations.neighbourhood import neighbourhood
from visualisations.projection import PROJECTIONS
from visualisations.render import LinkOf, MapView, build_view, render_html, render_svg
from visualisations.table import UsageTable, data_version
from visualisations.upkeep import Upkeep
from visualisations.waves import Comparison, compare, default_pair

T = TypeVar("T")
log = logging.getLogger("civicgraph.maps")


@dataclass(frozen=True)
class Snapshot:
    """A usage table, the data version it was read for and when its reading began."""

    table: UsageTable
    version: str
    read_at: float          # time.time() when the reading began
    stale: bool = False     # newer data exists (and is being read)

    def age(self) -> int:
        """Whole seconds since the reading began (what an ``Age`` header says)."""
        return max(0, int(time.time() - self.read_at))


class MapService:
    """The maps' access to ``store``: only its public graphs are read."""

    def __init__(self, store: Store, *, base: str = DEFAULT_BASE, budget: int = 1500,
                 recheck: float = 2.0, cache_size: int = 128, pause: float = 1.0,
                 watch_every: float = 0.2) -> None:
        self.store = store
        self.base = base
        self.budget = budget
        self.recheck = recheck
        self.cache_size = cache_size
        #: after a background reading of d seconds, the next one waits pause × d: readings
        #: take at most 1 / (1 + pause) of a core however often imports arrive
        self.pause = pause
        #: how often ``warm``'s watcher looks at the store's write counter (seconds)
        self.watch_every = watch_every
        self._next_reading = 0.0
        self._lock = threading.Lock()
        self._table_lock = threading.Lock()     # one reading of the table at a time
        self._refresh_lock = threading.Lock()
        self._version_lock = threading.Lock()
        self._refreshing = False
        self._pending = False
        self._version: str | None = None
        self._writes: int | None = None
        self._checked = 0.0
        self._snapshot: Snapshot | None = None
        self._fragments = FragmentCache(store, base)
        self._upkeep = Upkeep(base)
        self._cache: OrderedDict[Hashable, object] = OrderedDict()
        self._making: dict[Hashable, threading.Lock] = {}
        #: how many times the table was read (for tests and logs)
        self.readings = 0
        self._closed = False
        self._threads: list[threading.Thread] = []
        #: betweenness and communities of the org–tool projection, computed in the
        #: background after each new table (``metrics()`` answers the previous ones meanwhile)
        self.metrics_runner = MetricsRunner(start=self._start)

    def version(self) -> str:
        """The current ``data_version`` (re-read at most every ``recheck`` seconds, or at once
        when the store counted a write), with the store's write counter if it keeps one."""
        now = time.monotonic()
        writes = self.store.version
        # one caller reads the version at a time, and the write counter it was read for is
        # remembered with it: a caller arriving meanwhile never gets the version of before
        with self._version_lock:
            if self._version is None or now - self._checked > self.recheck \
                    or writes != self._writes:
                found = data_version(self.store, self.graphs())
                self._version = found if writes is None else f"{found}-{writes}"
                self._writes = writes
                self._checked = now
            return self._version

    def graphs(self) -> list[str]:
        return public_graphs(self.store)

    def snapshot(self) -> Snapshot:
        """The table of the current data; while a newer table is read in the background,
        the previous one, ``stale``. Waits only when there is no table yet."""
        version = self.version()
        current = self._snapshot
        if current is not None:
            if current.version == version:
                return current
            self._refresh()
            return replace(current, stale=True)
        with self._table_lock:
            if self._snapshot is None:
                self._snapshot = self._read(self.version())
            return self._snapshot

    def table(self) -> UsageTable:
        """The table of ``snapshot``."""
        return self.snapshot().table

    def table_if_ready(self) -> UsageTable | None:
        """The latest table read, even stale, else ``None`` (never waits: for pages that can
        do without it while the server warms up)."""
        current = self._snapshot
        if current is not None and current.version != self.version():
            self._refresh()
        return current.table if current is not None else None

    def _read(self, version: str) -> Snapshot:
        """Read the table for ``version`` (the caller holds ``_table_lock``)."""
        began = time.time()
        state = StoreState.of(self.store)  # before reading: a later write is seen next time
        fragments = self._fragments.read(self.graphs(), state)
        read = time.time()
        table = self._upkeep.table(fragments, state.fingerprints)
        columns(table)  # part of the warm-up: seconds at 10^5 organisations
        assembled = time.time()
        snapshot = Snapshot(table, version, began)
        self._prepare(snapshot)
        if not self._closed:
            self.metrics_runner.submit(version, table)
        self.readings += 1
        log.info("maps: usage table read in %.1f s (%d usages; graphs read again: %s; "
                 "scans %.1f s, table %s in %.1f s, gallery maps %.1f s)",
                 time.time() - began, len(table.usages), ", ".join(self._fragments.last_read),
                 read - began, self._upkeep.last, assembled - read, time.time() - assembled)
        return snapshot

    def _prepare(self, snapshot: Snapshot) -> None:
        """What to compute before ``snapshot`` is served (subclasses: the gallery's maps)."""

    def metrics(self) -> Computed | None:
        """The newest org–tool metrics computed in the background (never computes)."""
        return self.metrics_runner.latest()

    def _refresh(self) -> None:
        """Read the table again in the background, unless a reading is under way (it will
        check the version again when it is done)."""
        with self._refresh_lock:
            self._pending = True
            if self._refreshing:
                return
            self._refreshing = True
        self._start(self._refresh_loop, "civicgraph-maps-refresh")

    def _start(self, target: Callable[[], None], name: str) -> threading.Thread:
        thread = threading.Thread(target=target, name=name, daemon=True)
        with self._lock:   # started before ``close`` can see it: a thread not started
            thread.start()  # cannot be joined
            self._threads = [t for t in self._threads if t.is_alive()] + [thread]
        return thread

    def close(self, timeout: float = 5.0) -> None:
        """Stop reading in the background (a server calls this when it stops, before its
        store is closed): wait up to ``timeout`` seconds for a reading under way."""
        self._closed = True
        self.metrics_runner.closed = True
        with self._lock:
            threads = list(self._threads)
        deadline = time.monotonic() + timeout
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))

    def _failed(self, what: str, error: Exception) -> None:
        """Log a background reading's failure, then drop the frames of its traceback here:
        they may hold query results, which must not be freed on another thread (pyo3)."""
        if self._closed:
            log.debug("maps: %s stopped with the server: %s", what, error)
        else:
            log.error("maps: %s failed\n%s", what,
                      "".join(traceback.format_exception(error)).rstrip())
        while error is not None:
            traceback.clear_frames(error.__traceback__)
            error = error.__cause__ or error.__context__  # type: ignore[assignment]

    def _refresh_loop(self) -> None:
        try:
            while True:
                with self._refresh_lock:
                    if not self._pending or self._closed:
                        self._refreshing = False
                        return
                    self._pending = False
                time.sleep(max(0.0, self._next_reading - time.monotonic()))
                with self._table_lock:
                    version = self.version()
                    if self._snapshot is None or self._snapshot.version != version:
                        began = time.monotonic()
                        self._snapshot = self._read(version)
                        self._next_reading = time.monotonic() + self.pause * (
                            time.monotonic() - began)
        except Exception as error:  # the next request that finds the table stale tries again
            self._failed("reading the usage table", error)
            with self._refresh_lock:
                self._refreshing = False

    def wait_fresh(self, timeout: float = 60.0) -> bool:
        """Wait until the table is that of the current data (tests, benchmarks)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.snapshot().stale:
                return True
            time.sleep(0.05)
        return False

    def cached(self, key: Hashable, make: Callable[[], T], version: str | None = None) -> T:
        """``make()``, remembered under ``key`` for ``version`` (default: the current one).
        Two callers of the same key: the second waits and reuses the first's value."""
        full = (version or self.version(), key)
        with self._lock:
            if full in self._cache:
                self._cache.move_to_end(full)
                return self._cache[full]  # type: ignore[return-value]
            making = self._making.setdefault(full, threading.Lock())
        with making:
            with self._lock:
                if full in self._cache:
                    return self._cache[full]  # type: ignore[return-value]
            try:
                value = make()
            finally:
                with self._lock:
                    self._making.pop(full, None)
            with self._lock:
                self._cache[full] = value
                while len(self._cache) > self.cache_size:
                    self._cache.popitem(last=False)
        return value

    def warm(self) -> threading.Thread:
        """Read the table in a background thread (a server calls this when it starts), then
        watch the store's write counter, if it keeps one: after each write the table is read
        again at once, whether or not a map is asked for."""
        thread = self._start(self._warm, "civicgraph-maps-warm")
        self._warmer = thread
        if self.store.version is not None:
            self._start(self._watch, "civicgraph-maps-watch")
        return thread

    def _watch(self) -> None:
        seen = self.store.version
        while not self._closed:
            time.sleep(self.watch_every)
            now = self.store.version
            if now != seen and self._snapshot is not None:
                seen = now
                self._refresh()

    def wait_warm(self, timeout: float | None = None) -> bool:
        """Wait for the warm-up started by ``warm``; whether it has finished."""
        warmer = getattr(self, "_warmer", None)
        if warmer is not None:
            warmer.join(timeout)
            return not warmer.is_alive()
        return True

    def _warm(self) -> None:
        try:
            self.snapshot()
        except Exception as error:  # a failed warm-up is retried by the first request
            self._failed("the warm-up", error)


class MapRequest(NamedTuple):
    """What one map view asks for (hashable: it is a cache key)."""

    name: str                       # a GALLERY name, "tool" or "neighbourhood"
    filters: Filters
    lang: str = "en"
    colour_by: str = "community"
    group_by: str | None = None
    subject: str | None = None      # the software of a tool map, the resource of a neighbourhood
    size_by: str = "links"

    def key(self) -> tuple[object, ...]:
        return (self.name, self.filters.key(), self.lang, self.colour_by, self.group_by,
                self.subject, self.size_by)


class Maps(MapService):
    """``MapService`` plus what the pages ask of it: built maps, views, documents,
    thumbnails and exports, each cached for the version of the data it was made from.
    Each takes the ``snapshot`` a request works on (default: ``snapshot()``), so that the
    parts of one answer come from the same table."""

    def _on(self, request: MapRequest, snapshot: Snapshot | None) -> tuple[str, Snapshot | None]:
        """The version a request's answer is made for, and its table (none for a
        neighbourhood: it reads the store, always at the current version)."""
        if request.name == "neighbourhood":
            return self.version(), None
        snapshot = snapshot or self.snapshot()
        return snapshot.version, snapshot

    def built(self, request: MapRequest, snapshot: Snapshot | None = None) -> BuiltMap:
        version, snapshot = self._on(request, snapshot)

        def make() -> BuiltMap:
            if snapshot is None:
                assert request.subject is not None
                g = neighbourhood(self.store, request.subject, graphs=self.graphs(),
                                  limit=self.budget, base=self.base)
                if len(g) <= 1 and not g.edges:
                    self._check_exists(request.subject)
                return maps.build_neighbourhood(g, budget=self.budget)
            table = snapshot.table
            if request.name == "tool" and request.subject not in table.software:
                raise NotFound(f"software {request.subject}")
            return maps.build(table, request.name, request.filters, budget=self.budget,
                              group_by=request.group_by, software=request.subject)
        return self.cached(("built", request.name, request.filters.key(), request.group_by,
                            request.subject), make, version)

    def _prepare(self, snapshot: Snapshot) -> None:
        """Build the gallery's maps unfiltered, the tool index and the filter choices: the
        pages most asked for answer from memory as soon as the table is served."""
        for spec in maps.GALLERY:
            self.built(MapRequest(spec.name, Filters()), snapshot)
        for lang in ("fr", "en"):
            self.tool_index(lang, snapshot)
            self.filter_choices(lang, snapshot)

    def tool_index(self, lang: str, snapshot: Snapshot | None = None
                   ) -> list[tuple[str, str, int]]:
        """``maps.tool_index`` of the table, cached."""
        snapshot = snapshot or self.snapshot()
        return self.cached(("tools", lang), lambda: maps.tool_index(snapshot.table, lang),
                           snapshot.version)

    def filter_choices(self, lang: str, snapshot: Snapshot | None = None
                       ) -> dict[str, list[tuple[str, str]]]:
        """``maps.filter_choices`` of the table, cached."""
        snapshot = snapshot or self.snapshot()
        return self.cached(("choices", lang), lambda: maps.filter_choices(snapshot.table, lang),
                           snapshot.version)

    def _check_exists(self, iri: str) -> None:
        result = self.store.query("ASK { ?s ?p ?o }",
                                  substitutions={"s": ox.NamedNode(iri)},
                                  default_graph=self.graphs())
        if not bool(result):
            raise NotFound(iri)

    def view(self, request: MapRequest, *, title: str, link: LinkOf,
             expand: LinkOf | None = None, description: str = "",
             snapshot: Snapshot | None = None) -> MapView:
        version, snapshot = self._on(request, snapshot)

        computed = self.metrics()

        def make() -> MapView:
            label = snapshot.table.label if snapshot is not None else _plain_label
            return build_view(self.built(request, snapshot), title=title, lang=request.lang,
                              colour_by=request.colour_by, size_by=request.size_by,
                              label=label, link=link,
                              expand=expand, description=description,
                              betweenness=computed.metrics.betweenness if computed else None)
        return self.cached(("view", request.key(), title,
                            computed.version if computed else None), make, version)

    def document(self, request: MapRequest, *, title: str, link: LinkOf,
                 expand: LinkOf | None = None, assets: str, home: str | None = None,
                 snapshot: Snapshot | None = None) -> str:
        """The standalone map document (embed view, static export)."""
        version, snapshot = self._on(request, snapshot)
        return self.cached(
            ("document", request.key(), title, assets, home),
            lambda: render_html(self.view(request, title=title, link=link, expand=expand,
                                          snapshot=snapshot),
                                assets=assets, home=home), version)

    def thumbnail(self, request: MapRequest, *, link: LinkOf,
                  snapshot: Snapshot | None = None) -> str:
        version, snapshot = self._on(request, snapshot)
        return self.cached(("thumbnail", request.key()),
                           lambda: render_svg(self.view(request, title="", link=link,
                                                        snapshot=snapshot)), version)

    def export(self, request: MapRequest, format: str, *, full: bool = False,
               snapshot: Snapshot | None = None) -> bytes:
        """The map's graph in ``format``; ``full``: the projection before any grouping or
        pruning (``org-org`` may then refuse with ``TooLarge``)."""
        version, snapshot = self._on(request, snapshot)

        def make() -> bytes:
            if full and snapshot is not None and request.name in maps.BY_NAME:
                spec = maps.BY_NAME[request.name]
                g = PROJECTIONS[spec.projection](snapshot.table, request.filters)
                return export(g, format, request.lang)
            drawing = self.view(request, title="", link=_no_link, snapshot=snapshot).drawing() \
                if format == "gexf" else None
            return export(self.built(request, snapshot).graph, format, request.lang, drawing)
        return self.cached(("export", request.key(), format, full), make, version)


    def geography(self, filters: Filters, snapshot: Snapshot | None = None) -> Geography:
        """``geography.geography`` of the table, cached."""
        snapshot = snapshot or self.snapshot()
        table = snapshot.table
        return self.cached(("geography", filters.key()), lambda: geography(table, filters),
                           snapshot.version)

    def waves(self, filters: Filters, first: str | None, second: str | None,
              snapshot: Snapshot | None = None) -> Comparison | None:
        """``waves.compare`` of the table (default waves: its first and last), cached;
        ``None`` when the data has fewer than two waves."""
        snapshot = snapshot or self.snapshot()
        table = snapshot.table
        pair = default_pair(table)
        if pair is None:
            return None
        chosen = (first or pair[0], second or pair[1])
        return self.cached(("waves", filters.key(), chosen),
                           lambda: compare(table, chosen[0], chosen[1], filters),
                           snapshot.version)


def _no_link(iri: str) -> str | None:
    return None


def _plain_label(iri: str, lang: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1]
