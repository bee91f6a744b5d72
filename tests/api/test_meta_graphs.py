"""The meta graphs (each graph's description: size, digest, moment, provenance, access) are
written by civicgraph's write path only.

An outside SPARQL Update or Graph Store write that would change ``META_GRAPH`` or
``RESTRICTED_META_GRAPH`` -- by name, through ``GRAPH ?g``, by ``MOVE``/``COPY``/``ADD`` --
is a 400 saying the graph is maintained by
civicgraph, and writes nothing. The command line beside a server (``api.commands.connection``)
still loads, its descriptions (title, source, licence, restriction) made by the server.
"""

from __future__ import annotations

import httpx
import pyoxigraph as ox
import pytest

from api.commands.connection import server_store
from graph.ingest.provenance import Provenance, describe, digest
from graph.namespaces import CG, DCTERMS, META_GRAPH, RESTRICTED_PREFIX, VOID
from graph.privacy.access import RESTRICTED_META_GRAPH
from tests.support.hostile import snapshot
from tests.support.live import CURATOR_TOKEN, Live

AUTH = {"Authorization": f"Bearer {CURATOR_TOKEN}"}
EXAMPLE = "https://w3id.org/civicgraph/graph/example"
OTHER = "http://example.org/meta-tests/other"
P = "http://example.org/meta-tests/p"


def _update(live: Live, text: str) -> httpx.Response:
    return httpx.post(f"{live.url}/sparql", headers=AUTH, data={"update": text}, timeout=60)


def _description(live: Live, graph: str) -> dict[str, set[str]]:
    """Predicate -> values of ``graph``'s description, in either meta graph."""
    rows = live.store.query(
        f"SELECT ?m ?p ?o WHERE {{ GRAPH ?m {{ <{graph}> ?p ?o }} }}",
        default_graph=[], named_graphs=[META_GRAPH, RESTRICTED_META_GRAPH])
    assert isinstance(rows, ox.QuerySolutions)
    found: dict[str, set[str]] = {}
    for row in rows:
        found.setdefault(row["p"].value, set()).add(row["o"].value)  # type: ignore[union-attr]
        found.setdefault("in", set()).add(row["m"].value)  # type: ignore[union-attr]
    return found


REFUSED = [
    # by name
    f"CLEAR GRAPH <{META_GRAPH}>",
    f"DROP SILENT GRAPH <{META_GRAPH}>",
    f"INSERT DATA {{ GRAPH <{META_GRAPH}> {{ <{OTHER}> <{P}> 1 }} }}",
    # a triple already there: still a write of the meta graph by name
    f"INSERT DATA {{ GRAPH <{META_GRAPH}> {{ <{EXAMPLE}> <{CG}access> <{CG}Public> }} }}",
    f"DELETE DATA {{ GRAPH <{META_GRAPH}> {{ <{EXAMPLE}> <{CG}access> <{CG}Public> }} }}",
    f"DELETE WHERE {{ GRAPH <{META_GRAPH}> {{ ?graph <{VOID}triples> ?n }} }}",
    f"WITH <{META_GRAPH}> DELETE {{ ?g <{VOID}triples> ?n }} WHERE {{ ?g <{VOID}triples> ?n }}",
    f"CLEAR GRAPH <{RESTRICTED_META_GRAPH}>",
    f"DELETE WHERE {{ GRAPH <{RESTRICTED_META_GRAPH}> {{ ?g <{CG}access> ?a }} }}",
    # through a variable that binds it
    f"DELETE {{ GRAPH ?g {{ ?s <{VOID}triples> ?n }} }} "
    f"WHERE {{ GRAPH ?g {{ ?s <{VOID}triples> ?n }} }}",
    f"INSERT {{ GRAPH ?g {{ ?g <{P}> 1 }} }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
    f"INSERT {{ GRAPH ?g {{ <{OTHER}> <{P}> 1 }} }} WHERE {{ VALUES ?g {{ <{META_GRAPH}> }} }}",  # noqa: S608 (SPARQL)
    f"INSERT {{ GRAPH ?g {{ <{OTHER}> <{P}> 1 }} }} "
    f"WHERE {{ BIND(IRI(CONCAT(\"{META_GRAPH[:-4]}\", \"meta\")) AS ?g) }}",
    # moved, copied or added into or out of it
    f"MOVE <{META_GRAPH}> TO <{OTHER}>",
    f"COPY <{EXAMPLE}> TO <{META_GRAPH}>",
    f"ADD <{EXAMPLE}> TO <{META_GRAPH}>",
    f"MOVE <{EXAMPLE}> TO <{RESTRICTED_META_GRAPH}>",
]


@pytest.fixture
def restricted(live: Live) -> str:
    """A restricted graph (by its IRI), so that ``RESTRICTED_META_GRAPH`` describes one."""
    graph = RESTRICTED_PREFIX + "meta-tests"
    response = httpx.put(f"{live.url}/store", params={"graph": graph}, timeout=60,
                         headers={**AUTH, "Content-Type": "text/turtle"},
                         content=f"<{OTHER}> <{P}> 1 .")
    assert response.status_code in (201, 204), response.text
    assert _description(live, graph)["in"] == {RESTRICTED_META_GRAPH}
    return graph


