"""The public data in bulk: gzipped dumps (N-Quads, TriG), and the VoID description at
``/.well-known/void``.

A dump holds every public named graph, and the store's own default graph (triples without a
graph name) unless it is restricted. Over the embedded store it is written once per
version of the store and kept in a temporary directory until the next write; over a remote
store (which other processes may write) it is written for each download.

What the dumps hold is a release (``graph.publishing.release``): the data page names its
version, version IRI (``/dumps/releases/{version}``, the release's manifest), suggested
citation and what changed since the release before; a download names its version IRI in a
``Link`` header.

A download's validators are the SHA-256 of its bytes (``ETag``, strong) and the time its
content last changed (``Last-Modified``), evaluated in the order of RFC 9110 §13.2.2: a
request whose precondition fails is answered 412 (``If-Match``, strong comparison, decides
alone when present, else ``If-Unmodified-Since``), then a GET or HEAD whose validators still
match 304 (``If-None-Match``, weak comparison, decides alone when present, else
``If-Modified-Since``). Ranges (206, ``If-Range``) are Starlette's.
``Last-Modified`` is never later than the response's ``Date`` (§8.8.2.1): the server stamps
``Date`` with its clock as it was up to ``DATE_LAG`` seconds before the request reached the
route (uvicorn renews it once a second), so a dump written since is dated back to then. That
date is fixed when the dump's content is first seen (``DumpCache.file``): one content has one
``Last-Modified``, as ``If-Range`` with a date and ``If-Modified-Since`` need (§13.1.5,
§13.1.3); a new content is dated a second after the one before where ``Date`` allows, else a
date of that second is taken for neither (no 304, the whole dump for ``If-Range``).
"""

from __future__ import annotations

import datetime as dt
import re
import threading
import time
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path
from typing import Any, Final

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse, Response

from api.negotiation import negotiate
from api.proxies import public_base
from api.querying import engine_of
from api.rdf import RDF_OFFERS, rdf_response
from api.templating import preferred_language, render
from graph.errors import NotFound
from graph.namespaces import PREFIXES
from graph.publishing.release import (
    Release,
    ReleaseLog,
    changelog,
    citation,
    current_release,
    previous_of,
)
from graph.publishing.service import (
    DUMPS,
    DumpCache,
    DumpFile,
    dump_named,
    graph_facts,
    void_description,
)
from graph.store import DEFAULT_GRAPH

router = APIRouter(tags=["Data"])


def _cache(request: Request) -> DumpCache:
    cache: DumpCache = request.app.state.dump_cache
    return cache


_LOG_LOCK = threading.Lock()


def _releases(request: Request) -> ReleaseLog:
    """The application's release log: a file beside an embedded store's directory (kept
    across restarts), else in memory."""
    state = request.app.state
    with _LOG_LOCK:
        log: ReleaseLog | None = getattr(state, "release_log", None)
        if log is None:
            location = Path(request.app.state.settings.store)
            kept = request.app.state.store.path is not None and location.is_dir()
            log = ReleaseLog(location.with_name(location.name + ".releases.jsonl")
                             if kept else None)
            state.release_log = log
        return log


def _release(request: Request) -> tuple[Release, list[Release]]:
    """The release the dumps hold now (published in the log), and the log."""
    release = current_release(engine_of(request).view("public"))
    return release, _releases(request).publish(release)


def version_iri(request: Request, release: Release) -> str:
    """The version IRI of ``release``: its manifest under this server's public URL."""
    return f"{public_base(request)}/dumps/releases/{release.version}"


def _version(request: Request) -> int | None:
    """The write counter a dump may be cached under: only an embedded store's, since this
    process makes all its writes; a remote store may be written by others (replicas), so
    its dumps are written anew each time."""
    store = request.app.state.store
    return store.version if store.exclusive else None


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
    release, releases = _release(request)
    iri = version_iri(request, release)
    previous = previous_of(releases, release)
    lang = preferred_language(request)
    listing["release"] = {
        "version": release.version, "version_iri": iri, "date": release.date,
        "triples": release.triples, "citation": citation(release, iri, lang),
        "citation_file": "/CITATION.cff",
        "previous": previous.version if previous else None,
        "changes": [{"change": c.change, "graph": c.iri, "triples_before": c.before,
                     "triples_after": c.after} for c in changelog(previous, release)],
        "releases": [r.version for r in reversed(releases)],
    }
    for dump in listing["dumps"]:
        dump["version_iri"] = iri
    if chosen == "text/html":
        return render(request, "dumps.html", {"listing": listing, "lang": lang,
                                              "default_graph": DEFAULT_GRAPH})
    return JSONResponse(listing, headers={"Vary": "Accept, Accept-Language",
                                          "Content-Language": lang})


@router.get("/dumps/releases/{version}", summary="A release of the public data",
            responses={200: {"content": {"application/json": {}}},
                       404: {"description": "No release of this version was published."}})
