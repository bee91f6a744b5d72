"""What every request goes through before a route sees it: body limits and security headers.

Both are plain ASGI middleware (they never buffer a response).

- ``BodyLimits``: a request body larger than ``CIVICGRAPH_MAX_BODY_BYTES`` gets 413, whether it
  declares its ``Content-Length`` (refused before the route sees it) or streams it in chunks
  (refused once the limit is passed); a body that takes longer than
  ``CIVICGRAPH_BODY_TIMEOUT`` seconds to arrive (a slowloris-style client) gets 408. Both
  close the connection (after reading up to 16 MiB of the refused body, so that the client
  sees the answer rather than a reset), and the route's own answer, if any, is replaced.
- ``WriteGuard``: a write (``PUT``/``POST``/``DELETE`` on ``/store``, ``POST`` on
  ``/imports`` and ``/persons/forget``, an ``application/sparql-update`` body on ``/sparql``)
  without the curator's token gets its 401 (or 403) before a byte of its body is read; a
  form-encoded update, which only its body tells from a query, is bounded by
  ``CIVICGRAPH_MAX_QUERY_BYTES`` instead (``api.routes.sparql``).
- ``RequestEncodings``: a body in a content coding (``Content-Encoding: gzip``) gets 415 with
  ``Accept-Encoding: identity``, rather than a syntax error about its compressed bytes; and
  a query string whose %-escapes are not UTF-8 (``%E9``) gets a 400
  naming its parameter (``api.forms``): Starlette reads such bytes as U+FFFD, and the
  route would answer about another text than the one sent; and so does a parameter that
  takes one value given twice (``lang=fr&lang=en``: the routes read the first or the
  last; ``MULTI_VALUED`` names those that take several, or that their routes judge).
- ``SecurityHeaders``: every answer says ``X-Content-Type-Options: nosniff``; every HTML page
  gets ``Referrer-Policy`` and a ``Content-Security-Policy`` (``PAGE_CSP``) under which only
  this server's own scripts run (the pages hold no inline script; data islands are
  ``<script type="application/json">`` / ``application/ld+json``, which never run) and which
  only this site may frame. A page that sets its own policy keeps it: the maps' embed view
  (``api.routes.maps.CSP``) may be framed by any site.
- ``AllowedMethods``: a 405's ``Allow`` names every method its path answers (Starlette's
  router names those of the first route whose path matches: ``GET`` on ``/store``); a plain
  ``OPTIONS`` gets 200 with that ``Allow`` (RFC 9110 §§15.5.6, 9.3.7, as Fuseki does).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import time
from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI, Request, Response
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import (
    BadRequest,
    HttpError,
    PayloadTooLarge,
    RequestTimeout,
    UnsupportedEncoding,
    error_response,
)
from api.forms import urlencoded
from api.security import curator_refusal
from api.settings import Settings

#: the ``<style>`` elements YASGUI's column resizer inserts (``api/static/vendor/yasgui``),
#: allowed by their hashes rather than by ``'unsafe-inline'``
YASGUI_STYLES = (
    ' .grip-resizable{table-layout:fixed;} .grip-resizable > tbody > tr > td, .grip-resizable'
    ' > tbody > tr > th{overflow:hidden} .grip-padding > tbody > tr > td, .grip-padding > tbo'
    'dy > tr > th{padding-left:0!important; padding-right:0!important;} .grip-container{ heig'
    'ht:0px; position:relative;} .grip-handle{margin-left:-5px; position:absolute; z-index:5;'
    ' } .grip-handle .grip-resizable{position:absolute;background-color:red;filter:alpha(opac'
    'ity=1);opacity:0;width:10px;height:100%;cursor: col-resize;top:0px} .grip-lastgrip{posit'
    'ion:absolute; width:1px; } .grip-drag{ border-left:1px dotted black;\t} .grip-flex{width:'
    'auto!important;} .grip-handle.grip-disabledgrip .grip-resizable{cursor:default; display:'
    'none;}',
    "*{cursor:col-resize!important}",
)


def _hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


#: the policy of every HTML page that does not set its own
PAGE_CSP = "; ".join((
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self' " + " ".join(_hash(style) for style in YASGUI_STYLES),
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "frame-src 'self'",
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'self'",
))
REFERRER_POLICY = "strict-origin-when-cross-origin"


#: how much of a body past the limit is read (and dropped) before the 413, so that the client
#: finishes sending and sees the answer instead of a reset connection
LINGER_BYTES = 16 * 1024 * 1024


class _Refused(Exception):
    """Raised into the application when its request body is refused."""


class BodyLimits:
    """413 past ``max_bytes`` of request body, 408 past ``timeout`` seconds to receive it."""

    def __init__(self, app: ASGIApp, *, max_bytes: int, timeout: float) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.timeout = timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            if declared - self.max_bytes <= LINGER_BYTES:
                await _drain(receive, LINGER_BYTES + self.max_bytes, min(self.timeout, 10.0))
            await _answer(scope, send, PayloadTooLarge(self.max_bytes))
            return
        refusal: list[HttpError] = []
        received = 0
        finished = False
        deadline = time.monotonic() + self.timeout
        started = False

        async def limited_receive() -> Message:
            nonlocal received, finished
            if refusal:
                raise _Refused
            if finished:  # the body is in: later calls wait for the disconnect
                return await receive()
            try:
                message = await asyncio.wait_for(receive(),
                                                 max(0.0, deadline - time.monotonic()))
            except TimeoutError:
                refusal.append(RequestTimeout(self.timeout))
                raise _Refused from None
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                finished = not message.get("more_body", False)
                if received > self.max_bytes:
                    refusal.append(PayloadTooLarge(self.max_bytes))
                    raise _Refused
            else:
                finished = True
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if refusal:  # the route's answer to a body it did not get whole
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except Exception:
            if not refusal:
                raise
        if refusal and not started:
            if isinstance(refusal[0], PayloadTooLarge) and not finished:
                await _drain(receive, LINGER_BYTES, min(self.timeout, 10.0))
            await _answer(scope, send, refusal[0])


async def _drain(receive: Receive, budget: int, seconds: float) -> None:
    """Read and drop the rest of a refused body: ``budget`` bytes within ``seconds`` at most.

    A server that answers and closes while the client is still sending makes the client's
    kernel see a reset, and the client often loses the answer with it ("connection reset",
    "peer closed connection"); reading a modest overflow first, as nginx's lingering close
    does, lets the 413 arrive. Larger bodies are not waited for.
    """
    deadline = time.monotonic() + seconds
    read = 0
    while read <= budget:
        try:
            message = await asyncio.wait_for(receive(), max(0.0, deadline - time.monotonic()))
        except TimeoutError:
            return
        if message["type"] != "http.request":
            return
        read += len(message.get("body", b""))
        if not message.get("more_body", False):
            return


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _answer(scope: Scope, send: Send, error: HttpError) -> None:
    async def no_body() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    response = error_response(Request(scope, no_body), error)
    await response(scope, no_body, send)


#: paths where every request that may carry a body is a write
WRITE_PATHS = frozenset({"/store", "/imports", "/persons/forget"})
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def is_write(scope: Scope) -> bool:
    """Whether the request is a write, from its method, path and headers alone."""
    method = scope.get("method", "")
    if method not in _BODY_METHODS:
        return False
    path = scope.get("path", "")
    if path in WRITE_PATHS or path.startswith("/store/"):   # /store/…: a graph by its URL
        return True
    if path == "/sparql" and method == "POST":
        for name, value in scope.get("headers", ()):
            if name == b"content-type":
                return bool(value.split(b";")[0].strip().lower() == b"application/sparql-update")
    return False


class WriteGuard:
    """401 (or 403) for a write without the curator's token, before its body is read."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and is_write(scope):
            refusal = curator_refusal(Request(scope))
            if refusal is not None:
                refusal.headers.setdefault("Connection", "close")   # its body is not read
                await _answer(scope, send, refusal)
                return
        await self.app(scope, receive, send)


