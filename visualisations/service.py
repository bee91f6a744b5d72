"""Maps over a live store: the usage table and the built maps, cached per version of the data.

The table is re-read only when ``data_version`` changes (an import replaced a public graph),
checked at most every ``recheck`` seconds, and at once after a write made through this
process (a store that counts its writes, ``VersionedStore``): a withdrawn consent must leave
the maps with the next request. Built maps and rendered documents are kept in a
small LRU keyed by that version, so a map asked twice is answered from memory and a new
import is seen within seconds.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import NamedTuple, TypeVar

import pyoxigraph as ox

from graph.access import public_graphs
from graph.errors import NotFound
from graph.namespaces import DEFAULT_BASE
from graph.store import Store
from visualisations import maps
from visualisations.columns import columns
from visualisations.export import export
from visualisations.filters import Filters
from visualisations.maps import BuiltMap
from visualisations.neighbourhood import neighbourhood
from visualisations.projection import PROJECTIONS
from visualisations.render import LinkOf, MapView, build_view, render_html, render_svg
from visualisations.table import UsageTable, data_version, load_table

T = TypeVar("T")


class MapService:
    """The maps' access to ``store``: only its public graphs are read."""

    def __init__(self, store: Store, *, base: str = DEFAULT_BASE, budget: int = 1500,
                 recheck: float = 2.0, cache_size: int = 128) -> None:
        self.store = store
        self.base = base
        self.budget = budget
        self.recheck = recheck
        self.cache_size = cache_size
        self._lock = threading.Lock()
        self._table_lock = threading.Lock()
        self._making = threading.RLock()
        self._version: str | None = None
        self._writes: int | None = None
        self._checked = 0.0
        self._table: UsageTable | None = None
        self._table_version: str | None = None
        self._cache: OrderedDict[Hashable, object] = OrderedDict()

    def version(self) -> str:
        """The current ``data_version`` (re-read at most every ``recheck`` seconds, or at once
        when the store counted a write), with the store's write counter if it keeps one."""
        now = time.monotonic()
        writes = getattr(self.store, "version", None)
        writes = writes if isinstance(writes, int) else None
        if self._version is None or now - self._checked > self.recheck \
                or writes != self._writes:
            self._writes = writes
            found = data_version(self.store, self.graphs())
            self._version = found if writes is None else f"{found}-{writes}"
            self._checked = now
        return self._version

    def graphs(self) -> list[str]:
        return public_graphs(self.store)

    def table(self) -> UsageTable:
        """The usage table of the current data (read once per version; concurrent callers
        wait for the one read)."""
        version = self.version()
        with self._table_lock:
            if self._table is None or self._table_version != version:
                table = load_table(self.store, self.graphs(), base=self.base)
                columns(table)  # part of the warm-up: seconds at 10^5 organisations
                self._table = table
                self._table_version = version
            return self._table

    def table_if_ready(self) -> UsageTable | None:
        """The table if it has been read for the current data, else ``None`` (never waits:
        for pages that can do without it while the server warms up)."""
        table = self._table
        if table is None or self._table_version != self.version():
            return None
        return table

    def cached(self, key: Hashable, make: Callable[[], T]) -> T:
        """``make()``, remembered under ``key`` for the current version of the data."""
        full = (self.version(), key)
        with self._lock:
            if full in self._cache:
                self._cache.move_to_end(full)
                return self._cache[full]  # type: ignore[return-value]
        with self._making:  # one computation at a time: a second caller waits and reuses it
            with self._lock:
                if full in self._cache:
                    return self._cache[full]  # type: ignore[return-value]
            value = make()
        with self._lock:
            self._cache[full] = value
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
        return value

    def warm(self) -> threading.Thread:
        """Read the table in a background thread (a server calls this when it starts)."""
        thread = threading.Thread(target=self._warm, name="civicgraph-maps-warm", daemon=True)
        thread.start()
        self._warmer = thread
        return thread

    def wait_warm(self, timeout: float | None = None) -> bool:
        """Wait for the warm-up started by ``warm``; whether it has finished."""
        warmer = getattr(self, "_warmer", None)
        if warmer is not None:
            warmer.join(timeout)
            return not warmer.is_alive()
        return True

    def _warm(self) -> None:
        try:
            self.table()
        except Exception:
            return