def release_manifest(request: Request, version: str) -> JSONResponse:
    """The manifest of a release (its version IRI): its graphs with their sizes and
    digests, and what changed since the release before it."""
    current, releases = _release(request)
    release = current if current.version == version else _releases(request).find(version)
    if release is None:
        raise NotFound(f"release {version!r}")
    previous = previous_of(releases, release)
    lang = preferred_language(request)
    # JSON whatever the Accept: only the citation's language varies
    headers = {"Vary": "Accept-Language", "Content-Language": lang}
    return JSONResponse({
        **release.to_json(), "version_iri": version_iri(request, release),
        "citation": citation(release, version_iri(request, release), lang),
        "licence": "https://creativecommons.org/licenses/by/4.0/",
        "current": release.version == current.version,
        "previous": previous.version if previous else None,
        "changes": [{"change": c.change, "graph": c.iri, "triples_before": c.before,
                     "triples_after": c.after} for c in changelog(previous, release)],
    }, headers=headers)


@router.get("/CITATION.cff", summary="How to cite civicgraph", response_class=Response,
            responses={200: {"content": {"application/x-yaml": {}}}})
def citation_file(request: Request) -> Response:
    """The repository's ``CITATION.cff`` (Citation File Format 1.2.0)."""
    path = Path(__file__).resolve().parents[2] / "CITATION.cff"
    if not path.is_file():
        raise NotFound("CITATION.cff")
    return Response(path.read_text(encoding="utf-8"),
                    media_type="application/x-yaml; charset=utf-8")


#: Seconds the server's ``Date`` may lag behind its clock when a request reaches a route.
DATE_LAG: Final = 2.0
_ENTITY_TAG: Final = re.compile(r'(?:W/)?"([^"]*)"')
_TAGGED: Final = re.compile(r'(W/)?"([^"]*)"')


@router.get("/dumps/{name}", summary="Download a dump", response_class=FileResponse,
            responses={200: {"content": {"application/gzip": {}}}, 206: {},
                       304: {"description": "The copy the client holds is current."},
                       412: {"description": "If-Match or If-Unmodified-Since failed."},
                       404: {}})
def download(request: Request, name: str) -> Response:
    """A gzipped dump of the public named graphs and the public default graph
    (``civicgraph.nq.gz``, ``civicgraph.trig.gz``)."""
    began = time.time()
    dump = dump_named(name)
    if dump is None:
        raise NotFound(f"dump {name!r}")
    written = _cache(request).file(engine_of(request).view("public"), dump, _version(request),
                                   not_after=began - DATE_LAG)
    release, _ = _release(request)
    headers = {"Link": f'<{version_iri(request, release)}>; rel="version"',
               "ETag": f'"{written.sha256[:32]}"',
               "Last-Modified": formatdate(written.modified, usegmt=True)}
    if _precondition_failed(request, headers["ETag"], written):
        return Response(status_code=412, headers=headers)
    if _not_modified(request, headers["ETag"], written):
        return Response(status_code=304, headers=headers)
    if written.superseded is not None and _is_date(request.headers.get("if-range")):
        # the date may be the content before's, of the same second: the whole dump
        request.scope["headers"] = [(k, v) for k, v in request.scope["headers"]
                                    if k.lower() != b"range"]
    return FileResponse(written.path, media_type="application/gzip", filename=dump.name,
                        headers=headers)


def _is_date(value: str | None) -> bool:
    """Whether an ``If-Range`` value is a date (not an entity tag)."""
    return value is not None and not value.strip().startswith(('"', "W/"))


def _http_date(values: list[str]) -> float | None:
    """The time of a conditional header's one HTTP-date (None when absent, repeated or not
    an HTTP-date: the header is then ignored, RFC 9110 §13.1.3, §13.1.4)."""
    if len(values) != 1:
        return None
    try:
        date = parsedate_to_datetime(values[0])
    except (TypeError, ValueError):
        return None
    if date.tzinfo is None:   # asctime-date: GMT
        date = date.replace(tzinfo=dt.UTC)
    return date.timestamp()


def _precondition_failed(request: Request, etag: str, written: DumpFile) -> bool:
    """Whether ``request`` is answered 412 for ``written``, whose entity tag is ``etag``
    (RFC 9110 §13.2.2, steps 1 and 2): ``If-Match`` (strong comparison; ``*`` matches the
    dump, which exists) decides alone when present, else ``If-Unmodified-Since`` fails once
    the dump changed after its date (or may have: a date its content before shares)."""
    matches = request.headers.getlist("if-match")
    if matches:
        wanted = ", ".join(matches)
        if wanted.strip() == "*":
            return False
        strong = [tag for weak, tag in _TAGGED.findall(wanted) if not weak]
        return etag.strip('"') not in strong
    since = _http_date(request.headers.getlist("if-unmodified-since"))
    return since is not None and (int(written.modified) > since or (
        written.superseded is not None and since <= written.superseded))


def _not_modified(request: Request, etag: str, written: DumpFile) -> bool:
    """Whether the GET or HEAD ``request`` is answered 304 for ``written``, whose entity tag
    is ``etag`` (RFC 9110 §13.1.2, §13.1.3, §13.2.2); a date its content before shares is
    not taken for this content's."""
    if request.method not in ("GET", "HEAD"):
        return False
    matches = request.headers.getlist("if-none-match")
    if matches:
        wanted = ", ".join(matches)
        return wanted.strip() == "*" or etag.strip('"') in _ENTITY_TAG.findall(wanted)
    since = _http_date(request.headers.getlist("if-modified-since"))
    # whole seconds, as HTTP-dates are; a date still to come is ignored
    return since is not None and int(written.modified) <= since <= time.time() and (
        written.superseded is None or since > written.superseded)


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
