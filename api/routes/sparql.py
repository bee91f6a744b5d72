"""``/sparql``: the SPARQL 1.1 Protocol (query and update) and the Service Description.

- Query by ``GET ?query=``, ``POST`` form-encoded (``query=``) or ``POST`` with
  ``Content-Type: application/sparql-query``; ``default-graph-uri`` and ``named-graph-uri``
  honoured. Results by ``Accept`` (q-values) or ``?format=``; 406 when nothing fits.
- Update by ``POST`` form-encoded (``update=``) or ``application/sparql-update``, with the
  curator's bearer token; 204 when done, 400 (nothing written) when it would put personal data
  into a public graph (``graph.sparql.update_guard``).
- ``GET /sparql`` without a query: the Service Description (Turtle, JSON-LD, N-Triples,
  RDF/XML), its blank nodes labelled in order (``_:n0``, ``_:n1``, …) so that identical
  requests get identical bytes; a browser is sent to the query page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import urlencode

import pyoxigraph as ox
from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from api.errors import BadRequest, NotAcceptable, QueryTooLarge, UnsupportedMediaType
from api.forms import charset_of, urlencoded
from api.negotiation import choose, negotiate
from api.proxies import public_base
from api.querying import (
    absolute_iris_only,
    after_curator_write,
    engine_of,
    inline_lookups,
    lookup_subject,
)
from api.rdf import RDF_OFFERS, rdf_response
from api.security import client_of, client_slot, reader_scope, require_curator
from graph.engine.execution import acting_for
from graph.engine.parsing import INLINE_BYTES, parsers
from graph.errors import UnknownFormat
from graph.ingest.writing import apply_update
from graph.namespaces import PREFIXES
from graph.publishing.service import FORMATS, SD, service_description
from graph.sparql.request import (
    Dataset,
    QueryInfo,
    analyse_query,
    job_formats,
    requested_dataset,
    with_base,
)
from graph.sparql.results import (
    Answer,
    ResultFormat,
    ResultKind,
    accepted_names,
    format_called,
    format_for,
    formats_for,
)

router = APIRouter(tags=["SPARQL"])

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
QUERY_TYPE = "application/sparql-query"
UPDATE_TYPE = "application/sparql-update"


@dataclass
class ProtocolRequest:
    """The SPARQL protocol fields of a request, wherever they were sent."""

    query: str | None = None
    update: str | None = None
    default_graphs: list[str] = field(default_factory=list)
    named_graphs: list[str] = field(default_factory=list)
    using_graphs: list[str] = field(default_factory=list)
    using_named_graphs: list[str] = field(default_factory=list)
    format: str | None = None
    #: every value of the format's parameter (``format_parameter``), which must all name one
    #: format: SPARQLWrapper sends ``format=tsv&format=text/tab-separated-values``
    formats: tuple[str, ...] = ()
    format_parameter: str = "format"

    @property
    def dataset(self) -> Dataset | None:
        # a 400 for civicgraph's internal name of the default graph (refuse_reserved)
        return requested_dataset(self.default_graphs, self.named_graphs)


async def _bounded(request: Request, bound: int) -> bytes:
    """The body of a form sent without its length, refused past ``bound`` bytes as it comes
    (one with its length past the bound is refused before it is read, 413)."""
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > bound:
            raise BadRequest(f"the form is past its maximum size ({bound} bytes)")
    return bytes(body)


def _first(values: list[str]) -> str | None:
    return values[0] if values else None


async def protocol_request(request: Request) -> ProtocolRequest:
    """Read the protocol fields from the URL and, for POST, from the body."""
    limit: int = request.app.state.settings.max_query_bytes
    fields: dict[str, list[str]] = {}
    for name, value in request.query_params.multi_items():
        fields.setdefault(name, []).append(value)
    if "update" in fields and request.method == "POST":
        # SPARQL 1.1 Protocol §2.2: an update travels in the body, never in the URL
        raise BadRequest("send the update in the request body (form-encoded 'update=' or "
                         "application/sparql-update), not in the URL")
    if request.method == "POST":
        media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media_type in FORM_TYPES:
            declared = request.headers.get("content-length", "")
            bound = 3 * limit + 65536
            if declared.isdigit() and int(declared) > bound:
                # past what a form holding one query of the largest size takes (each byte
                # percent-encoded) plus its other fields: refused before the body is read
                raise QueryTooLarge("form", limit)
            if media_type == "application/x-www-form-urlencoded":
                # read here, as the URL standard says (api.forms), not by Starlette
                items = urlencoded(await _bounded(request, bound),
                                   charset_of(request.headers["content-type"]))
            else:
                form = await request.form()
                items = [(n, item) for n, item in form.multi_items() if isinstance(item, str)]
            for name, item in items:
                fields.setdefault(name, []).append(item)
        elif media_type in (QUERY_TYPE, UPDATE_TYPE):
            what = "query" if media_type == QUERY_TYPE else "update"
            declared = request.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limit:
                raise QueryTooLarge(what, limit)   # refused before the body is read
            raw = await request.body()
            if len(raw) > limit:
                raise QueryTooLarge(what, limit)
            try:
                # a byte order mark opening the body is no part of the text (Jena skips it)
                body = raw.decode("utf-8-sig", errors="strict")
            except UnicodeDecodeError as error:
                raise BadRequest(f"the body is not UTF-8 (byte {error.start})") from None
            if "query" in fields or "update" in fields:
                raise BadRequest("send the query either in the body or in the URL, not both")
            fields["query" if media_type == QUERY_TYPE else "update"] = [body]
        else:
            raise UnsupportedMediaType(media_type, [*FORM_TYPES, QUERY_TYPE, UPDATE_TYPE])
    for name in ("query", "update"):
        if any(len(value) > limit or len(value.encode()) > limit
               for value in fields.get(name, [])[:1]):
            raise QueryTooLarge(name, limit)
        if len(fields.get(name, [])) > 1:
            raise BadRequest(f"give one {name}, not {len(fields[name])}")
    query, update = _first(fields.get("query", [])), _first(fields.get("update", []))
    for name, text in (("query", query), ("update", update)):
        if text is not None and not text.strip():
            raise BadRequest(f"the {name} is empty: give the SPARQL {name} text")
    return ProtocolRequest(
        query=None if query is None else _based(query, request),
        update=None if update is None else _based(update, request),
        default_graphs=fields.get("default-graph-uri", []),
        named_graphs=fields.get("named-graph-uri", []),
        using_graphs=fields.get("using-graph-uri", []),
        using_named_graphs=fields.get("using-named-graph-uri", []),
        # SPARQLWrapper sends all three; Virtuoso reads format, Fuseki output, Jena results
        **_format_fields(fields),
    )


def _format_fields(fields: dict[str, list[str]]) -> dict[str, Any]:
    """``format`` (else ``output``, else ``results``): its first value, every value given
    (in the URL and the form alike) and the parameter's name."""
    for name in ("format", "output", "results"):
        if fields.get(name):
            return {"format": fields[name][0], "formats": tuple(fields[name]),
                    "format_parameter": name}
    return {}


