"""Answers a restated triple cannot change (``graph.queries.multiplicity``): which queries
read the union of graphs as a set, which changed triples another graph already held, and
``KeptAnswers`` carrying such answers over a write that only restates what they read,
every answer it gives still a fresh evaluation's."""

from __future__ import annotations

import json
from collections import Counter

import pyoxigraph as ox
import pytest

from graph.engine.execution import QueryEngine
from graph.engine.snapshots import VersionedStore
from graph.ingest.writing import drop, replace
from graph.namespaces import CG, ID, RDF, RDFS, graph_iri
from graph.queries.catalogue import list_queries
from graph.queries.kept import KeptAnswers
from graph.queries.multiplicity import insensitive, restated
from graph.sparql.request import QueryJob, execute
from graph.store import DEFAULT_GRAPH, Store
from tests.support.stores import example_store, memory_store

SCHEMA = "https://schema.org/"
RESTATING = graph_iri("test/restating")
SPO = "WHERE { ?s ?p ?o }"


@pytest.mark.parametrize(("text", "expected"), [
    (f"SELECT DISTINCT ?s {SPO}", True),
    (f"SELECT DISTINCT ?s {SPO} ORDER BY ?s LIMIT 2", True),
    (f"SELECT ?s (COUNT(DISTINCT ?o) AS ?n) (MAX(?o) AS ?m) {SPO} GROUP BY ?s", True),
    (f"SELECT ?s (SUM(DISTINCT ?o) AS ?n) (AVG(DISTINCT ?o) AS ?a) {SPO} GROUP BY ?s", True),
    (f"SELECT ?s (COUNT(DISTINCT ?o) AS ?n) {SPO} GROUP BY ?s HAVING (COUNT(DISTINCT ?p) > 1)",
     True),
    (f"SELECT (COUNT(DISTINCT *) AS ?n) {SPO}", True),
    # repeats counted, or a value that depends on them or on their order
    (f"SELECT ?s {SPO}", False),
    (f"SELECT REDUCED ?s {SPO}", False),
    (f"SELECT (COUNT(*) AS ?n) {SPO}", False),
    (f"SELECT ?s (COUNT(?o) AS ?n) {SPO} GROUP BY ?s", False),
    (f"SELECT ?s (SUM(?o) AS ?n) {SPO} GROUP BY ?s", False),
    (f"SELECT ?s (COUNT(DISTINCT ?o) AS ?n) {SPO} GROUP BY ?s HAVING (COUNT(?p) > 1)", False),
    (f"SELECT ?s (GROUP_CONCAT(DISTINCT ?o) AS ?n) {SPO} GROUP BY ?s", False),
    (f"SELECT ?s (SAMPLE(?o) AS ?n) {SPO} GROUP BY ?s", False),
    # below the DISTINCT: a count of repeats, a LIMIT, a named graph
    ("SELECT DISTINCT ?s ?n WHERE { { SELECT ?s (COUNT(*) AS ?n) WHERE { ?s ?p ?o } "
     "GROUP BY ?s } }", False),
    ("SELECT DISTINCT ?s WHERE { { SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s LIMIT 3 } }", False),
    ("SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER EXISTS { SELECT ?s WHERE { ?s ?p ?x } "
     "OFFSET 1 } }", False),
    ("SELECT DISTINCT ?s WHERE { GRAPH ?g { ?s ?p ?o } }", False),
    ("SELECT DISTINCT ?s FROM <http://example.org/g> WHERE { ?s ?p ?o }", False),
    ("SELECT DISTINCT ?s FROM NAMED <http://example.org/g> WHERE { ?s ?p ?o }", False),
    ("ASK { ?s ?p ?o }", False),
    ("CONSTRUCT WHERE { ?s ?p ?o }", False),
    ("not a query", False),
])
def test_which_answers_read_the_triples_as_a_set(text: str, expected: bool) -> None:
    assert insensitive(text) is expected


