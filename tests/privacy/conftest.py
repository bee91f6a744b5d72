"""Fixtures of the privacy probes: the example dataset with its restricted graphs, the
application over it (in process, or on a real loopback socket), and the probe itself."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from graph.store import Store
from tests.privacy.probes import CONSENTS, Probe, read_people
from tests.privacy.stores import load_example, memory_store

CURATOR_TOKEN = "privacy-probe-curator-token-0123456789"  # noqa: S105 - a test value

with warnings.catch_warnings():  # starlette warns that its TestClient will change package
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


def app_client(store: Store, **overrides: Any) -> TestClient:
    """An anonymous in-process client of the application over ``store`` (enter it with
    ``with``: that runs the start-up, query workers included)."""
    from api.app import create_app
    from api.settings import Settings

    options: dict[str, Any] = {
        "store": "memory", "curator_token": CURATOR_TOKEN, "query_timeout": 20.0,
        "query_workers": 2, "client_concurrency": 8, "log_level": "warning",
        "public_url": "http://127.0.0.1:8000",
    }
    options.update(overrides)
    return TestClient(create_app(Settings(**options), store))


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
    from tests.api.conftest import running

    return running


@pytest.fixture(scope="session")
def curator() -> dict[str, str]:
    """The headers of a curator's request to an application made by ``app_client``."""
    return {"Authorization": f"Bearer {CURATOR_TOKEN}"}
