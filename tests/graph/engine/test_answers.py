"""Answers kept until the next write: the same query is not run again, a write forgets them."""

from __future__ import annotations

import threading
from collections.abc import Hashable

import pytest

from graph.engine.answers import AnswerCache, Flight, job_key
from graph.engine.execution import QueryEngine
from graph.engine.snapshots import VersionedStore
from graph.errors import QueryTimeout
from graph.sparql.request import QueryJob
from graph.sparql.results import Answer
from graph.store.embedded import MemoryStore
from tests.support.waiting import until

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def test_an_answer_is_kept_until_the_next_write(monkeypatch: pytest.MonkeyPatch) -> None:
    store = VersionedStore(MemoryStore())
    store.update('INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:p> "1" } }')
    engine = QueryEngine(store, workers=0)
    first = engine.run(QueryJob(COUNT, "all", solutions_format="csv"))
    ran: list[QueryJob] = []
    real = engine._run
    monkeypatch.setattr(engine, "_run",
                        lambda job, **options: ran.append(job) or real(job, **options))
    assert engine.run(QueryJob(COUNT, "all", solutions_format="csv")) == first and not ran
    # another format, scope or binding is another answer
    engine.run(QueryJob(COUNT, "all", solutions_format="tsv"))
    engine.run(QueryJob(COUNT, "public", solutions_format="csv"))
    assert len(ran) == 2
    store.update('INSERT DATA { GRAPH <urn:g> { <urn:b> <urn:p> "2" } }')
    after = engine.run(QueryJob(COUNT, "all", solutions_format="csv"))
    assert len(ran) == 3 and after != first and b"2" in after.body
    engine.close()


def test_errors_are_not_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    engine = QueryEngine(VersionedStore(MemoryStore()), workers=0)
    calls: list[int] = []
    real = engine._run

    def flaky(job: QueryJob, **options: bool) -> Answer:
        calls.append(1)
        if len(calls) == 1:
            raise QueryTimeout(1)
        return real(job, **options)

    monkeypatch.setattr(engine, "_run", flaky)
    with pytest.raises(QueryTimeout):
        engine.run(QueryJob(COUNT, "all"))
    assert engine.run(QueryJob(COUNT, "all")).count == 1 and len(calls) == 2
    engine.close()


def test_the_cache_stays_within_its_capacity() -> None:
    cache = AnswerCache(capacity=800)
    for n in range(20):
        cache.put(n, 1, Answer("solutions", bytes(90), "text/csv", 1))
    kept = [n for n in range(20) if cache.get(n, 1) is not None]
    assert kept == list(range(12, 20))           # the most recent, 8 x 90 bytes <= 800
    cache.put("big", 1, Answer("solutions", bytes(101), "text/csv", 1))
    assert cache.get("big", 1) is None            # more than an eighth of the capacity
    cache.put("old", 0, Answer("solutions", b"x", "text/csv", 1))
    assert cache.get("old", 0) is None            # an older version is never kept


def test_job_key_tells_apart_what_changes_the_answer() -> None:
    base = QueryJob(COUNT, "public")
    assert job_key(base) == job_key(QueryJob(COUNT, "public"))
    assert len({job_key(base), job_key(QueryJob(COUNT, "all")),
                job_key(QueryJob(COUNT, "public", limit=5)),
                job_key(QueryJob(COUNT, "public", solutions_format="xml"))}) == 4


@pytest.mark.parametrize("outcome", ["answer", "timeout"])
def test_the_same_query_asked_while_it_runs_is_run_once(monkeypatch: pytest.MonkeyPatch,
                                                        outcome: str) -> None:
    engine = QueryEngine(VersionedStore(MemoryStore()), workers=0, timeout=5)
    calls: list[int] = []
    real = engine._run
    real_flight = engine.answers.flight
    asked: list[int] = []
    everyone = threading.Event()   # all four askers have met the flight

    def counted(key: Hashable, version: int, **options: bool) -> tuple[Flight, bool]:
        found = real_flight(key, version, **options)
        asked.append(1)
        if len(asked) == 4:
            everyone.set()
        return found

    def slow(job: QueryJob, **options: bool) -> Answer:
        calls.append(1)
        assert everyone.wait(10), "the other askers did not come while the query ran"
        if outcome == "timeout":
            raise QueryTimeout(5)
        return real(job, **options)

    monkeypatch.setattr(engine, "_run", slow)
    monkeypatch.setattr(engine.answers, "flight", counted)
    results: list[object] = []

    def ask() -> None:
        try:
            results.append(engine.run(QueryJob(COUNT, "all")))
        except QueryTimeout as stopped:
            results.append(stopped)

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert len(calls) == 1 and len(results) == 4
    if outcome == "answer":
        assert all(isinstance(r, Answer) and r == results[0] for r in results)
    else:
        assert all(isinstance(r, QueryTimeout) for r in results)
    engine.close()