Protocol = Annotated[ProtocolRequest, Depends(protocol_request)]

def _based(text: str, request: Request) -> str:
    """``text`` with its relative IRIs resolved against the endpoint's URL, as on Oxigraph
    server and Fuseki (``with_base``); left as it is, without lexing it, when every IRI is
    absolute already."""
    if absolute_iris_only(text):
        return text
    return with_base(text, public_base(request) + request.url.path)


def result_format(request: Request, info: QueryInfo, asked: str | None,
                  protocol: ProtocolRequest | None = None) -> ResultFormat | None:
    """The format for the query's results: ``format=`` if given, else by ``Accept``.
    None when the query's form is unknown (the engine will report its syntax error). A
    format parameter given several times (``protocol.formats``) is a 400 naming it unless
    every value names the same format, as SPARQLWrapper's short name and media type do: the
    first is never taken over the others."""
    if info.form is None:
        return None
    offered = formats_for(info.result_kind)
    if asked:
        chosen = _called(asked, info.result_kind)
        if protocol is not None:
            _named_once(protocol, chosen, info.result_kind)
        return chosen
    media_types = [f.media_type for f in offered] + [a for f in offered for a in f.aliases]
    if choose(request.headers.get("accept"), media_types) is None:
        raise NotAcceptable([f.media_type for f in offered])
    return format_for(negotiate(request, media_types), info.result_kind)


def _named_once(protocol: ProtocolRequest, chosen: ResultFormat, kind: ResultKind) -> None:
    """A 400 naming the format's parameter when its other values name another format than
    ``chosen`` (the first's). A value may list media types (SPARQLWrapper's JSON-LD:
    ``application/ld+json,application/x-json+ld``): each must name ``chosen``."""
    given = protocol.formats
    if any(_called(item, kind).name != chosen.name
           for other in given[1:] for item in other.split(",")):
        raise BadRequest(f"parameter {protocol.format_parameter!r}: give it once, not "
                         f"{len(given)} times ({', '.join(given)} name different formats)")


def _called(asked: str, kind: ResultKind) -> ResultFormat:
    """The format of ``kind`` named by ``format=`` (or ``output=``, ``results=``); 406
    listing the names understood when it names none."""
    try:
        return format_called(asked, kind)
    except UnknownFormat:
        raise NotAcceptable(accepted_names(kind), asked=asked) from None


