"""The maps: the gallery, one page per map (filters kept in the URL), the embed view (the
standalone map document, for an iframe), thumbnails, exports and the map assets.

URLs: ``/maps``, ``/maps/{name}``, ``/maps/tools``, ``/maps/tool/{slug}``,
``/maps/neighbourhood?iri=…``, each with ``/embed``, ``/thumbnail.svg`` and
``/export.{gexf,graphml,json,nodes.csv,edges.csv}`` below it.

The maps never wait for the usage table to be read again after an import: until the new one
is ready they are made from the previous one, and such an answer carries an ``Age`` header,
the seconds since that table began to be read (RFC 9111: the time since the answer was
"generated at the origin"); the map page also says it in words. Neighbourhood maps read the
store and are always current.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pyoxigraph as ox
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from markupsafe import Markup

from api.forms import page_language, unknown_value
from api.proxies import public_base
from api.templating import render
from graph.errors import NotFound, ParameterError
from visualisations import maps
from visualisations.aggregate import GROUP_KEYS, expand_filters
from visualisations.export import FORMATS
from visualisations.filters import Filters
from visualisations.geography import asset_files as geography_assets
from visualisations.geography import geography_payload
from visualisations.render import COLOUR_BY, SIZE_BY, LinkOf, asset_files
from visualisations.sankey import LabelOf, sankey_svg
from visualisations.sankey import legend as sankey_legend
from visualisations.service import MapRequest, Maps, Snapshot
from visualisations.waves import CHANGES, Comparison, wave_iri, waves

router = APIRouter(tags=["maps"])

ASSETS = "/maps/assets"
#: the embed view runs our scripts only, and may be framed anywhere
CSP = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'")
NEIGHBOURHOOD = "neighbourhood"


def install(app: FastAPI) -> None:
    """Attach the map service to ``app`` and start reading the usage table."""
    settings = app.state.settings
    service = Maps(app.state.store, base=settings.base_iri, budget=settings.node_budget)
    app.state.maps = service
    service.warm()
    # the readings in the background end before whoever opened the store closes it
    app.router.add_event_handler("shutdown", service.close)
    if not any(getattr(route, "name", None) == "static" for route in app.routes):
        app.mount("/static", StaticFiles(packages=[("api", "static")]), name="static")


def maps_of(request: Request) -> Maps:
    return request.app.state.maps  # type: ignore[no-any-return]


def link_for(base: str) -> LinkOf:
    """IRI -> the URL that opens it here: our own resources on their ``/id/`` page."""
    prefix = base + "id/"

    def link(iri: str) -> str | None:
        if iri.startswith(prefix):
            return "/id/" + iri[len(prefix):]
        if iri.startswith(("https://", "http://")):
            return iri
        return None

    return link


def _path(name: str, subject: str | None, base: str) -> str:
    if name == "tool":
        return f"/maps/tool/{subject.rsplit('/', 1)[-1]}" if subject else "/maps/tools"
    return f"/maps/{name}"


def _map_request(request: Request, name: str, subject: str | None = None) -> MapRequest:
    settings = request.app.state.settings
    params = request.query_params
    filters = Filters.from_query(params.multi_items(), base=settings.base_iri)
    colour = _choice(params.get("colour", "community"), "colour", COLOUR_BY)
    size = _choice(params.get("size", "links"), "size", SIZE_BY)
    group = params.get("group") or None
    if group is not None:
        group = _choice(group, "group", GROUP_KEYS)
    return MapRequest(name, filters, page_language(request), colour, group, subject, size)


def _choice(value: str, parameter: str, offered: Sequence[str]) -> str:
    """``value`` if ``offered`` holds it; else a 400 naming ``parameter``, the value, the
    closest offered and all of them (as ``_checked`` does for a filter's value)."""
    if value in offered:
        return value
    shown = value if len(value) <= 40 else value[:40] + "…"
    problem = f"{shown!r} is none of the choices"
    close = difflib.get_close_matches(value.lower(), offered, n=1, cutoff=0.6)
    if close:
        problem += f"; did you mean {close[0]!r}?"
    raise ParameterError(parameter, f"{problem} (one of: {', '.join(offered)})")


#: what the network maps take that the geography map and the waves page cannot honour: they
#: place organisations by commune or count changes, and colour, size and group nothing
NETWORK_ONLY = ("colour", "size", "group")


def _not_network(request: Request, page: str) -> None:
    """A 400 naming the first of ``NETWORK_ONLY`` given to ``page``: a 200 that ignored it
    said the choice was made."""
    for name in NETWORK_ONLY:
        if name in request.query_params:
            raise ParameterError(name, f"the {page} has no {name} choice (only the network "
                                 "maps have one): leave it out")


def _query(r: MapRequest, filters: Filters | None = None) -> str:
    pairs = (filters or r.filters).to_query()
    if r.colour_by != "community":
        pairs.append(("colour", r.colour_by))
    if r.group_by:
        pairs.append(("group", r.group_by))
    if r.size_by != "links":
        pairs.append(("size", r.size_by))
    if r.name == NEIGHBOURHOOD and r.subject:
        pairs.append(("iri", r.subject))
    pairs.append(("lang", r.lang))
    return urlencode(pairs)


def _snapshot(service: Maps, r: MapRequest) -> Snapshot | None:
    """The table a request's answer is made from (none for a neighbourhood), its filters
    checked against it (``_checked``)."""
    if r.name == NEIGHBOURHOOD:   # a neighbourhood takes no filters
        return None
    snapshot = service.snapshot()
    _checked(service, r.filters, r.lang, snapshot)
    return snapshot


#: a département's code (metropolitan, Corsica, overseas): one the data has no organisation
#: in is an empty map, anything else a 400
DEPARTEMENT = re.compile(r"0[1-9]|[1-8][0-9]|9[0-5]|2[AB]|97[1-6]")
_WHAT = {"field": "field", "practice": "practice", "category": "tool category",
         "kind": "organisation kind", "status": "status", "wave": "wave",
         "dep": "département code"}


def _checked(service: Maps, filters: Filters, lang: str, snapshot: Snapshot) -> Filters:
    """``filters``, each value of which the form offers (``filter_choices``); a 400 naming
    the parameter, the value, the closest offered and all of them otherwise: a value naming
    nothing gave an empty map under a form that showed "all" selected."""
    choices = service.filter_choices(lang, snapshot)
    for key, value in filters.to_query():
        known = [slug for slug, _ in choices.get(key, ())]
        if key in _WHAT and value not in known and not (
                key == "dep" and DEPARTEMENT.fullmatch(value)):
            raise unknown_value(key, value, known, _WHAT[key])
    return filters


def _age(snapshot: Snapshot | None, headers: dict[str, str] | None = None) -> dict[str, str]:
    """``headers`` with ``Age`` when the answer is made from a table being read again."""
    headers = dict(headers or {})
    if snapshot is not None and snapshot.stale:
        headers["Age"] = str(snapshot.age())
    return headers


def _title(r: MapRequest, snapshot: Snapshot | None) -> tuple[str, str]:
    if r.name == "tool":
        assert r.subject is not None and snapshot is not None
        if r.subject not in snapshot.table.software:
            raise NotFound(f"software {r.subject}")
        name = snapshot.table.label(r.subject, r.lang)
        return (f"{name} : qui l'utilise, pour quoi" if r.lang == "fr"
                else f"{name}: who uses it, for what"), maps.TOOL_SPEC.description[r.lang]
    if r.name == NEIGHBOURHOOD:
        assert r.subject is not None
        return (("Voisinage de " if r.lang == "fr" else "Neighbourhood of ") + r.subject,
                "")
    spec = maps.BY_NAME[r.name]
    return spec.title[r.lang], spec.description[r.lang]


def _expander(r: MapRequest, base: str) -> LinkOf:
    def expand(node: str) -> str | None:
        if not node.startswith("group:"):
            return None
        return f"{_path(r.name, r.subject, base)}?{_query(r, expand_filters(r.filters, node))}"
    return expand


def _embed(request: Request, r: MapRequest) -> HTMLResponse:
    service = maps_of(request)
    base = request.app.state.settings.base_iri
    snapshot = _snapshot(service, r)
    title, _ = _title(r, snapshot)
    html = service.document(r, title=title, link=link_for(base), expand=_expander(r, base),
                            assets=ASSETS, home=f"/?lang={r.lang}", snapshot=snapshot)
    return HTMLResponse(html, headers=_age(snapshot, {"Content-Security-Policy": CSP,
                                                      "Content-Language": r.lang,
                                                      "Vary": "Accept-Language"}))


def _page(request: Request, r: MapRequest) -> HTMLResponse:
    service = maps_of(request)
    base = request.app.state.settings.base_iri
    snapshot = _snapshot(service, r)
    title, description = _title(r, snapshot)
    path = _path(r.name, r.subject, base)
    choices = service.filter_choices(r.lang, snapshot) if snapshot is not None else {}
    query = _query(r)
    if snapshot is not None and snapshot.stale:
        description = f"{description} {_stale_note(snapshot, r.lang)}".strip()
    page = render(request, "maps/map.html", {
        "lang": r.lang, "title": title, "description": description, "path": path,
        "embed_url": f"{path}/embed?{query}", "query": query, "map": r,
        "choices": choices, "formats": list(FORMATS), "group_keys": GROUP_KEYS,
        "colours": COLOUR_BY, "sizes": SIZE_BY, "selected": _selected(r),
        "public_url": public_base(request),
    })
    page.headers.update(_age(snapshot))
    return page


def _stale_note(snapshot: Snapshot, lang: str) -> str:
    minutes = max(1, round(snapshot.age() / 60))
    if lang == "fr":
        return (f"(Carte des données d'il y a {minutes} min : les dernières importations "
                "sont en cours de lecture ; rechargez la page dans un moment.)")
    return (f"(Map of the data as of {minutes} min ago: the latest imports are being read; "
            "reload the page in a moment.)")


def _selected(r: MapRequest) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in r.filters.to_query():
        out.setdefault(key, value)
    return out


def _thumbnail(request: Request, r: MapRequest) -> Response:
    base = request.app.state.settings.base_iri
    service = maps_of(request)
    snapshot = _snapshot(service, r)
    svg = service.thumbnail(r, link=link_for(base), snapshot=snapshot)
    return Response(svg, media_type="image/svg+xml",
                    headers=_age(snapshot, {"Cache-Control": "public, max-age=300"}))


def _export(request: Request, r: MapRequest, format: str) -> Response:
    if format not in FORMATS:
        raise NotFound(f"export format {format!r}")
    suffix, media_type = FORMATS[format]
    full = _full(request.query_params.get("full"))
    service = maps_of(request)
    snapshot = _snapshot(service, r)
    body = service.export(r, format, full=full, snapshot=snapshot)
    stem = r.name if r.name != "tool" or not r.subject else f"tool-{r.subject.rsplit('/', 1)[-1]}"
    # the labels are in the language asked, by ?lang= or else by Accept-Language
    return Response(body, media_type=media_type, headers=_age(snapshot, {
        "Content-Disposition": f'attachment; filename="{stem}{suffix}"',
        "Content-Language": r.lang, "Vary": "Accept-Language"}))


def _full(value: str | None) -> bool:
    """The ``full`` parameter of an export: ``1`` or ``true`` for the projection before any
    grouping or pruning, ``0``, ``false``, empty or none for the map as drawn; a 400
    otherwise (it was read as not full, so ``full=yes`` gave the grouped map)."""
    if value is None or value.lower() in ("", "0", "false"):
        return False
    if value.lower() in ("1", "true"):
        return True
    shown = value if len(value) <= 40 else value[:40] + "…"
    raise ParameterError("full", f"{shown!r} is neither 1 or true (the projection before "
                         "any grouping), nor 0 or false (the map as drawn, the default)")


def _software(request: Request, slug: str) -> str:
    return f"{request.app.state.settings.base_iri}id/software/{slug}"


def _resource(request: Request) -> str:
    iri = request.query_params.get("iri", "").strip()
    if not iri.startswith(("https://", "http://")):
        raise ParameterError("iri", "the IRI of a resource (https://…)")
    try:   # checked here: deep in the map's query, a bad IRI was a 500
        ox.NamedNode(iri)
    except ValueError as error:
        raise ParameterError("iri", f"not an IRI ({error})") from None
    return iri


@router.get("/maps", response_class=HTMLResponse, summary="The map gallery")
def gallery(request: Request) -> HTMLResponse:
    lang = page_language(request)
    snapshot = maps_of(request).snapshot()
    tools = maps_of(request).tool_index(lang, snapshot)
    page = render(request, "maps/gallery.html", {
        "lang": lang, "gallery": maps.GALLERY, "top_tool": tools[0] if tools else None,
        "tools": len(tools)})
    page.headers.update(_age(snapshot))
    return page


@router.get("/maps/assets/{name}", summary="The files the map document loads")
def asset(name: str) -> FileResponse:
    files = {**asset_files(), **geography_assets()}
    if name not in files:
        raise NotFound(f"map asset {name!r}")
    media = {"css": "text/css", "svg": "image/svg+xml", "json": "application/json",
             "txt": "text/plain; charset=utf-8"}.get(name.rsplit(".", 1)[-1],
                                                     "text/javascript")
    return FileResponse(Path(files[name]), media_type=media,
                        headers={"Cache-Control": "public, max-age=3600"})


@router.get("/maps/tools", response_class=HTMLResponse, summary="The map of each tool")
def tools(request: Request) -> HTMLResponse:
    lang = page_language(request)
    snapshot = maps_of(request).snapshot()
    index = maps_of(request).tool_index(lang, snapshot)
    page = render(request, "maps/tools.html", {
        "lang": lang, "tools": [(sw.rsplit("/", 1)[-1], label, n) for sw, label, n in index]})
    page.headers.update(_age(snapshot))
    return page


@router.get("/maps/tool/{slug}", response_class=HTMLResponse, summary="The map of one tool")
def tool_page(request: Request, slug: str) -> HTMLResponse:
    return _page(request, _map_request(request, "tool", _software(request, slug)))


@router.get("/maps/tool/{slug}/embed", response_class=HTMLResponse)
def tool_embed(request: Request, slug: str) -> HTMLResponse:
    return _embed(request, _map_request(request, "tool", _software(request, slug)))


@router.get("/maps/tool/{slug}/thumbnail.svg")
def tool_thumbnail(request: Request, slug: str) -> Response:
    return _thumbnail(request, _map_request(request, "tool", _software(request, slug)))


@router.get("/maps/tool/{slug}/export.{format}")
def tool_export(request: Request, slug: str, format: str) -> Response:
    return _export(request, _map_request(request, "tool", _software(request, slug)), format)


@router.get("/maps/neighbourhood", response_class=HTMLResponse,
            summary="The neighbourhood of a resource")
def neighbourhood_page(request: Request) -> HTMLResponse:
    return _page(request, _map_request(request, NEIGHBOURHOOD, _resource(request)))


@router.get("/maps/neighbourhood/embed", response_class=HTMLResponse)
def neighbourhood_embed(request: Request) -> HTMLResponse:
    return _embed(request, _map_request(request, NEIGHBOURHOOD, _resource(request)))


@router.get("/maps/neighbourhood/export.{format}")
def neighbourhood_export(request: Request, format: str) -> Response:
    return _export(request, _map_request(request, NEIGHBOURHOOD, _resource(request)), format)


@router.get("/maps/geography", response_class=HTMLResponse,
            summary="Organisations placed by commune")
def geography_page(request: Request) -> HTMLResponse:
    """The organisations whose usages pass the map filters, by commune, over the outlines
    of the départements (clustered where they overlap), with the same list as a table."""
    settings = request.app.state.settings
    lang = page_language(request)
    _not_network(request, "geography map")
    filters = Filters.from_query(request.query_params.multi_items(), base=settings.base_iri)
    service = maps_of(request)
    snapshot = service.snapshot()
    found = service.geography(_checked(service, filters, lang, snapshot), snapshot)
    page = render(request, "maps/geography.html", {
        "lang": lang, "geo": found, "label": snapshot.table.label,
        "link": link_for(settings.base_iri), "choices": service.filter_choices(lang, snapshot),
        "selected": {k: v for k, v in filters.to_query()}, "assets": ASSETS,
        "payload": geography_payload(found, snapshot.table, lang, link_for(settings.base_iri)),
    })
    page.headers.update(_age(snapshot))
    return page


@router.get("/maps/waves", response_class=HTMLResponse,
            summary="What changed between two observation waves")
def waves_page(request: Request) -> HTMLResponse:
    """Adoptions, abandonments and switches between two waves (``wave1``, ``wave2``: wave
    slugs, default the first and the last), filtered by ``field`` and ``practice``."""
    settings = request.app.state.settings
    lang = page_language(request)
    _not_network(request, "waves page")
    params = request.query_params
    filters = Filters.from_query(
        [(k, v) for k, v in params.multi_items() if k in ("field", "practice")],
        base=settings.base_iri)
    first, second = (wave_iri(name, params[name], settings.base_iri) if params.get(name)
                     else None for name in ("wave1", "wave2"))
    service = maps_of(request)
    snapshot = service.snapshot()
    comparison = service.waves(_checked(service, filters, lang, snapshot), first, second,
                               snapshot)
    table = snapshot.table
    link = link_for(settings.base_iri)
    page = render(request, "maps/waves.html", {
        "lang": lang, "comparison": comparison, "label": table.label, "link": link,
        "waves": [(w.rsplit("/", 1)[-1], table.label(w, lang)) for w in waves(table)],
        "choices": service.filter_choices(lang, snapshot), "selected": _selected_waves(params),
        "diagram": None if comparison is None else _diagram(comparison, table.label, lang),
        "key": sankey_legend(lang), "changes": CHANGES,
    })
    page.headers.update(_age(snapshot))
    return page


def _diagram(comparison: Comparison, label: LabelOf, lang: str) -> Markup:
    svg = sankey_svg(comparison, label, lang, lambda i: f"#flow-{i}")
    return Markup(svg)  # noqa: S704 (sankey_svg escapes every text it draws)


def _selected_waves(params: Any) -> dict[str, str]:
    return {k: params.get(k, "") for k in ("wave1", "wave2", "field", "practice")}


def _known(name: str) -> str:
    if name not in maps.BY_NAME:
        raise NotFound(f"map {name!r}")
    return name


@router.get("/maps/{name}", response_class=HTMLResponse, summary="One map of the gallery")
def map_page(request: Request, name: str) -> HTMLResponse:
    return _page(request, _map_request(request, _known(name)))


@router.get("/maps/{name}/embed", response_class=HTMLResponse,
            summary="The map alone, for an iframe")
def map_embed(request: Request, name: str) -> HTMLResponse:
    return _embed(request, _map_request(request, _known(name)))


@router.get("/maps/{name}/thumbnail.svg", summary="A small picture of the map")
def map_thumbnail(request: Request, name: str) -> Response:
    return _thumbnail(request, _map_request(request, _known(name)))


@router.get("/maps/{name}/export.{format}",
            summary="The map as GEXF, GraphML, node-link JSON or CSV")
def map_export(request: Request, name: str, format: str) -> Response:
    return _export(request, _map_request(request, _known(name)), format)


@router.get("/map", include_in_schema=False)
def map_redirect() -> RedirectResponse:
    return RedirectResponse("/maps", status_code=308)
