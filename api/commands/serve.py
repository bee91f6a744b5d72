"""``civicgraph serve``: the API, the query page and the maps over a store."""

from __future__ import annotations

import getpass
from typing import TYPE_CHECKING, Any

import click

from api.commands.base import main, reports_errors, settings_from, store_option

if TYPE_CHECKING:
    from graph.store import Store


@main.command()
@store_option
@click.option("--host", default=None, help="Interface to listen on (default 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port to listen on (default 8000).")
@click.option("--base-iri", default=None, help="Base of the resource IRIs.")
@click.option("--public-url", default=None, help="URL at which the server is reached.")
@click.option("--union-default-graph/--no-union-default-graph", default=None,
              help="Dataset mode: a query's default graph is the union of the visible graphs "
              "(default), or the store's own default graph (standard SPARQL).")
@click.option("--default-access", type=click.Choice(["public", "restricted"]), default=None,
              help="Access level of the store's default graph and of graphs a write creates "
              "without a description (default public; restricted: curators only).")
@click.option("--curator-token", default=None, envvar=None,
              help="Bearer token for writes (prefer $CIVICGRAPH_CURATOR_TOKEN).")
@click.option("--empty", is_flag=True,
              help="Do not load the example dataset into a new store.")
@reports_errors
def serve(empty: bool, **options: Any) -> None:
    """Serve the SPARQL endpoint, the linked-data pages, the API and the maps."""
    import uvicorn

    from api.app import create_app
    from api.commands.connection import announced, local_url
    from api.observability import logging_config
    from api.serving import server_options
    from api.settings import open_configured_store
    from graph.samples.example import ensure_example

    settings = settings_from(**options)
    store = open_configured_store(settings)
    loaded = False
    if not empty:
        loaded = ensure_example(store, imported_by=getpass.getuser(),
                                threshold=settings.small_count_threshold)
        if loaded:
            click.echo(f"civicgraph: loaded the example dataset into {settings.store}", err=True)
    if not loaded:
        _derive_public_view(store, settings.small_count_threshold)
    if settings.default_access == "restricted":
        from graph.ingest.writing import describe_default

        describe_default(store, "restricted")
    app = create_app(settings, store)
    try:
        # the CLI's store commands find this server in the store's directory and go through it
        with announced(settings.store, local_url(settings.host, settings.port)):
            _end_cleanly_on_sigterm()
            # JSON lines on stderr; civicgraph's request log replaces uvicorn's access log
            uvicorn.run(app, host=settings.host, port=settings.port,
                        log_level=settings.log_level,
                        log_config=logging_config(settings.log_level), access_log=False,
                        proxy_headers=False,  # api.proxies believes trusted proxies only
                        **server_options())
    finally:
        store.close()


def _end_cleanly_on_sigterm() -> None:
    """Let the blocks around ``uvicorn.run`` end (the store flushed, the discovery file
    removed) after a SIGTERM: uvicorn stops gracefully, then raises the signal again with the
    handler it found, which by default kills the process on the spot."""
    import signal
    import threading

    def stop(signum: int, frame: object) -> None:
        raise SystemExit(0)

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, stop)


def _derive_public_view(store: Store, threshold: int) -> None:
    """Derive the public view of persons again: a process killed between a write of consent
    or memberships and the view's refresh (a second transaction) left it stale, and a
    withdrawn person must not stay public. Nothing to do while there is no restricted graph
    and no view."""
    from graph.privacy.persons import PUBLIC_PERSONS_GRAPH, refresh_public_view, restricted_graphs

    if restricted_graphs(store) or PUBLIC_PERSONS_GRAPH in store.graphs():
        refresh_public_view(store, threshold=threshold)