def _wants_a_page(request: Request, info: QueryInfo) -> bool:
    """Whether ``Accept`` takes an HTML page and none of the query's result formats (a
    browser's own ``Accept`` takes XML results, as other endpoints give it)."""
    if info.form is None:
        return False
    offered = formats_for(info.result_kind)
    media_types = [f.media_type for f in offered] + [a for f in offered for a in f.aliases]
    accept = request.headers.get("accept")
    return choose(accept, media_types) is None and choose(accept, ["text/html"]) is not None


def _answer_query(request: Request, protocol: ProtocolRequest) -> Response:
    assert protocol.query is not None
    if protocol.update is not None:
        raise BadRequest("give a query or an update, not both")
    looked_up = _answer_lookup(request, protocol)
    if looked_up is not None:
        return looked_up
    if len(protocol.query) <= INLINE_BYTES:
        info = analyse_query(protocol.query)
    else:   # a long text is read in a parser process (graph.engine.parsing), for its client
        with acting_for(client_of(request)):
            info = parsers().analyse_query(protocol.query)
    if request.method == "GET" and protocol.format is None and _wants_a_page(request, info):
        # a person who opened a query's URL: the query page, with the query in its editor
        return RedirectResponse("/query?" + urlencode({"query": protocol.query}),
                                status_code=303)
    chosen = result_format(request, info, protocol.format, protocol)
    engine = engine_of(request)
    job = engine.job(protocol.query, reader_scope(request), dataset=protocol.dataset,
                     **job_formats(info, chosen))
    with client_slot(request):
        answer = engine.run(job)
    return _results(answer)


def _answer_lookup(request: Request, protocol: ProtocolRequest) -> Response | None:
    """The answer to a one-subject lookup (``api.querying.lookup_subject``) of a subject
    small enough to be answered here; None for any other query (``_answer_query``)."""
    assert protocol.query is not None
    found = lookup_subject(protocol.query)
    if found is None:
        return None
    info = found.info
    if request.method == "GET" and protocol.format is None and _wants_a_page(request, info):
        return None
    chosen = result_format(request, info, protocol.format, protocol)
    job = engine_of(request).job(protocol.query, reader_scope(request),
                                 dataset=protocol.dataset, **job_formats(info, chosen))
    with client_slot(request):
        answer = inline_lookups(request).answer(job, found)
    return None if answer is None else _results(answer)


def _results(answer: Answer) -> Response:
    media_type = answer.media_type
    if media_type.startswith("text/"):
        media_type += "; charset=utf-8"
    return Response(answer.body, media_type=media_type, headers={"Vary": "Accept"})


def _answer_update(request: Request, protocol: ProtocolRequest) -> Response:
    assert protocol.update is not None
    if protocol.query is not None:
        raise BadRequest("give a query or an update, not both")
    require_curator(request)
    with client_slot(request):
        # the write path: read in a parser process (using-graph-uri written in, bounds,
        # SERVICE and LOAD refused), run on a scratch copy, shapes and privacy guard, committed
        apply_update(request.app.state.store, protocol.update, who="curator (SPARQL Update)",
                     default_access=request.app.state.settings.default_access,
                     using=protocol.using_graphs, using_named=protocol.using_named_graphs)
        after_curator_write(request)
    return Response(status_code=204)


def _describe_service(request: Request, protocol: ProtocolRequest) -> Response:
    if protocol.format is not None:
        called = _called(protocol.format, "graph")
        _named_once(protocol, called, "graph")
        chosen = called.media_type
    else:
        chosen = negotiate(request, [*RDF_OFFERS, "text/html"])
    if chosen == "text/html":
        return RedirectResponse("/query", status_code=303)
    settings = request.app.state.settings
    public = public_base(request)
    triples = service_description(
        engine_of(request).view("public"), endpoint=f"{public}/sparql",
        void_url=f"{public}/.well-known/void", timeout=settings.query_timeout,
        result_limit=settings.result_limit, union_default_graph=settings.union_default_graph,
    )
    return rdf_response(labelled(triples), chosen,
                        prefixes={**PREFIXES, "sd": SD, "formats": FORMATS})