@pytest.mark.parametrize("update", REFUSED)
def test_an_update_that_writes_a_meta_graph_is_refused_and_writes_nothing(
        live: Live, restricted: str, update: str) -> None:
    before = snapshot(live.store)
    response = _update(live, update)
    assert response.status_code == 400, response.text
    assert "maintained by civicgraph" in response.json()["message"]
    assert snapshot(live.store) == before


def test_an_update_may_read_the_meta_graph(live: Live) -> None:
    graph = "http://example.org/meta-tests/sizes"
    response = _update(live, f"INSERT {{ GRAPH <{graph}> {{ ?g <{P}> ?n }} }} "
                             f"WHERE {{ GRAPH <{META_GRAPH}> {{ ?g <{VOID}triples> ?n }} }}")
    assert response.status_code == 204, response.text
    assert live.store.count(graph) > 0
    assert _description(live, graph)[VOID + "triples"] == {str(live.store.count(graph))}


def test_a_graph_variable_that_binds_no_meta_graph_is_still_written(live: Live) -> None:
    graph = "http://example.org/meta-tests/variable"
    assert _update(live, f"INSERT DATA {{ GRAPH <{graph}> {{ <{OTHER}> <{P}> 1, 2 }} }}"
                   ).status_code == 204
    response = _update(live, f"DELETE {{ GRAPH ?g {{ ?s <{P}> 2 }} }} "
                             f"WHERE {{ GRAPH ?g {{ ?s <{P}> 2 }} }}")
    assert response.status_code == 204, response.text
    assert live.store.count(graph) == 1
    assert _description(live, graph)[VOID + "triples"] == {"1"}


@pytest.mark.parametrize("graph", [META_GRAPH, RESTRICTED_META_GRAPH])
@pytest.mark.parametrize("method", ["PUT", "POST", "DELETE"])
def test_a_graph_store_write_of_a_meta_graph_is_refused(
        live: Live, graph: str, method: str) -> None:
    before = snapshot(live.store)
    response = httpx.request(method, f"{live.url}/store", params={"graph": graph},
                             headers={**AUTH, "Content-Type": "text/turtle"}, timeout=60,
                             content=None if method == "DELETE" else f"<{OTHER}> <{P}> 1 .")
    assert response.status_code == 400, response.text
    assert "maintained by civicgraph" in response.json()["message"]
    assert snapshot(live.store) == before


def _load_beside(live: Live, graph: str, triples: list[ox.Triple],
                 provenance: Provenance) -> None:
    """What ``civicgraph load`` does beside a server once its checks have passed: the
    replacement, through ``ServerStore.replace_graphs`` with the description it made
    (``writing.replace`` itself would wait here for the in-process server's write lock)."""
    metadata = describe(graph, provenance.with_digest(digest(triples)), len(triples))
    with server_store(live.url, CURATOR_TOKEN) as store:
        store.replace_graphs({graph: triples}, metadata=metadata)


def test_the_command_line_beside_a_server_loads_with_its_description(live: Live) -> None:
    """``civicgraph load`` through a server: the server describes the graph with the title,
    source, licence and access level the command gives (a restricted load stays restricted),
    and the size of what it wrote."""
    graph = "http://example.org/meta-tests/loaded"
    triples = [ox.Triple(ox.NamedNode(OTHER), ox.NamedNode(P), ox.Literal(str(n)))
               for n in range(3)]
    _load_beside(live, graph, triples, Provenance(
        source="beside the server", imported_by="someone", title="Loaded beside",
        licence="https://example.org/licence", access="restricted"))
    assert live.store.count(graph) == 3
    described = _description(live, graph)
    assert described["in"] == {RESTRICTED_META_GRAPH}
    assert described[CG + "access"] == {CG + "Restricted"}
    assert described[DCTERMS + "title"] == {"Loaded beside"}
    assert described[DCTERMS + "source"] == {"beside the server"}
    assert described[DCTERMS + "license"] == {"https://example.org/licence"}
    assert described[VOID + "triples"] == {"3"}
    assert described[CG + "sha256"] == {digest(triples)}
    # loaded again, public this time, with fewer triples: described anew
    _load_beside(live, graph, triples[:1],
                 Provenance(source="again", imported_by="someone", title="Again"))
    described = _description(live, graph)
    assert described["in"] == {META_GRAPH}
    assert described[DCTERMS + "title"] == {"Again"}
    assert described[VOID + "triples"] == {"1"}


