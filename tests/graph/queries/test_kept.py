"""Catalogue answers kept across the writes that cannot change them (``graph.queries.kept``):
whatever the write, an answer given is the answer a fresh evaluation gives."""

from __future__ import annotations

import gzip
import threading
from collections.abc import Callable, Iterator

import pyoxigraph as ox
import pytest

from graph.engine.execution import QueryEngine
from graph.engine.snapshots import VersionedStore
from graph.ingest.writing import drop, replace
from graph.namespaces import CG, ID, RDF, RDFS, SCHEMA, graph_iri
from graph.queries import kept as kept_module
from graph.queries.catalogue import list_queries
from graph.queries.kept import COMPRESS_FROM, GZIP, KeptAnswers, size_up_to
from graph.sparql.request import QueryJob, execute
from graph.sparql.results import Answer
from graph.store import Store
from tests.support.stores import example_store, memory_store

ORG_GRAPH = graph_iri("test/kept-organisation")
SCOPED = {"tools_by_practice", "single_source_facts", "resources_by_licence_and_topic"}
RESOURCE_GRAPH = graph_iri("test/kept-resource")
#: how long a test waits for another thread before it fails
DEADLINE = 10.0


def _t(subject: str, predicate: str, obj: ox.NamedNode | ox.Literal) -> ox.Triple:
    return ox.Triple(ox.NamedNode(ID + subject), ox.NamedNode(predicate), obj)


ORGANISATION = [
    _t("org/kept", RDF + "type", ox.NamedNode("http://www.w3.org/ns/org#FormalOrganization")),
    _t("org/kept", RDFS + "label", ox.Literal("Kept")),
]
USAGE = [
    _t("usage/kept-1", RDF + "type", ox.NamedNode(CG + "ToolUsage")),
    _t("usage/kept-1", CG + "organisation", ox.NamedNode(ID + "org/kept")),
    _t("usage/kept-1", CG + "tool", ox.NamedNode(ID + "software/loomio")),
    _t("usage/kept-1", CG + "practice", ox.NamedNode(ID + "practice/decision-making")),
    _t("usage/kept-1", CG + "status", ox.NamedNode(ID + "status/active")),
]
RESOURCE = [
    _t("resource/kept", RDF + "type", ox.NamedNode(SCHEMA + "CreativeWork")),
    _t("resource/kept", RDFS + "label", ox.Literal("A kept guide", language="en")),
]


def _write(contents: dict[str, list[ox.Triple]]) -> Callable[[Store], None]:
    return lambda store: replace(store, contents, None, source="test", validate=False)


#: writes, in order, each with what it must leave kept (queries not run again) and what
#: it must make run again
WRITES: list[tuple[str, Callable[[Store], None], set[str], set[str]]] = [
    ("a new resource graph", _write({RESOURCE_GRAPH: RESOURCE}),
     {"tools_by_practice", "single_source_facts", "bridging_tools"},
     {"resources_by_licence_and_topic"}),
    ("a new organisation without usage", _write({ORG_GRAPH: ORGANISATION}),
     {"tools_by_practice", "single_source_facts", "wave_changes"}, set()),
    ("the organisation with a usage", _write({ORG_GRAPH: ORGANISATION + USAGE}),
     {"resources_by_licence_and_topic", "codesign_projects_by_stage"},
     {"tools_by_practice", "single_source_facts"}),
    ("the usage removed", _write({ORG_GRAPH: ORGANISATION}),
     {"resources_by_licence_and_topic"}, {"tools_by_practice", "single_source_facts"}),
    ("the organisation's graph dropped", lambda store: drop(store, ORG_GRAPH, who="test"),
     {"tools_by_practice", "single_source_facts"}, set()),
    ("a SPARQL update", lambda store: store.update(
        f"INSERT DATA {{ GRAPH <{RESOURCE_GRAPH}> {{ <{ID}resource/kept> <{RDFS}comment> "
        "'c' } }"), set(), {"tools_by_practice", "resources_by_licence_and_topic"}),
]


@pytest.fixture(scope="module")
def setting() -> Iterator[tuple[VersionedStore, QueryEngine, list[tuple[str, QueryJob]]]]:
    store = VersionedStore(example_store())
    engine = QueryEngine(store, workers=0)
    jobs = []
    for query in list_queries():
        terms = query.bind({"lang": "en"} if any(p.name == "lang" for p in query.params)
                           else {})
        # the curator's scope for a few: it sees other graphs, its answers are its own
        for scope in ("public", "all") if query.name in SCOPED else ("public",):
            jobs.append((query.name, engine.job(query.sparql, scope, substitutions=terms,
                                                solutions_format="csv")))
    yield store, engine, jobs
    engine.close()


