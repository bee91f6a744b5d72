"""Blank nodes of a client's document are the document's own (RDF 1.1 Concepts §3.5): the
parser gives them fresh labels, so a Graph Store POST (an RDF merge) or a PUT to another
graph never joins a node already in the store; within one document, one label is one node."""

from __future__ import annotations

from typing import Any

import httpx
import pyoxigraph as ox
import pytest

from graph.engine.parsing import Parsers
from graph.namespaces import META_GRAPH
from tests.support.live import CURATOR_TOKEN, running
from tests.support.stores import example_store

NT = ox.RdfFormat.N_TRIPLES
AUTH = {"Authorization": f"Bearer {CURATOR_TOKEN}", "Content-Type": "text/turtle"}
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
VOID_TRIPLES = "http://rdfs.org/ns/void#triples"


def read(data: bytes, fmt: ox.RdfFormat, **options: Any) -> list[ox.Triple]:
    flat = Parsers(size=0).rdf_triples(data, fmt.name, **options)
    return [q.triple for q in ox.parse(flat, format=NT)]


def labels(triples: list[ox.Triple]) -> set[str]:
    return {term.value for t in triples for term in (t.subject, t.object)
            if isinstance(term, ox.BlankNode)}


@pytest.mark.parametrize("fmt", [ox.RdfFormat.TURTLE, ox.RdfFormat.N_TRIPLES])
def test_each_document_gets_fresh_blank_nodes(fmt: ox.RdfFormat) -> None:
    data = b'_:x <urn:p> "1" .\n'
    first, second = read(data, fmt), read(data, fmt)
    assert labels(first) and labels(second)
    assert "x" not in labels(first) | labels(second)
    assert labels(first).isdisjoint(labels(second))


def test_a_label_used_twice_in_one_document_is_one_node() -> None:
    triples = read(b'_:x <urn:p> _:x . _:y <urn:q> _:x . _:x <urn:r> [ <urn:s> _:y ] .',
                   ox.RdfFormat.TURTLE)
    assert len(triples) == 4
    assert len(labels(triples)) == 3   # _:x, _:y and the [ ]
    by = {t.predicate.value: t for t in triples}
    x = by["urn:p"].subject
    assert by["urn:p"].object == x and by["urn:q"].object == x and by["urn:r"].subject == x
    assert by["urn:s"].object == by["urn:q"].subject   # _:y


@pytest.mark.parametrize(("fmt", "data"), [
    (ox.RdfFormat.TRIG, b'GRAPH <urn:g:a> { _:b <urn:p> "1" } GRAPH <urn:g:b> { _:b <urn:p> "2" }'),
    (ox.RdfFormat.N_QUADS, b'_:b <urn:p> "1" <urn:g:a> .\n_:b <urn:p> "2" <urn:g:b> .\n'),
])
def test_quads_documents_keep_one_node_across_their_graphs(fmt: ox.RdfFormat,
                                                           data: bytes) -> None:
    first, second = read(data, fmt), read(data, fmt)
    assert len(labels(first)) == 1 and "b" not in labels(first)
    assert labels(first).isdisjoint(labels(second))


def test_labels_are_kept_when_asked() -> None:
    assert labels(read(b'_:x <urn:p> "1" .', ox.RdfFormat.TURTLE,
                       fresh_blank_nodes=False)) == {"x"}


def recorded(store: Any, graph: str) -> int | None:
    """The size the meta graph records for ``graph`` (None: not described)."""
    rows = list(store.query(f"SELECT ?n WHERE {{ GRAPH <{META_GRAPH}> {{ <{graph}> "
                            f"<{VOID_TRIPLES}> ?n }} }}"))
    return int(rows[0]["n"].value) if rows else None


def test_a_post_does_not_join_the_blank_node_a_put_wrote() -> None:
    graph = "urn:g:shape1"
    put = (f'_:x a <https://schema.org/SoftwareApplication> ; <{LABEL}> "L" .').encode()
    post = b'_:x a <https://schema.org/SoftwareApplication> .'
    with running(example_store()) as live:
        url = f"{live.url}/store"
        assert httpx.put(url, params={"graph": graph}, content=put, headers=AUTH,
                         timeout=60).status_code == 201
        answer = httpx.post(url, params={"graph": graph}, content=post, headers=AUTH,
                            timeout=60)
        # the posted _:x is a new software without a label: the shapes refuse it
        assert answer.status_code == 422, answer.text
        assert live.store.count(graph) == 2
        assert recorded(live.store, graph) in (None, live.store.count(graph))


def test_the_same_label_in_two_graphs_is_two_nodes() -> None:
    with running(example_store()) as live:
        url = f"{live.url}/store"
        for graph, value in (("urn:g:x", "1"), ("urn:g:y", "2")):
            assert httpx.put(url, params={"graph": graph}, content=f'_:a <urn:p> "{value}" .'
                             .encode(), headers=AUTH, timeout=60).status_code == 201
        rows = live.store.query("SELECT DISTINCT ?s WHERE { GRAPH ?g { ?s <urn:p> ?o } }")
        assert isinstance(rows, ox.QuerySolutions)
        assert len(list(rows)) == 2