def test_the_command_line_beside_a_server_drops_a_graph_with_its_description(
        live: Live) -> None:
    """A graph dropped through the server (``ServerStore.drop_graph``) goes with its
    description, which the server removes itself (the Graph Store's ``DELETE``)."""
    graph = "http://example.org/meta-tests/dropped"
    triples = [ox.Triple(ox.NamedNode(OTHER), ox.NamedNode(P), ox.Literal("1"))]
    _load_beside(live, graph, triples, Provenance(source="to drop", imported_by="someone"))
    assert _description(live, graph)
    with server_store(live.url, CURATOR_TOKEN) as store:
        store.drop_graph(graph)
    assert graph not in live.store.graphs()
    assert _description(live, graph) == {}



def test_a_file_loaded_again_beside_a_server_is_recognised_unchanged(live: Live) -> None:
    """The server records the digest of the triples it wrote, not of the file the command
    read: the command recognises an unchanged load by either (else every ``civicgraph load``
    of the same file beside a server rewrote the graph and made every kept answer over it
    evaluated again)."""
    from graph.ingest.loading import _unchanged
    from graph.ingest.provenance import CC_BY

    graph = "http://example.org/meta-tests/reloaded"
    triples = [ox.Triple(ox.NamedNode(OTHER), ox.NamedNode(P), ox.Literal(str(n)))
               for n in range(4)]
    _load_beside(live, graph, triples, Provenance(source="file.ttl", imported_by="someone",
                                                  title="file.ttl", access="public"))
    description = {"title": "file.ttl", "source": "file.ttl", "licence": CC_BY,
                   "access": "public", "sha256": digest(b"the file's bytes")}
    with server_store(live.url, CURATOR_TOKEN) as store:
        assert _unchanged(store, graph, triples, description)
        assert not _unchanged(store, graph, triples[:3], description)   # fewer triples
        other = [*triples[:3], ox.Triple(ox.NamedNode(OTHER), ox.NamedNode(P), ox.Literal("x"))]
        assert not _unchanged(store, graph, other, description)   # as many, another one
        assert not _unchanged(store, graph, triples, {**description, "title": "other"})


PUBLIC_PERSONS = "https://w3id.org/civicgraph/graph/public-persons"
FOAF = "http://xmlns.com/foaf/0.1/"


@pytest.mark.parametrize("write", [
    ("PUT", {"graph": PUBLIC_PERSONS}, f"<{OTHER}> <{P}> 1 ."),
    ("POST", {"graph": PUBLIC_PERSONS}, f"<{OTHER}> a <{FOAF}Person> ; <{FOAF}name> \"X\" ."),
    ("DELETE", {"graph": PUBLIC_PERSONS}, None),
    ("update", None,
     f"INSERT DATA {{ GRAPH <{PUBLIC_PERSONS}> {{ <{OTHER}> <{FOAF}name> \"X\" }} }}"),
    ("update", None, f"DELETE WHERE {{ GRAPH <{PUBLIC_PERSONS}> {{ ?s ?p ?o }} }}"),
    ("update", None, f"INSERT {{ GRAPH ?g {{ <{OTHER}> <{P}> 1 }} }} "
                     f"WHERE {{ BIND(<{PUBLIC_PERSONS}> AS ?g) }}"),
])
def test_a_write_of_the_public_view_of_persons_is_refused(
        live: Live, write: tuple[str, dict[str, str] | None, str | None]) -> None:
    """The public view of persons is derived from the consent records after each write: a
    client's write of it was answered 2xx and thrown away; it is a 400 saying so."""
    method, params, body = write
    before = snapshot(live.store)
    if method == "update":
        assert body is not None
        response = _update(live, body)
    else:
        response = httpx.request(method, f"{live.url}/store", params=params, timeout=60,
                                 headers={**AUTH, "Content-Type": "text/turtle"},
                                 content=body)
    assert response.status_code == 400, response.text
    assert "derived by civicgraph" in response.json()["message"]
    assert snapshot(live.store) == before


def test_a_blank_node_shared_by_two_graphs_of_one_replacement_stays_one(live: Live) -> None:
    """The command line sends each graph of a file as a part of one request: a blank node
    label names one node across the parts (a TriG file's node in two graphs), a fresh one,
    never a node the store already held under that label."""
    first, second = "http://example.org/meta-tests/b1", "http://example.org/meta-tests/b2"
    node = ox.BlankNode("shared")
    contents = {first: [ox.Triple(node, ox.NamedNode(P), ox.Literal("1"))],
                second: [ox.Triple(node, ox.NamedNode(P), ox.Literal("2"))]}
    metadata = [t for g, triples in contents.items() for t in describe(
        g, Provenance(source="two graphs", imported_by="someone").with_digest(digest(triples)),
        len(triples))]
    with server_store(live.url, CURATOR_TOKEN) as store:
        store.replace_graphs(contents, metadata=metadata)
    joined = live.store.query(f'SELECT ?b WHERE {{ GRAPH <{first}> {{ ?b <{P}> "1" }} '
                              f'GRAPH <{second}> {{ ?b <{P}> "2" }} }}')
    (row,) = list(joined)  # type: ignore[arg-type]
    assert row["b"] != node   # a fresh node, not the label the client gave