@pytest.mark.slow
def test_answers_given_after_each_write_are_those_of_a_fresh_evaluation(
        setting: tuple[VersionedStore, QueryEngine, list[tuple[str, QueryJob]]]) -> None:
    store, engine, jobs = setting
    kept = KeptAnswers(store)

    def ask_all() -> set[str]:
        ran: list[str] = []

        def evaluate(job: QueryJob, name: str) -> Answer:
            ran.append(name)
            return engine.run(job)

        for name, job in jobs:
            given = kept.run(job, lambda job, name=name: evaluate(job, name))  # type: ignore[misc]
            assert given.body == execute(store, job).body, name
        return set(ran)

    assert ask_all() == {name for name, _ in jobs}
    assert not ask_all()
    for label, write, stays, runs in WRITES:
        write(store)
        ran = ask_all()
        assert not stays & ran, (label, stays & ran)
        assert runs <= ran, (label, runs - ran)
    assert kept.carried and kept.forgotten


@pytest.mark.parametrize("most", [0, 1, 4, 5, 6, 100])
def test_a_graph_is_counted_up_to_one_past_the_bound(most: int) -> None:
    store = memory_store()
    replace(store, {ORG_GRAPH: ORGANISATION + USAGE}, None, source="test", validate=False)
    size = store.count(ORG_GRAPH)
    assert size == len(ORGANISATION + USAGE)
    assert size_up_to(store, ORG_GRAPH, most) == min(size, most + 1)
    assert size_up_to(store, RESOURCE_GRAPH, most) == 0


def test_a_store_that_does_not_count_its_writes_keeps_nothing() -> None:
    store = memory_store()
    kept = KeptAnswers(store)
    calls: list[QueryJob] = []
    job = QueryJob("SELECT * { ?s ?p ?o }", "all", solutions_format="csv")

    def evaluate(job: QueryJob) -> Answer:
        calls.append(job)
        return execute(store, job)

    kept.run(job, evaluate)
    kept.run(job, evaluate)
    assert len(calls) == 2 and kept.observe() is None


def test_an_answer_is_not_kept_when_a_write_came_while_it_ran() -> None:
    store = VersionedStore(memory_store())
    kept = KeptAnswers(store)
    job = QueryJob(f"SELECT (COUNT(*) AS ?n) {{ ?s <{RDFS}label> ?o }}", "all",
                   solutions_format="csv")
    calls: list[int] = []

    def evaluate_then_write(job: QueryJob) -> Answer:
        answer = execute(store, job)
        if not calls:
            store.update(f"INSERT DATA {{ GRAPH <{RESOURCE_GRAPH}> {{ <urn:a> <{RDFS}label> "
                         "'a' } }")
        calls.append(1)
        return answer

    first = kept.run(job, evaluate_then_write)
    second = kept.run(job, evaluate_then_write)
    assert b"0" in first.body and b"1" in second.body and len(calls) == 2


@pytest.mark.parametrize("text", [
    "SELECT (COUNT(*) AS ?n) { ?s <urn:p> ?o }",
    "SELECT ?g { GRAPH ?g { ?s <urn:p> ?o } } ORDER BY ?g",
])
def test_a_triple_copied_into_another_graph_is_a_change(text: str) -> None:
    # with several graphs listed as the default graph, Oxigraph counts the copy twice;
    # GRAPH ?g sees one graph more: both answers are asked again
    store = VersionedStore(memory_store())
    triple = ox.Triple(ox.NamedNode("urn:a"), ox.NamedNode("urn:p"), ox.Literal("1"))
    replace(store, {graph_iri("test/one"): [triple]}, None, source="test", validate=False)
    kept = KeptAnswers(store)
    job = QueryJob(text, "all", solutions_format="csv")
    runs: list[int] = []

    def evaluate(job: QueryJob) -> Answer:
        runs.append(1)
        return execute(store, job)

    before = kept.run(job, evaluate)
    replace(store, {graph_iri("test/two"): [triple]}, None, source="test", validate=False)
    after = kept.run(job, evaluate)
    assert after.body == execute(store, job).body != before.body and len(runs) == 2


def _many_labels() -> VersionedStore:
    """A store of 20,000 labels: answers over ``COMPRESS_FROM``, kept gzipped."""
    store = VersionedStore(memory_store())
    replace(store, {graph_iri("test/many"): [
        ox.Triple(ox.NamedNode(f"urn:s{n}"), ox.NamedNode(RDFS + "label"),
                  ox.Literal(f"label {n}")) for n in range(20_000)]},
        None, source="test", validate=False)
    return store


