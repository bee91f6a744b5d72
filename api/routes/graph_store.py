"""``/store``: the SPARQL 1.1 Graph Store HTTP Protocol (indirect and direct graph
identification).

``GET /store?graph=IRI`` reads a graph the reader may see (404 otherwise), ``GET
/store?default`` the default graph (``graph=`` cannot name it: the store's internal name for
it, ``DEFAULT_GRAPH``, is a 400, as is every name civicgraph keeps for its own graphs,
``graphstore.RESERVED``). ``PUT`` replaces a graph, ``POST`` adds to it (or, without
``graph``, creates a new one), ``DELETE`` removes it, ``?default`` included; a write that
creates a graph is a 201 with ``Location``, its IRI as a URI (RFC 3987 §3.1: what is not
ASCII percent-encoded as UTF-8). Writes need the curator's bearer token and take the write path
(``graph.ingest.writing``): a body that does not parse is a 400, one the shapes or the privacy
guard refuse a 422 with the violations, and nothing is written then. A graph a write
creates is described at the deployment's default access level (``default_access``).
``/store/{path}`` names directly the graph whose IRI is that URL (``{public URL}/store/{path}``,
the path as sent, its percent-encodings kept, its dot segments removed), as the protocol
allows: the same reads and writes.
"""

from __future__ import annotations

import uuid
from typing import Annotated
from urllib.parse import quote, quote_from_bytes

import pyoxigraph as ox
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from api.errors import BadRequest, UnsupportedMediaType
from api.negotiation import negotiate
from api.proxies import public_base
from api.querying import after_curator_write, reader_view
from api.rdf import RDF_OFFERS, rdf_response
from api.security import client_slot, require_curator
from graph.errors import UnknownFormat
from graph.ingest import graphstore
from graph.ingest.provenance import Access
from graph.namespaces import graph_iri
from graph.store import DEFAULT_GRAPH

router = APIRouter(tags=["Graph Store"])

_GRAPH_PARAM = {"name": "graph", "in": "query", "required": False,
                "schema": {"type": "string", "format": "uri"},
                "example": "https://w3id.org/civicgraph/graph/example",
                "description": "The IRI of the named graph."}
_DEFAULT_PARAM = {"name": "default", "in": "query", "required": False,
                  "schema": {"type": "string"}, "allowEmptyValue": True,
                  "description": "Present (no value) to name the default graph."}
#: What a raw path keeps as it is besides letters, digits and ``-._~`` (RFC 3986 §3.3).
_PATH_SAFE = "/:@!$&'()*+,;=%"
_CONTENT: dict[str, dict[str, object]] = {
    t: {"schema": {"type": "string"}} for t in graphstore.READABLE}
_CONTENT["text/turtle"]["example"] = (
    "<https://w3id.org/civicgraph/id/org/vecam> "
    "<http://www.w3.org/2000/01/rdf-schema#comment> \"checked\" .")
_BODY = {"required": True, "content": _CONTENT}
_WRITE_ANSWERS = {
    "201": {"description": "Created."}, "204": {"description": "Written."},
    "400": {"description": "The body does not parse (line and column)."},
    "401": {"description": "No curator token."},
    "422": {"description": "Refused by the shapes or the privacy guard (the violations); "
                           "nothing was written."}}


def _target(request: Request, *, required: bool) -> str | None:
    """The graph a request names: an IRI, ``DEFAULT_GRAPH`` for ``?default``, None for
    neither (unless ``required``)."""
    params = request.query_params
    if "graph" in params and "default" in params:
        raise BadRequest("give either graph= or default, not both")
    if "graph" in params:
        # never the last of several: a DELETE would remove a graph the client may not mean
        graphs = params.getlist("graph")
        if len(graphs) > 1:
            raise BadRequest(f"give one graph=, not {len(graphs)}")
        if graphs[0] == DEFAULT_GRAPH:
            # the store's internal name for its default graph, never a client's
            raise BadRequest(f"the graph name <{DEFAULT_GRAPH}> is reserved: name the "
                             "default graph with ?default")
        return graphstore.graph_name(graphs[0])   # other reserved names: a 400 too
    if "default" in params:
        return DEFAULT_GRAPH
    if required:
        raise BadRequest("name the graph with ?graph=IRI, or the default graph with ?default")
    return None


