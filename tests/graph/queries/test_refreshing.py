"""Catalogue answers evaluated again in the background after a write
(``graph.queries.refreshing``): the next ask finds the new answer kept, an ask during the
evaluation waits for it rather than starting another, and nothing runs during a write."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator

import pyoxigraph as ox
import pytest

from graph.engine.execution import QueryEngine
from graph.engine.snapshots import VersionedStore
from graph.ingest.writing import replace
from graph.namespaces import CG, ID, RDF, graph_iri
from graph.queries.catalogue import get_query
from graph.queries.kept import KeptAnswers
from graph.queries.refreshing import Refresher
from graph.sparql.request import QueryJob, execute
from graph.sparql.results import Answer
from tests.support.stores import example_store

GRAPH = graph_iri("test/refreshed")
#: how long a test waits for the background thread before it fails
DEADLINE = 60.0


def _usage(n: int) -> list[ox.Triple]:
    usage = ox.NamedNode(f"{ID}usage/refreshed-{n}")
    return [ox.Triple(usage, ox.NamedNode(p), ox.NamedNode(o)) for p, o in [
        (RDF + "type", CG + "ToolUsage"), (CG + "organisation", ID + "org/vecam"),
        (CG + "tool", ID + "software/loomio"), (CG + "status", ID + "status/active"),
        (CG + "practice", ID + "practice/decision-making")]]


def _write(store: VersionedStore, usages: int) -> None:
    triples = [t for n in range(usages) for t in _usage(n)]
    replace(store, {GRAPH: triples}, None, source="test", validate=False)


@pytest.fixture
def setting() -> Iterator[tuple[VersionedStore, QueryEngine, QueryJob]]:
    store = VersionedStore(example_store())
    engine = QueryEngine(store, workers=0)
    query = get_query("tools_by_practice")
    terms = query.bind({"lang": "en"})
    job = engine.job(query.text(store, terms), "public", substitutions=terms,
                     solutions_format="csv")
    yield store, engine, job
    engine.close()
    store.close()


def test_after_a_write_the_answer_is_evaluated_again_and_kept(
        setting: tuple[VersionedStore, QueryEngine, QueryJob]) -> None:
    store, engine, job = setting
    kept = KeptAnswers(store)
    evaluated = threading.Semaphore(0)

    def evaluate(job: QueryJob) -> Answer:
        answer = engine.run(job)
        evaluated.release()
        return answer

    refresher = Refresher(kept, evaluate)
    before = kept.run(job, evaluate)
    assert evaluated.acquire(timeout=DEADLINE)
    refresher.want(job)
    _write(store, 3)   # three more usages of Loomio for decision-making: the answer changes
    assert evaluated.acquire(timeout=DEADLINE), "not evaluated again in the background"
    assert refresher.wait(store.version, DEADLINE), "the round did not end"
    assert kept.holds(job)   # the round that ended kept the new answer
    asked: list[QueryJob] = []

    def ask(job: QueryJob) -> Answer:
        asked.append(job)
        return engine.run(job)

    after = kept.run(job, ask)
    assert not asked, "the ask after the background evaluation evaluated again"
    assert after.body == execute(store, job).body != before.body
    assert refresher.refreshed == 1 and refresher.failed == 0


def test_an_ask_during_the_background_evaluation_waits_for_it(
        setting: tuple[VersionedStore, QueryEngine, QueryJob],
        monkeypatch: pytest.MonkeyPatch) -> None:
    store, engine, job = setting
    kept = KeptAnswers(store)
    kept.run(job, engine.run)
    started, release = threading.Event(), threading.Event()
    evaluations: list[str] = []
    query = store.query

    def held(sparql: str, **options: object) -> object:   # the first evaluation waits
        if sparql == job.sparql:
            evaluations.append(threading.current_thread().name)
            if len(evaluations) == 1:
                started.set()
                assert release.wait(DEADLINE)
        return query(sparql, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(store, "query", held)
    Refresher(kept, engine.run).want(job)
    _write(store, 2)
    assert started.wait(DEADLINE), "no background evaluation"
    answers: list[Answer] = []
    asker = threading.Thread(target=lambda: answers.append(kept.run(job, engine.run)))
    asker.start()
    asker.join(0.5)   # the ask is waiting (for the background evaluation, or its turn)
    release.set()
    asker.join(DEADLINE)
    monkeypatch.undo()
    assert answers and answers[0].body == execute(store, job).body
    assert len(evaluations) == 1, evaluations   # the ask followed the background run


def test_a_job_with_no_answer_to_keep_is_not_maintained() -> None:
    store = VersionedStore(example_store())
    try:
        refresher = Refresher(KeptAnswers(store), lambda job: execute(store, job))
        refresher.want(QueryJob("SELECT (NOW() AS ?t) {}", "public"))
        assert refresher.maintained == 0
    finally:
        store.close()


def test_a_round_asks_the_quickest_job_first(
        setting: tuple[VersionedStore, QueryEngine, QueryJob]) -> None:
    store, engine, slow = setting
    quick = QueryJob(slow.sparql, slow.scope, substitutions=slow.substitutions,
                     solutions_format="json", limit=slow.limit,
                     union_default_graph=slow.union_default_graph)
    kept = KeptAnswers(store)
    order: list[str] = []
    asked = threading.Semaphore(0)

    def evaluate(job: QueryJob) -> Answer:
        if job.solutions_format == "csv":
            threading.Event().wait(0.3)   # the slow one
        order.append(job.solutions_format)
        asked.release()
        return engine.run(job)

    refresher = Refresher(kept, evaluate)
    refresher.want(slow)   # asked first in the first round: nothing is known of either yet
    refresher.want(quick)
    for _ in range(2):
        assert asked.acquire(timeout=DEADLINE)
    assert refresher.wait(store.version, DEADLINE)
    _write(store, 1)   # both answers change
    for _ in range(2):
        assert asked.acquire(timeout=DEADLINE)
    assert refresher.wait(store.version, DEADLINE)
    # the quick one's evaluations (whole, or its splice's: derived keys, restricted rows)
    # all come before the slow one's
    assert order[:2] == ["csv", "json"] and order[-1] == "csv"
    assert order[2:-1] and set(order[2:-1]) == {"json"}


def test_nothing_is_maintained_where_no_answer_can_be_kept(
        setting: tuple[VersionedStore, QueryEngine, QueryJob]) -> None:
    store, engine, job = setting
    refresher = Refresher(KeptAnswers(store, capacity=0), engine.run)   # an answer cache of 0
    refresher.want(job)
    assert refresher.maintained == 0


def test_a_job_found_kept_by_the_round_is_not_timed(
        setting: tuple[VersionedStore, QueryEngine, QueryJob],
        monkeypatch: pytest.MonkeyPatch) -> None:
    store, engine, job = setting
    kept = KeptAnswers(store)
    kept.run(job, engine.run)   # an ask kept it ...
    monkeypatch.setattr(kept, "holds", lambda job: False)   # ... after the round looked
    evaluated: list[QueryJob] = []
    refresher = Refresher(kept, lambda job: evaluated.append(job) or engine.run(job))
    refresher.want(job)
    replace(store, {graph_iri("test/unrelated"): [ox.Triple(
        ox.NamedNode("urn:x"), ox.NamedNode("urn:p"), ox.Literal("y"))]}, None,
        source="test", validate=False)   # a write that leaves the answer kept: a round
    assert refresher.wait(store.version, DEADLINE)
    assert not evaluated and refresher._took == {}   # its time is not the answer's


def test_the_rounds_go_on_after_one_failed_to_read_the_store(
        setting: tuple[VersionedStore, QueryEngine, QueryJob],
        monkeypatch: pytest.MonkeyPatch) -> None:
    store, engine, job = setting
    kept = KeptAnswers(store)
    observe = kept.observe
    failures = [OSError("the disk said no")]

    def flaky() -> int | None:
        if failures:
            raise failures.pop()
        return observe()

    monkeypatch.setattr(kept, "observe", flaky)
    refresher = Refresher(kept, engine.run)
    refresher.want(job)
    assert refresher.wait(store.version, DEADLINE)   # the failed round counts as over
    assert not failures and not kept.holds(job)
    _write(store, 1)
    assert refresher.wait(store.version, DEADLINE), "no round after the failed one"
    assert kept.holds(job)


def _jobs(job: QueryJob, count: int) -> list[QueryJob]:
    """``count`` jobs of ``job``'s query, each its own answer (a comment apart)."""
    return [QueryJob(f"{job.sparql}\n# {n}", job.scope, substitutions=job.substitutions,
                     solutions_format=job.solutions_format, limit=job.limit,
                     union_default_graph=job.union_default_graph) for n in range(count)]