@pytest.mark.parametrize("background", [False, True])
def test_an_ask_following_a_background_run_stopped_by_the_time_limit_runs_it_itself(
        monkeypatch: pytest.MonkeyPatch, background: bool) -> None:
    """A background run has its time limit at a lower priority: when it stops there, an ask
    that waited for it runs the query itself (one that followed an ask gets the error)."""
    engine = QueryEngine(VersionedStore(MemoryStore()), workers=0, timeout=5)
    real, real_follow = engine._run, engine._follow
    following = threading.Event()
    runs: list[bool] = []

    def run(job: QueryJob, *, background: bool = False) -> Answer:
        runs.append(background)
        if len(runs) == 1:   # the leader: stopped once the other ask follows it
            assert following.wait(10), "the second ask did not follow the first"
            raise QueryTimeout(5)
        return real(job)

    def follow(flight: Flight) -> Answer | None:
        following.set()
        return real_follow(flight)

    monkeypatch.setattr(engine, "_run", run)
    monkeypatch.setattr(engine, "_follow", follow)
    led: list[BaseException] = []

    def lead() -> None:
        try:
            engine.run(QueryJob(COUNT, "all"), background=background)
        except QueryTimeout as stopped:
            led.append(stopped)

    leader = threading.Thread(target=lead)
    leader.start()
    try:
        until(lambda: bool(runs))   # the leader's run has begun
        if background:
            assert engine.run(QueryJob(COUNT, "all")).count == 1
            assert runs == [True, False]
        else:
            with pytest.raises(QueryTimeout):
                engine.run(QueryJob(COUNT, "all"))
            assert runs == [False]
    finally:
        leader.join(10)
        engine.close()
    assert len(led) == 1