def labelled(triples: list[ox.Triple]) -> list[ox.Triple]:
    """``triples`` with their blank nodes labelled ``n0``, ``n1``, … in order of first
    appearance: the description is built with fresh (random) blank nodes, and the same
    request must get the same bytes (a HEAD's Content-Length is its GET's; caches and
    validators compare bytes).

    >>> a, b = ox.BlankNode(), ox.BlankNode()
    >>> p = ox.NamedNode("http://ex/p")
    >>> [str(t) for t in labelled([ox.Triple(a, p, b), ox.Triple(b, p, a)])]
    ['_:n0 <http://ex/p> _:n1', '_:n1 <http://ex/p> _:n0']
    """
    labels: dict[ox.BlankNode, ox.BlankNode] = {}

    def label(term: Any) -> Any:
        if not isinstance(term, ox.BlankNode):
            return term
        found = labels.get(term)
        if found is None:
            found = labels[term] = ox.BlankNode(f"n{len(labels)}")
        return found

    return [ox.Triple(label(t.subject), t.predicate, label(t.object)) for t in triples]


_QUERY_EXAMPLE = "SELECT ?org ?label WHERE { ?org a <http://www.w3.org/ns/org#Organization> ; <http://www.w3.org/2000/01/rdf-schema#label> ?label } LIMIT 10"  # noqa: E501

_GET_DOC = {
    "parameters": [
        {"name": "query", "in": "query", "required": False, "schema": {"type": "string"},
         "description": "A SPARQL 1.1 query. Without it, the Service Description.",
         "example": _QUERY_EXAMPLE},
        {"name": "default-graph-uri", "in": "query", "required": False,
         "schema": {"type": "array", "items": {"type": "string"}}, "explode": True,
         "description": "Graphs whose union is the default graph (public ones only, "
         "unless the request carries a curator token)."},
        {"name": "named-graph-uri", "in": "query", "required": False,
         "schema": {"type": "array", "items": {"type": "string"}}, "explode": True,
         "description": "Graphs that GRAPH may reach."},
        {"name": "format", "in": "query", "required": False,
         "schema": {"type": "string"}, "examples": {
             name: {"value": name} for name in ("json", "xml", "csv", "tsv", "turtle",
                                                "rdf+xml", "json-ld", "nt")},
         "description": "The result format, instead of Accept: a short name or a media "
         "type (`xml` is SPARQL XML results for SELECT and ASK, RDF/XML for CONSTRUCT and "
         "DESCRIBE; `n3` is Turtle). `output=` and `results=` are read the same way."},
    ],
    "responses": {
        "200": {"description": "Query results, or the Service Description.",
                "content": {f.media_type: {} for f in (*formats_for("solutions"),
                                                     *formats_for("graph"))}},
        "400": {"description": "Malformed query (message with line and column), or "
                "SERVICE / LOAD."},
        "406": {"description": "No acceptable result format."},
        "429": {"description": "Too many queries at once from this client (Retry-After)."},
        "503": {"description": "The query passed the time limit or the result cap."},
    },
}

_POST_DOC = {
    "requestBody": {
        "required": True,
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {"type": "object", "properties": {
                    "query": {"type": "string"}, "update": {"type": "string"},
                    "default-graph-uri": {"type": "array", "items": {"type": "string"}},
                    "named-graph-uri": {"type": "array", "items": {"type": "string"}},
                }},
                "example": {"query": _QUERY_EXAMPLE},
            },
            QUERY_TYPE: {"schema": {"type": "string"}, "example": _QUERY_EXAMPLE},
            UPDATE_TYPE: {"schema": {"type": "string"}, "example":
                          'INSERT DATA { GRAPH <https://w3id.org/civicgraph/graph/notes> '
                          '{ <https://w3id.org/civicgraph/id/org/vecam> '
                          '<http://www.w3.org/2000/01/rdf-schema#comment> "checked" } }'},
        },
    },
    "responses": {
        **_GET_DOC["responses"],  # type: ignore[dict-item]
        "204": {"description": "The update was applied."},
        "401": {"description": "An update without a valid curator token."},
        "403": {"description": "Writes are disabled on this server."},
        "415": {"description": "A body of another media type."},
    },
}


@router.head("/sparql", include_in_schema=False)
@router.get("/sparql", summary="SPARQL query (GET)", openapi_extra=_GET_DOC,
            response_class=Response)
def sparql_get(request: Request,
               protocol: Protocol) -> Response:
    """Run a SPARQL query given in the URL, or describe the service when there is none."""
    if protocol.update is not None:
        raise BadRequest("updates must be sent with POST")
    if protocol.query is None:
        return _describe_service(request, protocol)
    return _answer_query(request, protocol)


@router.post("/sparql", summary="SPARQL query or update (POST)", openapi_extra=_POST_DOC,
             response_class=Response)
def sparql_post(request: Request,
                protocol: Protocol) -> Response:
    """Run a SPARQL query or, with the curator token, an update."""
    if protocol.update is not None:
        return _answer_update(request, protocol)
    if protocol.query is None:
        raise BadRequest("the request holds neither a query nor an update")
    return _answer_query(request, protocol)
