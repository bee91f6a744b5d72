"""Result formats and the result cap: a whole answer or ResultTooLarge, never a truncation."""

from __future__ import annotations

import json
from typing import Any

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph.errors import ResultTooLarge, UnknownFormat
from graph.sparql.results import (
    GRAPH_FORMATS,
    SOLUTION_FORMATS,
    _JsonSolutionCounter,
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


# --- SPARQL JSON written directly when every solution binds a variable ------------------------

JSON = format_named("json")
TERMS = st.one_of(
    st.text(max_size=12).map(ox.Literal),
    st.tuples(st.text(max_size=8), st.sampled_from(["fr", "en"])).map(
        lambda pair: ox.Literal(pair[0], language=pair[1])),
    st.sampled_from(['[{"', ',{"', "{}", ",{}", '"}},{"', "\\", '\\",{"']).map(ox.Literal),
    st.integers(0, 5).map(lambda i: ox.NamedNode(f"{EX}o{i}")),
    st.integers(0, 5).map(lambda i: ox.BlankNode(f"b{i}")),
)


def _solutions(objects: list[ox.Literal | ox.NamedNode | ox.BlankNode]) -> ox.Store:
    store = ox.Store()
    for i, term in enumerate(objects):
        store.add(ox.Quad(ox.NamedNode(EX + "s"), ox.NamedNode(f"{EX}p{i}"), term))
    return store


@settings(max_examples=60, deadline=None)
@given(objects=st.lists(TERMS, max_size=30))
def test_json_written_directly_is_the_same_answer(objects: list[Any]) -> None:
    store = _solutions(objects)
    query = f"SELECT ?p ?o WHERE {{ <{EX}s> ?p ?o }}"
    direct = serialize_result(store.query(query), solutions=JSON, graph=GRAPH_FORMATS[0],
                              limit=100, every_solution_binds=True)
    through_tsv = serialize_result(store.query(query), solutions=JSON, graph=GRAPH_FORMATS[0],
                                   limit=100)
    assert direct.count == through_tsv.count == len(objects)
    assert json.loads(direct.body) == json.loads(through_tsv.body)


@given(objects=st.lists(TERMS, min_size=4, max_size=20), spare=st.integers(0, 2))
@settings(max_examples=30, deadline=None)
def test_json_written_directly_stops_past_the_cap(objects: list[Any], spare: int) -> None:
    store = _solutions(objects)
    query = f"SELECT ?p ?o WHERE {{ <{EX}s> ?p ?o }}"
    limit = len(objects) - 1 - spare
    with pytest.raises(ResultTooLarge):
        serialize_result(store.query(query), solutions=JSON, graph=GRAPH_FORMATS[0],
                         limit=limit, every_solution_binds=True)
    answer = serialize_result(store.query(query), solutions=JSON, graph=GRAPH_FORMATS[0],
                              limit=len(objects), every_solution_binds=True)
    assert answer.count == len(objects)


def test_the_json_counter_reads_solutions_split_across_writes() -> None:
    store = _solutions([ox.Literal(f"v{i}") for i in range(50)])
    result = store.query(f"SELECT ?p ?o WHERE {{ <{EX}s> ?p ?o }}")
    assert isinstance(result, ox.QuerySolutions)
    body = result.serialize(format=ox.QueryResultsFormat.JSON)
    assert body is not None
    for size in (1, 2, 3, 7):
        counter = _JsonSolutionCounter(1000)
        for start in range(0, len(body), size):
            counter.write(body[start:start + size])
        assert counter.count == 50
