"""A civicgraph server for the real-client tests, in each dataset mode, and what it holds.

``server`` is a real server on a loopback port (``tests.support.live.running``) over an empty
memory store, once with ``union_default_graph=True`` (a query's default graph is the union of
the graphs the reader may see) and once with ``False`` (standard SPARQL dataset semantics),
shared by a test module; tests write their own triples with subjects of their own.
``live``, ``fresh_live`` and ``serve`` are servers over the example dataset, as the API tests
have them (``test_clients.py`` reads the example organisations).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from graph.store.embedded import MemoryStore
from tests.support.live import CURATOR_TOKEN, Live, running
from tests.support.stores import example_store

EX = "http://example.org/clients/"
NAMED = EX + "graph"


@dataclass
class Server:
    """A running server, the mode it runs in, and the curator's headers."""

    live: Live
    union: bool

    @property
    def url(self) -> str:
        return self.live.url

    @property
    def sparql(self) -> str:
        return self.live.url + "/sparql"

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {CURATOR_TOKEN}"}

    def update(self, text: str) -> None:
        """Run an update as the curator (failing the test when it is refused)."""
        answer = httpx.post(self.sparql, content=text.encode(), timeout=30, headers={
            **self.auth, "Content-Type": "application/sparql-update"})
        assert answer.status_code == 204, answer.text

    def ask(self, pattern: str) -> bool:
        """ASK ``pattern`` as the curator, in SPARQL JSON results."""
        answer = httpx.post(self.sparql, data={"query": f"ASK {{ {pattern} }}"}, timeout=30,
                            headers={**self.auth, "Accept": "application/sparql-results+json"})
        assert answer.status_code == 200, answer.text
        return bool(answer.json()["boolean"])


@pytest.fixture(scope="module", params=[True, False], ids=["union", "standard"])
def server(request: pytest.FixtureRequest) -> Iterator[Server]:
    with running(MemoryStore(), union_default_graph=request.param) as live:
        yield Server(live, request.param)


@pytest.fixture(scope="session")
def token() -> str:
    return CURATOR_TOKEN


@pytest.fixture(scope="session")
def serve() -> Callable[..., Any]:
    """``with serve(store, **settings) as live:`` — a server for one test."""
    return running


@pytest.fixture(scope="module")
def live() -> Iterator[Live]:
    """A server over the example dataset in memory, shared by a test module."""
    with running(example_store()) as started:
        yield started


@pytest.fixture
def fresh_live() -> Iterator[Live]:
    """A server over its own copy of the example dataset (for tests that write)."""
    with running(example_store()) as started:
        yield started


def need(command: str) -> str:
    """The path of ``command``; the test fails, saying how to install it, when it is absent."""
    found = shutil.which(command)
    if found is None:
        pytest.fail(f"{command} is not installed (.ci/setup --system installs it)")
    return found


@pytest.fixture
def subject(request: pytest.FixtureRequest) -> str:
    """An IRI of this test's own (its triples meet no other test's)."""
    import hashlib

    return EX + hashlib.sha256(request.node.nodeid.encode()).hexdigest()[:12]
