"""Page lookups: on the store itself, scoped like the workers, within their own bound."""

from __future__ import annotations

import threading
import time

import pyoxigraph as ox
import pytest

from graph.engine.lookups import Lookups
from graph.engine.snapshots import VersionedStore
from graph.errors import NotFound, QueryTimeout, StoreError
from graph.namespaces import CG, META_GRAPH, RESTRICTED_PREFIX
from graph.sparql.request import QueryJob
from graph.store import Store

EX = "http://example.org/"
PUBLIC = "https://w3id.org/civicgraph/graph/public-part"
HIDDEN = RESTRICTED_PREFIX + "people"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def facts(prefix: str, n: int) -> list[ox.Triple]:
    return [ox.Triple(ox.NamedNode(f"{EX}{prefix}{i}"), ox.NamedNode(EX + "p"),
                      ox.Literal(f"{prefix} {i}")) for i in range(n)]


def public(graph: str) -> list[ox.Triple]:
    return [ox.Triple(ox.NamedNode(graph), ox.NamedNode(CG + "access"),
                      ox.NamedNode(CG + "Public"))]


def count(view: Store) -> int:
    result = view.query(COUNT)
    assert isinstance(result, ox.QuerySolutions)
    return int(next(iter(result))["n"].value)


def test_lookups_see_what_their_scope_may_read(store: Store) -> None:
    versioned = VersionedStore(store)
    versioned.replace_graph(PUBLIC, facts("pub", 4), metadata=public(PUBLIC))
    versioned.replace_graph(HIDDEN, facts("secret", 3), metadata=public(HIDDEN))
    lookups = Lookups(versioned)
    meta = store.count(META_GRAPH)
    assert lookups.run(count, "public") == 4 + meta
    assert lookups.run(count, "all") == 4 + 3 + meta
    assert lookups.run(lambda view: view.graphs(), "public") == sorted([PUBLIC, META_GRAPH])
    # a graph named by the caller is read only if the scope may read it
    assert lookups.run(lambda v: count_in(v, HIDDEN), "public") == 0
    assert lookups.run(lambda v: count_in(v, HIDDEN), "all") == 3
    # a write is seen by the next lookup (the visible graphs follow the store's version)
    versioned.replace_graph(PUBLIC, facts("pub", 6), metadata=public(PUBLIC))
    assert lookups.run(count, "public") == 6 + store.count(META_GRAPH)
    lookups.close()


def count_in(view: Store, graph: str) -> int:
    result = view.query(COUNT, default_graph=[graph])
    assert isinstance(result, ox.QuerySolutions)
    return int(next(iter(result))["n"].value)


def test_a_lookup_past_its_bound_is_answered_at_once(store: Store) -> None:
    lookups = Lookups(store, timeout=0.3, threads=1)
    release = threading.Event()
    started = time.monotonic()
    with pytest.raises(QueryTimeout):
        lookups.run(lambda view: release.wait(5), "public")
    assert time.monotonic() - started < 1.5
    release.set()
    assert lookups.run(lambda view: view.graphs(), "public") == [META_GRAPH]
    lookups.close()


def test_errors_reach_the_caller_and_writes_are_refused(store: Store) -> None:
    lookups = Lookups(store)

    def missing(view: Store) -> None:
        raise NotFound("x")

    with pytest.raises(NotFound):
        lookups.run(missing, "public")
    with pytest.raises(StoreError):
        lookups.run(lambda view: view.update("CLEAR ALL"), "all")
    lookups.close()


def test_every_lookup_query_is_observed(store: Store) -> None:
    seen: list[tuple[QueryJob, BaseException | None]] = []
    lookups = Lookups(store, observers=[lambda job, seconds, error: seen.append((job, error))])
    lookups.run(count, "public")
    assert [(job.sparql, job.scope, error) for job, error in seen] == [(COUNT, "public", None)]
    lookups.close()


def test_a_page_part_is_kept_until_the_next_write_and_never_built_twice_at_once() -> None:
    from graph.store import open_store

    versioned = VersionedStore(open_store("memory"))
    versioned.replace_graph(PUBLIC, facts("pub", 2), metadata=public(PUBLIC))
    lookups = Lookups(versioned, threads=2)
    builds: list[int] = []
    release = threading.Event()

    def slow(view: Store) -> int:
        builds.append(1)
        assert release.wait(10)
        return count(view)

    # past its budget the caller gets QueryTimeout while the build goes on ...
    with pytest.raises(QueryTimeout):
        lookups.part("story", "public", slow, timeout=0.2)
    # ... and a second caller does not start another build nor wait for this one
    with pytest.raises(QueryTimeout):
        lookups.part("story", "public", slow, timeout=5)
    release.set()
    meta = versioned.count(META_GRAPH)
    # the build ends and is kept: the next callers get it without building
    deadline = time.monotonic() + 10
    while True:
        try:
            assert lookups.part("story", "public", slow, timeout=0.2) == 2 + meta
            break
        except QueryTimeout:
            assert time.monotonic() < deadline, "the part was never kept"
            time.sleep(0.05)
    assert lookups.part("story", "public", slow, timeout=0.2) == 2 + meta
    assert len(builds) == 1
    # a write makes it stale: built again, with what the store now holds
    versioned.replace_graph(PUBLIC, facts("pub", 5), metadata=public(PUBLIC))
    assert lookups.part("story", "public", slow, timeout=5) == 5 + versioned.count(META_GRAPH)
    assert len(builds) == 2
    lookups.close()
