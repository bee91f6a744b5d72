"""The access level of graphs a write creates (issue 13; ``CIVICGRAPH_DEFAULT_ACCESS``).

By default a graph a curator's write creates (SPARQL Update, Graph Store) is described public,
so readers see it and the privacy guard holds for it as for any public graph; with
``default_access="restricted"`` the default graph and the new graphs are described restricted:
curators only, personal data allowed, anonymous readers never see them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pyoxigraph as ox
import pytest

from graph.namespaces import CG, GRAPH, META_GRAPH
from graph.privacy.access import RESTRICTED_META_GRAPH
from graph.store import DEFAULT_GRAPH, Store
from tests.support.live import CURATOR_TOKEN, app_client
from tests.support.stores import memory_store, quads

if TYPE_CHECKING:   # imported by tests.support.live, which silences starlette's warning
    from fastapi.testclient import TestClient

AUTH = {"Authorization": f"Bearer {CURATOR_TOKEN}"}
NEW = "http://example.org/new-graph"
FOAF = ('<http://example.org/alice> a <http://xmlns.com/foaf/0.1/Person> ; '
        '<http://xmlns.com/foaf/0.1/name> "Alice" ; '
        '<http://xmlns.com/foaf/0.1/mbox> <mailto:alice@example.org> .')
PLAIN = "<http://example.org/a> <http://example.org/b> <http://example.org/c> ."
SELECT_ALL = "SELECT ?g ?s WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"


@pytest.fixture(params=["public", "restricted"])
def opened(request: pytest.FixtureRequest) -> Iterator[tuple[TestClient, Store, str]]:
    store = memory_store()
    with app_client(store, default_access=request.param,
                    union_default_graph=False) as client:
        yield client, store, request.param


def _state(store: Store) -> tuple[set[tuple[str, str, str, str]], int]:
    """The named graphs' quads and the default graph's size."""
    default = store.query("CONSTRUCT WHERE { ?s ?p ?o }", default_graph=[DEFAULT_GRAPH],
                          named_graphs=[])
    assert not isinstance(default, (ox.QuerySolutions, ox.QueryBoolean))
    return quads(store), len(list(default))


def _update(client: TestClient, text: str) -> int:
    response = client.post("/sparql", content=text, headers={
        **AUTH, "Content-Type": "application/sparql-update"})
    return int(response.status_code)


def _access(store: Store, graph: str) -> tuple[str, str] | None:
    """Where ``graph`` is described, and its access level."""
    rows = store.query(f"SELECT ?m ?a WHERE {{ GRAPH ?m {{ <{graph}> <{CG}access> ?a }} }}",
                       default_graph=[], named_graphs=[META_GRAPH, RESTRICTED_META_GRAPH])
    assert isinstance(rows, ox.QuerySolutions)
    found = [(r["m"].value, r["a"].value) for r in rows]
    assert len(found) <= 1, found
    return found[0] if found else None


def _anonymous_subjects(client: TestClient, query: str = SELECT_ALL) -> set[str]:
    response = client.post("/sparql", content=query, headers={
        "Content-Type": "application/sparql-query",
        "Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.text
    return {b["s"]["value"] for b in response.json()["results"]["bindings"]}


@pytest.mark.parametrize("door", ["update", "graph store"])
def test_a_new_graph_is_described_at_the_default_access(
        opened: tuple[TestClient, Store, str], door: str) -> None:
    client, store, access = opened
    if door == "update":
        assert _update(client, f"INSERT DATA {{ GRAPH <{NEW}> {{ {PLAIN} }} }}") == 204
    else:
        response = client.put("/store", params={"graph": NEW}, content=PLAIN,
                              headers={**AUTH, "Content-Type": "text/turtle"})
        assert response.status_code == 201, response.text
    expected = (META_GRAPH, CG + "Public") if access == "public" \
        else (RESTRICTED_META_GRAPH, CG + "Restricted")
    assert _access(store, NEW) == expected
    assert ("http://example.org/a" in _anonymous_subjects(client)) == (access == "public")


@pytest.mark.parametrize("target", [None, NEW])
def test_personal_data_follows_the_default_access(
        opened: tuple[TestClient, Store, str], target: str | None) -> None:
    """Public by default: foaf data into the default graph or a new graph is refused (422,
    nothing written); restricted: accepted, and never seen by anonymous readers."""
    client, store, access = opened
    before = _state(store)
    block = FOAF if target is None else f"GRAPH <{target}> {{ {FOAF} }}"
    status = _update(client, f"INSERT DATA {{ {block} }}")
    if access == "public":
        assert status == 422
        assert _state(store) == before
        assert _access(store, target or DEFAULT_GRAPH) is None
        return
    assert status == 204
    assert _access(store, target or DEFAULT_GRAPH) == (RESTRICTED_META_GRAPH, CG + "Restricted")
    assert "http://example.org/alice" not in _anonymous_subjects(client)
    response = client.get("/store", params={"default": ""} if target is None
                          else {"graph": target}, headers={"Accept": "text/turtle"})
    assert b"alice" not in response.content
    public_meta = store.query(
        f"ASK {{ GRAPH <{META_GRAPH}> {{ ?g <{CG}access> <{CG}Restricted> }} }}")
    assert not public_meta   # the restricted descriptions never reach the public meta graph


def test_a_copy_of_a_restricted_graph_into_a_new_graph_follows_the_default_access(
        opened: tuple[TestClient, Store, str]) -> None:
    """A graph the update would create public counts as public for the update guard: what a
    restricted graph holds does not become public by a COPY into a new graph."""
    client, store, access = opened
    secret = GRAPH + "restricted/notes"
    assert _update(client, f"INSERT DATA {{ GRAPH <{secret}> {{ {PLAIN} }} }}") == 204
    before = _state(store)
    status = _update(client, f"COPY <{secret}> TO <{NEW}>")
    if access == "public":
        assert status == 422
        assert _state(store) == before
    else:
        assert status == 204
        assert _access(store, NEW) == (RESTRICTED_META_GRAPH, CG + "Restricted")
    assert "http://example.org/a" not in _anonymous_subjects(client)


def test_the_core_shapes_hold_in_restricted_graphs(
        opened: tuple[TestClient, Store, str]) -> None:
    client, store, _ = opened
    before = _state(store)
    bad = FOAF.replace("<mailto:alice@example.org>", "<http://example.org/not-a-mailbox>")
    assert _update(client, f"INSERT DATA {{ GRAPH <{NEW}> {{ {bad} }} }}") == 422
    assert _state(store) == before


def test_the_graph_store_names_a_graph_by_its_url(
        opened: tuple[TestClient, Store, str]) -> None:
    client, _, access = opened
    response = client.put("/store/person/1.ttl", content=PLAIN,
                          headers={**AUTH, "Content-Type": "text/turtle"})
    assert response.status_code == 201, response.text
    graph = "http://127.0.0.1:8000/store/person/1.ttl"
    read = client.get("/store", params={"graph": graph}, headers={**AUTH, "Accept": "text/turtle"})
    assert read.status_code == 200 and b"example.org/a" in read.content
    anonymous = client.get("/store/person/1.ttl", headers={"Accept": "text/turtle"})
    assert anonymous.status_code == (200 if access == "public" else 404)
    assert client.delete("/store/person/1.ttl").status_code == 401
    assert client.delete("/store/person/1.ttl", headers=AUTH).status_code == 204


def test_a_posted_graph_is_located_by_its_iri(opened: tuple[TestClient, Store, str]) -> None:
    client, _, _ = opened
    response = client.post("/store", content=PLAIN,
                           headers={**AUTH, "Content-Type": "text/turtle"})
    assert response.status_code == 201, response.text
    read = client.get("/store", params={"graph": response.headers["location"]},
                      headers={**AUTH, "Accept": "text/turtle"})
    assert read.status_code == 200 and b"example.org/a" in read.content


def test_an_unknown_function_is_a_400_with_the_engine_message(
        opened: tuple[TestClient, Store, str]) -> None:
    client, _, _ = opened
    response = client.post("/sparql", content=(
        "SELECT * WHERE { BIND(<http://example.org/f>(1) AS ?x) }"), headers={
        "Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"})
    assert response.status_code == 400, response.text
    assert "http://example.org/f" in response.json()["message"]


def test_a_restricted_default_describes_the_default_graph_at_start() -> None:
    """``civicgraph serve --default-access restricted`` describes the default graph before
    any write, so readers never find it public; a description already there is kept."""
    from graph.ingest.writing import describe_default
    from graph.privacy.access import default_graph_is_public

    store = memory_store()
    assert default_graph_is_public(store)
    assert describe_default(store, "restricted")
    assert not default_graph_is_public(store)
    assert _access(store, DEFAULT_GRAPH) == (RESTRICTED_META_GRAPH, CG + "Restricted")
    assert not describe_default(store, "restricted")
