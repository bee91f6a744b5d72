"""The query engine the routes share, and the store view each reader gets.

``install`` wraps the application's store in a ``VersionedStore`` (so query snapshots follow
every write, whoever makes it) and attaches a ``QueryEngine`` (``graph.engine.execution``) that
runs every query outside the event loop, under ``CIVICGRAPH_QUERY_TIMEOUT`` and
``CIVICGRAPH_RESULT_LIMIT``. Worker processes start with the application and stop when it
shuts down.
"""

from __future__ import annotations

from fastapi import FastAPI, Request

from api.security import reader_scope
from api.settings import Settings
from graph.engine.execution import QueryEngine, StoreView
from graph.engine.snapshots import VersionedStore
from graph.publishing.service import DumpCache
from graph.store import Store


def install(app: FastAPI, settings: Settings) -> None:
    """Give ``app`` its query engine over ``app.state.store``."""
    store: Store = app.state.store
    if not isinstance(store, VersionedStore):
        store = VersionedStore(store)
        app.state.store = store
    engine = QueryEngine(store, timeout=settings.query_timeout,
                         result_limit=settings.result_limit, workers=settings.query_workers,
                         worker_memory=settings.worker_memory(),
                         answer_cache=settings.answer_cache_mb * 2**20,
                         union_default_graph=settings.union_default_graph)
    app.state.engine = engine
    app.state.dump_cache = DumpCache()
    app.router.add_event_handler("startup", engine.start)
    app.router.add_event_handler("shutdown", engine.close)
    app.router.add_event_handler("shutdown", app.state.dump_cache.close)


def engine_of(request: Request) -> QueryEngine:
    """The application's query engine."""
    engine: QueryEngine = request.app.state.engine
    return engine


def reader_view(request: Request) -> StoreView:
    """What the request's reader may see (public graphs, or all for a curator)."""
    return engine_of(request).view(reader_scope(request))


def after_curator_write(request: Request, graph: str | None = None) -> None:
    """Derive the public view of persons again after a curator's write (SPARQL update,
    Graph Store): the write may have changed a consent record or a membership, and a
    withdrawal must leave the public data at once. Skipped after a write to a public
    ``graph`` (consent and memberships are read from restricted graphs only: batched uploads
    of public data pay nothing), and while the store holds no restricted graph and no view
    yet, so that writing public data adds no empty graph."""
    from graph.privacy.access import is_public
    from graph.privacy.persons import PUBLIC_PERSONS_GRAPH, refresh_public_view, restricted_graphs

    store: Store = request.app.state.store
    if graph is not None and graph != PUBLIC_PERSONS_GRAPH and is_public(store, graph):
        return
    if not restricted_graphs(store) and PUBLIC_PERSONS_GRAPH not in store.graphs():
        return
    refresh_public_view(store, threshold=request.app.state.settings.small_count_threshold)