def _triple(subject: str, obj: ox.NamedNode | ox.Literal) -> ox.Triple:
    return ox.Triple(ox.NamedNode(ID + subject), ox.NamedNode(RDFS + "label"), obj)


def test_restated_finds_the_triples_the_holders_hold_and_only_them() -> None:
    store = memory_store()
    a, b = graph_iri("test/a"), graph_iri("test/b")
    held = [_triple("x", ox.Literal('quote " and\nline', language="fr")),
            _triple("y", ox.Literal("7", datatype=ox.NamedNode(
                "http://www.w3.org/2001/XMLSchema#integer")))]
    elsewhere = _triple("z", ox.Literal("only in b"))
    for triple in held:
        store.ox.add(ox.Quad(*triple, ox.NamedNode(a)))
    store.ox.add(ox.Quad(*elsewhere, ox.NamedNode(b)))
    blank = ox.Triple(ox.BlankNode(), ox.NamedNode(RDFS + "label"), ox.Literal("b"))
    store.ox.add(ox.Quad(*blank, ox.NamedNode(a)))
    unknown = _triple("w", ox.Literal("nowhere"))
    asked = [*held, elsewhere, blank, unknown]
    assert restated(store, asked, {a}) == set(held)
    assert restated(store, asked, {a, b}) == {*held, elsewhere}
    assert restated(store, asked, set()) == set()
    store.ox.add(ox.Quad(*unknown, ox.DefaultGraph()))
    assert restated(store, asked, {DEFAULT_GRAPH}) == {unknown}
    many = [_triple(f"n{i}", ox.Literal(str(i))) for i in range(1_200)]
    for triple in many[::3]:
        store.ox.add(ox.Quad(*triple, ox.NamedNode(b)))
    assert restated(store, many, {b}) == set(many[::3])   # more than one batch


def _descriptions(store: Store, kind: str) -> list[ox.Triple]:
    """Every triple of every subject of class ``kind``, as the store holds them."""
    result = store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ ?s a <{kind}> ; ?p ?o }}")
    return list(result)  # type: ignore[arg-type]


def _rows(body: bytes) -> Counter[str]:
    return Counter(json.dumps(row, sort_keys=True)
                   for row in json.loads(body)["results"]["bindings"])


def _jobs(engine: QueryEngine, store: Store) -> list[tuple[str, QueryJob]]:
    jobs = []
    for query in list_queries():
        if any(p.required for p in query.params):
            continue
        terms = query.bind({"lang": "en"} if any(p.name == "lang" for p in query.params)
                           else {})
        for scope in ("public", "all"):
            jobs.append((query.name, engine.job(query.text(store, terms), scope,
                                                substitutions=terms, solutions_format="json")))
    # two of our own over the software's labels: one reads them as a set, one counts them
    for text in ("SELECT DISTINCT ?s ?l WHERE { ?s a <%s> ; <%s> ?l } ORDER BY ?s ?l",
                 "SELECT ?s (COUNT(*) AS ?n) WHERE { ?s a <%s> ; <%s> ?l } GROUP BY ?s "
                 "ORDER BY ?s"):
        jobs.append(("own", engine.job(text % (SCHEMA + "SoftwareApplication", RDFS + "label"),
                                       "public", solutions_format="json")))
    return jobs


