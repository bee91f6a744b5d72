"""Batched, resumable replacements on a real Oxigraph server (``graph.store.batching``)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pyoxigraph as ox
import pytest

from bench.servers import Server
from graph.errors import StoreError, StoreUnavailable
from graph.namespaces import CG, META_GRAPH, STAGING_PREFIX, graph_iri
from graph.store.batching import batches, replace_in_batches, source_sha256
from graph.store.remote import RemoteStore
from tests.support.engines import empty_remote

EX = "http://example.org/"
G = graph_iri("batched")
P = ox.NamedNode(EX + "p")
SIZE = 10


def triple(i: int, value: str = "v") -> ox.Triple:
    return ox.Triple(ox.NamedNode(f"{EX}s{i}"), P, ox.Literal(f"{value}{i}"))


def described(sha256: str | None, title: str = "batched") -> list[ox.Triple]:
    node = ox.NamedNode(G)
    out = [ox.Triple(node, ox.NamedNode("http://purl.org/dc/terms/title"), ox.Literal(title))]
    if sha256:
        out.append(ox.Triple(node, ox.NamedNode(CG + "sha256"), ox.Literal(sha256)))
    return out


def content(n: int, value: str = "v") -> list[ox.Triple]:
    blank = ox.BlankNode()
    return [*(triple(i, value) for i in range(n)),
            ox.Triple(ox.NamedNode(EX + "shared"), P, blank),
            ox.Triple(blank, P, ox.Literal("behind a blank node"))]


class Cut(httpx.BaseTransport):
    """Counts the batches POSTed to the Graph Store and fails after ``after`` of them."""

    def __init__(self, after: int | None = None,
                 error: type[BaseException] = httpx.ConnectError) -> None:
        self.inner = httpx.HTTPTransport()
        self.after = after
        self.error = error
        self.posted = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and request.url.path == "/store":
            if self.after is not None and self.posted >= self.after:
                if self.error is httpx.ConnectError:
                    raise httpx.ConnectError("connection cut", request=request)
                raise self.error()
            self.posted += 1
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


def staging_graphs(server: Server) -> list[str]:
    """The staging graphs of the server, read directly (the store never lists them)."""
    listed = httpx.post(f"{server.url}/query", timeout=30,
                        data={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { } }"},
                        headers={"Accept": "text/csv"}).text.split()[1:]
    return [g for g in listed if g.startswith(STAGING_PREFIX)]


def stored(store: RemoteStore) -> list[str]:
    result = store.query(f"SELECT ?o WHERE {{ ?s <{P.value}> ?o }}", default_graph=[G])
    assert isinstance(result, ox.QuerySolutions)
    return sorted("_" if isinstance(row["o"], ox.BlankNode) else row["o"].value
                  for row in result)


@pytest.fixture
def remote(oxigraph_server: Server) -> Iterator[RemoteStore]:
    store = empty_remote(oxigraph_server)
    try:
        yield store
    finally:
        store.close()


def opened(server: Server, transport: httpx.BaseTransport) -> RemoteStore:
    return RemoteStore(server.url, transport=transport)


# -- documents ----------------------------------------------------------------------------

@pytest.mark.parametrize(("n", "sizes"), [(0, [2]), (10, [10, 2]), (25, [10, 10, 5, 2])])
def test_batches_hold_blank_nodes_back_to_one_last_document(n: int, sizes: list[int]) -> None:
    documents = list(batches(content(n), SIZE))
    assert [len(list(ox.parse(d, ox.RdfFormat.N_TRIPLES))) for d, _ in documents] == sizes
    assert [held for _, held in documents] == [False] * (len(sizes) - 1) + [True]
    last = list(ox.parse(documents[-1][0], ox.RdfFormat.N_TRIPLES))
    assert last[0].object == last[1].subject      # one blank node, one label


def test_source_sha256_reads_the_targets_description() -> None:
    assert source_sha256(G, described("ab12")) == "ab12"
    assert source_sha256(G, described(None)) is None
    assert source_sha256(graph_iri("other"), described("ab12")) is None


# -- replacing ----------------------------------------------------------------------------

def test_a_batched_replacement_is_whole_and_leaves_nothing_behind(
        remote: RemoteStore, oxigraph_server: Server) -> None:
    cut = Cut()
    store = opened(oxigraph_server, cut)
    try:
        replace_in_batches(store, {G: content(25)}, metadata=described("abc"), batch_size=SIZE)
    finally:
        store.close()
    assert cut.posted == 4
    assert stored(remote) == sorted(["_", "behind a blank node",
                                     *(f"v{i}" for i in range(25))])
    blank = remote.query(f"ASK {{ <{EX}shared> <{P.value}> ?b . ?b <{P.value}> ?x }}",
                         default_graph=[G])
    assert bool(blank)
    assert remote.graphs() == sorted([G, META_GRAPH])
    assert staging_graphs(oxigraph_server) == []


@pytest.mark.parametrize("error", [httpx.ConnectError, KeyboardInterrupt])
def test_an_interrupted_load_resumes_where_it_stopped(
        remote: RemoteStore, oxigraph_server: Server, error: type[BaseException]) -> None:
    replace_in_batches(remote, {G: content(3, "old")}, metadata=described("old"))
    before = stored(remote)
    cut = Cut(after=2, error=error)
    store = opened(oxigraph_server, cut)
    try:
        with pytest.raises((StoreUnavailable, KeyboardInterrupt)):
            replace_in_batches(store, {G: content(45)}, metadata=described("new"),
                               batch_size=SIZE)
    finally:
        store.close()
    assert stored(remote) == before                     # readers never saw any of it
    assert len(staging_graphs(oxigraph_server)) == 2    # the staged batches and the ledger

    again = Cut()
    store = opened(oxigraph_server, again)
    try:
        replace_in_batches(store, {G: content(45)}, metadata=described("new"),
                           batch_size=SIZE)
    finally:
        store.close()
    assert again.posted == 6 - 2                         # 5 batches + the blank nodes
    assert stored(remote) == sorted(["_", "behind a blank node",
                                     *(f"v{i}" for i in range(45))])
    assert staging_graphs(oxigraph_server) == []


def test_a_load_without_a_source_hash_is_not_kept(remote: RemoteStore,
                                                  oxigraph_server: Server) -> None:
    store = opened(oxigraph_server, Cut(after=1, error=KeyboardInterrupt))
    try:
        with pytest.raises(KeyboardInterrupt):
            replace_in_batches(store, {G: content(30)}, metadata=described(None),
                               batch_size=SIZE)
    finally:
        store.close()
    assert staging_graphs(oxigraph_server) == []


def test_a_broken_source_is_never_resumed(remote: RemoteStore,
                                          oxigraph_server: Server) -> None:
    def broken() -> Iterator[ox.Triple]:
        yield from (triple(i) for i in range(25))
        raise RuntimeError("the file is cut short")

    with pytest.raises(RuntimeError, match="cut short"):
        replace_in_batches(remote, {G: broken()}, metadata=described("abc"), batch_size=SIZE)
    assert staging_graphs(oxigraph_server) == []
    assert G not in remote.graphs()


def test_batches_of_another_source_under_the_same_hash_are_discarded(
        remote: RemoteStore, oxigraph_server: Server) -> None:
    store = opened(oxigraph_server, Cut(after=2))
    try:
        with pytest.raises(StoreUnavailable):
            replace_in_batches(store, {G: content(30)}, metadata=described("same"),
                               batch_size=SIZE)
    finally:
        store.close()
    with pytest.raises(StoreError, match="do not match"):
        replace_in_batches(remote, {G: content(30, "other")}, metadata=described("same"),
                           batch_size=SIZE)
    assert staging_graphs(oxigraph_server) == []
    replace_in_batches(remote, {G: content(30, "other")}, metadata=described("same"),
                       batch_size=SIZE)
    assert stored(remote)[:3] == ["_", "behind a blank node", "other0"]


class CutAtCommit(Cut):
    """Lets every batch through, then the connection drops before the commit."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/update" and b"MOVE" in request.read():
            raise httpx.ConnectError("connection cut", request=request)
        return super().handle_request(request)


def test_a_load_cut_at_its_commit_sends_only_its_blank_nodes_again(
        remote: RemoteStore, oxigraph_server: Server) -> None:
    store = opened(oxigraph_server, CutAtCommit())
    try:
        with pytest.raises(StoreUnavailable):
            replace_in_batches(store, {G: content(20)}, metadata=described("abc"),
                               batch_size=SIZE)
    finally:
        store.close()
    again = Cut()
    store = opened(oxigraph_server, again)
    try:
        replace_in_batches(store, {G: content(20)}, metadata=described("abc"),
                           batch_size=SIZE)
    finally:
        store.close()
    assert again.posted == 1
    values = stored(remote)
    assert values.count("_") == 1 and values.count("behind a blank node") == 1
    assert len(values) == 22
