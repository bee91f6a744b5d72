"""The public data in bulk: gzipped dumps (N-Quads, TriG), and the VoID description at
``/.well-known/void``.

A dump holds every public named graph. Over the embedded store it is written once per
version of the store and kept in a temporary directory until the next write; over a remote
store (which other processes may write) it is written for each download.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse, Response

from api.negotiation import negotiate
from api.proxies import public_base
from api.querying import engine_of
from api.rdf import RDF_OFFERS, rdf_response
from api.templating import render
from graph.errors import NotFound
from graph.namespaces import PREFIXES
from graph.publishing.service import DUMPS, DumpCache, dump_named, graph_facts, void_description

router = APIRouter(tags=["Data"])


def _cache(request: Request) -> DumpCache:
    cache: DumpCache = request.app.state.dump_cache
    return cache


def _version(request: Request) -> int | None:
    """The write counter a dump may be cached under: only an embedded store's, since this
    process makes all its writes; a remote store may be written by others (replicas), so
    its dumps are written anew each time."""
    store = request.app.state.store
    version = getattr(store, "version", None)
    if store.kind not in ("memory", "oxigraph") or not isinstance(version, int):
        return None
    return version


@router.get("/dumps", summary="The dumps of the public data",
            responses={200: {"content": {"application/json": {"example": {
                "dumps": [{"name": "civicgraph.nq.gz", "url": "/dumps/civicgraph.nq.gz",
                           "media_type": "application/n-quads", "compression": "gzip"}],
                "graphs": [{"iri": "https://w3id.org/civicgraph/graph/example",
                            "triples": 5200}]}}, "text/html": {}}}})
def dumps(request: Request) -> Response:
    """The downloadable dumps and the public graphs they hold (HTML or JSON)."""
    chosen = negotiate(request, ["application/json", "text/html"])
    facts = graph_facts(engine_of(request).view("public"))
    listing: dict[str, Any] = {
        "dumps": [{"name": d.name, "url": f"/dumps/{d.name}", "media_type": d.media_type,
                   "compression": "gzip"} for d in DUMPS],
        "graphs": [{"iri": f.iri, "triples": f.triples,
                    "title": f.title.value if f.title else None} for f in facts],
        "licence": "https://creativecommons.org/licenses/by/4.0/",
    }
    if chosen == "text/html":
        return render(request, "dumps.html", {"listing": listing})
    return JSONResponse(listing)


@router.get("/dumps/{name}", summary="Download a dump", response_class=FileResponse,
            responses={200: {"content": {"application/gzip": {}}}, 404: {}})
def download(request: Request, name: str) -> FileResponse:
    """A gzipped dump of the public named graphs (``civicgraph.nq.gz``,
    ``civicgraph.trig.gz``)."""
    dump = dump_named(name)
    if dump is None:
        raise NotFound(f"dump {name!r}")
    path = _cache(request).get(engine_of(request).view("public"), dump, _version(request))
    return FileResponse(path, media_type="application/gzip", filename=dump.name)


@router.get("/.well-known/void", summary="VoID description of the public data",
            response_class=Response,
            responses={200: {"content": {t: {} for t in RDF_OFFERS[:4]}}})
def void(request: Request) -> Response:
    """The dataset, its named graphs with their sizes, the endpoint, the dumps and example
    resources, in VoID (Turtle, JSON-LD, N-Triples or RDF/XML)."""
    chosen = negotiate(request, RDF_OFFERS)
    settings = request.app.state.settings
    public = public_base(request)
    triples = void_description(
        engine_of(request).view("public"), dataset=f"{public}/.well-known/void#civicgraph",
        endpoint=f"{public}/sparql", dumps_url=f"{public}/dumps/", base_iri=settings.base_iri,
    )
    return rdf_response(triples, chosen, prefixes=PREFIXES)
