"""rdflib's ``SPARQLStore`` and ``SPARQLUpdateStore`` against a running civicgraph server, in
both dataset modes: add and remove in the default graph and in a named graph, ``triples()``
patterns, and literals that need escaping coming back as they went, over SPARQL XML results
(rdflib's default: a carriage return must be written ``&#13;``, as XML readers turn a raw one
into a line feed) and over JSON."""

from __future__ import annotations

import gc
import warnings
from collections.abc import Iterator

import pytest
import rdflib
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.plugins.stores.sparqlstore import SPARQLStore, SPARQLUpdateStore

from tests.clients.conftest import EX, NAMED, Server

P, Q = rdflib.URIRef(EX + "p"), rdflib.URIRef(EX + "q")
LITERALS = [
    rdflib.Literal('a "quoted" word and a \\ backslash'),
    rdflib.Literal("two\nlines,\ta tab and a \r return"),
    rdflib.Literal('three """ quotes and \'single\' ones'),
    rdflib.Literal("accents é à ç, a dash – and an emoji 😀"),
    rdflib.Literal("une étiquette", lang="fr"),
    rdflib.Literal("42", datatype=rdflib.XSD.integer),
    rdflib.Literal("2026-12-06", datatype=rdflib.XSD.date),
    rdflib.Literal("<b>not markup</b> & {braces} $dollar ?var"),
]


@pytest.fixture(autouse=True)
def _close_leaked_sockets() -> Iterator[None]:
    """rdflib's SPARQLConnector leaves its HTTP responses open; collect them here, quietly,
    rather than let a later test trip on their ResourceWarning."""
    yield
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()


def writable(server: Server, identifier: rdflib.term.IdentifiedNode,
             return_format: str = "xml") -> rdflib.Graph:
    store = SPARQLUpdateStore(server.sparql, server.sparql, headers=server.auth,
                              returnFormat=return_format)
    return rdflib.Graph(store=store, identifier=identifier)


@pytest.mark.parametrize("identifier", [DATASET_DEFAULT_GRAPH_ID, rdflib.URIRef(NAMED)],
                         ids=["default-graph", "named-graph"])
def test_add_pattern_and_remove(server: Server, subject: str,
                                identifier: rdflib.term.IdentifiedNode) -> None:
    graph = writable(server, identifier)
    s = rdflib.URIRef(subject)
    graph.add((s, P, rdflib.Literal("one")))
    graph.add((s, Q, rdflib.Literal("two")))
    assert (s, P, rdflib.Literal("one")) in graph
    assert sorted(str(o) for _, _, o in graph.triples((s, None, None))) == ["one", "two"]
    assert list(graph.triples((s, Q, None))) == [(s, Q, rdflib.Literal("two"))]
    assert set(graph.predicates(s, None)) == {P, Q}
    graph.remove((s, P, None))
    assert (s, P, rdflib.Literal("one")) not in graph
    assert list(graph.triples((s, None, None))) == [(s, Q, rdflib.Literal("two"))]
    graph.remove((s, None, None))
    assert list(graph.triples((s, None, None))) == []


@pytest.mark.parametrize("identifier", [DATASET_DEFAULT_GRAPH_ID, rdflib.URIRef(NAMED)],
                         ids=["default-graph", "named-graph"])
@pytest.mark.parametrize(("literal", "return_format"), [
    pytest.param(literal, fmt, id=f"{index}-{fmt}")
    for index, literal in enumerate(LITERALS) for fmt in ("xml", "json")])
def test_literals_round_trip(server: Server, subject: str, identifier: rdflib.term.IdentifiedNode,
                             literal: rdflib.Literal, return_format: str) -> None:
    graph = writable(server, identifier, return_format)
    s = rdflib.URIRef(subject)
    graph.add((s, P, literal))
    back = list(graph.objects(s, P))
    assert back == [literal]
    assert isinstance(back[0], rdflib.Literal)
    assert (back[0].language, back[0].datatype) == (literal.language, literal.datatype)
    graph.remove((s, P, literal))
    assert list(graph.objects(s, P)) == []


@pytest.mark.parametrize("return_format", ["xml", "json"])
def test_sparqlstore_reads_what_was_written(server: Server, subject: str,
                                            return_format: str) -> None:
    writable(server, DATASET_DEFAULT_GRAPH_ID).add(
        (rdflib.URIRef(subject), P, rdflib.Literal("read back")))
    graph = rdflib.Graph(store=SPARQLStore(server.sparql, returnFormat=return_format))
    s = rdflib.URIRef(subject)
    assert (s, P, rdflib.Literal("read back")) in graph
    rows = list(graph.query(f"SELECT ?o WHERE {{ <{subject}> <{P}> ?o }}"))
    assert [row[0] for row in rows] == [rdflib.Literal("read back")]  # type: ignore[index]


def test_sparqlstore_constructs(server: Server, subject: str) -> None:
    """rdflib asks for RDF/XML (its default returnFormat, ``xml``)."""
    writable(server, DATASET_DEFAULT_GRAPH_ID).add(
        (rdflib.URIRef(subject), P, rdflib.Literal("built")))
    graph = rdflib.Graph(store=SPARQLStore(server.sparql))
    constructed = graph.query(f"CONSTRUCT WHERE {{ <{subject}> ?p ?o }}").graph
    assert constructed is not None
    assert set(constructed) == {(rdflib.URIRef(subject), P, rdflib.Literal("built"))}


def test_an_anonymous_update_store_changes_nothing(server: Server, subject: str) -> None:
    store = SPARQLUpdateStore(server.sparql, server.sparql)
    graph = rdflib.Graph(store=store, identifier=DATASET_DEFAULT_GRAPH_ID)
    with pytest.raises(Exception, match="401"):
        graph.add((rdflib.URIRef(subject), P, rdflib.Literal("x")))
    assert not server.ask(f"<{subject}> ?p ?o")
