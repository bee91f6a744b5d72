"""A parameter FastAPI itself refuses (a page that is no whole number, a flag that is no
boolean, a text field where a file is expected) gets civicgraph's error shape, 400, naming the
parameter and what is wrong, as every other refusal does (docs/routes.md), never FastAPI's
422 ``{"detail": …}``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from graph.store import Store
from tests.support.live import CURATOR_TOKEN, TestClient, app_client
from tests.support.stores import load_example, memory_store, quads

AUTH = {"Authorization": f"Bearer {CURATOR_TOKEN}"}
CSV = ("o.csv", b"name;commune\nAtelier;Paris\n", "text/csv")


@pytest.fixture(scope="module")
def opened() -> Iterator[tuple[TestClient, Store]]:
    store = load_example(memory_store())
    with app_client(store) as client:
        yield client, store


def _refused(response: Any, parameter: str, *words: str) -> None:
    assert response.status_code == 400, response.text
    body = response.json()
    assert {"error", "status", "message", "parameter"} <= body.keys(), body
    assert "detail" not in body
    assert body["status"] == 400 and body["parameter"] == parameter
    assert f"parameter {parameter!r}" in body["message"]
    for word in words:
        assert word in body["message"], body


@pytest.mark.parametrize(("page", "words"), [
    ("abc", ["whole number", "'abc'"]),
    ("0", ["at least 1", "'0'"]),
    ("", ["whole number", "empty"]),
    ("-3", ["at least 1"]),
    ("9" * 30, ["at most 1000000"]),
    ("1.5", ["whole number", "'1.5'"]),
])
def test_a_bad_page_is_a_400_naming_it(opened: tuple[TestClient, Store], page: str,
                                       words: list[str]) -> None:
    client, _ = opened
    _refused(client.get("/id/org/vecam", params={"page": page}), "page", *words)


def test_a_browser_gets_the_error_page(opened: tuple[TestClient, Store]) -> None:
    client, _ = opened
    response = client.get("/id/org/vecam?page=abc", headers={"Accept": "text/html"})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/html")
    assert "page" in response.text


@pytest.mark.parametrize(("files", "data", "parameter", "words"), [
    ({"file": CSV}, {"source": "s", "skip_invalid": "maybe"}, "skip_invalid",
     ["true or false", "'maybe'"]),
    ({}, {"source": "s", "file": "name;commune"}, "file", ["must be a file", "text field"]),
    ({"file": CSV}, {}, "source", ["required"]),
])
def test_a_bad_import_form_is_a_400_naming_the_field(
        opened: tuple[TestClient, Store], files: dict[str, Any], data: dict[str, str],
        parameter: str, words: list[str]) -> None:
    client, store = opened
    before = quads(store)
    response = client.post("/imports", files=files or None, data=data, headers=AUTH)
    _refused(response, parameter, *words)
    assert quads(store) == before


def test_every_missing_field_is_named(opened: tuple[TestClient, Store]) -> None:
    client, _ = opened
    response = client.post("/imports", content=b"name\nA\n",
                           headers={"Content-Type": "text/csv", **AUTH})
    _refused(response, "file", "'source'", "required")


def test_a_long_value_is_quoted_cut(opened: tuple[TestClient, Store]) -> None:
    client, _ = opened
    response = client.get("/id/org/vecam", params={"page": "x" * 5000})
    _refused(response, "page")
    assert len(response.text) < 600


def test_the_openapi_description_declares_the_refusals_as_answered(
        opened: tuple[TestClient, Store]) -> None:
    """No operation declares FastAPI's 422 HTTPValidationError, which is never answered; a
    write declares its 422 (shapes, privacy, an import's checks) with the error shape its
    400 has."""
    client, _ = opened
    schema = client.get("/openapi.json").json()
    assert "HTTPValidationError" not in str(schema)
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation.get("responses", {})
            if "422" in responses and method != "get":
                declared = responses["422"]
                assert declared.get("content", {}) in ({}, responses["400"]["content"]), \
                    (path, method)
    assert "422" in schema["paths"]["/imports"]["post"]["responses"]
    assert not [path for path, operations in schema["paths"].items()
                if "422" in operations.get("get", {}).get("responses", {})]
