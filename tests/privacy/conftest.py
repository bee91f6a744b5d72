"""Fixtures of the privacy probes: the example dataset with its restricted graphs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from graph.store import Store
from tests.privacy.stores import load_example, memory_store


@pytest.fixture
def example() -> Store:
    """A fresh store holding the example dataset and its public view of persons."""
    return load_example(memory_store())


@pytest.fixture(scope="session")
def serve() -> Callable[..., Any]:
    """``with serve(store) as live:`` — a real server on a free loopback port."""
    from tests.api.conftest import running

    return running
