"""``POST /imports``, ``civicgraph import`` and their ``source``: a control character in it is a
400 naming the field; the source is recorded normalised."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from api.cli import main
from graph.namespaces import DCTERMS
from graph.store import Store, open_store
from tests.support.live import CURATOR_TOKEN, app_client
from tests.support.stores import load_example, memory_store, quads

AUTH = {"Authorization": f"Bearer {CURATOR_TOKEN}"}
BASE = "https://w3id.org/civicgraph/"


@pytest.mark.parametrize("source", ["survey\r2026", "survey\x00"])
def test_a_source_with_a_control_character_is_a_400_naming_source(
        serve: Callable[..., Any], source: str) -> None:
    store = load_example(memory_store())
    before = quads(store)
    with serve(store) as live, httpx.Client(base_url=live.url, timeout=60) as http:
        response = http.post("/imports", headers=AUTH, data={"source": source}, files={
            "file": ("orgs.csv", b"id,name,kind\nsrc-1,Org,association\n")})
    assert response.status_code == 400
    assert "source" in response.text and "control character" in response.text
    assert quads(store) == before


TYPED = [" enque\u0302te  2026", "enqu\u00eate 2026\u00a0"]   # decomposed, composed


def recorded_sources(store: Store) -> set[str]:
    return {q[3] for q in quads(store) if q[2] == f"<{DCTERMS}source>"
            and q[1].startswith(f"<{BASE}graph/contrib/enquete-2026")}


def test_a_source_is_recorded_normalised_over_http() -> None:
    """The ways of typing one source are one source: the second import replaces the first."""
    store = memory_store()
    with app_client(store) as client:
        for n, source in enumerate(TYPED):
            response = client.post("/imports", headers=AUTH, data={"source": source}, files={
                "file": ("orgs.csv", f"id,name,kind\nsrc-{n},Org {n},association\n".encode())})
            assert response.status_code == 200, response.text
            assert response.json()["source"] == "enqu\u00eate 2026"
    assert recorded_sources(store) == {'"enqu\u00eate 2026"'}
    assert not any(q[1] == f"<{BASE}id/org/src-0>" for q in quads(store))


def test_a_source_is_recorded_normalised_by_the_cli(tmp_path: Path) -> None:
    orgs, path = tmp_path / "orgs.csv", str(tmp_path / "store")
    for n, source in enumerate(TYPED):
        orgs.write_text(f"id,name,kind\nsrc-{n},Org {n},association\n", encoding="utf-8")
        result = CliRunner().invoke(main, ["import", str(orgs), "--source", source,
                                           "--store", path])
        assert result.exit_code == 0, result.output
        assert "'enqu\u00eate 2026'" in result.output
    with open_store(path) as store:
        assert recorded_sources(store) == {'"enqu\u00eate 2026"'}
        assert not any(q[1] == f"<{BASE}id/org/src-0>" for q in quads(store))