async def _read_body(request: Request) -> bytes:
    return await request.body()


Body = Annotated[bytes, Depends(_read_body)]


def _direct(request: Request) -> str:
    """The graph a ``/store/{path}`` URL names: its own IRI, the path as it was sent (the
    query string left out): ``/store/a%2Fb``, ``/store/a/b`` and ``/store/a%20b`` are three
    graphs, as the IRIs are three; its dot segments removed (``/store/a/../b`` is ``/store/b``),
    as a client removes them (RFC 3986 §5.2.4), a percent-encoded dot (``%2E``) kept."""
    if "graph" in request.query_params or "default" in request.query_params:
        raise BadRequest("a graph named by its URL (/store/…) takes no graph= nor default")
    raw = request.scope.get("raw_path")
    # a byte no URI holds (a server may pass one on) percent-encoded, as a browser would;
    # without the raw path (an ASGI server need not give it), the decoded one encoded again
    path = quote_from_bytes(raw, safe=_PATH_SAFE) if isinstance(raw, bytes) \
        else quote(request.url.path, safe=_PATH_SAFE.replace("%", ""))
    # a client removes them before it sends the URL: left in, the graph's own URL would
    # never reach it
    path = graphstore.remove_dot_segments(path)
    if not path.startswith("/store/"):
        raise BadRequest(f"the path {path!r}, its dot segments removed, is not under /store/: "
                         "it names no graph")
    return graphstore.graph_name(public_base(request) + path)


def _parse(request: Request, data: bytes, graph: str | None = None) -> list[ox.Triple]:
    media_type = request.headers.get("content-type", "")
    base = graph if graph is not None and graph != DEFAULT_GRAPH \
        else request.query_params.get("graph")
    try:
        return graphstore.parse_triples(data, media_type, base_iri=base)
    except UnknownFormat:
        raise UnsupportedMediaType(media_type.split(";")[0], list(graphstore.READABLE)) \
            from None


@router.head("/store", include_in_schema=False)
@router.get("/store", summary="Read a graph", response_class=Response, openapi_extra={
    "parameters": [_GRAPH_PARAM, _DEFAULT_PARAM],
    "responses": {"200": {"description": "The graph.",
                          "content": {t: {} for t in RDF_OFFERS[:4]}},
                  "404": {"description": "No such graph, or not public."},
                  "406": {"description": "No acceptable format."}}})
def read(request: Request) -> Response:
    """The triples of a named graph, of the store's own default graph with ``?default``, or,
    with neither, of every graph the reader may see."""
    graph = _target(request, required=False)   # ?default: the store's own default graph
    return _read(request, graph)


@router.head("/store/{path:path}", include_in_schema=False)
@router.get("/store/{path:path}", summary="Read a graph named by its URL",
            response_class=Response)
def read_direct(request: Request, path: str) -> Response:
    """The triples of the graph whose IRI is this URL."""
    return _read(request, _direct(request))


def _read(request: Request, graph: str | None) -> Response:
    chosen = negotiate(request, RDF_OFFERS)
    view = reader_view(request)
    with client_slot(request):
        triples = graphstore.read_graph(view, graph)
    return rdf_response(triples, chosen)


def _location(graph: str) -> str:
    """The ``Location`` of ``graph`` once a write created it: ``/store?default``, or its IRI
    as a URI (``as_uri``: a header holds ASCII only). Taken before the write, so that
    nothing after the commit can fail on it."""
    return "/store?default" if graph == DEFAULT_GRAPH else graphstore.as_uri(graph)


