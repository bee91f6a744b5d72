"""A map export's labels are in the language asked (``?lang=``, else ``Accept-Language``): it
says which (``Content-Language``) and that it varies with ``Accept-Language`` (``Vary``,
beside ``Origin``), as the map pages do, so a cache does not hand a French export to an
English reader (RFC 9110 §12.5.5)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.support.graphs import example_store
from tests.support.live import app_client
from visualisations.export import FORMATS

ROUTES = ["/maps/practices-tools", "/maps/organisations-tools", "/maps/tool/loomio",
          "/maps/neighbourhood"]
LOOMIO = "https://w3id.org/civicgraph/id/software/loomio"


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    store = example_store()
    with app_client(store) as client:
        yield client
    store.close()


def _vary(value: str) -> set[str]:
    return {part.strip().lower() for part in value.split(",")}


def _get(client: TestClient, route: str, format: str,
         **params: str) -> tuple[bytes, dict[str, str]]:
    if route == "/maps/neighbourhood":
        params["iri"] = LOOMIO
    headers = {"Origin": "https://elsewhere.example"}
    if "accept_language" in params:
        headers["Accept-Language"] = params.pop("accept_language")
    answer = client.get(f"{route}/export.{format}", params=params, headers=headers)
    assert answer.status_code == 200, answer.text
    return bytes(answer.content), dict(answer.headers)


@pytest.mark.parametrize("format", sorted(FORMATS))
@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_an_export_names_its_language_and_varies_with_accept_language(
        client: TestClient, route: str, format: str, lang: str) -> None:
    _, headers = _get(client, route, format, accept_language=f"{lang};q=0.9")
    assert headers["content-language"] == lang
    assert {"accept-language", "origin"} <= _vary(headers["vary"])


@pytest.mark.parametrize("format", ["json", "gexf"])
def test_the_lang_parameter_wins_and_is_named(client: TestClient, format: str) -> None:
    _, headers = _get(client, "/maps/practices-tools", format, lang="en",
                      accept_language="fr")
    assert headers["content-language"] == "en"


def test_the_labels_are_those_of_the_language_named(client: TestClient) -> None:
    french, fr = _get(client, "/maps/practices-tools", "json", accept_language="fr")
    english, en = _get(client, "/maps/practices-tools", "json", accept_language="en")
    assert french != english
    assert (fr["content-language"], en["content-language"]) == ("fr", "en")
