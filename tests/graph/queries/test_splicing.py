"""Answers spliced after a write (``graph.queries.splicing``, ``graph.queries.kept``): after
every kind of write a curator makes, each catalogue answer given is a fresh evaluation's
(the same rows, in an order the ORDER BY keys agree with), and splicing is used."""

from __future__ import annotations

import io
import json
from collections import Counter
from collections.abc import Callable, Iterator

import pyoxigraph as ox
import pytest

from graph.engine.execution import QueryEngine
from graph.engine.snapshots import VersionedStore
from graph.ingest.writing import drop, replace
from graph.namespaces import CG, ID, RDF, RDFS, graph_iri
from graph.queries import kept as kept_module
from graph.queries.catalogue import list_queries
from graph.queries.confinement import plan
from graph.queries.kept import KeptAnswers
from graph.samples.synthetic import write as generated
from graph.sparql.request import QueryJob, execute
from graph.sparql.results import Answer
from graph.store import Store
from tests.support.stores import example_store, memory_store

EXAMPLE = graph_iri("example")
NEW_GRAPH = graph_iri("test/splice-organisation")
RESOURCE_GRAPH = graph_iri("test/splice-resource")
RESTATING = graph_iri("test/splice-restating")
SYNTHETIC = graph_iri("synthetic")
ORG = "http://www.w3.org/ns/org#"
SCHEMA = "https://schema.org/"


def _t(subject: str, predicate: str, obj: ox.NamedNode | ox.Literal) -> ox.Triple:
    return ox.Triple(ox.NamedNode(ID + subject), ox.NamedNode(predicate), obj)


ORGANISATION = [_t("org/splice", RDF + "type", ox.NamedNode(ORG + "FormalOrganization")),
                _t("org/splice", RDFS + "label", ox.Literal("Splice", language="fr"))]
USAGE = [_t("usage/splice-1", RDF + "type", ox.NamedNode(CG + "ToolUsage")),
         _t("usage/splice-1", CG + "organisation", ox.NamedNode(ID + "org/splice")),
         _t("usage/splice-1", CG + "tool", ox.NamedNode(ID + "software/loomio")),
         _t("usage/splice-1", CG + "practice", ox.NamedNode(ID + "practice/decision-making")),
         _t("usage/splice-1", CG + "status", ox.NamedNode(ID + "status/active"))]
RESOURCE = [_t("resource/splice", RDF + "type", ox.NamedNode(SCHEMA + "CreativeWork")),
            _t("resource/splice", RDFS + "label", ox.Literal("A spliced guide", language="en")),
            _t("resource/splice", SCHEMA + "about", ox.NamedNode(ID + "practice/decision-making"))]


def _graph(store: Store, graph: str) -> list[ox.Triple]:
    result = store.query("CONSTRUCT WHERE { ?s ?p ?o }", default_graph=[graph])
    return list(result)  # type: ignore[arg-type]


def _put(graph: str, triples: Callable[[list[ox.Triple]], list[ox.Triple]]
         ) -> Callable[[Store], None]:
    """A write replacing ``graph`` with ``triples`` of its content."""
    return lambda store: replace(store, {graph: triples(_graph(store, graph))}, None,
                                 source="test", validate=False)


def _renamed(kind: str) -> Callable[[list[ox.Triple]], list[ox.Triple]]:
    """The first subject of class ``kind`` with its labels changed."""
    def change(triples: list[ox.Triple]) -> list[ox.Triple]:
        subject = sorted(str(t.subject) for t in triples if t.predicate.value == RDF + "type"
                         and t.object.value == kind)[0]
        return [ox.Triple(t.subject, t.predicate, ox.Literal(t.object.value + " (renamed)"))
                if str(t.subject) == subject and t.predicate.value == RDFS + "label" else t
                for t in triples]
    return change


def _without(kind: str, at: int = 0) -> Callable[[list[ox.Triple]], list[ox.Triple]]:
    """Every triple of one subject of class ``kind`` taken out."""
    def change(triples: list[ox.Triple]) -> list[ox.Triple]:
        subject = sorted(str(t.subject) for t in triples if t.predicate.value == RDF + "type"
                         and t.object.value == kind)[at]
        return [t for t in triples if str(t.subject) != subject]
    return change


