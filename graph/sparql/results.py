"""SPARQL result formats, and serialising a result under a size cap.

Results are written by Oxigraph's own writers. The cap counts solutions (SELECT) or triples
(CONSTRUCT, DESCRIBE) while they are produced, so a result past the cap is abandoned as soon as
it is known to be too large, never truncated: ``serialize_result`` returns the whole body or
raises ``ResultTooLarge``. Likewise a result that SPARQL XML or RDF/XML cannot carry (a
character XML 1.0 leaves out, a predicate no element can be named by:
``graph.sparql.xmlsafety``) raises ``Unwritable`` naming the term and the other formats,
before a byte is written.

SELECT results are first written as SPARQL TSV, whose lines are exactly one solution each
(the header aside), and counted on the fly; another format is then written from that TSV by
Oxigraph (TSV keeps every RDF term exactly). When the caller knows that every solution binds
a variable (``every_solution_binds``: a one-subject lookup, for one), SPARQL JSON is written
directly and its solutions counted as it is written (``_JsonSolutionCounter``), without the
round trip through TSV.

>>> format_named("json").media_type
'application/sparql-results+json'
>>> format_named("ttl").media_type
'text/turtle'
>>> format_called("xml", "solutions").name, format_called("xml", "graph").name
('xml', 'rdfxml')
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Final, Literal

import pyoxigraph as ox

from graph.errors import ResultTooLarge, UnknownFormat
from graph.sparql.xmlsafety import carriage_returns_kept, check_solutions_xml, rdf_xml_triples
from graph.store import QueryResult

ResultKind = Literal["solutions", "boolean", "graph"]


@dataclass(frozen=True)
class ResultFormat:
    """A serialisation offered for query results: solutions (and booleans) or graphs."""

    name: str
    media_type: str
    extension: str
    kind: Literal["solutions", "graph"]
    #: other media types that clients send for the same format
    aliases: tuple[str, ...] = ()
    #: other short names accepted by the ``format`` parameter
    names: tuple[str, ...] = ()

    @property
    def media_types(self) -> tuple[str, ...]:
        return (self.media_type, *self.aliases)

    def oxigraph(self) -> ox.QueryResultsFormat | ox.RdfFormat:
        """The matching Oxigraph format."""
        if self.kind == "solutions":
            return _SOLUTION_WRITERS[self.name]
        return _GRAPH_WRITERS[self.name]


#: Formats for SELECT and ASK, the default first. ``names`` are what clients send in
#: ``format=`` / ``output=`` / ``results=`` (SPARQLWrapper, Virtuoso's and Fuseki's names).
SOLUTION_FORMATS: Final = (
    ResultFormat("json", "application/sparql-results+json", "srj", "solutions",
                 aliases=("application/json", "text/javascript", "application/javascript"),
                 names=("srj", "sparql-results+json", "sparql-json")),
    ResultFormat("xml", "application/sparql-results+xml", "srx", "solutions",
                 aliases=("application/xml", "text/xml"),
                 names=("srx", "sparql-results+xml", "sparql-xml")),
    ResultFormat("csv", "text/csv", "csv", "solutions"),
    ResultFormat("tsv", "text/tab-separated-values", "tsv", "solutions",
                 names=("tab-separated-values",)),
)

#: Formats for CONSTRUCT and DESCRIBE, the default first. ``xml`` means RDF/XML and
#: ``json`` JSON-LD here (SPARQLWrapper's ``format=xml`` for a CONSTRUCT); Turtle is N3.
GRAPH_FORMATS: Final = (
    ResultFormat("turtle", "text/turtle", "ttl", "graph",
                 aliases=("application/x-turtle", "application/turtle", "text/n3",
                          "text/rdf+n3", "application/n3"),
                 names=("ttl", "n3")),
    ResultFormat("ntriples", "application/n-triples", "nt", "graph", aliases=("text/plain",),
                 names=("nt", "n-triples")),
    ResultFormat("nquads", "application/n-quads", "nq", "graph", names=("nq", "n-quads")),
    ResultFormat("trig", "application/trig", "trig", "graph"),
    ResultFormat("jsonld", "application/ld+json", "jsonld", "graph",
                 aliases=("application/x-json+ld", "application/json"),
                 names=("json-ld", "json")),
    ResultFormat("rdfxml", "application/rdf+xml", "rdf", "graph",
                 aliases=("application/xml", "text/xml"),
                 names=("rdf", "xml-rdf", "rdf+xml", "rdf/xml", "xml")),
)

_SOLUTION_WRITERS: Final[Mapping[str, ox.QueryResultsFormat]] = {
    "json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV,
}
_GRAPH_WRITERS: Final[Mapping[str, ox.RdfFormat]] = {
    "turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG,
    "jsonld": ox.RdfFormat.JSON_LD, "rdfxml": ox.RdfFormat.RDF_XML,
}


def formats_for(kind: ResultKind) -> tuple[ResultFormat, ...]:
    """The formats a result of ``kind`` can be written in, the default first."""
    return GRAPH_FORMATS if kind == "graph" else SOLUTION_FORMATS


def format_for(media_type: str, kind: ResultKind) -> ResultFormat:
    """The format of ``kind`` that ``media_type`` (or one of its aliases) names.

    >>> format_for("application/json", "graph").name
    'jsonld'
    """
    wanted = media_type.strip().lower()
    for fmt in formats_for(kind):
        if wanted in fmt.media_types:
            return fmt
    raise UnknownFormat(media_type, [f.media_type for f in formats_for(kind)])


def format_called(name: str, kind: ResultKind) -> ResultFormat:
    """The format of ``kind`` that a client calls ``name`` in ``format=`` (a short name or a
    media type, parameters ignored); ``UnknownFormat`` naming the accepted names if none.

    >>> format_called("n3", "graph").media_type
    'text/turtle'
    >>> format_called("application/sparql-results+json; charset=utf-8", "boolean").name
    'json'
    """
    wanted = name.split(";")[0].strip().lower()
    for fmt in formats_for(kind):
        if wanted in (fmt.name, fmt.extension, *fmt.names, *fmt.media_types):
            return fmt
    raise UnknownFormat(name, accepted_names(kind))


def accepted_names(kind: ResultKind) -> list[str]:
    """Every name ``format_called`` understands for ``kind``, short names first."""
    formats = formats_for(kind)
    short = [n for f in formats for n in dict.fromkeys((f.name, f.extension, *f.names))]
    return [*dict.fromkeys(short), *(t for f in formats for t in f.media_types)]


def format_named(name: str) -> ResultFormat:
    """The format called ``name`` (``json``, ``ttl``, …) or with that media type."""
    wanted = name.strip().lower()
    for fmt in (*SOLUTION_FORMATS, *GRAPH_FORMATS):
        if wanted in (fmt.name, fmt.extension, *fmt.names, *fmt.media_types):
            return fmt
    known = [f.name for f in (*SOLUTION_FORMATS, *GRAPH_FORMATS)]
    raise UnknownFormat(name, known)


@dataclass(frozen=True)
class Answer:
    """A serialised query result: its body, media type and size."""

    kind: ResultKind
    body: bytes
    media_type: str
    #: solutions or triples in the result (1 for a boolean)
    count: int


class _CountingSink:
    """A binary sink for Oxigraph's writers that stops them past ``limit`` TSV lines."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.lines = 0
        self.chunks: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.lines += data.count(b"\n")
        # the first line is the header
        if self.lines - 1 > self.limit:
            raise ResultTooLarge(self.limit)
        self.chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass


class _JsonSolutionCounter:
    r"""A binary sink for Oxigraph's SPARQL JSON writer that counts the solutions binding at
    least one variable, and stops the writer past ``limit`` of them.

    A solution is an object of the ``bindings`` array, so it opens with ``{`` right after
    ``[`` or ``,``, and one that binds a variable goes on with the ``"`` of its first name.
    Inside a JSON string every ``"`` is escaped, so ``[{"`` and ``,{"`` occur nowhere else
    (a term's object opens after ``:``). An empty solution (``{}``) is not counted: the caller
    vouches that there is none. Chunks may split the three bytes: the last two of each are
    kept for the next.

    >>> sink = _JsonSolutionCounter(10)
    >>> for part in (b'{"head":{"vars":["o"]},"results":{"bindings":[', b'{"o":{"type":"literal",',
    ...              b'"value":",{\\",[{\\""}},{', b'"o":{"type":"uri","value":"x"}}]}}'):
    ...     _ = sink.write(part)
    >>> sink.count
    2
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.count = 0
        self.chunks: list[bytes] = []
        self._tail = b""

    def write(self, data: bytes) -> int:
        chunk = bytes(data)
        seen = self._tail + chunk
        self.count += seen.count(b'[{"') + seen.count(b',{"')
        if self.count > self.limit:
            raise ResultTooLarge(self.limit)
        self._tail = seen[-2:]
        self.chunks.append(chunk)
        return len(chunk)

    def flush(self) -> None:
        pass


def _written(result: ox.QuerySolutions, sink: _CountingSink | _JsonSolutionCounter,
             fmt: ox.QueryResultsFormat, limit: int) -> bytes:
    """``result`` written by Oxigraph into ``sink``, which raises ``ResultTooLarge``."""
    try:
        result.serialize(sink, format=fmt)  # type: ignore[arg-type]
    except OSError as error:
        # Oxigraph wraps what the sink raised; give back the error it carried
        if isinstance(error.__cause__ or error.__context__, ResultTooLarge):
            raise ResultTooLarge(limit) from None
        raise
    return b"".join(sink.chunks)


def _counted(triples: Iterable[ox.Triple], limit: int, seen: list[int]) -> Iterator[ox.Triple]:
    """Each triple of ``triples`` once, counted in ``seen[0]``; ``ResultTooLarge`` past
    ``limit`` of them. Oxigraph's DESCRIBE over several graphs yields a triple once per graph
    stating it (oxigraph#1919): an RDF graph is a set, so a repeat is neither written nor
    counted."""
    kept: set[ox.Triple] = set()
    for triple in triples:
        if triple in kept:
            continue
        kept.add(triple)
        if len(kept) > limit:
            raise ResultTooLarge(limit)
        seen[0] = len(kept)
        yield triple


def serialize_result(result: QueryResult, *, solutions: ResultFormat, graph: ResultFormat,
                     limit: int, prefixes: Mapping[str, str] | None = None,
                     every_solution_binds: bool = False) -> Answer:
    """Write ``result`` in ``solutions`` (SELECT, ASK) or ``graph`` format (CONSTRUCT,
    DESCRIBE); ``ResultTooLarge`` when it holds more than ``limit`` solutions or triples.
    ``every_solution_binds``: the caller knows that no solution is empty (JSON is then
    written directly)."""
    if isinstance(result, ox.QueryBoolean):
        body = result.serialize(format=_SOLUTION_WRITERS[solutions.name]) or b""
        return Answer("boolean", _xml_safe(body, solutions), solutions.media_type, 1)
    if isinstance(result, ox.QuerySolutions):
        if every_solution_binds and solutions.name == "json":
            counter = _JsonSolutionCounter(limit)
            body = _written(result, counter, ox.QueryResultsFormat.JSON, limit)
            return Answer("solutions", body, solutions.media_type, counter.count)
        sink = _CountingSink(limit)
        tsv = _written(result, sink, ox.QueryResultsFormat.TSV, limit)
        count = max(sink.lines - 1, 0)
        if solutions.name == "tsv":
            return Answer("solutions", tsv, solutions.media_type, count)
        body = ox.parse_query_results(tsv, ox.QueryResultsFormat.TSV).serialize(
            format=_SOLUTION_WRITERS[solutions.name]) or b""
        if solutions.name == "xml":
            check_solutions_xml(body, tsv, _others(SOLUTION_FORMATS, solutions))
        return Answer("solutions", _xml_safe(body, solutions), solutions.media_type, count)
    seen = [0]
    triples = _counted(result, limit, seen)
    if graph.name == "rdfxml":
        triples = rdf_xml_triples(triples, _others(GRAPH_FORMATS, graph))
    body = ox.serialize(triples, format=_GRAPH_WRITERS[graph.name],
                        prefixes=dict(prefixes) if prefixes else None) or b""
    return Answer("graph", _xml_safe(body, graph), graph.media_type, seen[0])


def _others(formats: tuple[ResultFormat, ...], fmt: ResultFormat) -> list[str]:
    """The media types of ``formats`` but ``fmt``'s: those a client may ask for instead."""
    return [f.media_type for f in formats if f.name != fmt.name]


def _xml_safe(body: bytes, fmt: ResultFormat) -> bytes:
    r"""``body`` with each carriage return written ``&#13;`` when ``fmt`` is XML: Oxigraph's
    XML writers leave it raw, and XML readers turn a raw one into a line feed (XML 1.0
    §2.11). Its writers put none of their own, so every one comes from a literal.

    >>> _xml_safe(b"<literal>a\r\nb</literal>", format_named("xml"))
    b'<literal>a&#13;\nb</literal>'
    """
    return carriage_returns_kept(body) if fmt.name in ("xml", "rdfxml") else body


def parse_answer(answer: Answer) -> QueryResult:
    """The pyoxigraph result that ``answer`` serialises (for callers that want terms)."""
    if answer.kind == "graph":
        fmt = _GRAPH_WRITERS[format_named(answer.media_type).name]
        return (quad.triple for quad in ox.parse(answer.body, format=fmt))
    fmt_solutions = _SOLUTION_WRITERS[format_named(answer.media_type).name]
    return ox.parse_query_results(answer.body, fmt_solutions)
