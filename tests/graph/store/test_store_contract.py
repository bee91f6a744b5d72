"""The store contract: the same tests on the three backends (memory, on disk, remote server)."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from graph.errors import QuerySyntaxError, StoreError, StoreUnavailable
from graph.namespaces import META_GRAPH, STAGING_PREFIX, graph_iri
from graph.store import Store, open_store
from graph.store.embedded import OxigraphStore, unfinished_graphs
from graph.store.remote import RemoteStore
from graph.store.staging import PENDING_GRAPH, PENDING_IMPORT, new_staging_iri

EX = "http://example.org/"
G1 = graph_iri("test-one")
G2 = graph_iri("test-two")
P = ox.NamedNode(EX + "p")
TITLE = ox.NamedNode("http://purl.org/dc/terms/title")


def triple(s: str, o: str | ox.Literal | ox.NamedNode) -> ox.Triple:
    value = ox.Literal(o) if isinstance(o, str) else o
    return ox.Triple(ox.NamedNode(EX + s), P, value)


def described(graph: str, title: str) -> list[ox.Triple]:
    return [ox.Triple(ox.NamedNode(graph), TITLE, ox.Literal(title))]


def dump(store: Store) -> bytes:
    """Every visible quad, sorted (blank nodes excepted), as N-Quads."""
    out = io.BytesIO()
    store.dump(out, ox.RdfFormat.N_QUADS)
    return b"\n".join(sorted(out.getvalue().splitlines()))


def values(result: object, name: str) -> list[str]:
    assert isinstance(result, ox.QuerySolutions)
    return sorted(row[name].value for row in result)


@pytest.fixture
def filled(store: Store) -> Store:
    """Two graphs with descriptions in the meta graph."""
    store.replace_graph(G1, [triple("a", "one"), triple("b", "two")],
                        metadata=described(G1, "first"))
    store.replace_graph(G2, [triple("c", "three")], metadata=described(G2, "second"))
    return store


# -- queries ------------------------------------------------------------------------------

def test_select_ask_construct_give_pyoxigraph_types(filled: Store) -> None:
    select = filled.query(f"SELECT ?o WHERE {{ ?s <{P.value}> ?o }}")
    assert values(select, "o") == ["one", "three", "two"]
    ask = filled.query(f"ASK {{ <{EX}a> <{P.value}> 'one' }}")
    assert isinstance(ask, ox.QueryBoolean) and bool(ask)
    assert not filled.query(f"ASK {{ <{EX}a> <{P.value}> 'nope' }}")
    construct = filled.query(f"CONSTRUCT {{ ?s <{EX}q> ?o }} WHERE {{ ?s <{P.value}> ?o }}")
    triples = list(construct)  # type: ignore[arg-type]
    assert all(isinstance(t, ox.Triple) for t in triples)
    assert {t.object.value for t in triples} == {"one", "two", "three"}
    describe = list(filled.query(f"DESCRIBE <{EX}c>"))  # type: ignore[arg-type]
    assert [t.object.value for t in describe] == ["three"]


def test_literal_types_survive_every_backend(store: Store) -> None:
    terms = [ox.Literal("Montreuil", language="fr"), ox.Literal("42", datatype=ox.NamedNode(
        "http://www.w3.org/2001/XMLSchema#integer")), ox.Literal('say "hi"\n\\ done'),
        ox.NamedNode(EX + "x")]
    store.replace_graph(G1, [triple(f"s{i}", t) for i, t in enumerate(terms)])
    result = store.query(f"SELECT ?o WHERE {{ ?s <{P.value}> ?o }}")
    assert isinstance(result, ox.QuerySolutions)
    assert {row["o"] for row in result} == set(terms)


@pytest.mark.parametrize("text", [
    'say "hello"',
    "it's",
    '"} } ; DROP ALL ; SELECT * { ?s ?p ?o',
    "\\\" ) } INSERT DATA { <http://evil/> <http://evil/> 1 } #",
    "line\nbreak",
])
def test_substitutions_are_data_never_syntax(filled: Store, text: str) -> None:
    filled.replace_graph(G2, [triple("quoted", text)], metadata=described(G2, "second"))
    query = f"SELECT ?s WHERE {{ ?s <{P.value}> ?o }}"
    result = filled.query(query, substitutions={"o": ox.Literal(text)})
    assert values(result, "s") == [EX + "quoted"]
    assert filled.count(G1) == 2      # nothing was dropped or inserted
    assert not filled.query("ASK { GRAPH ?g { <http://evil/> ?p ?o } }")


def test_substitution_of_an_unprojected_variable(filled: Store) -> None:
    result = filled.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s <{P.value}> ?o }}",
                          substitutions={"s": ox.NamedNode(EX + "a")})
    assert values(result, "n") == ["1"]


def test_substitutions_in_ask_and_construct(filled: Store) -> None:
    assert bool(filled.query(f"ASK {{ ?s <{P.value}> ?o }}",
                             substitutions={"o": ox.Literal("three")}))
    assert not bool(filled.query(f"ASK {{ ?s <{P.value}> ?o }}",
                                 substitutions={"o": ox.Literal("four")}))
    built = list(filled.query(  # type: ignore[arg-type]
        f"CONSTRUCT {{ ?s <{EX}q> '}}' }} WHERE {{ ?s <{P.value}> ?o }}",
        substitutions={"o": ox.Literal("two")}))
    assert [t.subject.value for t in built] == [EX + "b"]


def test_union_default_graph_and_explicit_graphs(filled: Store) -> None:
    everything = f"SELECT ?o WHERE {{ ?s <{P.value}> ?o }}"
    assert values(filled.query(everything), "o") == ["one", "three", "two"]
    assert values(filled.query(everything, default_graph=[G1]), "o") == ["one", "two"]
    assert values(filled.query(everything, default_graph=[G2]), "o") == ["three"]
    assert values(filled.query(everything, default_graph=[]), "o") == []
    by_graph = f"SELECT ?g WHERE {{ GRAPH ?g {{ ?s <{P.value}> 'three' }} }}"
    assert values(filled.query(by_graph), "g") == [G2]
    assert values(filled.query(by_graph, named_graphs=[G1]), "g") == []
    assert values(filled.query(by_graph, default_graph=[G1]), "g") == [G2]


def test_query_syntax_error_has_a_position(store: Store) -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        store.query("SELECT ?s WHERE {\n  ?s ?p \n}")
    assert caught.value.line == 3
    assert caught.value.column is not None


def test_update_runs_and_refuses_bad_syntax(filled: Store) -> None:
    filled.update(f"INSERT DATA {{ GRAPH <{G1}> {{ <{EX}d> <{P.value}> 'four' }} }}")
    assert filled.count(G1) == 3
    before = dump(filled)
    with pytest.raises(QuerySyntaxError):
        filled.update("INSERT DATA { GRAPH <x> { oops")
    assert dump(filled) == before


# -- graphs, counts, dumps ---------------------------------------------------------------

def test_graphs_and_counts(filled: Store) -> None:
    assert filled.graphs() == sorted([G1, G2, META_GRAPH])
    assert filled.count(G1) == 2
    assert filled.count(G2) == 1
    assert filled.count(graph_iri("absent")) == 0
    assert filled.count() == 5


def test_drop_graph_removes_content_and_description(filled: Store) -> None:
    filled.drop_graph(G1)
    assert filled.graphs() == sorted([G2, META_GRAPH])
    meta = filled.query(f"SELECT ?t WHERE {{ <{G1}> <{TITLE.value}> ?t }}")
    assert values(meta, "t") == []
    assert values(filled.query(f"SELECT ?t WHERE {{ <{G2}> <{TITLE.value}> ?t }}"),
                  "t") == ["second"]
    filled.drop_graph(graph_iri("never-there"))   # silent


@pytest.mark.parametrize("format", [ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG])
def test_dump_round_trips(filled: Store, format: ox.RdfFormat) -> None:
    out = io.BytesIO()
    filled.dump(out, format)
    quads = {(q.subject, q.predicate, q.object, q.graph_name)
             for q in ox.parse(out.getvalue(), format)}
    assert (ox.NamedNode(EX + "c"), P, ox.Literal("three"), ox.NamedNode(G2)) in quads
    assert len(quads) == 5
    only = io.BytesIO()
    filled.dump(only, format, [G2])
    assert len(list(ox.parse(only.getvalue(), format))) == 1


def test_dump_refuses_a_triples_format(filled: Store) -> None:
    with pytest.raises(ValueError, match="named graphs"):
        filled.dump(io.BytesIO(), ox.RdfFormat.TURTLE)


# -- replacement --------------------------------------------------------------------------

def test_replace_graph_replaces_content_and_description(filled: Store) -> None:
    filled.replace_graph(G1, [triple("z", "new")], metadata=described(G1, "renamed"))
    assert values(filled.query(f"SELECT ?o WHERE {{ ?s <{P.value}> ?o }}",
                               default_graph=[G1]), "o") == ["new"]
    assert values(filled.query(f"SELECT ?t WHERE {{ <{G1}> <{TITLE.value}> ?t }}"),
                  "t") == ["renamed"]
    assert filled.count(G2) == 1


def test_replace_graph_accepts_quads_and_ignores_their_graph(store: Store) -> None:
    quad = ox.Quad(ox.NamedNode(EX + "q"), P, ox.Literal("v"), ox.NamedNode(EX + "elsewhere"))
    store.replace_graph(G1, [quad])
    assert store.graphs() == [G1]


def test_replace_with_nothing_empties_the_graph(filled: Store) -> None:
    filled.replace_graph(G1, [], metadata=described(G1, "empty now"))
    assert G1 not in filled.graphs()
    assert filled.count(G1) == 0


def test_replace_graphs_is_all_or_nothing_across_graphs(filled: Store) -> None:
    filled.replace_graphs({G1: [triple("x", "1")], G2: [triple("y", "2")]},
                          metadata=described(G1, "a") + described(G2, "b"))
    assert filled.count(G1) == filled.count(G2) == 1
    before = dump(filled)

    def failing() -> Iterator[ox.Triple]:
        yield triple("w", "3")
        raise RuntimeError("source broke")

    with pytest.raises(RuntimeError, match="source broke"):
        filled.replace_graphs({G1: [triple("v", "4")], G2: failing()})
    assert dump(filled) == before


def broken(after: int) -> Iterator[ox.Triple]:
    for i in range(after):
        yield triple(f"new{i}", str(i))
    raise RuntimeError("interrupted half-way")


@pytest.mark.parametrize("target", [G1, graph_iri("brand-new")])
def test_an_interrupted_replacement_leaves_the_store_as_it_was(filled: Store,
                                                               target: str) -> None:
    before = dump(filled)
    graphs = filled.graphs()
    with pytest.raises(RuntimeError, match="half-way"):
        filled.replace_graph(target, broken(1000), metadata=described(target, "never"))
    assert dump(filled) == before
    assert filled.graphs() == graphs
    leftovers = filled.query("SELECT ?g WHERE { GRAPH ?g { } }")
    assert not any(v.startswith(STAGING_PREFIX) for v in values(leftovers, "g"))


@pytest.mark.parametrize("target", [G1, graph_iri("fresh")])
def test_staging_graphs_are_never_seen(filled: Store, target: str) -> None:
    seen: list[tuple[list[str], list[str], list[str], list[str]]] = []
    everything = f"SELECT ?o WHERE {{ ?s <{P.value}> ?o }}"
    named = f"SELECT ?o WHERE {{ GRAPH ?g {{ ?s <{P.value}> ?o }} }}"

    def watching() -> Iterator[ox.Triple]:
        for i in range(3):
            # the replacement is under way: its triples must not show anywhere
            seen.append((filled.graphs(), values(filled.query(everything), "o"),
                         values(filled.query(everything, default_graph=[target, G2]), "o"),
                         values(filled.query(named), "o")))
            yield triple(f"n{i}", f"staged{i}")

    filled.replace_graph(target, watching(), metadata=described(target, "after"))
    assert len(seen) == 3
    for graphs, union, explicit, by_graph in seen:
        assert not any(g.startswith(STAGING_PREFIX) for g in graphs)
        assert not any(v.startswith("staged") for v in union + explicit + by_graph)
    assert values(filled.query(everything, default_graph=[target]), "o") == [
        "staged0", "staged1", "staged2"]
    listed = values(filled.query("SELECT ?g WHERE { GRAPH ?g { } }"), "g")
    assert not any(g.startswith(STAGING_PREFIX) for g in listed)


def test_a_reader_sees_old_or_new_never_a_mix(filled: Store) -> None:
    old = {"one", "two"}
    new = {f"v{i}" for i in range(200)}
    stop = threading.Event()
    mixes: list[set[str]] = []
    query = f"SELECT ?o WHERE {{ GRAPH <{G1}> {{ ?s <{P.value}> ?o }} }}"

    def read() -> None:
        while not stop.is_set():
            found = set(values(filled.query(query), "o"))
            if found not in (old, new):
                mixes.append(found)

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for _ in range(3):
            filled.replace_graph(G1, [triple(f"n{v}", v) for v in sorted(new)])
            filled.replace_graph(G1, [triple("a", "one"), triple("b", "two")])
    finally:
        stop.set()
        reader.join(timeout=30)
    assert mixes == []


def test_staging_iris_are_under_the_staging_prefix() -> None:
    assert new_staging_iri().startswith(STAGING_PREFIX)
    assert new_staging_iri() != new_staging_iri()


# -- backend specifics --------------------------------------------------------------------

def test_open_store_names_the_backend(tmp_path: Path) -> None:
    with open_store("memory") as memory:
        assert memory.kind == "memory"
    with open_store(str(tmp_path / "disk")) as disk:
        assert disk.kind == "oxigraph"
        assert isinstance(disk, OxigraphStore)


def test_on_disk_store_persists_and_recovers_from_a_crash(tmp_path: Path) -> None:
    location = tmp_path / "store"
    first = OxigraphStore(location)
    first.replace_graph(G1, [triple("a", "one")], metadata=described(G1, "kept"))
    # what a crash during an import leaves: a staging graph and a target filled in place
    staging = ox.NamedNode(new_staging_iri())
    first.ox.add(ox.Quad(ox.NamedNode(EX + "s"), P, ox.Literal("half"), staging))
    half = ox.NamedNode(graph_iri("half-loaded"))
    first.ox.add(ox.Quad(half, ox.NamedNode(PENDING_IMPORT), ox.Literal("t"),
                         ox.NamedNode(PENDING_GRAPH)))
    first.ox.add(ox.Quad(ox.NamedNode(EX + "s"), P, ox.Literal("half"), half))
    # what a reader of a checkpoint of this store must skip
    assert unfinished_graphs(first.ox) == {staging.value, half.value, PENDING_GRAPH}
    first.close()
    second = OxigraphStore(location)
    try:
        assert second.graphs() == sorted([G1, META_GRAPH])
        assert len(second.ox) == 2     # the triple and its description, nothing else
    finally:
        second.close()


def test_remote_store_unreachable_is_store_unavailable() -> None:
    from bench.servers import free_port
    store = RemoteStore(f"http://127.0.0.1:{free_port()}", timeout=2)
    try:
        with pytest.raises(StoreUnavailable):
            store.query("ASK { }")
        with pytest.raises(StoreUnavailable):
            store.replace_graph(G1, [triple("a", "one")])
    finally:
        store.close()


def test_remote_upload_cut_half_way_leaves_the_store_as_it_was(oxigraph_server: object) -> None:
    from bench.servers import Server
    from tests.support.engines import empty_remote
    assert isinstance(oxigraph_server, Server)
    remote = empty_remote(oxigraph_server)
    try:
        remote.replace_graph(G1, [triple("a", "one")], metadata=described(G1, "kept"))
        before = dump(remote)

        class CutAfterStaging(httpx.BaseTransport):
            """Lets the upload through, then the connection drops before the commit."""

            def __init__(self) -> None:
                self.inner = httpx.HTTPTransport()

            def handle_request(self, request: httpx.Request) -> httpx.Response:
                if request.url.path == "/update" and b"MOVE" in request.read():
                    raise httpx.ConnectError("connection cut", request=request)
                return self.inner.handle_request(request)

            def close(self) -> None:
                self.inner.close()

        cut = RemoteStore(oxigraph_server.url, transport=CutAfterStaging())
        try:
            with pytest.raises(StoreUnavailable):
                cut.replace_graph(G1, (triple(f"n{i}", str(i)) for i in range(500)),
                                  metadata=described(G1, "never"))
        finally:
            cut.close()
        assert dump(remote) == before
        # the staging graph is never listed nor read, and a later opening removes it once old
        assert remote.graphs() == sorted([G1, META_GRAPH])
        assert values(remote.query(f"SELECT ?o WHERE {{ ?s <{P.value}> ?o }}"), "o") == ["one"]
        remote.recover(older_than=0)
        raw = httpx.post(f"{oxigraph_server.url}/query",
                         data={"query": "SELECT ?g WHERE { GRAPH ?g { } }"},
                         headers={"Accept": "text/csv"}).text
        assert STAGING_PREFIX not in raw
    finally:
        remote.close()


def test_remote_server_error_is_a_store_error(oxigraph_server: object) -> None:
    from bench.servers import Server
    assert isinstance(oxigraph_server, Server)
    remote = RemoteStore(oxigraph_server.url, query_url=oxigraph_server.url + "/nowhere")
    try:
        with pytest.raises(StoreError):
            remote.query("ASK { }")
    finally:
        remote.close()
