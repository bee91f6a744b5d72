"""Fragments: the table assembled from per-graph scans, and which graphs are read again."""

from __future__ import annotations

import dataclasses

import pyoxigraph as ox
import pytest

from graph.engine.snapshots import VersionedStore
from graph.namespaces import META_GRAPH, VOCABULARY_GRAPH, graph_iri
from graph.store import Store
from tests.support.graphs import PUBLIC_GRAPH, TINY, iri, memory_store, meta, turtle
from visualisations.fragments import FragmentCache, StoreState, graph_fingerprints
from visualisations.table import load_table

SECOND_GRAPH = graph_iri("tiny-second")
# the usage is in one graph; its organisation's label, type and département in another
SPLIT = """
id:usage/s1 a cg:ToolUsage ; cg:organisation id:org/s ; cg:tool id:software/loomio ;
  cg:status id:status/active ; cg:observedOn "2025-01-01"^^xsd:date .
"""
SPLIT_OTHER = """
id:org/s a org:Organization ; rdfs:label "Split organisation"@en ;
  schema:location id:commune/x .
id:commune/x cg:departement "75" .
"""


def with_second(store: Store, text: str = SPLIT_OTHER) -> Store:
    store.replace_graph(PUBLIC_GRAPH, turtle(TINY + SPLIT), metadata=meta(PUBLIC_GRAPH))
    store.replace_graph(SECOND_GRAPH, turtle(text), metadata=meta(SECOND_GRAPH))
    return store


def rows(store: Store) -> tuple[object, ...]:
    table = load_table(store)
    return ([dataclasses.astuple(u) for u in table.usages], table.labels,
            table.org_departement, table.org_fields, table.broader)


def test_joins_across_graphs(tiny: Store) -> None:
    table = load_table(with_second(tiny))
    usage = next(u for u in table.usages if u.iri == iri("usage", "s1"))
    assert usage.software == iri("software", "loomio")
    assert table.label(iri("org", "s"), "en") == "Split organisation"
    assert table.org_departement[iri("org", "s")] == "75"


def test_a_cache_reads_only_the_graphs_written(tiny: Store) -> None:
    store = VersionedStore(with_second(tiny))
    cache = FragmentCache(store)
    graphs = [META_GRAPH, PUBLIC_GRAPH, SECOND_GRAPH, VOCABULARY_GRAPH]
    cache.read(graphs, StoreState.of(store))
    assert cache.last_read == graphs
    cache.read(graphs, StoreState.of(store))
    assert cache.last_read == [META_GRAPH]  # not described: always read again
    store.replace_graph(SECOND_GRAPH, turtle(SPLIT_OTHER.replace("75", "93")),
                        metadata=meta(SECOND_GRAPH))  # same description, logged write
    fragments = cache.read(graphs, StoreState.of(store))
    assert cache.last_read == [META_GRAPH, SECOND_GRAPH]
    assert [f.graph for f in fragments] == graphs
    store.update(f"INSERT DATA {{ GRAPH <{PUBLIC_GRAPH}> {{ <{iri('org', 'q')}> "
                 f"<http://www.w3.org/2000/01/rdf-schema#label> \"Q\" }} }}")
    cache.read(graphs, StoreState.of(store))
    assert cache.last_read == graphs  # an update's graphs are not known


def test_without_a_write_log_the_descriptions_tell(tiny: Store) -> None:
    store = with_second(tiny)
    cache = FragmentCache(store)
    graphs = [PUBLIC_GRAPH, SECOND_GRAPH]
    cache.read(graphs, StoreState.of(store))
    described = meta(SECOND_GRAPH)
    described[2] = ox.Triple(described[2].subject, described[2].predicate, ox.Literal(
        "2027-01-01T00:00:00Z", datatype=described[2].object.datatype))
    before = graph_fingerprints(store)
    store.replace_graph(SECOND_GRAPH, turtle(SPLIT_OTHER), metadata=described)
    assert graph_fingerprints(store)[SECOND_GRAPH] != before[SECOND_GRAPH]
    assert graph_fingerprints(store)[PUBLIC_GRAPH] == before[PUBLIC_GRAPH]
    cache.read(graphs, StoreState.of(store))
    assert cache.last_read == [SECOND_GRAPH]


@pytest.mark.parametrize("change", ["replace", "drop"])
def test_incremental_reading_equals_a_full_one(change: str) -> None:
    store = VersionedStore(with_second(memory_store()))
    cache = FragmentCache(store)
    from graph.privacy.access import public_graphs
    from visualisations.table import assemble

    cache.read(public_graphs(store), StoreState.of(store))
    if change == "replace":
        store.replace_graph(SECOND_GRAPH, turtle(SPLIT_OTHER.replace("Split", "Renamed")),
                            metadata=meta(SECOND_GRAPH))
    else:
        store.drop_graph(SECOND_GRAPH)
        store.update(f"DELETE WHERE {{ GRAPH <{META_GRAPH}> {{ <{SECOND_GRAPH}> ?p ?o }} }}")
    graphs = public_graphs(store)
    incremental = assemble(cache.read(graphs, StoreState.of(store)))
    full = load_table(store, graphs)
    assert [dataclasses.astuple(u) for u in incremental.usages] == [
        dataclasses.astuple(u) for u in full.usages]
    assert (incremental.labels, incremental.org_departement) == (full.labels,
                                                                 full.org_departement)
    label = full.label(iri("org", "s"), "en")
    assert label == ("Renamed organisation" if change == "replace" else "s")
