"""RDF documents as HTTP responses: the formats offered to content negotiation, and writing
triples in the chosen one (Oxigraph's writers, civicgraph's prefixes).

RDF/XML is XML 1.0, which cannot carry every character a literal may hold (a control
character such as U+000B, U+FFFE, U+FFFF), not even escaped, and names each property by a
QName, which not every IRI makes (``http://ex.org/123``, ``urn:x:1``); Oxigraph writes both
malformed. Such triples in RDF/XML are a 406 naming the term and the formats that carry it
(Turtle, JSON-LD, N-Triples), never a malformed 200 (``graph.sparql.xmlsafety``). A carriage
return in a literal is written ``&#13;``, so that it reads back as one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pyoxigraph as ox
from fastapi.responses import Response

from api.errors import TRIPLE_TERMS, UNWRITABLE, NotAcceptable
from graph.errors import Unwritable
from graph.namespaces import PREFIXES
from graph.sparql.results import format_for
from graph.sparql.xmlsafety import carriage_returns_kept, rdf_xml_triples

#: Graph formats a document is offered in, by Accept order of preference (Turtle first).
RDF_TYPES: tuple[str, ...] = (
    "text/turtle", "application/ld+json", "application/n-triples", "application/rdf+xml",
)
#: The same, with the aliases clients also send.
RDF_OFFERS: tuple[str, ...] = (
    *RDF_TYPES, "application/x-turtle", "application/x-json+ld", "text/plain",
)
#: File suffixes of the linked-data documents, and their media types.
SUFFIXES: Mapping[str, str] = {
    "ttl": "text/turtle", "jsonld": "application/ld+json", "nt": "application/n-triples",
    "rdf": "application/rdf+xml",
}


def serialize(triples: Iterable[ox.Triple], media_type: str,
              prefixes: Mapping[str, str] = PREFIXES) -> tuple[bytes, str]:
    """``triples`` written in the format of ``media_type``, and the canonical media type;
    ``NotAcceptable`` (406) when that format cannot write them (JSON-LD and triple terms)."""
    fmt = format_for(media_type, "graph")
    writer = fmt.oxigraph()
    assert isinstance(writer, ox.RdfFormat)
    written = list(triples)
    if writer == ox.RdfFormat.RDF_XML:
        others = [t for t in RDF_TYPES if t != "application/rdf+xml"]
        try:
            written = list(rdf_xml_triples(written, others))
        except Unwritable as error:
            raise NotAcceptable(others, why=error.why) from None
    try:
        body = ox.serialize(written, format=writer, prefixes=dict(prefixes)) or b""
    except OSError as error:   # a writer's refusal: JSON-LD of RDF 1.2 triple terms
        if UNWRITABLE not in str(error):
            raise
        raise NotAcceptable([t for t in RDF_TYPES if t != "application/ld+json"],
                            why=TRIPLE_TERMS) from None
    if writer == ox.RdfFormat.RDF_XML:
        body = carriage_returns_kept(body)
    return body, fmt.media_type


def rdf_response(triples: Iterable[ox.Triple], media_type: str, *,
                 headers: Mapping[str, str] | None = None, status_code: int = 200,
                 prefixes: Mapping[str, str] = PREFIXES) -> Response:
    """A response holding ``triples`` in the format of ``media_type``."""
    body, canonical = serialize(triples, media_type, prefixes)
    if canonical.startswith("text/") or canonical == "application/n-triples":
        canonical += "; charset=utf-8"
    all_headers = {"Vary": "Accept", **(headers or {})}
    return Response(body, media_type=canonical, headers=all_headers, status_code=status_code)
