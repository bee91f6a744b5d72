"""Fixtures for the visualisation tests: a small hand-made graph whose projections are known,
and the example dataset, each in an in-memory store with its meta graph
(``tests/support/graphs.py`` builds them)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from graph.store import Store
from tests.support.graphs import example_store, tiny_store


@pytest.fixture
def tiny() -> Iterator[Store]:
    store = tiny_store()
    yield store
    store.close()


@pytest.fixture(scope="session")
def tiny_table():  # type: ignore[no-untyped-def]
    from visualisations.table import load_table

    store = tiny_store()
    try:
        yield load_table(store)
    finally:
        store.close()


@pytest.fixture(scope="session")
def example_table():  # type: ignore[no-untyped-def]
    from visualisations.table import load_table

    store = example_store()
    try:
        yield load_table(store)
    finally:
        store.close()