class MapRequest(NamedTuple):
    """What one map view asks for (hashable: it is a cache key)."""

    name: str                       # a GALLERY name, "tool" or "neighbourhood"
    filters: Filters
    lang: str = "en"
    colour_by: str = "community"
    group_by: str | None = None
    subject: str | None = None      # the software of a tool map, the resource of a neighbourhood

    def key(self) -> tuple[object, ...]:
        return (self.name, self.filters.key(), self.lang, self.colour_by, self.group_by,
                self.subject)


class Maps(MapService):
    """``MapService`` plus what the pages ask of it: built maps, views, documents,
    thumbnails and exports, each cached for the current version of the data."""

    def built(self, request: MapRequest) -> BuiltMap:
        def make() -> BuiltMap:
            if request.name == "neighbourhood":
                assert request.subject is not None
                g = neighbourhood(self.store, request.subject, graphs=self.graphs(),
                                  limit=self.budget, base=self.base)
                if len(g) <= 1 and not g.edges:
                    self._check_exists(request.subject)
                return maps.build_neighbourhood(g, budget=self.budget)
            table = self.table()
            if request.name == "tool" and request.subject not in table.software:
                raise NotFound(f"software {request.subject}")
            return maps.build(table, request.name, request.filters, budget=self.budget,
                              group_by=request.group_by, software=request.subject)
        return self.cached(("built", request.name, request.filters.key(), request.group_by,
                            request.subject), make)

    def _warm(self) -> None:
        """Read the table, then build the gallery's maps unfiltered: the pages most asked
        for answer from memory from the start."""
        try:
            for spec in maps.GALLERY:
                self.built(MapRequest(spec.name, Filters()))
            for lang in ("fr", "en"):
                self.tool_index(lang)
                self.filter_choices(lang)
        except Exception:  # a failed warm-up is retried by the first request
            return

    def tool_index(self, lang: str) -> list[tuple[str, str, int]]:
        """``maps.tool_index`` of the current data, cached."""
        return self.cached(("tools", lang), lambda: maps.tool_index(self.table(), lang))

    def filter_choices(self, lang: str) -> dict[str, list[tuple[str, str]]]:
        """``maps.filter_choices`` of the current data, cached."""
        return self.cached(("choices", lang), lambda: maps.filter_choices(self.table(), lang))

    def _check_exists(self, iri: str) -> None:
        result = self.store.query("ASK { ?s ?p ?o }",
                                  substitutions={"s": ox.NamedNode(iri)},
                                  default_graph=self.graphs())
        if not bool(result):
            raise NotFound(iri)

    def view(self, request: MapRequest, *, title: str, link: LinkOf,
             expand: LinkOf | None = None, description: str = "") -> MapView:
        def make() -> MapView:
            table = self.table() if request.name != "neighbourhood" else None
            label = table.label if table is not None else _plain_label
            return build_view(self.built(request), title=title, lang=request.lang,
                              colour_by=request.colour_by, label=label, link=link,
                              expand=expand, description=description)
        return self.cached(("view", request.key(), title), make)

    def document(self, request: MapRequest, *, title: str, link: LinkOf,
                 expand: LinkOf | None = None, assets: str, home: str | None = None) -> str:
        """The standalone map document (embed view, static export)."""
        return self.cached(
            ("document", request.key(), title, assets, home),
            lambda: render_html(self.view(request, title=title, link=link, expand=expand),
                                assets=assets, home=home))

    def thumbnail(self, request: MapRequest, *, link: LinkOf) -> str:
        return self.cached(("thumbnail", request.key()),
                           lambda: render_svg(self.view(request, title="", link=link)))

    def export(self, request: MapRequest, format: str, *, full: bool = False) -> bytes:
        """The map's graph in ``format``; ``full``: the projection before any grouping or
        pruning (``org-org`` may then refuse with ``TooLarge``)."""
        def make() -> bytes:
            if full and request.name in maps.BY_NAME:
                spec = maps.BY_NAME[request.name]
                g = PROJECTIONS[spec.projection](self.table(), request.filters)
            else:
                g = self.built(request).graph
            return export(g, format, request.lang)
        return self.cached(("export", request.key(), format, full), make)


def _plain_label(iri: str, lang: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1]
