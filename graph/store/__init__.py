"""The store: one interface (``graph.store.base``) and its backends.

- ``embedded``: ``MemoryStore`` and ``OxigraphStore`` (pyoxigraph in memory or on disk);
- ``remote``: ``RemoteStore`` (SPARQL 1.1 Protocol, Update and Graph Store Protocol over httpx);
- ``virtuoso``: ``VirtuosoStore`` (OpenLink Virtuoso 7 as a remote store);
- ``staging``: the staging-graph IRIs and the one SPARQL update that commits a replacement;
- ``batching``: replacing graphs of a remote engine in batches, resumable;
- ``binding``: substitutions as a ``VALUES`` block, for servers without SEP-0007;
- ``subselect``: aggregates lifted out of projections, for engines that cannot compile them.

Each backend imports ``graph.store.base``, the interface; use ``open_store`` rather than the
backend classes.
"""

from __future__ import annotations

from typing import Any

from graph.store.base import DEFAULT_GRAPH, QueryResult, Store, Term, graph_name, named_only

__all__ = ["DEFAULT_GRAPH", "QueryResult", "Store", "Term", "graph_name", "named_only",
           "open_store"]


def open_store(location: str, *, read_only: bool = False, **options: Any) -> Store:
    """Open the store named by ``location``: ``"memory"``, an ``http(s)://`` URL of a SPARQL
    server (``options`` go to ``graph.store.remote.RemoteStore``: ``query_url``,
    ``update_url``, ``store_url``, ``timeout``, ...), a Virtuoso server's URL
    ``virtuoso+http(s)://USER:PASSWORD@HOST:PORT`` (``graph.store.virtuoso``), or a
    directory path (created if absent) for the embedded on-disk store. Leftovers of an
    interrupted import are removed on opening. ``read_only`` opens an on-disk store that
    another process holds (``embedded.ReadOnlyOxigraphStore``).

    >>> with open_store("memory") as store:
    ...     store.kind, store.graphs()
    ('memory', [])
    """
    if location == "memory":
        from graph.store.embedded import MemoryStore
        return MemoryStore()
    if location.startswith(("virtuoso+http://", "virtuoso+https://")):
        from graph.store.virtuoso import VirtuosoStore
        return VirtuosoStore(location, **options)
    if location.startswith(("http://", "https://")):
        from graph.store.remote import RemoteStore
        return RemoteStore(location, **options)
    if read_only:
        from graph.store.embedded import ReadOnlyOxigraphStore
        return ReadOnlyOxigraphStore(location)
    from graph.store.embedded import OxigraphStore
    return OxigraphStore(location)
