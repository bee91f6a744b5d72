"""SIGKILL of ``civicgraph serve`` during a SPARQL update sent over HTTP: all or nothing.

The server runs on an embedded on-disk store, with a curator token in its environment. A
curator sends one update that empties a graph, copies another into it and adds a marker to a
third graph; the server is killed while it works (or just after it answered), then the store
is opened again. The whole store must be as it was before the update, or as the update leaves
it, never in between; an update the server acknowledged (204) must be there. The query
workers die with the server, and the snapshots it left next to the store are removed when the
store is served again. An update committed just before the kill, whose consequence for the
public view of persons was not derived yet, is derived when the server starts again.
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

from graph.ingest.loading import import_source, load_vocabulary
from graph.ingest.writing import apply_update
from graph.namespaces import CG, DPV, GRAPH, ID, META_GRAPH, PROV, XSD
from graph.privacy.persons import PUBLIC_PERSONS_GRAPH
from graph.samples.example import ensure_example
from graph.samples.synthetic import write
from graph.store.embedded import OxigraphStore
from tests.support.faults import (
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
CONSENT_GRAPH = GRAPH + "example-consent"
RECORD = ID + "consent/personne-01-publication"


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


def without_view(contents: dict[str, frozenset[str]]) -> dict[str, frozenset[str]]:
    """``contents`` without the description of the public view of persons, which the server
    derives again after an update (a second transaction; see the last test) and at start,
    and with the moment and writer of each graph's description left out (they differ
    between the calibration and the server: every other statement of the meta graph, size
    and digest included, must be as before or as after the update)."""
    about_view = f"<{PUBLIC_PERSONS_GRAPH}> "
    varying = (f"<{PROV}generatedAtTime>", f"<{CG}importedBy>")
    return {g: frozenset(t for t in triples if not t.startswith(about_view)
                         and not (g == META_GRAPH and t.split(" ")[1] in varying))
            for g, triples in contents.items()}


def snapshot_leftovers(store: Path) -> list[Path]:
    return sorted(store.parent.glob(".civicgraph-snapshots-*"))


def test_a_server_killed_during_an_update_keeps_it_all_or_nothing(
        pristine: Path, tmp_path: Path, serving: list[Serve]) -> None:
    before = without_view(graph_contents(copy_store(pristine, tmp_path / "before" / "store")))
    assert MARK not in before

    # the same update run here, through the write path as the server runs it (the touched
    # graphs' descriptions written in the same transaction): how long it takes, what it leaves
    calibration = copy_store(pristine, tmp_path / "calibration" / "store")
    calibrating = OxigraphStore(calibration)
    started = time.monotonic()
    apply_update(calibrating, UPDATE, who="calibration")
    duration = time.monotonic() - started
    calibrating.close()
    after = without_view(graph_contents(calibration))
    assert after != before and after[TARGET] == before[SOURCE] and MARK in after
    assert after[META_GRAPH] != before[META_GRAPH], "the update describes no graph"

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

        found = without_view(graph_contents(store))
        context = f"run {number} ({name}, {moment:.2f} s, answered: {acknowledged})"
        if found not in (before, after):
            differences = {g: (len(found.get(g, ())), len(before.get(g, ())), len(after.get(g, ())))
                           for g in set(found) | set(before) | set(after)
                           if found.get(g) not in (before.get(g), after.get(g))}
            raise AssertionError(f"{context}: the update was half applied: "
                                 f"(found, before, after) sizes {differences}; "
                                 f"graphs found {sorted(found)}")
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


def test_a_withdrawal_committed_just_before_a_kill_is_not_public_after_the_restart(
        tmp_path: Path, serving: list[Serve]) -> None:
    """A curator's update commits, then the server derives the public view of persons again
    in a second transaction. Killed between the two, it leaves a withdrawn person in the
    public view; the next start must derive the view again before serving."""
    store_path = tmp_path / "store"
    store = OxigraphStore(store_path)
    try:
        ensure_example(store, imported_by="test")
        person = f"{ID}person/personne-01"   # consented to the publication of her name
        assert store.count(PUBLIC_PERSONS_GRAPH) > 0
        names = f"SELECT ?n WHERE {{ GRAPH <{PUBLIC_PERSONS_GRAPH}> {{ <{person}> ?p ?n }} }}"
        assert list(store.query(names))  # type: ignore[arg-type]
        # what a server killed right after committing this update leaves
        store.update(f"""
            DELETE {{ GRAPH <{CONSENT_GRAPH}> {{ <{RECORD}> <{DPV}hasConsentStatus> ?s }} }}
            INSERT {{ GRAPH <{CONSENT_GRAPH}> {{
              <{RECORD}> <{DPV}hasConsentStatus> <{DPV}ConsentWithdrawn> ;
                         <{CG}withdrawnOn> "2026-02-01"^^<{XSD}date> }} }}
            WHERE {{ GRAPH <{CONSENT_GRAPH}> {{ <{RECORD}> <{DPV}hasConsentStatus> ?s }} }}""")
        assert list(store.query(names))  # type: ignore[arg-type]  # still public: stale
    finally:
        store.close()

    server = start_serve(store_path)
    serving.append(server)
    page = httpx.get(f"{server.url}/id/person/personne-01", timeout=60)
    assert page.status_code == 404, "a withdrawn person is public after the restart"
    answer = httpx.get(f"{server.url}/sparql", params={"query": f"ASK {{ <{person}> ?p ?o }}"},
                       headers={"Accept": "application/sparql-results+json"}, timeout=60)
    assert answer.json()["boolean"] is False