def _copied(kind: str) -> Callable[[list[ox.Triple]], list[ox.Triple]]:
    """One subject of class ``kind`` copied under another IRI (a new one, like it)."""
    def change(triples: list[ox.Triple]) -> list[ox.Triple]:
        subject = sorted(str(t.subject) for t in triples if t.predicate.value == RDF + "type"
                         and t.object.value == kind)[1]
        twin = ox.NamedNode(subject[1:-1] + "-twin")
        return triples + [ox.Triple(twin, t.predicate, t.object) for t in triples
                          if str(t.subject) == subject]
    return change


def _writes(graph: str) -> list[tuple[str, Callable[[Store], None]]]:
    """The writes a curator makes, over the dataset's graph ``graph``."""
    return [
        ("a new organisation", lambda s: replace(s, {NEW_GRAPH: ORGANISATION}, None,
                                                 source="test", validate=False)),
        ("a usage added", lambda s: replace(s, {NEW_GRAPH: ORGANISATION + USAGE}, None,
                                            source="test", validate=False)),
        ("an organisation renamed", _put(graph, _renamed(ORG + "FormalOrganization"))),
        ("a software label changed", _put(graph, _renamed(SCHEMA + "SoftwareApplication"))),
        ("a usage removed", _put(graph, _without(CG + "ToolUsage"))),
        ("an organisation added", _put(graph, _copied(ORG + "FormalOrganization"))),
        ("an organisation removed", _put(graph, _without(ORG + "FormalOrganization"))),
        ("a usage renamed away", lambda s: replace(s, {NEW_GRAPH: ORGANISATION}, None,
                                                   source="test", validate=False)),
        ("a resource", lambda s: replace(s, {RESOURCE_GRAPH: RESOURCE}, None,
                                         source="test", validate=False)),
        ("a graph deleted", lambda s: drop(s, NEW_GRAPH, who="test")),
        ("a SPARQL update", lambda s: s.update(
            f"INSERT DATA {{ GRAPH <{RESOURCE_GRAPH}> {{ <{ID}resource/splice> <{RDFS}comment> "
            "'c' } }")),
        ("a usage removed again", _put(graph, _without(CG + "ToolUsage", 1))),
        # what an import of one more organisation restates: every software's description
        ("the software restated", lambda s: replace(s, {RESTATING: _software(s)}, None,
                                                    source="test", validate=False)),
        ("the software restated with a usage", lambda s: replace(
            s, {RESTATING: _software(s) + ORGANISATION + USAGE}, None, source="test",
            validate=False)),
        ("the restating graph dropped", lambda s: drop(s, RESTATING, who="test")),
    ]


