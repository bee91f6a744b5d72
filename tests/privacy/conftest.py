"""Fixtures of the privacy probes: the example dataset with its restricted graphs, the
application over it (in process, or on a real loopback socket), and the probe itself."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from graph.store import Store
from tests.privacy.probes import CONSENTS, Probe, read_people
from tests.support.live import CURATOR_TOKEN, TestClient, app_client
from tests.support.stores import load_example, memory_store


@pytest.fixture
def example() -> Store:
    """A fresh store holding the example dataset and its public view of persons."""
    return load_example(memory_store())


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    """An anonymous client of one application over the example dataset, shared by a module
    whose tests only read."""
    with app_client(load_example(memory_store())) as opened:
        yield opened


@pytest.fixture(scope="session")
def probe() -> Probe:
    """What no anonymous answer may show."""
    return Probe(read_people(), CONSENTS)


@pytest.fixture(scope="session")
def serve() -> Callable[..., Any]:
    """``with serve(store) as live:`` — a real server on a free loopback port."""
    from tests.support.live import running

    return running


@pytest.fixture(scope="session")
def curator() -> dict[str, str]:
    """The headers of a curator's request to an application made by ``app_client``."""
    return {"Authorization": f"Bearer {CURATOR_TOKEN}"}