def _written(existed: bool, location: str) -> Response:
    if existed:
        return Response(status_code=204)
    return Response(status_code=201, headers={"Location": location})


def _writer(request: Request) -> str:
    return "curator (Graph Store)"


def _access(request: Request) -> Access:
    """The access level of a graph a write describes first (``default_access``)."""
    access: Access = request.app.state.settings.default_access
    return access


@router.put("/store", summary="Replace a graph (curator)", response_class=Response,
            status_code=204, openapi_extra={"parameters": [_GRAPH_PARAM, _DEFAULT_PARAM],
                                            "requestBody": _BODY, "responses": _WRITE_ANSWERS})
def put(request: Request, body: Body) -> Response:
    """Replace the content of a graph (or of the default graph) with the request body."""
    graph = _target(request, required=True)
    assert graph is not None
    return _put(request, graph, body)


@router.put("/store/{path:path}", summary="Replace a graph named by its URL (curator)",
            response_class=Response, status_code=204)
def put_direct(request: Request, path: str, body: Body) -> Response:
    """Replace the content of the graph whose IRI is this URL with the request body."""
    return _put(request, _direct(request), body)


def _put(request: Request, graph: str, body: bytes) -> Response:
    require_curator(request)
    triples = _parse(request, body, graph)
    location = _location(graph)
    existed = graphstore.replace(request.app.state.store, graph, triples,
                                 who=_writer(request), default_access=_access(request))
    after_curator_write(request, graph)
    return _written(existed, location)


@router.post("/store", summary="Add to a graph, or create one (curator)",
             response_class=Response, status_code=204,
             openapi_extra={"parameters": [_GRAPH_PARAM, _DEFAULT_PARAM], "requestBody": _BODY,
                            "responses": _WRITE_ANSWERS})
def post(request: Request, body: Body) -> Response:
    """Add the request body to a graph (or to the default graph); without ``graph`` or
    ``default``, store it in a new graph."""
    require_curator(request)
    graph = _target(request, required=False)
    if graph is None:
        triples = _parse(request, body)
        created = graph_iri(f"uploads/{uuid.uuid4()}")
        location = graphstore.as_uri(created)
        graphstore.replace(request.app.state.store, created, triples, who=_writer(request),
                           default_access=_access(request))
        after_curator_write(request, created)
        # the new graph's IRI, as ``graph=`` takes it
        return Response(status_code=201, headers={"Location": location})
    return _post(request, graph, body)


@router.post("/store/{path:path}", summary="Add to a graph named by its URL (curator)",
             response_class=Response, status_code=204)
def post_direct(request: Request, path: str, body: Body) -> Response:
    """Add the request body to the graph whose IRI is this URL."""
    return _post(request, _direct(request), body)


def _post(request: Request, graph: str, body: bytes) -> Response:
    require_curator(request)
    triples = _parse(request, body, graph)
    location = _location(graph)
    existed = graphstore.add(request.app.state.store, graph, triples, who=_writer(request),
                             default_access=_access(request))
    after_curator_write(request, graph)
    return _written(existed, location)


@router.delete("/store", summary="Delete a graph (curator)", response_class=Response,
               status_code=204, openapi_extra={"parameters": [_GRAPH_PARAM, _DEFAULT_PARAM]})
def delete(request: Request) -> Response:
    """Remove a graph and its description; with ``default``, empty the default graph."""
    graph = _target(request, required=True)
    assert graph is not None
    return _delete(request, graph)


@router.delete("/store/{path:path}", summary="Delete a graph named by its URL (curator)",
               response_class=Response, status_code=204)
def delete_direct(request: Request, path: str) -> Response:
    """Remove the graph whose IRI is this URL and its description."""
    return _delete(request, _direct(request))


def _delete(request: Request, graph: str) -> Response:
    require_curator(request)
    graphstore.delete(request.app.state.store, graph, who=_writer(request),
                      default_access=_access(request))
    after_curator_write(request, graph)
    return Response(status_code=204)
