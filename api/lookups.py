"""The lean path of a one-subject lookup through ``/sparql``: the route's answer, without
FastAPI's routing, dependency solving and request objects.

``LookupPath`` is ASGI middleware placed inside the body limits, the write guard, the security
headers, the request log (request id, access log, metrics) and the trusted proxies, so a
lookup goes through all of them as any request does. It answers ``GET /sparql?query=`` and
``POST /sparql`` (``application/sparql-query``, or form-encoded ``query=``) when the query is
a one-subject lookup (``api.querying.lookup_subject``) with every IRI absolute, nothing else
is asked (no dataset, no update; ``format=`` / ``output=`` / ``results=`` allowed) and
``Accept`` takes one of the solution formats. It answers as the route would: the reader's
scope (public: a request with ``Authorization`` goes the usual way), the client's query slot
(429), ``InlineLookups`` (answer cache, result cap, query metrics and slow-query log), the
engine past ``INLINE_ROWS``, errors rendered by ``api.errors``. The lookup is answered on the
event loop itself: its cost is bounded by ``INLINE_ROWS`` (a few milliseconds at most), and
the hand-off to a thread and back cost more CPU than the lookup (RESULTS.md); a subject with
more solutions goes to the engine from a thread, never on the loop. Anything else, including a
``HEAD``, a CORS request (``Origin``) and every refusal the route would explain (406, 413,
a page for a browser), goes to the application unchanged, with the body it has read
replayed.

Why: for a lookup, Oxigraph takes a few hundred microseconds, and FastAPI's request path
(the router, the dependency, ``Request``, ``Response``, the middleware of the other routes)
cost about as much again (``bench/RESULTS.md``, "One-subject lookup").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final
from urllib.parse import parse_qsl

import anyio.to_thread
from fastapi import FastAPI, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.accept import choose
from api.errors import HttpError, error_response
from api.querying import Lookup, absolute_iris_only, lookup_subject
from api.security import ClientLimiter
from graph.engine.execution import QueryEngine, acting_for
from graph.errors import CivicgraphError, UnknownFormat
from graph.sparql.request import QueryJob, job_formats
from graph.sparql.results import (
    Answer,
    ResultFormat,
    format_called,
    format_for,
    formats_for,
)

#: every media type a SELECT's answer may be written in, the default first
_OFFERS: Final = tuple(t for f in formats_for("solutions") for t in f.media_types)
#: protocol fields a lookup may carry besides its query (the result format's three names)
_FORMAT_FIELDS: Final = frozenset({"format", "output", "results"})
_FORM: Final = b"application/x-www-form-urlencoded"
_QUERY: Final = b"application/sparql-query"


@dataclass(frozen=True)
class _Route:
    """What the request log reads of the route that served a request (``route_of``)."""

    path: str


SPARQL_ROUTE: Final = _Route("/sparql")


class LookupPath:
    """Answers one-subject lookups through ``/sparql`` without the application's routing;
    every other request goes to ``app``."""

    def __init__(self, app: ASGIApp, *, application: FastAPI) -> None:
        self.app = app
        self.application = application

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != "/sparql" \
                or scope["method"] not in ("GET", "POST"):
            await self.app(scope, receive, send)
            return
        headers = _headers(scope["headers"])
        if b"origin" in headers or b"authorization" in headers:
            await self.app(scope, receive, send)   # CORS, or a reader to recognise
            return
        body: bytes | None = None
        fields = _fields(scope["query_string"])
        if scope["method"] == "POST":
            media_type = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
            declared = headers.get(b"content-length", b"")
            limit: int = self.application.state.settings.max_query_bytes
            if media_type not in (_FORM, _QUERY) or not declared.isdigit() \
                    or int(declared) > limit:
                await self.app(scope, receive, send)
                return
            body = await _body(receive)
            if body is None:   # the client left before sending its query
                return
            if media_type == _QUERY:
                if fields is not None and "query" not in fields and body.isascii():
                    fields["query"] = [body.decode()]
                else:
                    fields = None
            elif fields is not None and not fields:
                fields = _fields(body)
            else:
                fields = None
        asked = self._asked(fields, headers)
        if asked is None:
            await self.app(scope, body_first(body, receive) if body is not None else receive,
                           send)
            return
        query, lookup, chosen = asked
        scope["route"] = SPARQL_ROUTE   # the request log's and the metrics' label
        client = scope["client"][0] if scope.get("client") else "unknown"
        engine: QueryEngine = self.application.state.engine
        job = engine.job(query, "public", **job_formats(lookup.info, chosen))
        try:
            # on the event loop: its cost is bounded (INLINE_ROWS), and a thread's hand-off
            # cost more than the lookup itself (bench/RESULTS.md, "One-subject lookup")
            answer = self._inline(job, lookup, client)
            if answer is None:   # past INLINE_ROWS: the engine's, off the event loop
                answer = await anyio.to_thread.run_sync(self._engine, job, client)
        except (HttpError, CivicgraphError) as error:
            response = error_response(Request(scope), error)
            await response(scope, receive, send)
            return
        content_type = answer.media_type
        if content_type.startswith("text/"):
            content_type += "; charset=utf-8"
        await send({"type": "http.response.start", "status": 200, "headers": [
            (b"content-length", str(len(answer.body)).encode()),
            (b"content-type", content_type.encode()),
            (b"vary", b"Accept, Origin"),   # Origin: as the CORS middleware says it
        ]})
        await send({"type": "http.response.body", "body": answer.body})

    def _asked(self, fields: dict[str, list[str]] | None, headers: dict[bytes, bytes]
               ) -> tuple[str, Lookup, ResultFormat] | None:
        """The lookup's text, what ``lookup_subject`` reads in it and its result format; None
        when the request is not one for this path."""
        if fields is None or len(fields.get("query", ())) != 1 \
                or any(name != "query" and name not in _FORMAT_FIELDS for name in fields):
            return None
        query = fields["query"][0]
        limit: int = self.application.state.settings.max_query_bytes
        if len(query.encode()) > limit or not absolute_iris_only(query):
            return None
        found = lookup_subject(query)
        if found is None:
            return None
        asked = next((fields[name] for name in ("format", "output", "results")
                      if name in fields), None)
        try:
            if asked is not None:
                if len(asked) != 1:
                    return None
                chosen = format_called(asked[0], "solutions")
            else:
                accept = headers.get(b"accept")
                offer = choose(None if accept is None else accept.decode("latin-1"), _OFFERS)
                if offer is None:
                    return None   # 406, or a browser's page: the route says which
                chosen = format_for(offer, "solutions")
        except UnknownFormat:
            return None
        return query, found, chosen

    def _inline(self, job: QueryJob, lookup: Lookup, client: str) -> Answer | None:
        """``InlineLookups``' answer, in one of the client's query slots (429 past them);
        None past ``INLINE_ROWS`` solutions."""
        limiter: ClientLimiter = self.application.state.client_limiter
        with limiter.slot(client), acting_for(client):
            answer: Answer | None = self.application.state.inline_lookups.answer(job, lookup)
            return answer

    def _engine(self, job: QueryJob, client: str) -> Answer:
        """The engine's answer (a worker process), in one of the client's query slots."""
        state = self.application.state
        limiter: ClientLimiter = state.client_limiter
        engine: QueryEngine = state.engine
        with limiter.slot(client), acting_for(client):
            return engine.run(job)


def _headers(raw: Iterable[tuple[bytes, bytes]]) -> dict[bytes, bytes]:
    """The request's headers by name (the first of each; names are lower case in ASGI)."""
    found: dict[bytes, bytes] = {}
    for name, value in raw:
        found.setdefault(name, value)
    return found


def _fields(encoded: bytes) -> dict[str, list[str]] | None:
    """The fields of a query string or form body, as Starlette reads them; None when the text
    is not plain ASCII (left to Starlette's own reading)."""
    if not encoded.isascii():
        return None
    fields: dict[str, list[str]] = {}
    for name, value in parse_qsl(encoded.decode("ascii"), keep_blank_values=True):
        fields.setdefault(name, []).append(value)
    return fields


async def _body(receive: Receive) -> bytes | None:
    """The request's body (its length declared and within bounds), or None when the client
    disconnected first."""
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def body_first(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that gives ``body`` (already read) first, then what ``receive`` gives."""
    given = False

    async def replay() -> Message:
        nonlocal given
        if given:
            return await receive()
        given = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


__all__ = ["LookupPath", "body_first"]
