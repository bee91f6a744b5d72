"""Fixtures of the API tests: stores holding the example dataset, and real servers.

``serve`` starts uvicorn on 127.0.0.1 on a socket bound to a free port, in a thread of the
test process (so a test can look into the store behind it), waits until it accepts
connections (bounded), and stops it afterwards.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from api.app import create_app
from api.settings import Settings
from graph.store import Store
from tests.api.stores import example_store

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
                            proxy_headers=False)
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


@pytest.fixture(scope="session")
def serve() -> Callable[..., Any]:
    """``with serve(store, **settings) as live:`` — a server for one test."""
    return running


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """A server over the example dataset in memory, shared by a test module."""
    with running(example_store()) as server:
        yield server


@pytest.fixture
def fresh_live(tmp_path: Path) -> Iterator[Live]:
    """A server over its own copy of the example dataset (for tests that write)."""
    with running(example_store()) as server:
        yield server


@pytest.fixture(scope="session")
def token() -> str:
    return CURATOR_TOKEN


# --- the hostile-input tests (tests/api/test_hostile_*.py) ---------------------------------

@pytest.fixture(scope="module")
def server() -> Iterator[Live]:
    """A server over the hostile dataset (tests/api/hostile.py), shared by a test module."""
    from tests.api.hostile import MAX_BODY, hostile_store

    with running(hostile_store(), max_body_bytes=MAX_BODY, body_timeout=2.0,
                 query_timeout=5.0) as live:
        live.app.state.maps.table()
        yield live


@pytest.fixture
def unchanged(server: Live) -> Iterator[None]:
    """The store holds exactly the same quads after the test."""
    from tests.api.hostile import snapshot

    before = snapshot(server.store)
    yield
    assert snapshot(server.store) == before


@pytest.fixture
def listener() -> Iterator[Any]:
    """A loopback listener that records every connection made to it (a ``hostile.Listener``)."""
    from tests.api.hostile import Listener

    watching = Listener()
    try:
        yield watching
    finally:
        watching.close()
