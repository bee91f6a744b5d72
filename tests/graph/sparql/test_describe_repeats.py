"""A DESCRIBE over several graphs stating the same triple: Oxigraph yields it once per graph
(oxigraph#1919); the answer holds it once and counts it once against the result cap."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from graph.errors import ResultTooLarge
from graph.sparql.results import (
    GRAPH_FORMATS,
    SOLUTION_FORMATS,
    ResultFormat,
    format_named,
    serialize_result,
)

EX = "http://example.org/"
SAME = ox.Triple(ox.NamedNode(EX + "s"), ox.NamedNode(EX + "p"), ox.Literal("same"))
OTHER = ox.Triple(ox.NamedNode(EX + "s"), ox.NamedNode(EX + "q"), ox.Literal("other"))


@pytest.fixture(scope="module")
def store() -> ox.Store:
    store = ox.Store()
    for graph in ("g1", "g2", "g3"):
        store.add(ox.Quad(SAME.subject, SAME.predicate, SAME.object, ox.NamedNode(EX + graph)))
    store.add(ox.Quad(OTHER.subject, OTHER.predicate, OTHER.object, ox.NamedNode(EX + "g1")))
    return store


@pytest.mark.parametrize("fmt", GRAPH_FORMATS, ids=lambda f: f.name)
def test_a_described_triple_is_written_once(store: ox.Store, fmt: ResultFormat) -> None:
    result = store.query(f"DESCRIBE <{EX}s>", use_default_graph_as_union=True)
    answer = serialize_result(result, solutions=SOLUTION_FORMATS[0], graph=fmt,
                              limit=2)
    assert answer.count == 2
    written = [q.triple for q in ox.parse(answer.body, format=ox.RdfFormat.from_media_type(
        answer.media_type))]
    assert sorted(written, key=str) == sorted([SAME, OTHER], key=str)


def test_the_cap_counts_distinct_triples(store: ox.Store) -> None:
    result = store.query(f"DESCRIBE <{EX}s>", use_default_graph_as_union=True)
    with pytest.raises(ResultTooLarge):
        serialize_result(result, solutions=SOLUTION_FORMATS[0], graph=format_named("nt"),
                         limit=1)
