"""The maps' presentation parameters, read alike on every map: a value a map does not offer,
or a choice a map does not have, is a 400 naming the parameter, never a 200 that ignored it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.support.graphs import example_store
from tests.support.live import app_client

LOOMIO = "https://w3id.org/civicgraph/id/software/loomio"


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    store = example_store()
    with app_client(store) as client:
        yield client
    store.close()


def _problem(client: TestClient, path: str, params: dict[str, str]) -> tuple[str, str]:
    answer = client.get(path, params=params, headers={"Accept": "application/json"})
    assert answer.status_code == 400, (answer.status_code, answer.text[:300])
    body = answer.json()
    return body["parameter"], body["problem"]


@pytest.mark.parametrize(("name", "value", "closest"), [
    ("colour", "zzz", None), ("colour", "kinds", "kind"), ("colour", "Field", "field"),
    ("size", "link", "links"), ("group", "comunity", "community"),
])
@pytest.mark.parametrize("path", [
    "/maps/organisations-tools", "/maps/organisations-tools/embed",
    "/maps/organisations-tools/export.json", "/maps/tool/loomio/thumbnail.svg",
    f"/maps/neighbourhood/export.gexf?iri={LOOMIO}",
])
def test_a_value_no_map_offers_is_a_400_with_the_closest(
        client: TestClient, path: str, name: str, value: str, closest: str | None) -> None:
    where, _, iri = path.partition("?iri=")
    params = {name: value, **({"iri": iri} if iri else {})}
    parameter, problem = _problem(client, where, params)
    assert parameter == name and repr(value) in problem and "one of:" in problem
    if closest is not None:
        assert f"did you mean {closest!r}" in problem
    else:
        assert "did you mean" not in problem


@pytest.mark.parametrize(("name", "value"), [
    ("colour", "zzz"), ("colour", "kind"), ("size", "reach"), ("group", "dep"),
])
def test_the_geography_map_refuses_the_choices_it_has_not(
        client: TestClient, name: str, value: str) -> None:
    parameter, problem = _problem(client, "/maps/geography", {name: value, "lang": "en"})
    assert parameter == name and "geography" in problem


@pytest.mark.parametrize(("name", "value"), [
    ("colour", "zzz"), ("colour", "community"), ("size", "links"), ("group", "dep"),
])
def test_the_waves_page_refuses_the_choices_it_has_not(
        client: TestClient, name: str, value: str) -> None:
    parameter, problem = _problem(client, "/maps/waves", {name: value, "lang": "en"})
    assert parameter == name and "waves page" in problem


def test_the_waves_page_still_takes_its_filters(client: TestClient) -> None:
    answer = client.get("/maps/waves", params={"field": "", "lang": "en"})
    assert answer.status_code == 200


def test_the_geography_map_still_takes_its_filters(client: TestClient) -> None:
    answer = client.get("/maps/geography", params={"dep": "93", "lang": "en"})
    assert answer.status_code == 200


@pytest.mark.parametrize("value", ["abc", "yes", "2", "full"])
@pytest.mark.parametrize("path", ["/maps/organisations-tools/export.json",
                                  "/maps/tool/loomio/export.gexf"])
def test_full_other_than_1_true_0_false_is_a_400(client: TestClient, path: str,
                                                 value: str) -> None:
    parameter, problem = _problem(client, path, {"full": value})
    assert parameter == "full" and repr(value) in problem


@pytest.fixture(scope="module")
def grouped() -> Iterator[TestClient]:
    """A server whose node budget groups the example's maps: ``full`` then tells."""
    store = example_store()
    with app_client(store, node_budget=20) as client:
        yield client
    store.close()


@pytest.mark.parametrize(("value", "full"), [("1", True), ("TRUE", True), ("true", True),
                                             ("0", False), ("False", False), ("", False)])
def test_full_is_read_as_documented(grouped: TestClient, value: str, full: bool) -> None:
    path = "/maps/organisations-tools/export.nodes.csv"
    answer = grouped.get(path, params={"full": value, "lang": "en"})
    assert answer.status_code == 200
    drawn = grouped.get(path, params={"lang": "en"}).content
    whole = grouped.get(path, params={"lang": "en", "full": "1"}).content
    assert drawn != whole
    assert answer.content == (whole if full else drawn)
