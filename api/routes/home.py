"""The home page (FR/EN): what the graph holds, and the ways into it."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.templating import preferred_language, render

router = APIRouter(tags=["pages"])


@router.get("/", response_class=HTMLResponse, summary="The home page")
def home(request: Request) -> HTMLResponse:
    table = request.app.state.maps.table_if_ready()  # never wait for a warm-up here
    lang = preferred_language(request)
    sep = "\u202f" if lang == "fr" else ","
    stats = None if table is None else {name: f"{n:,}".replace(",", sep) for name, n in (
        ("organisations", len(table.organisations)), ("software", len(table.software)),
        ("usages", len(table.usages)))}
    return render(request, "home.html", {"lang": lang, "stats": stats})
