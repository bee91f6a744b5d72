"""The privacy guard's reading of an update (rdflib: tens of seconds for a VALUES block of
50,000 rows) is made before the write lock, so other writes go on meanwhile; it is made
again within the lock when the public graphs changed in between."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from graph.engine import parsing
from graph.ingest import writing
from graph.namespaces import GRAPH
from tests.support.stores import memory_store

NOTES = GRAPH + "notes-guard"
UPDATE = (f"INSERT {{ GRAPH <{NOTES}> {{ <urn:e:a> <urn:e:p> ?v }} }} "  # noqa: S608 (SPARQL)
          "WHERE { VALUES ?v { 1 2 } }")


def _lock_free() -> bool:
    """Whether another thread could take the write lock now."""
    taken: list[bool] = []

    def take() -> None:
        got = writing.WRITE_LOCK.acquire(timeout=0.5)
        taken.append(got)
        if got:
            writing.WRITE_LOCK.release()

    thread = threading.Thread(target=take)
    thread.start()
    thread.join()
    return taken[0]


def test_the_guard_reads_an_update_outside_the_write_lock(monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    store = memory_store()
    reader = parsing.parsers()
    seen: list[bool] = []
    original = reader.update_findings

    def findings(text: str, public: frozenset[str]) -> Any:
        seen.append(_lock_free())
        return original(text, public)

    monkeypatch.setattr(reader, "update_findings", findings)
    writing.apply_update(store, UPDATE, who="tests")
    assert seen == [True]
    assert store.count(NOTES) == 2


def test_the_guard_reads_again_when_the_public_graphs_changed(monkeypatch: pytest.MonkeyPatch
                                                              ) -> None:
    store = memory_store()
    reader = parsing.parsers()
    publics: list[frozenset[str]] = []
    original = reader.update_findings

    def findings(text: str, public: frozenset[str]) -> Any:
        publics.append(public)
        return original(text, public)

    answers = iter([{NOTES}, {NOTES, GRAPH + "made-public-meanwhile"}])
    monkeypatch.setattr(reader, "update_findings", findings)
    monkeypatch.setattr(writing, "public_targets", lambda *a, **k: set(next(answers)))
    writing.apply_update(store, UPDATE, who="tests")
    assert publics == [frozenset({NOTES}), frozenset({NOTES, GRAPH + "made-public-meanwhile"})]
