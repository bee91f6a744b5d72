"""A 406 of content negotiation says ``Vary: Accept`` (RFC 9110 §12.5.5): another ``Accept``
gets an answer, so a shared cache must not hand the 406 to it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.live import TestClient, app_client
from tests.support.stores import example_store


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with app_client(example_store()) as opened:
        yield opened


@pytest.mark.parametrize("path", ["/dumps", "/id/org/vecam", "/queries", "/ns"])
def test_a_406_varies_on_accept(client: TestClient, path: str) -> None:
    response = client.get(path, headers={"Accept": "image/png"})
    assert response.status_code == 406, response.text
    vary = [v.strip().lower() for v in response.headers.get("vary", "").split(",")]
    assert vary.count("accept") == 1, response.headers


def test_a_406_page_varies_on_accept_and_language(client: TestClient) -> None:
    response = client.get("/store?default", headers={"Accept": "text/html"})
    assert response.status_code == 406, response.text
    assert response.headers["content-type"].startswith("text/html")
    vary = [v.strip().lower() for v in response.headers.get("vary", "").split(",")]
    assert "accept" in vary and "accept-language" in vary, response.headers
