"""The civicgraph server the W3C suite runs against: one for the session, emptied by each test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.w3c.servers import Target, running


@pytest.fixture(scope="session")
def civicgraph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    """``civicgraph serve`` on a memory store, standard dataset mode, with a curator token."""
    with running("civicgraph", tmp_path_factory.mktemp("w3c-civicgraph")) as target:
        yield target
