"""SIGKILL of ``civicgraph serve`` during a SPARQL update sent over HTTP: all or nothing.

The server runs on an embedded on-disk store, with a curator token in its environment. A
curator sends one update that empties a graph, copies another into it and adds a marker to a
third graph; the server is killed while it works (or just after it answered), then the store
is opened again. The whole store must be as it was before the update, or as the update leaves
it, never in between; an update the server acknowledged (204) must be there. The query
workers die with the server, and the snapshots it left next to the store are removed when the
store is served again.
"""

from __future__ import annotations

import random
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest

from graph.backends.embedded import OxigraphStore
from graph.loading import import_source, load_vocabulary
from graph.synthetic import write
from tests.faults.conftest import (
    CURATOR_TOKEN,
    G,
    Serve,
    StoreWatch,
    copy_store,
    graph_contents,
    kill,
    start_serve,
)

pytestmark = pytest.mark.slow

SOURCE, TARGET, MARK = G + "source", G + "target", G + "mark"
UPDATE = f"""
DROP GRAPH <{TARGET}> ;
INSERT {{ GRAPH <{TARGET}> {{ ?s ?p ?o }} }} WHERE {{ GRAPH <{SOURCE}> {{ ?s ?p ?o }} }} ;
INSERT DATA {{ GRAPH <{MARK}> {{ <urn:civicgraph:test> <urn:civicgraph:done> "yes" }} }}
"""
ORGANISATIONS = 150
MIB = 1 << 20


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("killed-server")
    store_path = root / "pristine"
    store = OxigraphStore(store_path)
    try:
        load_vocabulary(store, imported_by="test")
        for graph, seed in ((SOURCE, 1), (TARGET, 2)):
            data = root / f"{seed}.nt"
            write(ORGANISATIONS, data, seed=seed)
            import_source(store, data, graph=graph, imported_by="test", validate=False)
    finally:
        store.close()
    return store_path


def send_update(server: Serve, into: dict[str, Any]) -> None:
    try:
        into["response"] = httpx.post(
            f"{server.url}/sparql", content=UPDATE.encode(), timeout=120,
            headers={"Content-Type": "application/sparql-update",
                     "Authorization": f"Bearer {CURATOR_TOKEN}"})
    except httpx.TransportError as error:
        into["error"] = error


def snapshot_leftovers(store: Path) -> list[Path]:
    return sorted(store.parent.glob(".civicgraph-snapshots-*"))


def test_a_server_killed_during_an_update_keeps_it_all_or_nothing(
        pristine: Path, tmp_path: Path, serving: list[Serve]) -> None:
    before = graph_contents(copy_store(pristine, tmp_path / "before" / "store"))
    assert MARK not in before

    # the same update run here: how long it takes and what it leaves
    calibration = copy_store(pristine, tmp_path / "calibration" / "store")
    store = OxigraphStore(calibration)
    started = time.monotonic()
    store.update(UPDATE)
    duration = time.monotonic() - started
    store.close()
    after = graph_contents(calibration)
    assert after != before and after[TARGET] == before[SOURCE] and MARK in after

    chance = random.Random()
    runs: list[tuple[str, float]] = [("random", chance.uniform(0.0, duration)),
                                     ("commit", 0.0), ("answered", 0.0)]
    outcomes = []
    for number, (name, moment) in enumerate(runs):
        store = copy_store(pristine, tmp_path / f"run-{number}" / "store")
        server = start_serve(store)
        serving.append(server)
        workers = server.children()
        assert workers, "the server started no query worker"
        # a query first, so that the workers read a checkpoint of the store
        asked = httpx.get(f"{server.url}/sparql", params={"query": "ASK { ?s ?p ?o }"},
                          headers={"Accept": "application/sparql-results+json"}, timeout=60)
        assert asked.status_code == 200
        watch = StoreWatch(store)
        reply: dict[str, Any] = {}
        sender = threading.Thread(target=send_update, args=(server, reply))
        sender.start()
        started = time.monotonic()
        while time.monotonic() - started < 120:
            if name == "random" and time.monotonic() - started >= moment:
                break
            if name == "commit" and watch.log_growth() > 2 * MIB:
                break
            if name == "answered" and reply:
                break
            time.sleep(0.002)
        kill(server.process)
        sender.join(130)
        acknowledged = "response" in reply and reply["response"].status_code == 204
        # the query workers do not outlive their server
        deadline = time.monotonic() + 15
        while any(psutil.pid_exists(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not any(psutil.pid_exists(p) for p in workers), f"run {number}: orphans"

        found = graph_contents(store)
        context = f"run {number} ({name}, {moment:.2f} s, answered: {acknowledged})"
        assert found in (before, after), f"{context}: the update was half applied"
        if acknowledged:
            assert found == after, f"{context}: an acknowledged update was lost"
        outcomes.append((name, acknowledged, "new" if found == after else "old"))
    assert outcomes[-1] == ("answered", True, "new"), outcomes

    # the killed store serves again, and the checkpoints the dead server left beside it
    # (hard links holding table files the store no longer needs) are removed
    store = tmp_path / f"run-{len(runs) - 1}" / "store"
    left = snapshot_leftovers(store)
    assert left and any(p.is_dir() for p in left[0].iterdir()), "no checkpoint left: no test"
    server = start_serve(store)
    serving.append(server)
    count = httpx.get(f"{server.url}/sparql", timeout=30, params={
        "query": f"ASK {{ GRAPH <{MARK}> {{ ?s ?p ?o }} }}"},
        headers={"Accept": "application/sparql-results+json",
                 "Authorization": f"Bearer {CURATOR_TOKEN}"})
    assert count.status_code == 200 and count.json()["boolean"] is True
    assert not set(left) & set(snapshot_leftovers(store)), "stale checkpoints kept"
    server.stop()
    assert not snapshot_leftovers(store), "a stopped server left its checkpoints"