def _software(store: Store) -> list[ox.Triple]:
    """Every triple of every software, as the store's graphs other than ``RESTATING``
    hold them."""
    result = store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH ?g {{ ?s a <{SCHEMA}"
                         f"SoftwareApplication> ; ?p ?o }} FILTER(?g != <{RESTATING}>) }}")
    return list(result)  # type: ignore[arg-type]


def _generated_store() -> Store:
    store = example_store()   # the vocabulary and labels of the schemes
    buffer = io.BytesIO()
    generated(12, buffer, seed=3)
    triples = [q.triple for q in ox.parse(buffer.getvalue(), ox.RdfFormat.N_TRIPLES)]
    drop(store, EXAMPLE, who="test")
    replace(store, {SYNTHETIC: triples}, None, source="test", validate=False)
    return store


def _rows(body: bytes) -> tuple[Counter[str], list[dict[str, dict[str, str]]]]:
    rows = json.loads(body)["results"]["bindings"]
    return Counter(json.dumps(row, sort_keys=True) for row in rows), rows


@pytest.fixture(params=["example", "generated"])
def dataset(request: pytest.FixtureRequest) -> Iterator[tuple[VersionedStore, str]]:
    if request.param == "example":
        yield VersionedStore(example_store()), EXAMPLE
    else:
        yield VersionedStore(_generated_store()), SYNTHETIC


@pytest.mark.slow
def test_a_spliced_answer_is_a_fresh_evaluations_after_every_write(
        dataset: tuple[VersionedStore, str]) -> None:
    store, graph = dataset
    engine = QueryEngine(store, workers=0)
    kept = KeptAnswers(store)
    jobs: list[tuple[str, QueryJob, tuple[tuple[str, bool], ...] | None]] = []
    for query in list_queries():
        if any(p.required for p in query.params):
            continue
        terms = query.bind({"lang": "en"} if any(p.name == "lang" for p in query.params)
                           else {})
        for scope in ("public", "all"):
            job = engine.job(query.text(store, terms), scope, substitutions=terms,
                             solutions_format="json")
            jobs.append((query.name, job, plan(job.sparql, frozenset(terms)).order))
    try:
        for _, job, _ in jobs:
            kept.run(job, engine.run)
        for label, write in _writes(graph):
            write(store)
            for name, job, order in jobs:
                given = kept.run(job, engine.run)
                fresh = execute(store, job)
                (given_rows, given_list), (fresh_rows, fresh_list) = \
                    _rows(given.body), _rows(fresh.body)
                assert given_rows == fresh_rows, (label, name, job.scope)
                assert given.count == fresh.count
                if order:
                    def keys(rows: list[dict[str, dict[str, str]]],
                             order: tuple[tuple[str, bool], ...] = order) -> list[str]:
                        return [json.dumps([row.get(v) for v, _ in order], sort_keys=True)
                                for row in rows]
                    assert keys(given_list) == keys(fresh_list), (label, name, job.scope)
        assert kept.spliced > 0 and kept.forgotten > 0
    finally:
        engine.close()


def test_the_evaluation_sees_the_restricted_query_and_the_answer_is_spliced() -> None:
    store = VersionedStore(memory_store())
    replace(store, {NEW_GRAPH: ORGANISATION + USAGE}, None, source="test", validate=False)
    kept = KeptAnswers(store)
    job = QueryJob(f"SELECT ?org (COUNT(?u) AS ?n) {{ ?u <{CG}organisation> ?org }} "
                   "GROUP BY ?org ORDER BY DESC(?n) ?org", "all", solutions_format="json")
    asked: list[str] = []

    def evaluate(job: QueryJob) -> Answer:
        asked.append(job.sparql)
        return execute(store, job)

    kept.run(job, evaluate)
    more = [ox.Triple(ox.NamedNode(ID + "usage/splice-2"), ox.NamedNode(CG + "organisation"),
                      ox.NamedNode(ID + "org/splice"))]
    replace(store, {NEW_GRAPH: ORGANISATION + USAGE + more}, None, source="test",
            validate=False)
    answer = kept.run(job, evaluate)
    assert len(asked) == 2 and f"VALUES ?org {{ <{ID}org/splice> }}" in asked[1]
    assert asked[1].replace(f" VALUES ?org {{ <{ID}org/splice> }}", "") == job.sparql
    assert _rows(answer.body)[0] == _rows(execute(store, job).body)[0]
    assert kept.spliced == 1 and kept.forgotten == 0
    assert kept.run(job, evaluate).body == answer.body and len(asked) == 2   # kept as spliced


def test_an_answer_is_forgotten_not_spliced_when_splicing_is_off() -> None:
    store = VersionedStore(memory_store())
    replace(store, {NEW_GRAPH: ORGANISATION}, None, source="test", validate=False)
    kept = KeptAnswers(store, splice=False)
    job = QueryJob(f"SELECT ?s ?l {{ ?s <{RDFS}label> ?l }} ORDER BY ?l", "all",
                   solutions_format="json")
    asked: list[str] = []

    def evaluate(job: QueryJob) -> Answer:
        asked.append(job.sparql)
        return execute(store, job)

    kept.run(job, evaluate)
    replace(store, {NEW_GRAPH: ORGANISATION + RESOURCE}, None, source="test", validate=False)
    kept.run(job, evaluate)
    assert asked == [job.sparql, job.sparql] and kept.forgotten == 1


def _two_usages_added(store: Store) -> Iterator[None]:
    """Two writes, each of a graph with one more usage of the organisation."""
    for usage in ("splice-2", "splice-3"):
        more = [ox.Triple(ox.NamedNode(ID + f"usage/{usage}"),
                          ox.NamedNode(CG + "organisation"), ox.NamedNode(ID + "org/splice"))]
        replace(store, {graph_iri(f"test/{usage}"): more}, None, source="test",
                validate=False)
        yield


def _clocked(monkeypatch: pytest.MonkeyPatch, *, whole: float, restricted: float) -> tuple[
        VersionedStore, KeptAnswers, QueryJob, Callable[[QueryJob], Answer], list[str]]:
    """A store with one organisation's usages, its answers kept, a count of its usages per
    organisation, and an evaluation that makes kept.py's clock advance ``whole`` or
    ``restricted`` seconds, noting which it was asked in the list returned."""
    store = VersionedStore(memory_store())
    replace(store, {NEW_GRAPH: ORGANISATION + USAGE}, None, source="test", validate=False)
    job = QueryJob(f"SELECT ?org (COUNT(?u) AS ?n) {{ ?u <{CG}organisation> ?org }} "
                   "GROUP BY ?org ORDER BY ?org", "all", solutions_format="json")
    clock = [0.0]
    monkeypatch.setattr(kept_module.time, "monotonic", lambda: clock[0])
    asked: list[str] = []

    def evaluate(job: QueryJob) -> Answer:
        asked.append("restricted" if "VALUES ?org" in job.sparql else "whole")
        clock[0] += restricted if asked[-1] == "restricted" else whole
        return execute(store, job)

    return store, KeptAnswers(store), job, evaluate, asked


def test_a_splice_dearer_than_an_evaluation_is_not_made_again(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # a whole evaluation takes 1 s, a restricted one 5
    store, kept, job, evaluate, asked = _clocked(monkeypatch, whole=1.0, restricted=5.0)
    kept.run(job, evaluate)
    for _ in _two_usages_added(store):
        answer = kept.run(job, evaluate)
        assert _rows(answer.body)[0] == _rows(execute(store, job).body)[0]
    assert asked == ["whole", "restricted", "whole"]
    assert kept.spliced == 1 and kept.forgotten == 1


def test_a_change_of_many_triples_is_forgotten_not_spliced(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Finding a splice checks every changed triple against every pattern: past
    SPLICE_CHANGES triples the answers the change meets are forgotten (dropping an
    18,000-triple graph took 107 s of observation, blocking every catalogue ask)."""
    from graph.queries import changes

    store = VersionedStore(memory_store())
    replace(store, {NEW_GRAPH: ORGANISATION + USAGE}, None, source="test", validate=False)
    kept = KeptAnswers(store)
    job = QueryJob(f"SELECT ?org (COUNT(?u) AS ?n) {{ ?u <{CG}organisation> ?org }} "
                   "GROUP BY ?org ORDER BY DESC(?n) ?org", "all", solutions_format="json")
    kept.run(job, lambda job: execute(store, job))
    monkeypatch.setattr(changes, "SPLICE_CHANGES", 3)
    more = [ox.Triple(ox.NamedNode(f"{ID}usage/splice-{n}"), ox.NamedNode(CG + "organisation"),
                      ox.NamedNode(ID + "org/splice")) for n in range(2, 6)]
    replace(store, {NEW_GRAPH: ORGANISATION + USAGE + more}, None, source="test",
            validate=False)
    answer = kept.run(job, lambda job: execute(store, job))
    assert kept.spliced == 0 and kept.to_splice == 0 and kept.forgotten == 1
    assert _rows(answer.body)[0] == _rows(execute(store, job).body)[0]


def test_a_quick_splice_is_not_held_against_its_job(monkeypatch: pytest.MonkeyPatch) -> None:
    """The whole evaluation's time may be an ask's wait for another's evaluation (or the
    engine's kept answer): a splice under SPLICE_FLOOR seconds is made again however it
    compares."""
    # "whole": 0.01 s (an ask's wait), restricted 0.05 s
    store, kept, job, evaluate, asked = _clocked(monkeypatch, whole=0.01, restricted=0.05)
    kept.run(job, evaluate)
    for _ in _two_usages_added(store):
        kept.run(job, evaluate)
    assert asked == ["whole", "restricted", "restricted"] and kept.spliced == 2
