"""``/metrics`` and ``/health`` are public: anonymous callers learn the size of the public
data only, never the whole store's (which would tell how many restricted quads, members and
consent records, it holds); a curator's scrape gets both."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from prometheus_client.parser import text_string_to_metric_families

from graph.privacy.access import public_graphs
from graph.store import Store
from tests.support.live import CURATOR_TOKEN, TestClient, app_client
from tests.support.stores import load_example, memory_store

CURATOR = {"Authorization": f"Bearer {CURATOR_TOKEN}"}


@pytest.fixture(scope="module")
def opened() -> Iterator[tuple[TestClient, Store]]:
    store = load_example(memory_store())
    with app_client(store) as client:
        yield client, store


def gauges(client: TestClient, headers: dict[str, str] | None = None) -> dict[str, float]:
    response = client.get("/metrics", headers=headers or {})
    assert response.status_code == 200
    return {sample.name: sample.value
            for family in text_string_to_metric_families(response.text)
            for sample in family.samples if sample.name.startswith("civicgraph_store")
            or sample.name.startswith("civicgraph_public")}


def sizes(store: Store) -> tuple[int, int]:
    """(public quads, every quad), counted here from the store, not by the code under test."""
    public = sum(store.count(g) for g in public_graphs(store))
    total = store.count()
    assert 0 < public < total  # the example holds restricted graphs
    return public, total


def test_anonymous_metrics_give_the_public_size_only(
        opened: tuple[TestClient, Store]) -> None:
    client, store = opened
    public, total = sizes(store)
    found = gauges(client)
    assert found == {"civicgraph_store_up": 1.0, "civicgraph_public_quads": float(public)}
    assert str(total) not in client.get("/metrics").text


def test_a_curators_scrape_gets_the_store_size_too(opened: tuple[TestClient, Store]) -> None:
    client, store = opened
    public, total = sizes(store)
    assert gauges(client, CURATOR) == {"civicgraph_store_up": 1.0,
                                       "civicgraph_public_quads": float(public),
                                       "civicgraph_store_quads": float(total)}


def test_a_wrong_token_gets_no_metrics(opened: tuple[TestClient, Store]) -> None:
    client, _ = opened
    response = client.get("/metrics", headers={"Authorization": "Bearer not-the-token"})
    assert response.status_code == 401


@pytest.mark.parametrize("curator", [False, True])
def test_health_tells_the_size_the_caller_may_read(opened: tuple[TestClient, Store],
                                                   curator: bool) -> None:
    client, store = opened
    public, total = sizes(store)
    body = client.get("/health", headers=CURATOR if curator else {}).json()
    assert body["status"] == "ok"
    assert body["quads"] == (total if curator else public)
