"""Empty stores on the real engines of ``bench/servers.py``: an Oxigraph server emptied with
``DROP ALL`` (as a ``RemoteStore`` or not), a Virtuoso holding no graph but its own."""

from __future__ import annotations

import httpx

from bench.servers import Server, Virtuoso
from graph.store.remote import RemoteStore
from graph.store.staging import is_staging
from graph.store.virtuoso import VirtuosoStore


def empty_remote(server: Server) -> RemoteStore:
    """A ``RemoteStore`` on ``server``, emptied first."""
    httpx.post(f"{server.url}/update", content=b"DROP ALL",
               headers={"Content-Type": "application/sparql-update"}, timeout=30
               ).raise_for_status()
    return RemoteStore(server.url)


def empty_virtuoso(server: Virtuoso, **options: object) -> VirtuosoStore:
    """A ``VirtuosoStore`` on ``server`` holding no graph but Virtuoso's own."""
    store = server.open(**options)
    for row in store._select("SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"):
        graph = row["g"].value
        if is_staging(graph) or not store.is_hidden(graph):
            store.update(f"DROP SILENT GRAPH <{graph}>")
    return store


def empty_oxigraph(server: Server) -> None:
    httpx.post(f"{server.url}/update", content=b"DROP ALL",
               headers={"Content-Type": "application/sparql-update"}, timeout=30
               ).raise_for_status()
