"""The SPARQL 1.1 Graph Store Protocol's operations on graphs.

Reads go through a store view (what the reader may see, under the time limit and the result
cap). Writes take the write path (``graph.ingest.writing``): the graph as it would be is
checked against the shapes and the privacy guard, then written in one transaction with its
description in the meta graph brought up to date (last write, size, digest): a graph written
here stays public if it was, and a new named graph has no description, so it is not public
until one is given (``civicgraph import``). The store's own default graph (``DEFAULT_GRAPH``)
is written like a named graph and is public by default.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final
from urllib.parse import quote

import pyoxigraph as ox

from graph.engine.parsing import parsers
from graph.errors import InputError, NotFound, UnknownFormat
from graph.ingest import writing
from graph.ingest.provenance import Access
from graph.namespaces import STAGING_PREFIX
from graph.store import DEFAULT_GRAPH, Store
from graph.store.batching import LEDGER
from graph.store.remote import NO_GRAPH

#: Media types a graph may be sent in.
READABLE: tuple[str, ...] = (
    "text/turtle", "application/n-triples", "application/rdf+xml", "application/ld+json",
    "text/n3",
)


#: the names civicgraph gives graphs of its own, by the prefix they begin with, and what it
#: uses them for (``reserved``)
RESERVED: Final[tuple[tuple[str, str], ...]] = (
    (DEFAULT_GRAPH, "the store's default graph, in its descriptions"),
    (NO_GRAPH, "the empty graph it asks a remote store for when a request names none"),
    (STAGING_PREFIX, "the staging graphs of writes in progress"),
    (LEDGER, "the bookkeeping of loads in batches"),
    # graph.ingest.validation's graph of the vocabulary lent to a check
    ("urn:civicgraph:validation:", "the vocabulary it lends a validation"),
)


def reserved(graph: str) -> str | None:
    """What civicgraph uses ``graph`` for when the name is one of its own (``RESERVED``),
    else None: a client may not name a graph so.

    >>> reserved("urn:civicgraph:no-graph")
    'the empty graph it asks a remote store for when a request names none'
    >>> reserved("urn:civicgraph:faults") is None
    True
    """
    return next((what for prefix, what in RESERVED if graph.startswith(prefix)), None)


def graph_name(text: str) -> str:
    """``text`` if it is an absolute IRI (so that it is safe inside ``<…>``) and no name
    civicgraph keeps for its own graphs (``reserved``), else ``InputError``.

    >>> graph_name("https://w3id.org/civicgraph/graph/example")
    'https://w3id.org/civicgraph/graph/example'
    """
    try:
        node = ox.NamedNode(text)
    except ValueError:
        raise InputError(f"{text!r} is not an absolute IRI") from None
    if any(c in node.value for c in "<>\"{}|^`\\ \n\r\t"):
        raise InputError(f"{text!r} is not an absolute IRI")
    what = reserved(node.value)
    if what is not None:
        raise InputError(f"the graph name <{node.value}> is reserved: civicgraph uses it for "
                         f"{what}; name another graph")
    return node.value


#: What a URI may hold besides letters, digits and ``-._~`` (RFC 3986 §2.2), ``%`` included:
#: an IRI's percent-encodings stay as they are.
_URI_DELIMITERS = ":/?#[]@!$&'()*+,;=%"


def as_uri(iri: str) -> str:
    """The URI ``iri`` maps to (RFC 3987 §3.1), for an HTTP header: each character a URI
    cannot hold (every non-ASCII one) percent-encoded as UTF-8, the rest as it is.

    >>> as_uri("http://ex.org/œuvre?q=é#%C3%A9")
    'http://ex.org/%C5%93uvre?q=%C3%A9#%C3%A9'
    >>> as_uri("urn:x:\u202e")
    'urn:x:%E2%80%AE'
    """
    return quote(iri, safe=_URI_DELIMITERS)


def remove_dot_segments(path: str) -> str:
    """``path`` without its ``.`` and ``..`` segments (RFC 3986 §5.2.4), as a client removes
    them before it sends a URL; a percent-encoded dot (``%2E``) is not one.

    >>> remove_dot_segments("/store/a/../b/./c"), remove_dot_segments("/store/%2E%2E/b")
    ('/store/b/c', '/store/%2E%2E/b')
    >>> remove_dot_segments("/a/.."), remove_dot_segments("/../../a")
    ('/', '/a')
    """
    output: list[str] = []
    while path:
        if path.startswith("../"):
            path = path[3:]
        elif path.startswith(("./", "/./")):
            path = path[2:]
        elif path == "/.":
            path = "/"
        elif path.startswith("/../") or path == "/..":
            path = "/" + path[4:]
            if output:
                output.pop()
        elif path in (".", ".."):
            path = ""
        else:
            end = path.find("/", 1)
            end = len(path) if end < 0 else end
            output.append(path[:end])
            path = path[end:]
    return "".join(output)


def parse_triples(data: bytes, media_type: str, *, base_iri: str | None = None,
                  source: str = "request body", fresh_blank_nodes: bool = True
                  ) -> list[ox.Triple]:
    """The triples of ``data``; ``UnknownFormat`` for another media type, ``RdfSyntaxError``
    (with line and column) when it does not parse. Its blank nodes get fresh labels unless
    ``fresh_blank_nodes`` is false."""
    wanted = media_type.split(";")[0].strip().lower()
    fmt = ox.RdfFormat.from_media_type(wanted) if wanted in READABLE else None
    if fmt is None:
        raise UnknownFormat(wanted or "(none)", READABLE)
    # read in a parser process (``graph.engine.parsing``): bounds, entities, the parse; the
    # triples come back as N-Triples
    flat = parsers().rdf_triples(data, fmt.name, base_iri=base_iri, source=source,
                                 fresh_blank_nodes=fresh_blank_nodes)
    return [quad.triple for quad in ox.parse(flat, format=ox.RdfFormat.N_TRIPLES)]


def read_graph(view: Store, graph: str | None) -> list[ox.Triple]:
    """The triples of ``graph`` as ``view`` shows it (``DEFAULT_GRAPH``: the store's own
    default graph; None: the union of the graphs it shows); ``NotFound`` for a graph it does
    not show."""
    if graph is None:
        result = view.query("CONSTRUCT WHERE { ?s ?p ?o }")
    else:
        if graph != DEFAULT_GRAPH and graph_name(graph) not in view.graphs():
            raise NotFound(f"graph <{graph}>")
        result = view.query("CONSTRUCT WHERE { ?s ?p ?o }", default_graph=[graph],
                            named_graphs=[])
    assert not isinstance(result, (ox.QuerySolutions, ox.QueryBoolean))
    return list(result)


def replace(store: Store, graph: str, triples: Sequence[ox.Triple], *, who: str,
            default_access: Access = "public") -> bool:
    """Replace the content of ``graph`` (``DEFAULT_GRAPH``: the store's default graph) with
    ``triples`` through the write path (``graph.ingest.writing``), keeping its description;
    whether the graph held data before. ``ShapeViolation`` when refused (nothing written).
    ``default_access``: the level of a graph not described yet (``writing.redescribe``)."""
    written = writing.replace(store, {graph: triples}, None, source=f"<{graph}>", who=who,
                              default_access=default_access)
    return graph not in written.created


def add(store: Store, graph: str, triples: Sequence[ox.Triple], *, who: str,
        default_access: Access = "public") -> bool:
    """Add ``triples`` to ``graph`` through the write path; whether it held data before."""
    return graph not in writing.add(store, graph, triples, who=who, source=f"<{graph}>",
                                    default_access=default_access).created


def delete(store: Store, graph: str, *, who: str, default_access: Access = "public") -> None:
    """Remove ``graph`` and its description (the default graph: its content);
    ``NotFound`` for a named graph that holds nothing."""
    writing.drop(store, graph, who=who, default_access=default_access)
