"""The application over a store, in process or on a real loopback socket.

- ``running(store, **settings)``: uvicorn on a free port of 127.0.0.1, in a thread of the test
  process (so a test can look into the store behind it), for a ``with`` block; it waits until
  the server accepts connections (bounded) and stops it afterwards;
- ``app_client(store, **settings)``: an in-process ``TestClient`` (enter it with ``with``: that
  runs the start-up, query workers included);
- ``CURATOR_TOKEN``: the curator token both give the application.
"""

from __future__ import annotations

import socket
import threading
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import uvicorn

from api.app import create_app
from api.serving import server_options
from api.settings import Settings
from graph.store import Store

with warnings.catch_warnings():  # starlette warns that its TestClient will change package
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

CURATOR_TOKEN = "test-curator-token-0123456789"  # noqa: S105 - a test value


@dataclass
class Live:
    """A running server: its base URL, its application and the store behind it."""

    url: str
    app: Any
    settings: Settings

    @property
    def store(self) -> Store:
        store: Store = self.app.state.store
        return store


@contextmanager
def running(store: Store, **overrides: Any) -> Iterator[Live]:
    """A civicgraph server over ``store`` on a free loopback port, for the ``with`` block."""
    options: dict[str, Any] = {
        "store": "memory", "curator_token": CURATOR_TOKEN, "query_timeout": 10.0,
        "query_workers": 2, "client_concurrency": 8, "log_level": "warning",
        # the catalogue's default answers evaluated from the start: a round of some forty
        # queries a server, which most tests never ask (the tests of it turn it on)
        "maintain_catalogue": False,
    }
    options.update(overrides)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    options.setdefault("public_url", f"http://127.0.0.1:{port}")
    settings = Settings(**options)
    app = create_app(settings, store)
    # proxy_headers=False, as `civicgraph serve`: api.proxies decides whom to believe
    config = uvicorn.Config(app, log_level=settings.log_level, lifespan="on",
                            proxy_headers=False, **server_options())
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            server.should_exit = True
            raise RuntimeError("the test server did not start within 20 s")
        time.sleep(0.02)
    try:
        yield Live(f"http://127.0.0.1:{port}", app, settings)
    finally:
        server.should_exit = True
        thread.join(20)
        sock.close()


def app_client(store: Store, **overrides: Any) -> TestClient:
    """An anonymous in-process client of the application over ``store`` (enter it with
    ``with``: that runs the start-up, query workers included)."""
    options: dict[str, Any] = {
        "store": "memory", "curator_token": CURATOR_TOKEN, "query_timeout": 20.0,
        "query_workers": 2, "client_concurrency": 8, "log_level": "warning",
        "public_url": "http://127.0.0.1:8000",
        # as ``running``: the catalogue's round of some forty queries (each read by rdflib
        # for its footprint and its splicing plan) is for the tests of it to turn on
        "maintain_catalogue": False,
    }
    options.update(overrides)
    return TestClient(create_app(Settings(**options), store))
