"""A curator's write that committed is answered as done even when deriving the public view of
persons afterwards fails (``api.querying.PublicView``): the failure is logged with the
request's id, the write is readable, and the view, left stale, is derived again before the
next read or at the next write, so a withdrawn consent still leaves the public data."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pyoxigraph as ox
import pytest

import graph.privacy.persons
from graph.namespaces import FOAF, GRAPH, ID
from graph.privacy.persons import PUBLIC_PERSONS_GRAPH
from graph.store import Store
from tests.support.live import CURATOR_TOKEN, TestClient, app_client
from tests.support.stores import load_example, memory_store

AUTH = {"Authorization": f"Bearer {CURATOR_TOKEN}"}
CONSENT = GRAPH + "example-consent"
PUBLIC = GRAPH + "example"
PERSON = ID + "person/personne-01"
RECORD = ID + "consent/personne-01-publication"


class Broken:
    """``refresh_public_view`` while it fails, counting its calls."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, store: Store, **kwargs: object) -> int:
        self.calls += 1
        raise OSError("the view's graph could not be written (test)")


@pytest.fixture
def opened() -> Iterator[tuple[TestClient, Store]]:
    store = load_example(memory_store())
    with app_client(store) as client:
        yield client, client.app.state.store   # type: ignore[attr-defined]


@pytest.fixture
def broken(monkeypatch: pytest.MonkeyPatch) -> Iterator[Broken]:
    failing = Broken()
    with monkeypatch.context() as patched:
        patched.setattr(graph.privacy.persons, "refresh_public_view", failing)
        yield failing


def _public(store: Store, person: str) -> bool:
    return bool(store.query(
        f"ASK {{ GRAPH <{PUBLIC_PERSONS_GRAPH}> {{ <{person}> a <{FOAF}Person> }} }}"))


def _asks(client: TestClient, query: str, headers: dict[str, str] | None = None) -> bool:
    response = client.get("/sparql", params={"query": query},
                          headers={"Accept": "application/sparql-results+json", **(headers or {})})
    assert response.status_code == 200, response.text
    answer: bool = response.json()["boolean"]
    return answer


def _logged(caplog: pytest.LogCaptureFixture, request_id: str) -> logging.LogRecord:
    records = [r for r in caplog.records if r.name == "civicgraph.writes"]
    assert records, caplog.text
    record = records[-1]
    assert record.levelno == logging.ERROR and record.exc_info is not None
    assert record.fields["request_id"] == request_id   # type: ignore[attr-defined]
    assert "the view's graph could not be written" in caplog.text
    return record


def _without_record(store: Store) -> bytes:
    """The consent graph as N-Triples, without personne-01's consent record."""
    result = store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{CONSENT}> {{ ?s ?p ?o "
                         f"FILTER (?s != <{RECORD}>) }} }}")
    assert not isinstance(result, (ox.QuerySolutions, ox.QueryBoolean))
    return b"".join(f"{triple} .\n".encode() for triple in result)


def test_an_update_that_committed_is_a_204_when_the_view_fails(
        opened: tuple[TestClient, Store], broken: Broken,
        caplog: pytest.LogCaptureFixture) -> None:
    client, store = opened
    assert _public(store, PERSON)
    with caplog.at_level(logging.ERROR, logger="civicgraph.writes"):
        response = client.post(
            "/sparql", content=f"DELETE WHERE {{ GRAPH <{CONSENT}> {{ <{RECORD}> ?p ?o }} }}",
            headers={"Content-Type": "application/sparql-update", **AUTH})
    assert response.status_code == 204, response.text
    assert broken.calls == 1
    _logged(caplog, response.headers["x-request-id"])
    assert not _asks(client, f"ASK {{ GRAPH <{CONSENT}> {{ <{RECORD}> ?p ?o }} }}", AUTH)
    assert _public(store, PERSON)   # stale: the view was not derived


def test_a_put_that_committed_is_a_2xx_when_the_view_fails(
        opened: tuple[TestClient, Store], broken: Broken,
        caplog: pytest.LogCaptureFixture) -> None:
    client, store = opened
    with caplog.at_level(logging.ERROR, logger="civicgraph.writes"):
        response = client.put("/store", params={"graph": CONSENT}, content=_without_record(store),
                              headers={"Content-Type": "application/n-triples", **AUTH})
    assert response.status_code == 204, response.text
    assert broken.calls == 1
    _logged(caplog, response.headers["x-request-id"])
    read = client.get("/store", params={"graph": CONSENT},
                      headers={"Accept": "application/n-triples", **AUTH})
    assert read.status_code == 200 and RECORD not in read.text and "personne-03" in read.text


def test_a_stale_view_is_derived_before_the_next_read(
        opened: tuple[TestClient, Store], monkeypatch: pytest.MonkeyPatch) -> None:
    client, store = opened
    with monkeypatch.context() as patched:
        patched.setattr(graph.privacy.persons, "refresh_public_view", Broken())
        response = client.put("/store", params={"graph": CONSENT},
                              content=_without_record(store),
                              headers={"Content-Type": "application/n-triples", **AUTH})
        assert response.status_code == 204, response.text
        assert client.app.state.public_view.stale   # type: ignore[attr-defined]
        # while the view cannot be derived, reads go on (and try again)
        assert _asks(client, "ASK { ?s ?p ?o }")
    assert _public(store, PERSON)
    # the first read after derives it: the withdrawn person is no longer public
    assert not _asks(client, f"ASK {{ GRAPH <{PUBLIC_PERSONS_GRAPH}> {{ <{PERSON}> ?p ?o }} }}")
    assert not _public(store, PERSON)
    assert not client.app.state.public_view.stale   # type: ignore[attr-defined]


def test_a_stale_view_is_derived_at_the_next_write(
        opened: tuple[TestClient, Store], monkeypatch: pytest.MonkeyPatch) -> None:
    client, store = opened
    with monkeypatch.context() as patched:
        patched.setattr(graph.privacy.persons, "refresh_public_view", Broken())
        response = client.post(
            "/sparql", content=f"DELETE WHERE {{ GRAPH <{CONSENT}> {{ <{RECORD}> ?p ?o }} }}",
            headers={"Content-Type": "application/sparql-update", **AUTH})
        assert response.status_code == 204, response.text
    # a write to a public graph, which alone would not derive the view
    response = client.post("/store", params={"graph": PUBLIC},
                           content=f"<{ID}org/vecam> <http://www.w3.org/2000/01/rdf-schema#"
                                   "comment> \"noted\" .\n",
                           headers={"Content-Type": "application/n-triples", **AUTH})
    assert response.status_code == 204, response.text
    assert not _public(store, PERSON)
