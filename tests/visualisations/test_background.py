"""Metrics in the background: never computed on a request; the previous ones are shown
until the new ones are ready."""

from __future__ import annotations

import os
import threading
import time

import pytest

from graph.engine.snapshots import VersionedStore
from graph.store import Store
from tests.support.graphs import PUBLIC_GRAPH, TINY, meta, turtle
from visualisations.background import (
    NICENESS,
    MetricsRunner,
    Stopped,
    org_tool_metrics,
    run_apart,
)
from visualisations.filters import Filters
from visualisations.metrics import Metrics
from visualisations.service import MapRequest, Maps
from visualisations.table import UsageTable


def wait_until(condition: object, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.02)
    return False


def test_the_runner_keeps_the_previous_metrics_while_it_computes() -> None:
    release = threading.Event()
    started = threading.Event()

    def slow(table: UsageTable) -> Metrics:
        started.set()
        assert release.wait(30)
        return Metrics(parameters={"usages": len(table.usages)})

    runner = MetricsRunner(slow)
    runner.submit("v1", UsageTable())
    assert started.wait(30)
    assert runner.latest() is None  # nothing computed yet: nothing shown, nothing waited for
    release.set()
    assert wait_until(lambda: runner.latest() is not None)
    first = runner.latest()
    assert first is not None and first.version == "v1"
    release.clear()
    started.clear()
    runner.submit("v2", UsageTable())
    assert started.wait(30)
    assert runner.latest() is first  # the previous metrics meanwhile
    runner.submit("v3", UsageTable())  # while v2 runs: v3 replaces nothing running
    release.set()
    assert wait_until(lambda: (latest := runner.latest()) is not None and latest.version == "v3")
    assert runner.runs == 3


def test_a_failure_is_logged_and_the_next_table_tried() -> None:
    calls: list[int] = []

    def flaky(table: UsageTable) -> Metrics:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("boom")
        return Metrics()

    runner = MetricsRunner(flaky)
    runner.submit("v1", UsageTable())
    assert wait_until(lambda: not runner._running)
    assert runner.latest() is None
    runner.submit("v2", UsageTable())
    assert wait_until(lambda: runner.latest() is not None)


def test_after_a_write_the_service_computes_metrics_in_the_background(tiny: Store) -> None:
    store = VersionedStore(tiny)
    service = Maps(store, recheck=60.0)
    blocked = threading.Event()
    release = threading.Event()
    done: list[str] = []

    def work(table: UsageTable) -> Metrics:
        if done:  # the second table: held until the test lets it go
            blocked.set()
            assert release.wait(30)
        m = org_tool_metrics(table)
        done.append("x")
        return m

    service.metrics_runner.work = work
    service.snapshot()
    assert wait_until(lambda: service.metrics() is not None)
    before = service.metrics()
    assert before is not None and before.metrics.betweenness
    store.replace_graph(PUBLIC_GRAPH, turtle(TINY), metadata=meta(PUBLIC_GRAPH))
    assert service.wait_fresh(30)
    assert blocked.wait(30)  # the new metrics are being computed ...
    view = service.view(MapRequest("organisations-tools", Filters()), title="t",
                        link=lambda i: None)  # ... and a request does not wait for them
    assert service.metrics() is before
    assert any("betweenness" in n["title"] for n in view.nodes)
    release.set()
    assert wait_until(lambda: service.metrics() is not before)
    service.close()


def _pid(_: object) -> int:
    return os.getpid()


def _fail(_: object) -> None:
    raise ValueError("in the child")


def test_run_apart_runs_in_another_process_and_reports_its_failures() -> None:
    assert run_apart(_pid, None) != os.getpid()
    assert run_apart(os.nice, 0) == min(19, os.nice(0) + NICENESS)  # behind the requests
    with pytest.raises(RuntimeError, match="ValueError: in the child"):
        run_apart(_fail, None)


def test_run_apart_stops_its_process_when_asked() -> None:
    stop = threading.Event()
    threading.Timer(1.0, stop.set).start()
    began = time.monotonic()
    with pytest.raises(Stopped):
        run_apart(time.sleep, 60, stopping=stop.is_set)
    assert time.monotonic() - began < 20


def test_big_projections_are_computed_apart_with_the_same_metrics(tiny_table: UsageTable
                                                                  ) -> None:
    """Above ``apart_above`` nodes, the metrics come from a spawned process: the same as in
    the thread, while the server's interpreter stays free for requests."""
    runner = MetricsRunner(apart_above=0)
    runner.submit("v1", tiny_table)
    assert wait_until(lambda: runner.latest() is not None, 60)
    latest = runner.latest()
    assert latest is not None
    here = org_tool_metrics(tiny_table)
    assert latest.metrics.betweenness == here.betweenness
    assert latest.metrics.community == here.community


def test_closing_the_runner_stops_a_computation_under_way(tiny_table: UsageTable) -> None:
    started = threading.Event()

    def slow(table: UsageTable) -> Metrics:
        started.set()
        return run_apart(time.sleep, 60, stopping=lambda: runner.closed)  # type: ignore[arg-type]

    runner = MetricsRunner(slow)
    runner.submit("v1", tiny_table)
    assert started.wait(30)
    runner.closed = True
    assert wait_until(lambda: not runner.busy(), 20)
    assert runner.latest() is None