def test_a_round_of_a_parallel_refresher_asks_that_many_jobs_at_once(
        setting: tuple[VersionedStore, QueryEngine, QueryJob]) -> None:
    store, engine, job = setting
    kept = KeptAnswers(store)
    lock = threading.Lock()
    running, most = 0, 0

    def evaluate(job: QueryJob) -> Answer:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        try:
            threading.Event().wait(0.2)
            return engine.run(job)
        finally:
            with lock:
                running -= 1

    refresher = Refresher(kept, evaluate, parallel=2)
    jobs = _jobs(job, 5)
    for each in jobs:
        refresher.want(each)
    assert refresher.wait(store.version, DEADLINE)
    assert most == 2 and refresher.refreshed == 5
    assert all(kept.holds(each) for each in jobs)


def test_a_failure_beside_the_round_ends_it_and_the_next_write_starts_another(
        setting: tuple[VersionedStore, QueryEngine, QueryJob],
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    store, engine, job = setting
    kept = KeptAnswers(store)
    holds = kept.holds
    failures = [OSError("the disk said no")]

    def flaky(job: QueryJob) -> bool:
        if failures and threading.current_thread() is not refresher._thread:
            raise failures.pop()   # in the round's other thread only
        return holds(job)

    monkeypatch.setattr(kept, "holds", flaky)
    refresher = Refresher(kept, lambda job: threading.Event().wait(0.1) or engine.run(job),
                          parallel=2)
    jobs = _jobs(job, 4)
    for each in jobs:
        refresher.want(each)
    with caplog.at_level(logging.ERROR, logger="civicgraph.catalogue"):
        assert refresher.wait(store.version, DEADLINE)   # the failed round counts as over
    assert not failures
    assert refresher.refreshed < len(jobs)   # ended early: the other thread stopped too
    [record] = [r for r in caplog.records if "the round stopped" in r.getMessage()]
    assert record.exc_info and isinstance(record.exc_info[1], OSError)
    _write(store, 1)
    assert refresher.wait(store.version, DEADLINE), "no round after the failed one"
    assert all(holds(each) for each in jobs)


def test_an_evaluation_that_fails_otherwise_than_by_a_limit_is_logged(
        setting: tuple[VersionedStore, QueryEngine, QueryJob],
        caplog: pytest.LogCaptureFixture) -> None:
    store, _, job = setting

    def broken(job: QueryJob) -> Answer:
        raise RuntimeError("query worker failed to start")

    refresher = Refresher(KeptAnswers(store), broken)
    with caplog.at_level(logging.ERROR, logger="civicgraph.catalogue"):
        refresher.want(job)
        assert refresher.wait(store.version, DEADLINE)
    assert refresher.failed == 1
    [record] = [r for r in caplog.records if "could not be evaluated" in r.getMessage()]
    assert record.exc_info and isinstance(record.exc_info[1], RuntimeError)
