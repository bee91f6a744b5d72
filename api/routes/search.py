"""``/search``: find organisations, tools, practices (and other resources) by their labels
and descriptions — JSON for the pages' scripts and other programs, HTML for a browser."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from api.negotiation import negotiate
from api.querying import engine_of
from api.routes.resources import local_link
from api.security import client_slot, reader_scope
from api.templating import preferred_language, render
from graph.publishing.search import KINDS, MAX_RESULTS, Hit, LabelIndex, search
from graph.store import Store

router = APIRouter(tags=["Search"])


@router.get("/search", summary="Search labels and descriptions", response_class=Response,
            responses={200: {"content": {"application/json": {"example": {
                "q": "loomio", "results": [{
                    "iri": "https://w3id.org/civicgraph/id/software/loomio",
                    "url": "/id/software/loomio", "kind": "tool", "label": "Loomio",
                    "description": "Free software for collective decisions.",
                    "matched": "label", "rank": 0}]}}, "text/html": {}}},
                400: {"description": "The text is too short or too long, or a kind is "
                      "unknown."}})
def search_route(
    request: Request,
    q: str = Query("", description="The text to find (2 to 100 characters); case and "
                   "accents are ignored.", examples=["loomio"]),
    kind: list[str] = Query([], description=f"Kinds to keep: {', '.join(KINDS)}."),  # noqa: B008
    limit: int = Query(20, description=f"Most results (1 to {MAX_RESULTS})."),
) -> Response:
    """Resources whose label or description holds ``q``, best matches first."""
    chosen = negotiate(request, ["application/json", "text/html"])
    lang = preferred_language(request)
    link = local_link(request.app.state.settings.base_iri)
    if chosen == "text/html" and not q.strip():
        return render(request, "search.html", {"q": "", "hits": [], "kinds": KINDS,
                                               "selected": kind})
    engine, scope = engine_of(request), reader_scope(request)

    def find(view: Store) -> list[Hit]:
        return search(view, q, kinds=kind, lang=lang, limit=limit,
                      index=lambda: engine.lookups.kept("search", scope, LabelIndex.build,
                                                        stale=True))

    with client_slot(request):
        hits = engine.lookup(find, scope)
    if chosen == "text/html":
        return render(request, "search.html", {"q": q, "hits": hits, "kinds": KINDS,
                                               "selected": kind, "link": link})
    return JSONResponse({"q": q, "results": [{**asdict(h), "url": link(h.iri)} for h in hits]})
