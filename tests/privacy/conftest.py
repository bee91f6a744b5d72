"""Fixtures of the privacy probes: the example dataset with its restricted graphs."""

from __future__ import annotations

import pytest

from graph.store import Store
from tests.privacy.stores import load_example, memory_store


@pytest.fixture
def example() -> Store:
    """A fresh store holding the example dataset and its public view of persons."""
    return load_example(memory_store())
