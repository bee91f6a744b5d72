"""Fixtures of the API tests: real servers over the example dataset, and the hostile ones.

``serve`` is ``tests.support.live.running``: uvicorn on 127.0.0.1 on a socket bound to a free
port, in a thread of the test process (so a test can look into the store behind it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.live import CURATOR_TOKEN, Live, running
from tests.support.stores import example_store


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
    """A server over the hostile dataset (tests/support/hostile.py), shared by a test module."""
    from tests.support.hostile import MAX_BODY, hostile_store

    with running(hostile_store(), max_body_bytes=MAX_BODY, query_timeout=5.0) as live:
        live.app.state.maps.table()
        yield live


@pytest.fixture
def unchanged(server: Live) -> Iterator[None]:
    """The store holds exactly the same quads after the test."""
    from tests.support.hostile import snapshot

    before = snapshot(server.store)
    yield
    assert snapshot(server.store) == before


@pytest.fixture
def listener() -> Iterator[Any]:
    """A loopback listener that records every connection made to it (a ``hostile.Listener``)."""
    from tests.support.hostile import Listener

    watching = Listener()
    try:
        yield watching
    finally:
        watching.close()
