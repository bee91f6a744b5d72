"""The store's own default graph in the dumps and in the sizes that describe them: the
dumps hold it when the public view shows it (triples without a graph name), never when it is
restricted, and the listing, the release and VoID count exactly the quads the dumps hold."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from graph.engine.execution import QueryEngine
from graph.engine.snapshots import VersionedStore
from graph.ingest import graphstore
from graph.ingest.writing import describe_default
from graph.namespaces import VOID
from graph.publishing.release import current_release
from graph.publishing.service import (
    DUMPS,
    SD,
    Dump,
    graph_facts,
    service_description,
    void_description,
    write_dump,
)
from graph.store import DEFAULT_GRAPH, Store
from tests.support.stores import example_store

OWN = ox.Triple(ox.NamedNode("https://example.org/s"), ox.NamedNode("https://example.org/p"),
                ox.Literal("in the default graph"))


def _engine(store: Store) -> Iterator[QueryEngine]:
    engine = QueryEngine(VersionedStore(store), workers=0)
    try:
        yield engine
    finally:
        engine.close()


@pytest.fixture(scope="module")
def written() -> Iterator[QueryEngine]:
    """The example data and one triple written to the default graph by the Graph Store
    (which describes the default graph as public)."""
    store = example_store()
    graphstore.add(store, DEFAULT_GRAPH, [OWN], who="test")
    yield from _engine(store)


@pytest.fixture(scope="module")
def undescribed() -> Iterator[QueryEngine]:
    """One triple in a default graph no description names (public all the same)."""
    store = example_store()
    store.update(f"INSERT DATA {{ {OWN.subject} {OWN.predicate} {OWN.object} }}")
    yield from _engine(store)


@pytest.fixture(scope="module")
def restricted() -> Iterator[QueryEngine]:
    """One triple in a default graph described as restricted."""
    store = example_store()
    describe_default(store, "restricted")
    graphstore.add(store, DEFAULT_GRAPH, [OWN], who="test")
    yield from _engine(store)


def _dumped(engine: QueryEngine, dump: Dump, tmp_path: Path) -> list[ox.Quad]:
    path = tmp_path / dump.name
    write_dump(engine.view("public"), dump, path)
    return list(ox.parse(gzip.decompress(path.read_bytes()), format=dump.format))


def _void_total(engine: QueryEngine) -> int:
    triples = void_description(engine.view("public"), dataset="http://h/void#d",
                               endpoint="http://h/sparql", dumps_url="http://h/dumps/",
                               base_iri="https://w3id.org/civicgraph/")
    return next(int(t.object.value) for t in triples
                if t.subject == ox.NamedNode("http://h/void#d")
                and t.predicate.value == VOID + "triples" and isinstance(t.object, ox.Literal))


@pytest.mark.parametrize("dump", DUMPS, ids=[d.name for d in DUMPS])
@pytest.mark.parametrize("case", ["written", "undescribed"])
def test_a_public_default_graph_is_dumped_and_counted(
        case: str, dump: Dump, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    engine: QueryEngine = request.getfixturevalue(case)
    quads = _dumped(engine, dump, tmp_path)
    default = [q.triple for q in quads if q.graph_name == ox.DefaultGraph()]
    assert default == [OWN]
    facts = {f.iri: f.triples for f in graph_facts(engine.view("public"))}
    assert facts[DEFAULT_GRAPH] == 1
    assert sum(facts.values()) == len(quads)
    assert current_release(engine.view("public")).triples == len(quads)
    assert _void_total(engine) == len(quads)


@pytest.mark.parametrize("dump", DUMPS, ids=[d.name for d in DUMPS])
def test_a_restricted_default_graph_is_neither_dumped_nor_counted(
        restricted: QueryEngine, dump: Dump, tmp_path: Path) -> None:
    quads = _dumped(restricted, dump, tmp_path)
    assert not [q for q in quads if q.graph_name == ox.DefaultGraph()]
    assert not any(q.object == OWN.object for q in quads)
    facts = {f.iri: f.triples for f in graph_facts(restricted.view("public"))}
    assert DEFAULT_GRAPH not in facts
    assert sum(facts.values()) == len(quads)
    assert current_release(restricted.view("public")).triples == len(quads)
    # a curator's view shows it
    assert DEFAULT_GRAPH in {f.iri for f in graph_facts(restricted.view("all"))}


def test_the_service_description_names_no_default_graph_among_the_named(
        written: QueryEngine) -> None:
    public = written.view("public")
    triples = service_description(public, endpoint="http://h/sparql", void_url="http://h/v",
                                  timeout=5, result_limit=10)
    names = {t.object for t in triples if t.predicate.value == SD + "name"}
    assert ox.NamedNode(DEFAULT_GRAPH) not in names
    sizes = [int(t.object.value) for t in triples
             if t.predicate.value == VOID + "triples" and isinstance(t.object, ox.Literal)]
    # the union default graph first, then each named graph: counted once
    assert sizes[0] == sum(sizes[1:]) + 1 == _void_total(written)
