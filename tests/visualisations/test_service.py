"""The map service: stale while revalidate, one reading at a time, imports coalesced."""

from __future__ import annotations

import time

import pyoxigraph as ox

from graph.snapshots import VersionedStore
from graph.store import Store
from visualisations.filters import Filters
from visualisations.service import MapRequest, Maps

from .conftest import PUBLIC_GRAPH, TINY, iri, meta, turtle


def newcomer(n: int) -> list[ox.Triple]:
    return turtle(TINY + f"""
id:org/new{n} a <http://www.w3.org/ns/org#Organization> ; rdfs:label "Newcomer {n}" .
id:usage/new{n} a cg:ToolUsage ; cg:organisation id:org/new{n} ; cg:tool id:software/loomio ;
  cg:status id:status/active ; cg:observedOn "2025-03-01"^^xsd:date .
""")


def test_stale_while_a_newer_table_is_read(tiny: Store) -> None:
    store = VersionedStore(tiny)
    service = Maps(store, recheck=60.0)
    first = service.snapshot()
    assert not first.stale and service.readings == 1
    built = service.built(MapRequest("organisations-tools", Filters()))
    with service._table_lock:  # a reading under way: nothing may wait for it
        for n in range(3):  # three imports during the reading
            store.replace_graph(PUBLIC_GRAPH, newcomer(n), metadata=meta(PUBLIC_GRAPH))
            started = time.monotonic()
            stale = service.snapshot()
            assert time.monotonic() - started < 1.0
            assert stale.stale and stale.table is first.table and stale.version == first.version
            assert service.built(MapRequest("organisations-tools", Filters())) is built
    assert service.wait_fresh(30)
    fresh = service.snapshot()
    assert iri("org", "new2") in fresh.table.organisations
    assert iri("org", "new0") not in fresh.table.organisations
    assert service.readings == 2  # the three imports were read once
    assert service._fragments.last_read and PUBLIC_GRAPH in service._fragments.last_read
    assert fresh.version != first.version


def test_age_counts_from_the_reading(tiny: Store) -> None:
    service = Maps(VersionedStore(tiny))
    snapshot = service.snapshot()
    assert snapshot.age() == 0
    old = type(snapshot)(snapshot.table, snapshot.version, time.time() - 125, stale=True)
    assert old.age() == 125


def test_a_failed_reading_is_tried_again(tiny: Store) -> None:
    store = VersionedStore(tiny)
    service = Maps(store, recheck=60.0)
    service.snapshot()
    calls = []
    real = service._fragments.read

    def flaky(*args: object) -> object:
        calls.append(1)
        if len(calls) == 1:
            raise OSError("store away")
        return real(*args)  # type: ignore[arg-type]

    service._fragments.read = flaky  # type: ignore[method-assign]
    store.replace_graph(PUBLIC_GRAPH, newcomer(1), metadata=meta(PUBLIC_GRAPH))
    assert service.snapshot().stale
    deadline = time.monotonic() + 10
    while service._refreshing and time.monotonic() < deadline:
        time.sleep(0.01)
    assert calls == [1] and service.snapshot().stale  # failed; this request tries again
    assert service.wait_fresh(30)
    assert iri("org", "new1") in service.table().organisations


def test_readings_are_spaced(tiny: Store) -> None:
    store = VersionedStore(tiny)
    service = Maps(store, recheck=60.0)
    service.snapshot()
    service._next_reading = time.monotonic() + 1.0  # as after a reading of 1 s, pause 1
    store.replace_graph(PUBLIC_GRAPH, newcomer(1), metadata=meta(PUBLIC_GRAPH))
    began = time.monotonic()
    assert service.snapshot().stale
    time.sleep(0.3)
    assert service.snapshot().stale and service.readings == 1
    assert service.wait_fresh(30)
    assert time.monotonic() - began >= 0.9 and service.readings == 2
