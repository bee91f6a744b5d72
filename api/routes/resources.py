"""``/id/{kind}/{slug}``: every resource IRI of the graph resolves.

A browser gets the HTML page (labels in its language, properties with linked values,
incoming links paged, provenance, the neighbourhood map, the JSON-LD embedded); a program gets
Turtle, JSON-LD, N-Triples or RDF/XML by ``Accept`` or by suffix (``.ttl``, ``.jsonld``,
``.nt``, ``.rdf``). Every answer lists the other forms in ``Link: rel="alternate"`` headers.
A resource the reader may not see (persons, memberships for the public) is 404.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from urllib.parse import quote, urlencode

import pyoxigraph as ox
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from markupsafe import Markup

from api.negotiation import negotiate
from api.querying import engine_of
from api.rdf import RDF_OFFERS, SUFFIXES, rdf_response
from api.security import client_slot, reader_scope
from api.templating import preferred_language, render
from graph.errors import NotFound, QueryTimeout
from graph.namespaces import CG, PREFIXES
from graph.publishing import describe
from graph.publishing.story import Story, story_kind, story_of, story_table
from graph.publishing.story_tables import to_csv, to_json_ld
from graph.store import Store

router = APIRouter(tags=["Linked data"])

_SEGMENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")
_WEB_SCHEMES = ("https://", "http://", "mailto:")
#: seconds a page waits for its resource's story before it is shown without it (the story
#: goes on being built, and is kept for the next visitor until the next write)
STORY_BUDGET = 2.0


def local_link(base_iri: str) -> Callable[[str], str]:
    """IRI -> where to open it: our resources and vocabulary here, other web IRIs as they
    are, and any other IRI (``javascript:``, ``data:``, ``urn:``…) in the query editor."""
    ids = base_iri + "id/"

    def link(iri: str) -> str:
        if iri.startswith(ids):
            return "/id/" + iri[len(ids):]
        if iri.startswith(CG):
            return "/ns#" + iri[len(CG):]
        if iri.lower().startswith(_WEB_SCHEMES):
            return iri
        # any other scheme (javascript:, data:, urn:…) is never a link: it opens the editor
        return "/query?" + urlencode({"query": f"DESCRIBE <{iri}>"})

    return link


def alternates(path: str) -> str:
    """The ``Link`` header listing the documents of the resource at ``path``."""
    links = [f'<{path}>; rel="alternate"; type="text/html"']
    links += [f'<{path}.{suffix}>; rel="alternate"; type="{media}"'
              for suffix, media in SUFFIXES.items()]
    return ", ".join(links)


def json_ld_script(triples: list[ox.Triple]) -> Markup:
    """The JSON-LD of ``triples``, safe inside ``<script type="application/ld+json">``."""
    body = (ox.serialize(triples, format=ox.RdfFormat.JSON_LD, prefixes=PREFIXES) or b"[]").decode()
    return script_json(json.loads(body))


def script_json(data: object) -> Markup:
    """``data`` as JSON, safe inside a ``<script>`` element."""
    compact = json.dumps(data, ensure_ascii=False)
    return Markup(compact.replace("<", "\\u003c").replace(">", "\\u003e")  # noqa: S704
                  .replace("&", "\\u0026"))


@router.get("/id/{kind}/{name}", response_class=Response, summary="A resource of the graph",
            responses={200: {"content": {"text/html": {}, **{t: {} for t in RDF_OFFERS[:4]}},
                             "description": "The resource as a page or an RDF document."},
                       404: {"description": "No such resource, or not public."},
                       406: {"description": "No acceptable format."}},
            openapi_extra={"parameters": [
                {"name": "kind", "in": "path", "required": True, "schema": {"type": "string"},
                 "example": "org"},
                {"name": "name", "in": "path", "required": True, "schema": {"type": "string"},
                 "example": "vecam.ttl",
                 "description": "The slug, optionally with .ttl, .jsonld, .nt or .rdf"}]})
def resource(request: Request, kind: str, name: str,
             page: int = Query(1, ge=1, le=1_000_000, description="Page of incoming links."),
             ) -> Response:
    """The page or the RDF document of ``id:{kind}/{slug}``."""
    slug, dot, suffix = name.rpartition(".")
    if not dot or suffix not in SUFFIXES:
        slug, suffix = name, ""
    if not _SEGMENT.fullmatch(kind) or not _SEGMENT.fullmatch(slug):
        raise NotFound(f"/id/{kind}/{name}")
    settings = request.app.state.settings
    iri = f"{settings.base_iri}id/{kind}/{slug}"
    path = f"/id/{quote(kind)}/{quote(slug)}"
    media = SUFFIXES[suffix] if suffix else negotiate(request, ["text/html", *RDF_OFFERS])
    headers = {"Link": alternates(path), "Vary": "Accept, Accept-Language"}
    engine, scope = engine_of(request), reader_scope(request)
    if media != "text/html":
        with client_slot(request):
            triples = engine.lookup(lambda view: describe.document(view, iri), scope)
        if not suffix:
            extension = next(s for s, m in SUFFIXES.items() if m == _canonical(media))
            headers["Content-Location"] = f"{path}.{extension}"
        return rdf_response(triples, media, headers=headers)
    lang = preferred_language(request)

    def tell(view: Store) -> Story | None:
        return story_of(view, iri, lang=lang, page=True)

    with client_slot(request):
        found = engine.lookup(lambda view: describe.describe(view, iri, lang=lang, page=page),
                              scope)
        story: Story | None = None
        story_pending = False
        if story_kind(iri):
            try:
                # a large tool's story can take seconds at 10^6 triples: the page does not
                # wait for it past STORY_BUDGET; it is kept, for the next visitor, once built
                story = engine.page_part(f"story {iri} {lang}", tell, scope,
                                         timeout=STORY_BUDGET)
            except QueryTimeout:
                story_pending = True
    neighbourhood = urlencode({"iri": iri, "lang": lang})
    return render(request, "resource.html", {
        "d": found, "path": path, "link": local_link(settings.base_iri),
        "short": describe.short_name, "json_ld": json_ld_script(found.triples),
        "formats": SUFFIXES, "neighbourhood": neighbourhood, "lang": lang,
        "story": story, "kind": story_kind(iri), "story_pending": story_pending,
        "story_json_ld": script_json(to_json_ld(iri, story.tables)) if story else None,
    }, headers=headers)


@router.get("/id/{kind}/{name}/{table}.csv", response_class=Response,
            summary="A list of a resource's page, as CSV",
            responses={200: {"content": {"text/csv": {}},
                             "description": "The list, one row per item, IRIs in columns "
                                            "of their own, spreadsheet-safe cells."},
                       404: {"description": "No such resource, or no such list on its "
                                            "page."}},
            openapi_extra={"parameters": [
                {"name": "kind", "in": "path", "required": True, "schema": {"type": "string"},
                 "example": "software"},
                {"name": "name", "in": "path", "required": True, "schema": {"type": "string"},
                 "example": "loomio"},
                {"name": "table", "in": "path", "required": True, "schema": {"type": "string"},
                 "example": "users"}]})
def resource_table(request: Request, kind: str, name: str, table: str) -> Response:
    """The list ``table`` of the page of ``id:{kind}/{name}`` (``users``, ``tools``…)."""
    if not all(_SEGMENT.fullmatch(part) for part in (kind, name, table)):
        raise NotFound(f"/id/{kind}/{name}/{table}.csv")
    iri = f"{request.app.state.settings.base_iri}id/{kind}/{name}"
    lang = preferred_language(request)

    def read(view: Store) -> str:
        if not describe.exists(view, iri):
            raise NotFound(iri)
        found = story_table(story_of(view, iri, lang=lang), table)
        if found is None:
            raise NotFound(f"/id/{kind}/{name}/{table}.csv")
        return to_csv(found)

    with client_slot(request):
        text = engine_of(request).lookup(read, reader_scope(request))
    return Response(text, media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="{kind}-{name}-{table}.csv"',
        "Content-Language": lang, "Vary": "Accept-Language"})


def _canonical(media_type: str) -> str:
    from graph.sparql.results import format_for

    return format_for(media_type, "graph").media_type
