"""The store's own default graph on the data page and in the downloads: the page names it as
the default graph (not among named graphs), and the downloads hold it whole whatever the
query engine's result cap, since dumps are the bulk path."""

from __future__ import annotations

import gzip
from collections.abc import Iterator

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from graph.publishing.service import DUMPS, Dump
from graph.store import DEFAULT_GRAPH, open_store
from tests.support.live import CURATOR_TOKEN, app_client

OWN = [ox.Triple(ox.NamedNode(f"http://example.org/s{n}"), ox.NamedNode("http://example.org/p"),
                 ox.Literal(f"o{n}")) for n in range(12)]
WRITE = {"Authorization": f"Bearer {CURATOR_TOKEN}", "Content-Type": "application/n-triples"}


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    """A server whose query engine returns at most 5 rows, and a public default graph of 12
    triples written through the Graph Store."""
    with app_client(open_store("memory"), result_limit=5) as opened:
        body = "".join(f"{t} .\n" for t in OWN).encode()
        assert opened.put("/store?default", content=body, headers=WRITE).status_code in (200,
                                                                                         201)
        yield opened


@pytest.mark.parametrize("dump", DUMPS, ids=[d.name for d in DUMPS])
def test_a_default_graph_past_the_result_cap_is_dumped_whole(client: TestClient,
                                                             dump: Dump) -> None:
    response = client.get(f"/dumps/{dump.name}")
    assert response.status_code == 200, response.text[:300]
    quads = list(ox.parse(gzip.decompress(response.content), format=dump.format))
    own = {q.triple for q in quads if q.graph_name == ox.DefaultGraph()}
    assert own == set(OWN)


@pytest.mark.parametrize(("lang", "named", "own"), [
    ("en", "the public named graphs and the default graph", "the default graph"),
    ("fr", "les graphes nommés publics et le graphe par défaut", "le graphe par défaut")])
def test_the_page_names_the_default_graph_as_such(client: TestClient, lang: str, named: str,
                                                  own: str) -> None:
    page = client.get("/dumps", headers={"Accept": "text/html", "Accept-Language": lang})
    assert page.status_code == 200
    text = " ".join(page.text.split())
    assert named in text and "every public named graph" not in text
    assert f"<td>{own}</td>" in text
    assert f"<code>{DEFAULT_GRAPH}</code>" not in text
