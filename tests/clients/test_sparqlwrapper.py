"""SPARQLWrapper against a running civicgraph server, in both dataset modes: every method,
every result format it names, CONSTRUCT in each RDF format, DESCRIBE, and updates both ways."""

from __future__ import annotations

from typing import Any

import pytest
import rdflib
from SPARQLWrapper import (
    CSV,
    GET,
    JSON,
    JSONLD,
    N3,
    POST,
    POSTDIRECTLY,
    RDFXML,
    TSV,
    TURTLE,
    URLENCODED,
    XML,
)
from SPARQLWrapper import SPARQLWrapper as Wrapper

from tests.clients.conftest import EX, NAMED, Server

P = EX + "p"
VALUE = "a value seen by SPARQLWrapper"
#: SPARQLWrapper turns RDF answers into rdflib's (deprecated) ConjunctiveGraph
pytestmark = [
    pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:Dataset.default_context is deprecated:DeprecationWarning"),
]
METHODS = [(GET, None), (POST, URLENCODED), (POST, POSTDIRECTLY)]


def wrapper(server: Server, method: str = GET, request_method: str | None = None) -> Wrapper:
    client = Wrapper(server.sparql)
    client.setMethod(method)
    if request_method:
        client.setRequestMethod(request_method)
    return client


def as_text(converted: Any) -> str:
    """What ``convert()`` gave (a dict, a DOM document, bytes, a graph) as text."""
    if hasattr(converted, "toxml"):
        return str(converted.toxml())
    if isinstance(converted, bytes):
        return converted.decode("utf-8")
    if isinstance(converted, rdflib.Graph):
        return str(converted.serialize(format="nt"))
    return str(converted)


@pytest.mark.parametrize(("method", "request_method"), METHODS)
@pytest.mark.parametrize("fmt", [JSON, XML, CSV, TSV])
def test_select_in_each_format_and_method(server: Server, subject: str, method: str,
                                          request_method: str | None, fmt: str) -> None:
    server.update(f'INSERT DATA {{ <{subject}> <{P}> "{VALUE}" }}')
    client = wrapper(server, method, request_method)
    client.setQuery(f"SELECT ?o WHERE {{ <{subject}> <{P}> ?o }}")
    client.setReturnFormat(fmt)
    result = client.query()
    assert result.response.status == 200
    assert VALUE in as_text(result.convert())


def test_ask(server: Server, subject: str) -> None:
    server.update(f'INSERT DATA {{ <{subject}> <{P}> "{VALUE}" }}')
    client = wrapper(server)
    client.setReturnFormat(JSON)
    client.setQuery(f"ASK {{ <{subject}> <{P}> ?o }}")
    assert client.queryAndConvert()["boolean"] is True  # type: ignore[index,call-overload]
    client.setQuery(f"ASK {{ <{subject}> <{EX}other> ?o }}")
    assert client.queryAndConvert()["boolean"] is False  # type: ignore[index,call-overload]


@pytest.mark.parametrize("fmt", [None, XML, RDFXML, N3, TURTLE, JSONLD])
def test_construct_in_each_format(server: Server, subject: str, fmt: str | None) -> None:
    """``None``: SPARQLWrapper's default, which asks for ``format=xml``."""
    server.update(f'INSERT DATA {{ <{subject}> <{P}> "{VALUE}" }}')
    client = wrapper(server)
    if fmt is not None:
        client.setReturnFormat(fmt)
    client.setQuery(f"CONSTRUCT WHERE {{ <{subject}> <{P}> ?o }}")
    converted = client.queryAndConvert()
    if isinstance(converted, rdflib.Graph):
        graph = converted
    else:
        syntax = {N3: "n3", TURTLE: "turtle", JSONLD: "json-ld"}[fmt or XML]
        graph = rdflib.Graph().parse(data=as_text(converted), format=syntax)
    assert (rdflib.URIRef(subject), rdflib.URIRef(P), rdflib.Literal(VALUE)) in graph


def test_describe(server: Server, subject: str) -> None:
    server.update(f'INSERT DATA {{ <{subject}> <{P}> "{VALUE}" }}')
    client = wrapper(server)
    client.setQuery(f"DESCRIBE <{subject}>")
    graph = client.queryAndConvert()
    assert isinstance(graph, rdflib.Graph)
    assert (rdflib.URIRef(subject), rdflib.URIRef(P), rdflib.Literal(VALUE)) in graph


@pytest.mark.parametrize("request_method", [URLENCODED, POSTDIRECTLY])
@pytest.mark.parametrize("graph", [None, NAMED], ids=["default-graph", "named-graph"])
def test_update_both_ways(server: Server, subject: str, token: str, request_method: str,
                          graph: str | None) -> None:
    client = wrapper(server, POST, request_method)
    client.addCustomHttpHeader("Authorization", f"Bearer {token}")
    triple = f'<{subject}> <{P}> "{VALUE}"'
    block = triple if graph is None else f"GRAPH <{graph}> {{ {triple} }}"
    pattern = triple if graph is None else f"GRAPH <{graph}> {{ {triple} }}"
    client.setQuery(f"INSERT DATA {{ {block} }}")
    assert client.query().response.status in (200, 204)
    assert server.ask(pattern)
    client.setQuery(f"DELETE DATA {{ {block} }}")
    assert client.query().response.status in (200, 204)
    assert not server.ask(pattern)


def test_an_update_without_the_token_is_refused(server: Server, subject: str) -> None:
    client = wrapper(server, POST, POSTDIRECTLY)
    client.setQuery(f'INSERT DATA {{ <{subject}> <{P}> "{VALUE}" }}')
    with pytest.raises(Exception, match="401"):
        client.query()
    assert not server.ask(f"<{subject}> ?p ?o")
