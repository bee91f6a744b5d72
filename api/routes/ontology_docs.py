"""``/ns``: the civicgraph namespace resolves — HTML documentation of every class, property
and concept scheme (FR/EN) for a browser, the ontology in Turtle, JSON-LD, N-Triples or
RDF/XML for a program (by ``Accept`` or by suffix: ``/ns.ttl``, ``/ns.jsonld``, …), and the
JSON-LD context at ``/ns/context.jsonld``. Terms are anchors: ``/ns#ToolUsage``.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from api.negotiation import negotiate
from api.rdf import RDF_OFFERS, SUFFIXES, rdf_response
from api.routes.resources import local_link
from api.templating import preferred_language, render
from graph.errors import NotFound
from graph.namespaces import ONTOLOGY_IRI
from graph.publishing.describe import short_name
from graph.publishing.documentation import SECTION_TITLES, SECTIONS, documentation, ontology_triples
from graph.vocabulary import context_path

router = APIRouter(tags=["Ontology"])


def _alternates() -> str:
    links = ['</ns>; rel="alternate"; type="text/html"']
    links += [f'</ns.{s}>; rel="alternate"; type="{m}"' for s, m in SUFFIXES.items()]
    return ", ".join(links)


def _answer(request: Request, media: str) -> Response:
    headers = {"Link": _alternates(), "Vary": "Accept, Accept-Language"}
    if media != "text/html":
        return rdf_response(ontology_triples(), media, headers=headers)
    lang = preferred_language(request)
    docs = documentation()
    return render(request, "ontology.html", {
        "docs": docs, "sections": [name for name, _ in SECTIONS], "titles": SECTION_TITLES,
        "link": local_link(request.app.state.settings.base_iri), "short": short_name,
        "lang": lang, "formats": SUFFIXES, "ontology_iri": ONTOLOGY_IRI,
    }, headers=headers)


@router.get("/ns", response_class=Response, summary="The civicgraph vocabulary",
            responses={200: {"content": {"text/html": {}, **{t: {} for t in RDF_OFFERS[:4]}}},
                       406: {"description": "No acceptable format."}})
def namespace(request: Request) -> Response:
    """The vocabulary: documentation for a browser, RDF for a program."""
    return _answer(request, negotiate(request, ["text/html", *RDF_OFFERS]))


@router.get("/ns.{suffix}", response_class=Response, summary="The vocabulary as a file",
            responses={200: {"content": {t: {} for t in RDF_OFFERS[:4]}}})
def namespace_file(request: Request, suffix: str) -> Response:
    """The vocabulary in the format of ``suffix`` (``ttl``, ``jsonld``, ``nt``, ``rdf``)."""
    if suffix not in SUFFIXES:
        raise NotFound(f"/ns.{suffix}")
    return _answer(request, SUFFIXES[suffix])


@router.get("/ns/context.jsonld", summary="The JSON-LD context of civicgraph data",
            response_class=FileResponse)
def context() -> FileResponse:
    """The JSON-LD 1.1 context that gives civicgraph data short keys."""
    return FileResponse(context_path(), media_type="application/ld+json")


@router.get("/ns/{version}", summary="A version of the vocabulary", response_class=Response)
def version(request: Request, version: str) -> Response:
    """The version IRI of the current release redirects to the namespace."""
    if documentation().version != version:
        raise NotFound(f"vocabulary version {version!r}")
    return RedirectResponse("/ns", status_code=303)
