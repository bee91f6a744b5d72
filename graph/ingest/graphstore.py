"""The SPARQL 1.1 Graph Store Protocol's operations on named graphs.

Reads go through a store view (what the reader may see, under the time limit and the result
cap). Writes go to the store itself and keep the graph's description in the meta graph, its
size brought up to date: a graph written here stays public if it was, and a new graph has no
description, so it is not public until one is given (``civicgraph import``).

The default graph of civicgraph is the union of the named graphs a reader may see; it can be
read here but not written.
"""

from __future__ import annotations

from collections.abc import Sequence

import pyoxigraph as ox

from graph.errors import InputError, NotFound, RdfSyntaxError, UnknownFormat
from graph.ingest.rdfxml import check_entities
from graph.namespaces import META_GRAPH, VOID, XSD
from graph.store import Store

#: Media types a graph may be sent in.
READABLE: tuple[str, ...] = (
    "text/turtle", "application/n-triples", "application/rdf+xml", "application/ld+json",
    "text/n3",
)


def graph_name(text: str) -> str:
    """``text`` if it is an absolute IRI (so that it is safe inside ``<…>``), else
    ``InputError``.

    >>> graph_name("https://w3id.org/civicgraph/graph/example")
    'https://w3id.org/civicgraph/graph/example'
    """
    try:
        node = ox.NamedNode(text)
    except ValueError:
        raise InputError(f"{text!r} is not an absolute IRI") from None
    if any(c in node.value for c in "<>\"{}|^`\\ \n\r\t"):
        raise InputError(f"{text!r} is not an absolute IRI")
    return node.value


def parse_triples(data: bytes, media_type: str, *, base_iri: str | None = None,
                  source: str = "request body") -> list[ox.Triple]:
    """The triples of ``data``; ``UnknownFormat`` for another media type, ``RdfSyntaxError``
    (with line and column) when it does not parse."""
    wanted = media_type.split(";")[0].strip().lower()
    fmt = ox.RdfFormat.from_media_type(wanted) if wanted in READABLE else None
    if fmt is None:
        raise UnknownFormat(wanted or "(none)", READABLE)
    if fmt == ox.RdfFormat.RDF_XML:
        check_entities(data, source=source)
    try:
        return [quad.triple for quad in ox.parse(data, format=fmt, base_iri=base_iri)]
    except SyntaxError as error:
        raise RdfSyntaxError(str(error.msg or error), source=source, line=error.lineno,
                             column=error.offset) from None
    except ValueError as error:  # e.g. a relative IRI without a base
        raise RdfSyntaxError(str(error), source=source) from None


def read_graph(view: Store, graph: str | None) -> list[ox.Triple]:
    """The triples of ``graph`` as ``view`` shows it (None: its default graph, the union of
    the graphs it shows); ``NotFound`` for a graph it does not show."""
    if graph is None:
        result = view.query("CONSTRUCT WHERE { ?s ?p ?o }")
    else:
        if graph_name(graph) not in view.graphs():
            raise NotFound(f"graph <{graph}>")
        result = view.query("CONSTRUCT WHERE { ?s ?p ?o }", default_graph=[graph],
                            named_graphs=[])
    assert not isinstance(result, (ox.QuerySolutions, ox.QueryBoolean))
    return list(result)


def _description(store: Store, graph: str) -> list[ox.Triple]:
    result = store.query(f"CONSTRUCT WHERE {{ <{graph}> ?p ?o }}", default_graph=[META_GRAPH],
                         named_graphs=[])
    assert not isinstance(result, (ox.QuerySolutions, ox.QueryBoolean))
    return list(result)


def _with_size(description: Sequence[ox.Triple], graph: str, size: int) -> list[ox.Triple]:
    if not description:
        return []
    kept = [t for t in description if t.predicate.value != VOID + "triples"]
    return [*kept, ox.Triple(ox.NamedNode(graph), ox.NamedNode(VOID + "triples"),
                             ox.Literal(str(size), datatype=ox.NamedNode(XSD + "integer")))]


def _writable(graph: str) -> None:
    graph_name(graph)
    if graph == META_GRAPH:
        raise InputError("the meta graph is written by civicgraph itself, not through the "
                         "Graph Store")


def replace(store: Store, graph: str, triples: Sequence[ox.Triple]) -> bool:
    """Replace the content of ``graph`` with ``triples`` (one transaction), keeping its
    description; whether the graph existed before."""
    _writable(graph)
    existed = graph in store.graphs()
    store.replace_graph(graph, triples,
                        metadata=_with_size(_description(store, graph), graph, len(triples)))
    return existed


def add(store: Store, graph: str, triples: Sequence[ox.Triple]) -> bool:
    """Add ``triples`` to ``graph`` and bring its size in the meta graph up to date, in one
    update; whether the graph existed before."""
    _writable(graph)
    existed = graph in store.graphs()
    data = (ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"").decode()
    store.update(
        f"INSERT DATA {{ GRAPH <{graph}> {{\n{data}}} }} ;\n"
        f"DELETE {{ GRAPH <{META_GRAPH}> {{ <{graph}> <{VOID}triples> ?old }} }}\n"
        f"INSERT {{ GRAPH <{META_GRAPH}> {{ <{graph}> <{VOID}triples> ?new }} }}\n"
        f"WHERE {{ GRAPH <{META_GRAPH}> {{ <{graph}> <{VOID}triples> ?old }}\n"
        f"  {{ SELECT (COUNT(*) AS ?new) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }} }} }}"
    )
    return existed


def delete(store: Store, graph: str) -> None:
    """Remove ``graph`` and its description; ``NotFound`` if it holds nothing."""
    _writable(graph)
    if graph not in store.graphs():
        raise NotFound(f"graph <{graph}>")
    store.drop_graph(graph)