class RequestEncodings:
    """415 for a compressed request body; 400 for a query string that is not UTF-8 once its
    %-escapes are decoded. Both before the route reads anything."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            refusal = _encoding_refusal(scope)
            if refusal is not None:
                if scope.get("method") in _BODY_METHODS:
                    refusal.headers.setdefault("Connection", "close")   # its body is not read
                await _answer(scope, send, refusal)
                return
        await self.app(scope, receive, send)


def _encoding_refusal(scope: Scope) -> HttpError | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-encoding" and value.strip().lower() not in (b"", b"identity"):
            return UnsupportedEncoding(value.decode("latin-1").strip())
    if scope.get("query_string"):
        try:
            parameters = urlencoded(scope["query_string"], None, kind="parameter")
        except BadRequest as error:
            return error
        return _repeated(parameters)
    return None


#: the query parameters that take several values: the SPARQL protocol's datasets, the maps'
#: filters (``visualisations.filters``), the search's kinds; and those the routes judge
#: given twice: ``format`` (``output``, ``results``) on ``/sparql``, where SPARQLWrapper names
#: a format twice, by its short name and its media type (``api.routes.sparql``), and on
#: ``/queries/{name}``, where a catalogue query's own parameters are judged too
MULTI_VALUED = frozenset({
    "default-graph-uri", "named-graph-uri", "using-graph-uri", "using-named-graph-uri",
    "field", "practice", "category", "kind", "wave", "status", "dep", "community",
    "format", "output", "results"})


def _repeated(parameters: list[tuple[str, str]]) -> HttpError | None:
    """A 400 naming the first parameter that takes one value and is given more than once
    (equal values too): a route reads either the first or the last, and must not guess."""
    counts: dict[str, int] = {}
    for name, _ in parameters:
        counts[name] = counts.get(name, 0) + 1
    for name, count in counts.items():
        if count > 1 and name not in MULTI_VALUED:
            return BadRequest(f"parameter {name!r}: give it once, not {count} times")
    return None


class SecurityHeaders:
    """``nosniff`` on every answer; on HTML pages, ``Referrer-Policy`` and ``PAGE_CSP``
    unless the page set its own policy."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = _secured(list(message.get("headers", [])))
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _secured(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    names = {name.lower() for name, _ in headers}
    content_type = next((v for n, v in headers if n.lower() == b"content-type"), b"")
    added = []
    if b"x-content-type-options" not in names:
        added.append((b"x-content-type-options", b"nosniff"))
    if content_type.split(b";")[0].strip().lower() == b"text/html":
        if b"content-security-policy" not in names:
            added.append((b"content-security-policy", PAGE_CSP.encode()))
        if b"referrer-policy" not in names:
            added.append((b"referrer-policy", REFERRER_POLICY.encode()))
    return headers + added


#: the order ``Allow`` names methods in (any other after them, alphabetically)
METHOD_ORDER = ("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS")


def _routes(application: FastAPI) -> Iterator[Any]:
    """Every route of ``application``: FastAPI (>= 0.120) keeps an included router whole, and
    its routes are its ``effective_route_contexts``."""
    for route in application.router.routes:
        contexts = getattr(route, "effective_route_contexts", None)
        yield from contexts() if contexts is not None else (route,)


def allowed_methods(application: FastAPI, scope: Scope) -> tuple[Any, list[str]]:
    """The first route whose path matches ``scope``'s (None: none does), and the methods the
    routes of that path answer, in ``METHOD_ORDER``: ``HEAD`` wherever ``GET``
    (``api.head.HeadAsGet``), ``OPTIONS`` wherever any (``AllowedMethods``). A mount (the
    static files) declares no methods: it answers for itself."""
    first = None
    methods: set[str] = set()
    for route in _routes(application):
        declared = getattr(getattr(route, "starlette_route", None) or route, "methods", None)
        if declared and route.matches(scope)[0] is not Match.NONE:
            first = first or route
            methods |= declared
    if not methods:
        return None, []
    methods |= {"HEAD", "OPTIONS"} if "GET" in methods else {"OPTIONS"}
    rank = {method: i for i, method in enumerate(METHOD_ORDER)}
    return first, sorted(methods, key=lambda m: (rank.get(m, len(rank)), m))


def _is_preflight(scope: Scope) -> bool:
    names = {name for name, _ in scope.get("headers", ())}
    return b"origin" in names and b"access-control-request-method" in names


class AllowedMethods:
    """``Allow`` on a 405 names every method of the path's routes; a plain ``OPTIONS`` (not
    a CORS preflight, which ``CORSMiddleware``, outside, answers) gets 200 and that ``Allow``,
    or the router's 404 for a path no route answers."""

    def __init__(self, app: ASGIApp, *, application: FastAPI) -> None:
        self.app = app
        self.application = application

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["method"] == "OPTIONS" and not _is_preflight(scope):
            route, allowed = allowed_methods(self.application, scope)
            if allowed:
                scope["route"] = route   # the request log's route (``observability``)
                answer = Response(status_code=200, headers={"Allow": ", ".join(allowed)})
                await answer(scope, receive, send)
                return

        # the request's target as it came: a mount (the static files) rewrites the scope's
        path, root_path = scope["path"], scope.get("root_path", "")

        async def send_allow(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 405:
                _, allowed = allowed_methods(self.application, {
                    "type": "http", "method": scope["method"], "path": path,
                    "root_path": root_path})
                if allowed:
                    headers = [(n, v) for n, v in message.get("headers", ())
                               if n.lower() != b"allow"]
                    message = {**message,
                               "headers": [*headers, (b"allow", ", ".join(allowed).encode())]}
            await send(message)

        await self.app(scope, receive, send_allow)


def install(app: FastAPI, settings: Settings) -> None:
    """Add the body limits, the write guard around them, and the security headers around
    both (a refusal is a page too)."""
    app.add_middleware(BodyLimits, max_bytes=settings.max_body_bytes,
                       timeout=settings.body_timeout)
    app.add_middleware(RequestEncodings)   # reads no body either
    app.add_middleware(WriteGuard)   # outside the body limits: it reads no body
    app.add_middleware(SecurityHeaders)


__all__ = ["PAGE_CSP", "WRITE_PATHS", "AllowedMethods", "BodyLimits", "RequestEncodings",
           "SecurityHeaders", "WriteGuard", "allowed_methods", "install", "is_write"]
