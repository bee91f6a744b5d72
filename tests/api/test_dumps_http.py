"""HTTP caching of the data pages and the dumps: ``Vary`` and ``Content-Language`` where the
answer is negotiated (RFC 9110 §12.5.5, §8.5)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.support.live import app_client
from tests.support.stores import example_store


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with app_client(example_store()) as opened:
        yield opened


def _vary(response: httpx.Response) -> set[str]:
    return {v.strip().lower() for v in response.headers.get("vary", "").split(",")
            if v.strip()}


@pytest.mark.parametrize("accept", ["application/json", "text/html"])
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_data_page_varies_by_accept_and_language(client: TestClient, accept: str,
                                                     lang: str) -> None:
    response = client.get("/dumps", headers={"Accept": accept, "Accept-Language": lang,
                                             "Origin": "https://elsewhere.example"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(accept)
    assert {"accept", "accept-language", "origin"} <= _vary(response)
    assert response.headers["content-language"] == lang


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_release_varies_by_language(client: TestClient, lang: str) -> None:
    version = client.get("/dumps", headers={"Accept": "application/json"}
                         ).json()["release"]["version"]
    response = client.get(f"/dumps/releases/{version}",
                          headers={"Accept-Language": lang, "Origin": "https://elsewhere.example"})
    assert response.status_code == 200
    assert {"accept-language", "origin"} <= _vary(response)
    assert response.headers["content-language"] == lang
    cited = response.json()["citation"]
    assert cited.startswith("Contributeurs" if lang == "fr" else "civicgraph contributors")
