"""The map service: stale while revalidate, one reading at a time, imports coalesced."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import pyoxigraph as ox
import pytest

from graph.engine.snapshots import VersionedStore
from graph.errors import StoreUnavailable
from graph.store import Store
from tests.support.graphs import PUBLIC_GRAPH, TINY, iri, meta, turtle
from visualisations.filters import Filters
from visualisations.service import MapRequest, Maps


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
    began = time.time()
    snapshot = service.snapshot()
    # the age counts from when the reading began (not a timed assertion: a loaded machine
    # may take over a second to read even the tiny table)
    assert began <= snapshot.read_at <= time.time()
    assert snapshot.age() <= time.time() - began
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


class _Closing(VersionedStore):
    """A store whose queries wait for ``release``, then fail as a closed client does."""

    def __init__(self, inner: Store) -> None:
        super().__init__(inner)
        self.release = threading.Event()
        self.waiting = threading.Event()
        self.closed = False

    def query(self, *args: Any, **kwargs: Any) -> Any:
        if threading.current_thread().name.startswith("civicgraph-maps"):
            self.waiting.set()
            self.release.wait(10)
            if self.closed:
                raise StoreUnavailable("the store was closed")
        return super().query(*args, **kwargs)


def test_closing_waits_for_the_warm_up_and_logs_no_error(
        tiny: Store, caplog: pytest.LogCaptureFixture) -> None:
    store = _Closing(tiny)
    service = Maps(store)
    warmer = service.warm()
    assert store.waiting.wait(10)
    threading.Timer(0.2, lambda: (setattr(store, "closed", True), store.release.set())).start()
    started = time.monotonic()
    with caplog.at_level(logging.DEBUG, logger="civicgraph.maps"):
        service.close(timeout=5)
    assert not warmer.is_alive() and time.monotonic() - started < 5
    assert [r.levelno for r in caplog.records] == [logging.DEBUG]
    assert "stopped with the server" in caplog.records[0].getMessage()
    assert caplog.records[0].exc_info is None   # no traceback holding query results kept


def test_closing_while_a_background_reading_is_being_started_waits_for_its_start(
        tiny: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """A server stopping as the service starts a thread (a write's refresh, the warm-up)
    joins it: a thread ``close`` sees is always started (joining one not yet started
    raises)."""
    service = Maps(VersionedStore(tiny))
    starting, start = threading.Event(), threading.Thread.start

    def slow_start(thread: threading.Thread) -> None:
        if thread.name == "civicgraph-test-slow":
            starting.set()
            time.sleep(0.3)
        start(thread)

    monkeypatch.setattr(threading.Thread, "start", slow_start)
    starter = threading.Thread(
        target=lambda: service._start(lambda: None, "civicgraph-test-slow"))
    starter.start()
    assert starting.wait(5)
    service.close(timeout=5)   # raised "cannot join thread before it is started"
    starter.join(5)


def test_a_failure_while_serving_is_logged_with_its_traceback_as_text(
        tiny: Store, caplog: pytest.LogCaptureFixture) -> None:
    store = _Closing(tiny)
    store.closed = True
    store.release.set()
    service = Maps(store)
    with caplog.at_level(logging.ERROR, logger="civicgraph.maps"):
        assert service.warm().join(10) is None
    (record,) = caplog.records
    assert "the warm-up failed" in record.getMessage()
    assert "StoreUnavailable: the store was closed" in record.getMessage()
    assert record.exc_info is None


def test_after_a_write_the_table_is_read_again_without_a_request(tiny: Store) -> None:
    """The watcher started by ``warm`` reads the new table as soon as the store counts a
    write; a new graph is patched onto the table of the others, the same table as one built
    whole; a graph of that base written again makes the table be built whole."""
    from graph.namespaces import graph_iri
    from visualisations.table import load_table

    store = VersionedStore(tiny)
    service = Maps(store, recheck=60.0, watch_every=0.02)
    service.warm()
    assert service.wait_warm(30) and service.readings == 1
    extra = graph_iri("tiny-newcomer")
    store.replace_graph(extra, newcomer(1), metadata=meta(extra))
    deadline = time.monotonic() + 30
    while service.readings < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert service.readings == 2 and service._upkeep.last == "patched"
    current = service._snapshot
    assert current is not None and current.version == service.version()
    assert iri("org", "new1") in current.table.organisations
    whole = load_table(store)
    assert [u.iri for u in current.table.usages] == [u.iri for u in whole.usages]
    assert current.table.labels == whole.labels
    store.replace_graph(PUBLIC_GRAPH, newcomer(2), metadata=meta(PUBLIC_GRAPH))
    assert service.wait_fresh(30) and service._upkeep.last == "built"
    assert iri("org", "new2") in service.table().organisations
    service.close()


class _SlowVersion(VersionedStore):
    """A store whose queries from the thread named ``slow`` wait for ``release``."""

    def __init__(self, inner: Store) -> None:
        super().__init__(inner)
        self.release = threading.Event()
        self.waiting = threading.Event()

    def query(self, *args: Any, **kwargs: Any) -> Any:
        if threading.current_thread().name == "slow":
            self.waiting.set()
            assert self.release.wait(10)
        return super().query(*args, **kwargs)


def test_a_version_being_read_is_never_answered_as_the_previous_one(tiny: Store) -> None:
    """After a write, while one thread reads the new version (the refresh), a request asking
    for it waits for that reading instead of being told the version of before (which made a
    map of the old table look fresh)."""
    store = _SlowVersion(tiny)
    service = Maps(store, recheck=60.0)
    before = service.version()
    store.replace_graph(PUBLIC_GRAPH, newcomer(1), metadata=meta(PUBLIC_GRAPH))
    reader = threading.Thread(target=service.version, name="slow")
    reader.start()
    assert store.waiting.wait(10)
    threading.Timer(0.2, store.release.set).start()
    assert service.version() != before
    reader.join(10)
