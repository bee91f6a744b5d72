"""``civicgraph serve``: the API, the query page and the maps over a store."""

from __future__ import annotations

import getpass
from typing import Any

import click

from api.cli import main, reports_errors, settings_from, store_option


@main.command()
@store_option
@click.option("--host", default=None, help="Interface to listen on (default 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port to listen on (default 8000).")
@click.option("--base-iri", default=None, help="Base of the resource IRIs.")
@click.option("--public-url", default=None, help="URL at which the server is reached.")
@click.option("--curator-token", default=None, envvar=None,
              help="Bearer token for writes (prefer $CIVICGRAPH_CURATOR_TOKEN).")
@click.option("--empty", is_flag=True,
              help="Do not load the example dataset into a new store.")
@reports_errors
def serve(empty: bool, **options: Any) -> None:
    """Serve the SPARQL endpoint, the linked-data pages, the API and the maps."""
    import uvicorn

    from api.app import create_app
    from api.observability import logging_config
    from api.settings import open_configured_store
    from graph.example import ensure_example

    settings = settings_from(**options)
    store = open_configured_store(settings)
    if not empty:
        loaded = ensure_example(store, imported_by=getpass.getuser(),
                                threshold=settings.small_count_threshold)
        if loaded:
            click.echo(f"civicgraph: loaded the example dataset into {settings.store}", err=True)
    app = create_app(settings, store)
    try:
        # JSON lines on stderr; civicgraph's request log replaces uvicorn's access log
        uvicorn.run(app, host=settings.host, port=settings.port, log_level=settings.log_level,
                    log_config=logging_config(settings.log_level), access_log=False)
    finally:
        store.close()