def test_an_ask_runs_the_query_itself_when_a_background_run_cannot_be_hurried(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Where the system does not let a background run have a request's priority, an ask of
    the same query does not wait for it (at a low priority, it may take far longer)."""
    engine = QueryEngine(VersionedStore(MemoryStore()), workers=0, timeout=5)
    real = engine._run
    answered = threading.Event()
    runs: list[bool] = []

    def run(job: QueryJob, *, background: bool = False) -> Answer:
        runs.append(background)
        if background:   # the background run ends only once the ask has its answer
            assert answered.wait(10), "the ask waited for the background run"
        return real(job)

    monkeypatch.setattr(engine, "_run", run)
    monkeypatch.setattr(engine, "_hurry", lambda job: False)
    leader = threading.Thread(target=lambda: engine.run(QueryJob(COUNT, "all"), background=True))
    leader.start()
    try:
        until(lambda: bool(runs))
        assert engine.run(QueryJob(COUNT, "all")).count == 1
        answered.set()
        assert runs == [True, False]
    finally:
        answered.set()
        leader.join(10)
        engine.close()


def test_asks_that_cannot_hurry_a_background_run_share_one_run_of_their_own(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Where a background run cannot be hurried, the first ask runs the query itself and the
    asks that come meanwhile wait for that run: five asks are one run beside the background
    one, not five."""
    engine = QueryEngine(VersionedStore(MemoryStore()), workers=0, timeout=5)
    real, real_follow = engine._run, engine._follow
    release = threading.Event()
    runs: list[bool] = []
    followed: list[Flight] = []

    def run(job: QueryJob, *, background: bool = False) -> Answer:
        runs.append(background)
        assert release.wait(10), "the asks were not all running or following"
        return real(job)

    def follow(flight: Flight) -> Answer | None:
        followed.append(flight)
        return real_follow(flight)

    monkeypatch.setattr(engine, "_run", run)
    monkeypatch.setattr(engine, "_follow", follow)
    monkeypatch.setattr(engine, "_hurry", lambda job: False)
    answers: list[Answer] = []
    leader = threading.Thread(target=lambda: engine.run(QueryJob(COUNT, "all"), background=True))
    asks = [threading.Thread(target=lambda: answers.append(engine.run(QueryJob(COUNT, "all"))))
            for _ in range(5)]
    leader.start()
    try:
        until(lambda: runs == [True])
        for ask in asks:
            ask.start()
        until(lambda: len(runs) + len(followed) == 1 + len(asks))   # each runs or follows
        release.set()
        for ask in asks:
            ask.join(10)
        assert runs == [True, False]
        assert len(answers) == len(asks) and all(answer.count == 1 for answer in answers)
    finally:
        release.set()
        leader.join(10)
        engine.close()


def test_an_ask_arriving_as_a_background_run_begins_hurries_it(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A background run's flight is known as one from the moment others may follow it: an
    ask arriving just after the leader took the flight hurries the run before it waits."""
    engine = QueryEngine(VersionedStore(MemoryStore()), workers=0, timeout=5)
    real_flight, real_follow = engine.answers.flight, engine._follow
    steps: list[str] = []

    def hurry(job: QueryJob) -> bool:
        steps.append("hurry")
        return True

    def follow(flight: Flight) -> Answer | None:
        steps.append("follow")
        return real_follow(flight)

    answers: list[Answer] = []
    asking = threading.Thread(target=lambda: answers.append(engine.run(QueryJob(COUNT, "all"))))

    def flight(key: Hashable, version: int, **options: bool) -> tuple[Flight, bool]:
        found, leading = real_flight(key, version, **options)
        if leading:   # another ask comes before the leader goes on
            asking.start()
            until(lambda: "follow" in steps)
        return found, leading

    monkeypatch.setattr(engine, "_hurry", hurry)
    monkeypatch.setattr(engine, "_follow", follow)
    monkeypatch.setattr(engine.answers, "flight", flight)
    try:
        assert engine.run(QueryJob(COUNT, "all"), background=True).count == 1
        asking.join(10)
        assert steps == ["hurry", "follow"] and answers and answers[0].count == 1
    finally:
        engine.close()


def runs_of(monkeypatch: pytest.MonkeyPatch, sparql: str, times: int,
            **engine_options: int) -> int:
    """How many times an engine over a one-triple store evaluates ``sparql`` asked ``times``
    times."""
    store = VersionedStore(MemoryStore())
    store.update('INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:p> "1" } }')
    engine = QueryEngine(store, workers=0, **engine_options)  # type: ignore[arg-type]
    ran: list[QueryJob] = []
    real = engine._run
    monkeypatch.setattr(engine, "_run",
                        lambda job, **options: ran.append(job) or real(job, **options))
    for _ in range(times):
        engine.run(QueryJob(sparql, "all", solutions_format="csv"))
    return len(ran)


@pytest.mark.parametrize("sparql", [
    "SELECT (NOW() AS ?t) WHERE {}",
    "SELECT ?s WHERE { ?s ?p ?o } ORDER BY rand() LIMIT 1",
    "SELECT (STRUUID() AS ?u) WHERE {}",
    "CONSTRUCT { ?s <urn:q> ?b } WHERE { ?s ?p ?o BIND (BNODE() AS ?b) }",
])
def test_a_query_with_a_volatile_function_is_run_every_time(
        sparql: str, monkeypatch: pytest.MonkeyPatch) -> None:
    assert runs_of(monkeypatch, sparql, 2) == 2


def test_no_answer_is_kept_or_shared_without_capacity(monkeypatch: pytest.MonkeyPatch) -> None:
    assert runs_of(monkeypatch, COUNT, 3, answer_cache=0) == 3
    assert runs_of(monkeypatch, COUNT, 3) == 1   # the same query with the cache: once
