"""Dumps of the public data and the VoID description."""

from __future__ import annotations

import gzip

import httpx
import pyoxigraph as ox
import pytest

from graph.namespaces import VOID
from graph.samples.example import EXAMPLE_GRAPHS
from tests.support.live import Live

PUBLIC = EXAMPLE_GRAPHS[0].iri
MEMBERS = EXAMPLE_GRAPHS[1].iri


@pytest.mark.parametrize(("name", "fmt"), [("civicgraph.nq.gz", ox.RdfFormat.N_QUADS),
                                           ("civicgraph.trig.gz", ox.RdfFormat.TRIG)])
def test_dumps_hold_exactly_the_public_graphs(live: Live, name: str, fmt: ox.RdfFormat) -> None:
    response = httpx.get(f"{live.url}/dumps/{name}", timeout=60)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/gzip"
    assert name in response.headers["content-disposition"]
    quads = list(ox.parse(gzip.decompress(response.content), format=fmt))
    graphs = {q.graph_name.value for q in quads}
    assert PUBLIC in graphs and MEMBERS not in graphs
    assert sum(1 for q in quads if q.graph_name.value == PUBLIC) == live.store.count(PUBLIC)
    assert not any("/id/person/" in q.subject.value for q in quads)


def test_dump_follows_writes(fresh_live: Live, token: str) -> None:
    url = f"{fresh_live.url}/dumps/civicgraph.nq.gz"
    first = gzip.decompress(httpx.get(url, timeout=60).content)
    assert first == gzip.decompress(httpx.get(url, timeout=60).content)
    update = (f"INSERT DATA {{ GRAPH <{PUBLIC}> {{ <https://w3id.org/civicgraph/id/org/vecam> "
              '<http://www.w3.org/2000/01/rdf-schema#comment> "dumped" } }')
    assert httpx.post(f"{fresh_live.url}/sparql", data={"update": update},
                      headers={"Authorization": f"Bearer {token}"}).status_code == 204
    second = gzip.decompress(httpx.get(url, timeout=60).content)
    assert b'"dumped"' in second and b'"dumped"' not in first


def test_unknown_dump_is_404(live: Live) -> None:
    assert httpx.get(f"{live.url}/dumps/everything.zip").status_code == 404


def test_dumps_page_and_listing(live: Live) -> None:
    listing = httpx.get(f"{live.url}/dumps", headers={"Accept": "application/json"}).json()
    assert [d["name"] for d in listing["dumps"]] == ["civicgraph.nq.gz", "civicgraph.trig.gz"]
    assert PUBLIC in [g["iri"] for g in listing["graphs"]]
    assert MEMBERS not in [g["iri"] for g in listing["graphs"]]
    page = httpx.get(f"{live.url}/dumps", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "civicgraph.trig.gz" in page.text


def test_void_description(live: Live) -> None:
    response = httpx.get(f"{live.url}/.well-known/void", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    triples = [q.triple for q in ox.parse(response.content, format=ox.RdfFormat.TURTLE)]
    dataset = ox.NamedNode(f"{live.url}/.well-known/void#civicgraph")

    def objects(subject: ox.NamedNode, predicate: str) -> list[str]:
        return [t.object.value for t in triples
                if t.subject == subject and t.predicate.value == VOID + predicate]

    assert objects(dataset, "sparqlEndpoint") == [f"{live.url}/sparql"]
    assert f"{live.url}/dumps/civicgraph.nq.gz" in objects(dataset, "dataDump")
    subsets = objects(dataset, "subset")
    assert PUBLIC in subsets and MEMBERS not in subsets
    assert objects(ox.NamedNode(PUBLIC), "triples") == [str(live.store.count(PUBLIC))]
    examples = objects(dataset, "exampleResource")
    assert any("/id/org/" in e for e in examples)
    total = int(objects(dataset, "triples")[0])
    assert total == sum(int(objects(ox.NamedNode(s), "triples")[0]) for s in subsets)
