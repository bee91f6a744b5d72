"""The query engine on each backend: scoping, read-your-writes, snapshots, the time limit."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from graph.engine.execution import QueryEngine
from graph.engine.snapshots import Snapshots, SnapshotStore, VersionedStore
from graph.errors import ForbiddenOperation, QuerySyntaxError, QueryTimeout, ResultTooLarge
from graph.namespaces import CG, META_GRAPH, RESTRICTED_PREFIX
from graph.sparql.request import Dataset, QueryJob
from graph.store import Store

EX = "http://example.org/"
PUBLIC = "https://w3id.org/civicgraph/graph/public-part"
HIDDEN = RESTRICTED_PREFIX + "people"
UNDESCRIBED = "https://w3id.org/civicgraph/graph/undescribed"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
ENDLESS = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . "
           "?m ?n2 ?o . ?q ?r ?t }")


def triples(prefix: str, n: int) -> list[ox.Triple]:
    return [ox.Triple(ox.NamedNode(f"{EX}{prefix}{i}"), ox.NamedNode(EX + "p"),
                      ox.Literal(f"{prefix} {i}")) for i in range(n)]


def public(graph: str) -> list[ox.Triple]:
    return [ox.Triple(ox.NamedNode(graph), ox.NamedNode(CG + "access"),
                      ox.NamedNode(CG + "Public"))]


def fill(store: Store) -> Store:
    store.replace_graph(PUBLIC, triples("pub", 30), metadata=public(PUBLIC))
    store.replace_graph(HIDDEN, triples("secret", 5), metadata=public(HIDDEN))
    store.replace_graph(UNDESCRIBED, triples("other", 7))
    return store


@pytest.fixture
def engine(store: Store) -> Iterator[QueryEngine]:
    engine = QueryEngine(VersionedStore(fill(store)), timeout=20, workers=1, result_limit=1000)
    try:
        yield engine
    finally:
        engine.close()


def number(engine: QueryEngine, job: QueryJob) -> int:
    result = engine.view(job.scope).query(job.sparql)
    assert isinstance(result, ox.QuerySolutions)
    return int(next(iter(result))["n"].value)


def test_processes_for_embedded_stores_threads_for_a_remote_one(engine: QueryEngine) -> None:
    assert engine.uses_processes == (engine.store.kind in ("memory", "oxigraph"))


def test_the_public_sees_only_public_graphs(engine: QueryEngine) -> None:
    meta = engine.store.count(META_GRAPH)
    assert number(engine, QueryJob(COUNT, "public")) == 30 + meta
    assert number(engine, QueryJob(COUNT, "all")) == 30 + 5 + 7 + meta
    view = engine.view("public")
    assert set(view.graphs()) == {PUBLIC, META_GRAPH}
    graphs = view.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert {row["g"].value for row in graphs} == {PUBLIC, META_GRAPH}  # type: ignore[union-attr]


def test_jobs_answer_in_the_requested_format(engine: QueryEngine) -> None:
    answer = engine.run(QueryJob(f"SELECT ?s WHERE {{ GRAPH <{UNDESCRIBED}> {{ ?s ?p ?o }} }}",
                                 "all", solutions_format="csv"))
    assert answer.media_type == "text/csv" and answer.count == 7
    dataset = Dataset((UNDESCRIBED,), ())
    assert engine.run(QueryJob(COUNT, "public", dataset=dataset)).body.count(b'"0"') == 1


def test_errors_come_back_from_the_workers(engine: QueryEngine) -> None:
    with pytest.raises(QuerySyntaxError) as raised:
        engine.run(QueryJob("SELECT * WHERE { ?s ?p }", "public"))
    assert raised.value.line == 1
    with pytest.raises(ForbiddenOperation):
        engine.run(QueryJob("SELECT * { SERVICE <http://e/> { ?s ?p ?o } }", "public"))
    with pytest.raises(ResultTooLarge):
        engine.run(QueryJob("SELECT * { ?s ?p ?o }", "all", limit=3))


def test_a_reader_sees_what_was_written_before(engine: QueryEngine) -> None:
    before = number(engine, QueryJob(COUNT, "public"))
    engine.store.update(f'INSERT DATA {{ GRAPH <{PUBLIC}> {{ <{EX}new> <{EX}p> "new" }} }}')
    assert number(engine, QueryJob(COUNT, "public")) == before + 1
    engine.store.drop_graph(PUBLIC)
    assert number(engine, QueryJob(COUNT, "public")) < before


@pytest.mark.parametrize("workers", [1, 2])
def test_a_query_past_the_limit_is_killed(tmp_path: Path, workers: int) -> None:
    from graph.store.embedded import OxigraphStore

    store = VersionedStore(fill(OxigraphStore(tmp_path / "store")))
    engine = QueryEngine(store, timeout=1.0, workers=workers)
    try:
        engine.start()
        pool = engine._process_pool()
        pids = {w.process.pid for w in pool._all}
        started = time.monotonic()
        with pytest.raises(QueryTimeout):
            engine.run(QueryJob(ENDLESS, "all"))
        assert time.monotonic() - started < 3
        assert pids - {w.process.pid for w in pool._all}  # one was replaced
        assert number(engine, QueryJob(COUNT, "all")) > 0  # and the engine still answers
    finally:
        engine.close()
        store.close()


class SlowWrites(Store):
    """A store whose ``replace_graph`` waits for ``release`` half-way through."""

    def __init__(self, inner: Store) -> None:
        self.inner = inner
        self.kind = inner.kind
        self.started = threading.Event()
        self.release = threading.Event()

    def query(self, sparql: str, **options: object):  # type: ignore[no-untyped-def]
        return self.inner.query(sparql, **options)  # type: ignore[arg-type]

    def update(self, sparql: str) -> None:
        self.inner.update(sparql)

    def replace_graph(self, graph: str, triples: Iterable[ox.Triple | ox.Quad],
                      *, metadata: Iterable[ox.Triple] = ()) -> None:
        self.started.set()
        assert self.release.wait(20)
        self.inner.replace_graph(graph, triples, metadata=metadata)

    def drop_graph(self, graph: str) -> None:
        self.inner.drop_graph(graph)

    def graphs(self) -> list[str]:
        return self.inner.graphs()

    def count(self, graph: str | None = None) -> int:
        return self.inner.count(graph)

    def dump(self, out, format, graphs=None):  # type: ignore[no-untyped-def]
        self.inner.dump(out, format, graphs)


def test_no_snapshot_is_taken_while_a_write_is_under_way() -> None:
    from graph.store.embedded import MemoryStore

    slow = SlowWrites(fill(MemoryStore()))
    store = VersionedStore(slow)
    snapshots = Snapshots(store)
    try:
        store.update(f'INSERT DATA {{ GRAPH <{PUBLIC}> {{ <{EX}x> <{EX}p> "x" }} }}')
        first = snapshots.current()
        writer = threading.Thread(target=store.replace_graph,
                                  args=(PUBLIC, triples("replaced", 3)))
        writer.start()
        assert slow.started.wait(10)
        # a write is under way, and none finished since the last snapshot: it is read, and
        # none is taken now
        assert snapshots.current() == first
        slow.release.set()
        writer.join(10)
        after = snapshots.current()
        assert after.version > first.version
        opened = SnapshotStore(after)
        assert opened.count(PUBLIC) == 3
        snapshots.collect(in_use=[])
        assert not Path(first.path).exists() and Path(after.path).exists()
    finally:
        slow.release.set()
        snapshots.close()
    assert not snapshots.directory.exists()


def test_a_write_finished_since_the_last_snapshot_is_not_read_around() -> None:
    """A write that finished after the last snapshot (a graph dropped: one made restricted,
    a person erased) is in whatever a query reads, even while another write is under way:
    the reader waits for it rather than read the older snapshot (which held the graph)."""
    from graph.store.embedded import MemoryStore

    slow = SlowWrites(fill(MemoryStore()))
    store = VersionedStore(slow)
    snapshots = Snapshots(store)
    try:
        first = snapshots.current()
        assert SnapshotStore(first).count(HIDDEN) == 5
        store.update(f"DROP GRAPH <{HIDDEN}>")   # finished; no query since: no snapshot
        writer = threading.Thread(target=store.replace_graph,
                                  args=(PUBLIC, triples("replaced", 3)))
        writer.start()
        assert slow.started.wait(10)
        read: list[object] = []
        reader = threading.Thread(target=lambda: read.append(snapshots.current()))
        reader.start()
        reader.join(0.5)
        assert reader.is_alive() and not read   # waits for the write under way
        slow.release.set()
        writer.join(10)
        reader.join(10)
        assert len(read) == 1 and read[0] != first
        assert SnapshotStore(read[0]).count(HIDDEN) == 0   # type: ignore[arg-type]
    finally:
        slow.release.set()
        snapshots.close()


def test_checkpoints_sit_beside_the_store_and_are_removed(tmp_path: Path) -> None:
    from graph.store.embedded import OxigraphStore

    store = VersionedStore(fill(OxigraphStore(tmp_path / "store")))
    snapshots = Snapshots(store)
    try:
        snapshot = snapshots.current()
        assert snapshot.kind == "checkpoint"
        assert Path(snapshot.path).parent.parent == tmp_path
        assert SnapshotStore(snapshot).count(PUBLIC) == 30
    finally:
        snapshots.close()
        store.close()
    assert not any(p.name.startswith(".civicgraph-snapshots-") for p in tmp_path.iterdir())


def test_a_closed_engine_refuses_queries_and_makes_no_snapshot_again(tmp_path: Path) -> None:
    from graph.errors import StoreUnavailable
    from graph.store.embedded import OxigraphStore

    store = VersionedStore(fill(OxigraphStore(str(tmp_path / "store"))))
    engine = QueryEngine(store, timeout=20, workers=1)
    job = engine.job(COUNT, "all")
    try:
        assert engine.run(job).count == 1
        engine.close()   # a background evaluation may still come after (the refresher)
        with pytest.raises(StoreUnavailable, match="closed"):
            engine.run(engine.job(COUNT + " LIMIT 1", "all"))
        assert not list(tmp_path.glob(".civicgraph-snapshots-*")), "a checkpoint outlived it"
    finally:
        engine.close()
        store.close()


def test_closed_snapshots_make_no_checkpoint_again(tmp_path: Path) -> None:
    from graph.errors import StoreUnavailable
    from graph.store.embedded import OxigraphStore

    store = VersionedStore(fill(OxigraphStore(str(tmp_path / "store"))))
    snapshots = Snapshots(store)
    try:
        assert Path(snapshots.current().path).is_dir()
        snapshots.close()   # a query in flight may still ask for one (a background round)
        store.replace_graph(PUBLIC, triples("later", 3), metadata=public(PUBLIC))
        with pytest.raises(StoreUnavailable, match="closed"):
            snapshots.current()
        assert not list(tmp_path.glob(".civicgraph-snapshots-*")), "a checkpoint outlived it"
    finally:
        snapshots.close()
        store.close()