def test_a_large_answer_is_kept_gzipped_and_given_as_written_to_who_cannot_take_gzip() -> None:
    store = _many_labels()
    kept = KeptAnswers(store)
    job = QueryJob(f"SELECT ?s ?o {{ ?s <{RDFS}label> ?o }} ORDER BY ?s", "all",
                   solutions_format="json")
    runs: list[int] = []

    def evaluate(job: QueryJob) -> Answer:
        runs.append(1)
        return execute(store, job)

    written, coding = kept.run_encoded(job, evaluate, gzip_ok=True)
    assert coding is None and len(written.body) > COMPRESS_FROM   # evaluated: as written
    zipped, coding = kept.run_encoded(job, evaluate, gzip_ok=True)
    assert coding == GZIP and gzip.decompress(zipped.body) == written.body
    assert len(zipped.body) < len(written.body) // 4 and zipped.count == written.count
    plain = kept.run(job, evaluate)
    assert plain.body == written.body and len(runs) == 1


def test_an_answer_decompressed_for_one_ask_holds_up_no_other_ask(
        monkeypatch: pytest.MonkeyPatch) -> None:
    store = _many_labels()
    kept = KeptAnswers(store)
    large = QueryJob(f"SELECT ?s ?o {{ ?s <{RDFS}label> ?o }}", "all", solutions_format="json")
    small = QueryJob(f"SELECT ?s {{ ?s <{RDFS}label> 'label 7' }}", "all",
                     solutions_format="json")
    for job in (large, small):
        kept.run(job, lambda job: execute(store, job))
    started, release, answered = threading.Event(), threading.Event(), threading.Event()
    decompress = kept_module.decompressed

    def held(body: bytes) -> bytes:   # the large answer's decompression waits
        started.set()
        assert release.wait(DEADLINE)
        return decompress(body)

    def never(job: QueryJob) -> Answer:
        raise AssertionError("a kept answer was evaluated again")

    def ask_small() -> None:
        kept.run(small, never)
        answered.set()

    monkeypatch.setattr(kept_module, "decompressed", held)
    plain = threading.Thread(target=lambda: kept.run(large, never))
    plain.start()
    try:
        assert started.wait(DEADLINE)
        threading.Thread(target=ask_small).start()
        assert answered.wait(DEADLINE), "the small answer waited for the large one"
    finally:
        release.set()
        plain.join(DEADLINE)


#: the queries that read labels in sub-SELECTs joined by hash (or through ``p|q``), whose
#: answers a new guide leaves as they were; ``shared_resources`` lists guides
READ_IN_SUBSELECTS = {"codesign_projects_by_stage", "organisation_contributions",
                      "organisation_usages", "tool_usages"}
GUIDE_GRAPH = graph_iri("test/kept-guide")
USAGE_GRAPH = graph_iri("test/kept-guide-organisation")
DCT = "http://purl.org/dc/terms/"
GUIDE = [   # as bench/bench_catalogue.py writes one
    _t("resource/kept-guide", RDF + "type", ox.NamedNode(SCHEMA + "CreativeWork")),
    _t("resource/kept-guide", RDFS + "label", ox.Literal("A guide to shared agendas",
                                                         language="en")),
    _t("resource/kept-guide", DCT + "type", ox.NamedNode(ID + "resource-type/guide")),
    _t("resource/kept-guide", DCT + "license",
       ox.NamedNode("https://creativecommons.org/licenses/by/4.0/")),
    _t("resource/kept-guide", SCHEMA + "about", ox.NamedNode(ID + "practice/decision-making")),
]


def test_a_new_guide_leaves_the_labels_read_in_sub_selects_kept_and_a_usage_does_not() -> None:
    store = VersionedStore(example_store())
    engine = QueryEngine(store, workers=0)
    kept = KeptAnswers(store)
    jobs = {}
    for query in list_queries():
        if query.name in READ_IN_SUBSELECTS | {"shared_resources"}:
            terms = query.bind({})
            jobs[query.name] = engine.job(query.text(store, terms), "public",
                                          substitutions=terms, solutions_format="csv")

    def ask_all() -> set[str]:
        ran: list[str] = []

        def evaluate(job: QueryJob, name: str) -> Answer:
            ran.append(name)
            return engine.run(job)

        for name, job in jobs.items():
            given = kept.run(job, lambda job, name=name: evaluate(job, name))  # type: ignore[misc]
            assert given.body == execute(store, job).body, name
        return set(ran)

    try:
        assert ask_all() == set(jobs)
        _write({GUIDE_GRAPH: GUIDE})(store)
        assert ask_all() == {"shared_resources"}
        # an organisation's label named, then no longer named, by a usage of the default
        # tool written (and removed) with it: the answers that show it are asked again
        _write({USAGE_GRAPH: ORGANISATION + USAGE})(store)
        assert {"tool_usages", "organisation_usages"} <= ask_all()
        _write({USAGE_GRAPH: ORGANISATION[:1]})(store)
        assert {"tool_usages", "organisation_usages"} <= ask_all()
    finally:
        engine.close()
