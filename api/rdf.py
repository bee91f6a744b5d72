"""RDF documents as HTTP responses: the formats offered to content negotiation, and writing
triples in the chosen one (Oxigraph's writers, civicgraph's prefixes).

RDF/XML is XML 1.0, which cannot carry every character a literal may hold (a control
character such as U+000B, U+FFFE, U+FFFF), not even escaped; Oxigraph and rdflib alike write
them raw, which no XML reader reads. Such triples in RDF/XML are a 406 naming the character
and the formats that carry it (Turtle, JSON-LD, N-Triples), never a malformed 200.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pyoxigraph as ox
from fastapi.responses import Response

from api.errors import TRIPLE_TERMS, UNWRITABLE, NotAcceptable
from graph.namespaces import PREFIXES
from graph.sparql.results import format_for
from graph.xmltext import not_xml

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
        _refuse_not_xml(written)
    try:
        body = ox.serialize(written, format=writer, prefixes=dict(prefixes)) or b""
    except OSError as error:   # a writer's refusal: JSON-LD of RDF 1.2 triple terms
        if UNWRITABLE not in str(error):
            raise
        raise NotAcceptable([t for t in RDF_TYPES if t != "application/ld+json"],
                            why=TRIPLE_TERMS) from None
    return body, fmt.media_type


def _refuse_not_xml(triples: list[ox.Triple]) -> None:
    """``NotAcceptable`` naming the first term of ``triples`` holding a character XML 1.0
    cannot carry (``graph.xmltext``), and where."""
    for triple in triples:
        for place, term in (("subject", triple.subject), ("predicate", triple.predicate),
                            ("object", triple.object)):
            text = term.value if isinstance(term, ox.NamedNode | ox.Literal) else ""
            at = not_xml(text)
            if at is None:
                continue
            shown = text if len(text) <= 60 else text[:60] + "…"
            why = (f"the {place} {shown!r} of a triple about {triple.subject} holds "
                   f"U+{ord(text[at]):04X} (character {at + 1}), which XML 1.0, and so "
                   "RDF/XML, cannot carry")
            raise NotAcceptable([t for t in RDF_TYPES if t != "application/rdf+xml"], why=why)


def rdf_response(triples: Iterable[ox.Triple], media_type: str, *,
                 headers: Mapping[str, str] | None = None, status_code: int = 200,
                 prefixes: Mapping[str, str] = PREFIXES) -> Response:
    """A response holding ``triples`` in the format of ``media_type``."""
    body, canonical = serialize(triples, media_type, prefixes)
    if canonical.startswith("text/") or canonical == "application/n-triples":
        canonical += "; charset=utf-8"
    all_headers = {"Vary": "Accept", **(headers or {})}
    return Response(body, media_type=canonical, headers=all_headers, status_code=status_code)