def test_an_answer_read_as_a_set_is_carried_over_restated_triples_and_stays_exact() -> None:
    store = VersionedStore(example_store())
    engine = QueryEngine(store, workers=0)
    kept = KeptAnswers(store)
    jobs = _jobs(engine, store)
    software = _descriptions(store, SCHEMA + "SoftwareApplication")
    usage = [ox.Triple(ox.NamedNode(ID + "usage/restating"), ox.NamedNode(p), o) for p, o in [
        (RDF + "type", ox.NamedNode(CG + "ToolUsage")),
        (CG + "organisation", ox.NamedNode(ID + "org/restating")),
        (CG + "tool", ox.NamedNode(ID + "software/loomio")),
        (CG + "practice", ox.NamedNode(ID + "practice/decision-making")),
        (CG + "status", ox.NamedNode(ID + "status/active"))]]
    writes = [
        ("the software restated", lambda: replace(store, {RESTATING: software}, None,
                                                  source="test", validate=False)),
        ("with a new usage", lambda: replace(store, {RESTATING: software + usage}, None,
                                             source="test", validate=False)),
        ("the usage taken out", lambda: replace(store, {RESTATING: software}, None,
                                                source="test", validate=False)),
        ("the restating graph dropped", lambda: drop(store, RESTATING, who="test")),
    ]
    try:
        for _, job in jobs:
            kept.run(job, engine.run)
        as_sets = []
        for label, write in writes:
            before = kept.as_sets
            write()
            for name, job in jobs:
                given = kept.run(job, engine.run)
                assert _rows(given.body) == _rows(execute(store, job).body), (label, name)
            as_sets.append(kept.as_sets - before)
        # restating (and no longer restating) carried answers the triples met; the count of
        # labels was not among them: it changed, and was given anew
        assert as_sets[0] > 0 and as_sets[3] > 0, as_sets
        counted = jobs[-1][1]
        assert insensitive(counted.sparql) is False
    finally:
        engine.close()


def test_a_triple_only_a_hidden_graph_held_is_a_change_for_the_public() -> None:
    """A restricted graph holding the triple is no holder for a reader who cannot see it."""
    store = VersionedStore(example_store())
    engine = QueryEngine(store, workers=0)
    kept = KeptAnswers(store)
    secret = ox.Triple(ox.NamedNode(ID + "software/loomio"), ox.NamedNode(RDFS + "label"),
                       ox.Literal("Loomio, as a secret says", language="en"))
    hidden = graph_iri("test/hidden")
    replace(store, {hidden: [secret]}, None, source="test", validate=False,
            default_access="restricted")
    job = engine.job(f"SELECT DISTINCT ?l WHERE {{ <{ID}software/loomio> <{RDFS}label> ?l }}",
                     "public", solutions_format="json")
    try:
        first = kept.run(job, engine.run)
        assert "secret" not in first.body.decode()
        replace(store, {RESTATING: [secret]}, None, source="test", validate=False)
        given = kept.run(job, engine.run)
        assert _rows(given.body) == _rows(execute(store, job).body)
        assert "secret" in given.body.decode()
    finally:
        engine.close()


def test_a_write_landing_while_the_answers_are_carried_is_not_missed(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The carry reads the store (which graphs hold a changed triple): a second write landing
    then, restating in another graph the triple the first one added, must not make each
    write look like a restatement of the other, the answer kept stale for good."""
    from graph.queries import kept as kept_module

    store = VersionedStore(example_store())
    engine = QueryEngine(store, workers=0)
    kept = KeptAnswers(store)
    a, b = graph_iri("test/race-a"), graph_iri("test/race-b")
    loomio = ox.NamedNode(ID + "software/loomio")
    filler = ox.Triple(loomio, ox.NamedNode(RDFS + "comment"), ox.Literal("filler"))
    added = ox.Triple(loomio, ox.NamedNode(RDFS + "label"), ox.Literal("x"))
    replace(store, {a: [filler]}, None, source="test", validate=False)
    replace(store, {b: [filler]}, None, source="test", validate=False)
    job = engine.job(f"SELECT DISTINCT ?l WHERE {{ {loomio} <{RDFS}label> ?l }}", "public",
                     solutions_format="json")
    original = kept_module.restated
    raced: list[bool] = []

    def racing(*args: object, **options: object) -> set[ox.Triple]:
        if not raced:   # another client's write lands while the carry reads the store
            raced.append(True)
            replace(store, {b: [filler, added]}, None, source="test", validate=False)
        return original(*args, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(kept_module, "restated", racing)
    try:
        kept.run(job, engine.run)
        replace(store, {a: [filler, added]}, None, source="test", validate=False)
        for _ in range(3):
            given = kept.run(job, engine.run)
            assert _rows(given.body) == _rows(execute(store, job).body)
        assert raced
    finally:
        engine.close()
