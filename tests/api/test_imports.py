"""``POST /imports``: curators import spreadsheets over HTTP and get the CLI's report."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from graph.store import Store
from tests.support.live import CURATOR_TOKEN
from tests.support.stores import load_example, memory_store, quads

FILES = Path(__file__).parents[1] / "graph" / "ingest" / "spreadsheets"
AUTH = {"Authorization": f"Bearer {CURATOR_TOKEN}"}


@pytest.fixture
def store() -> Store:
    return load_example(memory_store())


@pytest.fixture
def client(serve: Callable[..., Any], store: Store) -> Iterator[httpx.Client]:
    with serve(store) as live, httpx.Client(base_url=live.url, timeout=60) as http:
        yield http


def upload(client: httpx.Client, name: str, headers: dict[str, str] | None = None,
           **form: str) -> httpx.Response:
    files = {"file": (name, (FILES / name).read_bytes())}
    return client.post("/imports", files=files, data={"source": "http survey", **form},
                       headers=headers or {})


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong-token"}])
def test_without_the_curator_token_nothing_is_imported(client: httpx.Client, store: Store,
                                                       headers: dict[str, str]) -> None:
    before = quads(store)
    response = upload(client, "usages_fr.csv", headers)
    assert response.status_code == 401
    assert quads(store) == before


def test_writes_disabled_without_a_configured_token(serve: Callable[..., Any],
                                                   store: Store) -> None:
    with serve(store, curator_token="") as live, httpx.Client(base_url=live.url) as http:
        response = upload(http, "usages_fr.csv", AUTH)
    assert response.status_code == 403


def test_a_curator_imports_and_gets_the_report(client: httpx.Client) -> None:
    response = upload(client, "usages_fr.csv", AUTH)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "imported" and body["rows"] == {"read": 3, "imported": 3,
                                                              "skipped": 0}
    again = upload(client, "usages_fr.csv", AUTH)
    assert again.json()["status"] == "unchanged"


def test_a_refused_import_reports_every_cell(client: httpx.Client, store: Store) -> None:
    before = quads(store)
    response = upload(client, "wrong_dates.csv", AUTH)
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert [(e["row"], e["column"]) for e in errors] == [
        (2, "observed on"), (3, "observed on"), (4, "end")]
    assert quads(store) == before
    as_csv = upload(client, "wrong_dates.csv", {**AUTH, "Accept": "text/csv"})
    assert as_csv.text.splitlines()[0] == \
        "level,sheet,row,column,value,message,node,path,constraint"


def test_skip_invalid_over_http(client: httpx.Client) -> None:
    response = upload(client, "wrong_dates.csv", AUTH, skip_invalid="true")
    body = response.json()
    assert response.status_code == 200 and body["rows"]["skipped"] == 3


def test_an_import_does_not_hold_up_other_requests(client: httpx.Client,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    import api.routes.imports as route

    started, release = threading.Event(), threading.Event()
    real = route.import_spreadsheet

    def slow(*args: Any, **kwargs: Any) -> Any:
        started.set()   # as when mapping a big sheet against a big store: it runs until told
        assert release.wait(60), "the test never let the import finish"
        return real(*args, **kwargs)

    monkeypatch.setattr(route, "import_spreadsheet", slow)
    answers: list[int] = []
    importing = threading.Thread(
        target=lambda: answers.append(upload(client, "usages_fr.csv", AUTH).status_code))
    importing.start()
    try:
        assert started.wait(30)
        assert client.get("/health").status_code == 200  # answered while the import runs
        assert importing.is_alive()
    finally:
        release.set()
        importing.join(60)
    assert answers == [200]
