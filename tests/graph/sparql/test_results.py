"""Result formats and the result cap: a whole answer or ResultTooLarge, never a truncation."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from graph.errors import ResultTooLarge, UnknownFormat
from graph.sparql.results import (
    GRAPH_FORMATS,
    SOLUTION_FORMATS,
    format_for,
    format_named,
    parse_answer,
    serialize_result,
)

EX = "http://example.org/"


@pytest.fixture(scope="module")
def store() -> ox.Store:
    store = ox.Store()
    graph = ox.NamedNode(EX + "g")
    for i in range(10):
        store.add(ox.Quad(ox.NamedNode(f"{EX}s{i}"), ox.NamedNode(EX + "p"),
                          ox.Literal(f"line {i}\nwith\t\"quotes\"", language="fr"), graph))
    integer = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
    store.add(ox.Quad(ox.BlankNode("b"), ox.NamedNode(EX + "p"),
                      ox.Literal("7", datatype=integer), graph))
    return store


SELECT = "SELECT ?s ?o ?missing WHERE { GRAPH ?g { ?s ?p ?o } }"
CONSTRUCT = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"


@pytest.mark.parametrize("fmt", SOLUTION_FORMATS, ids=lambda f: f.name)
def test_solutions_in_every_format(store: ox.Store, fmt: object) -> None:
    answer = serialize_result(store.query(SELECT), solutions=fmt,  # type: ignore[arg-type]
                              graph=GRAPH_FORMATS[0], limit=11)
    assert answer.kind == "solutions" and answer.count == 11
    assert answer.media_type == fmt.media_type  # type: ignore[attr-defined]
    if fmt.name == "csv":  # type: ignore[attr-defined]
        # CSV is lossy (Oxigraph will not read it back): count its records
        import csv
        import io

        assert len(list(csv.reader(io.StringIO(answer.body.decode())))) == 12
        return
    rows = list(ox.parse_query_results(answer.body, fmt.oxigraph()))  # type: ignore[attr-defined]
    assert sorted(str(r["o"]) for r in rows) == sorted(str(r["o"]) for r in store.query(SELECT))


@pytest.mark.parametrize("fmt", GRAPH_FORMATS, ids=lambda f: f.name)
def test_graphs_in_every_format(store: ox.Store, fmt: object) -> None:
    answer = serialize_result(store.query(CONSTRUCT), solutions=SOLUTION_FORMATS[0],
                              graph=fmt, limit=11)  # type: ignore[arg-type]
    assert answer.kind == "graph" and answer.count == 11
    assert len(list(ox.parse(answer.body, format=fmt.oxigraph()))) == 11  # type: ignore[attr-defined]


@pytest.mark.parametrize("query", [SELECT, CONSTRUCT])
@pytest.mark.parametrize("fmt", ["json", "csv", "tsv", "xml"])
def test_one_row_over_the_cap_is_refused(store: ox.Store, query: str, fmt: str) -> None:
    options = {"solutions": format_named(fmt), "graph": format_named("turtle")}
    assert serialize_result(store.query(query), limit=11, **options).count == 11
    with pytest.raises(ResultTooLarge, match="more than 10 rows"):
        serialize_result(store.query(query), limit=10, **options)


def test_large_results_stop_early() -> None:
    store = ox.Store()
    store.extend(ox.Quad(ox.NamedNode(f"{EX}s{i}"), ox.NamedNode(EX + "p"), ox.Literal(str(i)),
                         ox.DefaultGraph()) for i in range(50_000))
    with pytest.raises(ResultTooLarge):
        serialize_result(store.query("SELECT * { ?s ?p ?o }"), solutions=format_named("json"),
                         graph=format_named("turtle"), limit=100)


def test_booleans_and_parsing_back(store: ox.Store) -> None:
    for name in ("json", "xml", "tsv"):
        answer = serialize_result(store.query("ASK { GRAPH ?g { ?s ?p ?o } }"),
                                  solutions=format_named(name), graph=format_named("turtle"),
                                  limit=1)
        assert answer.kind == "boolean"
        if name == "tsv":
            assert bool(parse_answer(answer)) is True
    answer = serialize_result(store.query(CONSTRUCT), solutions=format_named("json"),
                              graph=format_named("ntriples"), limit=100)
    assert len(list(parse_answer(answer))) == 11  # type: ignore[arg-type]


@pytest.mark.parametrize(("name", "expected"), [
    ("json", "json"), ("application/sparql-results+json", "json"), ("srx", "xml"),
    ("text/csv", "csv"), ("ttl", "turtle"), ("nt", "ntriples"), ("json-ld", "jsonld"),
    ("application/rdf+xml", "rdfxml"), ("TriG", "trig"),
])
def test_format_named(name: str, expected: str) -> None:
    assert format_named(name).name == expected


def test_format_for_depends_on_the_result_kind() -> None:
    assert format_for("application/json", "solutions").name == "json"
    assert format_for("application/json", "graph").name == "jsonld"
    with pytest.raises(UnknownFormat):
        format_for("text/turtle", "solutions")
    with pytest.raises(UnknownFormat):
        format_named("yaml")
