"""``POST /imports`` with hostile identifiers, licences and sources: a 422 naming the cell for
an identifier that is no IRI (was a 500), a 400 naming the field for a licence that is no
http(s) IRI (was stored and rendered as ``<a href="javascript:…">``) or a source too long; and
a resource page links a stored licence only when it is an http(s) IRI."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from graph.ingest.spreadsheets.values import MAX_SOURCE
from graph.namespaces import DCTERMS, META_GRAPH
from graph.store import Store
from tests.support.live import CURATOR_TOKEN, app_client
from tests.support.stores import load_example, memory_store, quads

AUTH = {"Authorization": f"Bearer {CURATOR_TOKEN}"}
SURVEY = "https://w3id.org/civicgraph/graph/contrib/p"


@pytest.fixture
def store() -> Store:
    return load_example(memory_store())


@pytest.fixture
def client(store: Store) -> Iterator[TestClient]:
    with app_client(store) as http:
        yield http


def post(client: TestClient, data: bytes, name: str = "id.csv", **form: str):  # type: ignore[no-untyped-def]
    return client.post("/imports", files={"file": (name, data)},
                       data={"source": "p", **form}, headers=AUTH)


def xlsx(value: str) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "organisations"
    sheet.append(["identifiant", "nom", "nature"])
    sheet.append([value, "Nom test", "association"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("value", ["http://exa mple.org/x", "http://example.org/<x>",
                                   'http://example.org/"q', "http://"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("skip", ["false", "true"])
def test_an_identifier_that_is_no_iri_is_a_422_naming_its_cell(
        client: TestClient, store: Store, value: str, fmt: str, skip: str) -> None:
    before = quads(store)
    if fmt == "csv":
        data = ("identifiant,nom,nature\n\"" + value.replace('"', '""')
                + '",Nom test,association\n').encode()
    else:
        data = xlsx(value)
    response = post(client, data, f"id.{fmt}", skip_invalid=skip)
    assert response.status_code == 422, response.text
    errors = response.json()["errors"]
    assert any(e["row"] == 2 and e["column"] == "identifiant" and e["value"] == value
               for e in errors), errors
    assert quads(store) == before


@pytest.mark.parametrize("cell", ["http://a%zz", "http://[x"])
def test_a_website_that_is_no_iri_is_a_422(client: TestClient, cell: str) -> None:
    response = post(client, f"nom,nature,site web\nNom test,association,{cell}\n".encode())
    assert response.status_code == 422, response.text
    assert [(e["row"], e["column"]) for e in response.json()["errors"]] == [(2, "site web")]


@pytest.mark.parametrize("licence", ["javascript:alert(document.domain)", "not a licence <x>",
                                     "http://", "urn:x"])
def test_a_licence_that_is_no_http_iri_is_a_400_naming_the_field(
        client: TestClient, store: Store, licence: str) -> None:
    before = quads(store)
    response = post(client, b"identifiant,nom,nature\norg-l,Nom test,association\n",
                    licence=licence)
    assert response.status_code == 400, response.text
    assert "licence" in response.json()["message"]
    assert quads(store) == before


def test_an_spdx_licence_is_stored_as_its_iri(client: TestClient, store: Store) -> None:
    response = post(client, b"identifiant,nom,nature\norg-l,Nom test,association\n",
                    licence="CC-BY-4.0")
    assert response.status_code == 200, response.text
    assert store.query(f"ASK {{ GRAPH <{META_GRAPH}> {{ <{SURVEY}> <{DCTERMS}license> "
                       "<https://spdx.org/licenses/CC-BY-4.0> } }")
    page = client.get("/id/org/org-l", headers={"Accept": "text/html"}).text
    assert '<a rel="license" href="https://spdx.org/licenses/CC-BY-4.0">' in page


def test_a_source_too_long_is_a_400(client: TestClient, store: Store) -> None:
    before = quads(store)
    response = client.post("/imports", files={"file": ("s.csv", b"nom,nature\nA,association\n")},
                           data={"source": "x" * 100_000}, headers=AUTH)
    assert response.status_code == 400, response.text[:300]
    message = response.json()["message"]
    assert "source" in message and f"{MAX_SOURCE:,}" in message
    assert quads(store) == before


def test_a_stored_licence_that_is_no_http_iri_is_no_link(client: TestClient,
                                                         store: Store) -> None:
    response = post(client, b"identifiant,nom,nature\norg-l,Nom test,association\n")
    assert response.status_code == 200, response.text
    # data stored before the licence was checked
    store.update(f"""INSERT DATA {{ GRAPH <{META_GRAPH}> {{
        <{SURVEY}> <{DCTERMS}license> "javascript:alert(document.domain)" }} }}""")
    page = client.get("/id/org/org-l", headers={"Accept": "text/html"}).text
    assert "javascript:alert(document.domain)" in page
    assert 'href="javascript:' not in page
