"""Errors as HTTP answers, in one place.

``graph.errors`` are mapped to status codes here and nowhere else, together with the few
errors that only exist over HTTP (``HttpError`` and its subclasses: 401, 403, 406, 408, 413,
415, 429).
A browser (whose ``Accept`` prefers HTML) gets a page; every other client gets JSON::

    {"error": "QuerySyntaxError", "status": 400, "message": "line 1, column 38: ...",
     "line": 1, "column": 38}

==============================  ======  ==========================================
error                           status  note
==============================  ======  ==========================================
``QuerySyntaxError``            400     with ``line`` and ``column``
``ParameterError``              400     with ``parameter``
``RequestValidationError``      400     FastAPI's, as a ``ParameterError`` (``invalid_request``)
``ShapeViolation``              422     with ``violations`` (nothing was written)
``Unwritable``                  406     with ``available``: the formats that carry it
other ``InputError``            400     (``ForbiddenOperation``, ``QueryFailed``, …)
``UnknownQuery``, ``NotFound``  404
``LimitExceeded``               503     a query stopped by a limit (time, result, memory)
``WorkersBusy``                 503     no query worker free in time; with ``Retry-After``
``StoreError``                  503     with ``Retry-After`` (406 for a writer's refusal)
``QueryHeaderError``            500     a defect in a catalogue file
==============================  ======  ==========================================

A 406 says ``Vary: Accept``: what is acceptable was read from the request's ``Accept``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.accept import choose
from graph import errors


class HttpError(Exception):
    """An error that only exists over HTTP."""

    status = 400

    def __init__(self, message: str, *, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.headers = dict(headers or {})


class BadRequest(HttpError):
    status = 400


class Unauthorized(HttpError):
    status = 401

    def __init__(self, message: str) -> None:
        super().__init__(message, headers={"WWW-Authenticate": 'Bearer realm="civicgraph"'})


class Forbidden(HttpError):
    status = 403


class NotAcceptable(HttpError):
    status = 406

    def __init__(self, offered: list[str], *, asked: str | None = None,
                 why: str | None = None) -> None:
        """``asked``: the ``format=`` that named none of ``offered`` (else ``Accept`` did);
        ``why``: what the format asked for cannot carry (then ``offered`` are those that can).
        """
        self.offered = offered
        what = ("none of the media types in Accept" if asked is None
                else f"format={asked!r} names no format that")
        if why is not None:
            super().__init__(f"{why}; ask for one of: {', '.join(offered)}")
        else:
            super().__init__(f"{what} can be produced here; available: {', '.join(offered)}")


#: what Oxigraph's writers say of a result they cannot write (JSON-LD and RDF 1.2 triple
#: terms), raised by the writer in a query worker (a ``StoreError``) or here (``OSError``)
UNWRITABLE = "does not support RDF 1.2"
#: why, for the client
TRIPLE_TERMS = ("the result holds RDF 1.2 triple terms (<<( s p o )>>), which JSON-LD cannot "
                "write")


def unwritable(error: Exception) -> NotAcceptable | None:
    """The 406 for a result the format asked for cannot write (a writer's refusal, not a
    failure of the store: a 503 would tell the client to retry the same request), naming the
    graph formats of ``/sparql`` that can; None for any other error."""
    if not isinstance(error, (errors.StoreError, OSError)) or UNWRITABLE not in str(error):
        return None
    from graph.sparql.results import GRAPH_FORMATS

    return NotAcceptable([f.media_type for f in GRAPH_FORMATS if f.name != "jsonld"],
                         why=TRIPLE_TERMS)


class MethodNotAllowed(HttpError):
    status = 405


class RequestTimeout(HttpError):
    status = 408

    def __init__(self, seconds: float) -> None:
        super().__init__(f"the request body did not arrive within {seconds:g} s",
                         headers={"Connection": "close"})


class PayloadTooLarge(HttpError):
    status = 413

    def __init__(self, limit: int) -> None:
        self.limit = limit
        super().__init__(f"the request body is larger than {limit} bytes, the most this "
                         "server reads; load large files with `civicgraph load`",
                         headers={"Connection": "close"})


class QueryTooLarge(HttpError):
    status = 413

    def __init__(self, what: str, limit: int) -> None:
        self.limit = limit
        super().__init__(f"the {what} is larger than {limit} bytes, the most this server reads "
                         "(CIVICGRAPH_MAX_QUERY_BYTES)")


class UnsupportedMediaType(HttpError):
    status = 415

    def __init__(self, given: str, accepted: list[str]) -> None:
        self.accepted = accepted
        super().__init__(f"cannot read a request body of type {given or '(none)'!r}; "
                         f"send one of: {', '.join(accepted)}")


class UnsupportedEncoding(HttpError):
    """A request body in a content coding (``Content-Encoding: gzip``) this server does not
    decode: 415 with ``Accept-Encoding: identity`` (RFC 7694)."""

    status = 415

    def __init__(self, coding: str) -> None:
        super().__init__(f"a request body with Content-Encoding {coding!r} is not read; send "
                         "it uncompressed", headers={"Accept-Encoding": "identity"})


class TooManyRequests(HttpError):
    status = 429

    def __init__(self, limit: int, retry_after: int = 1) -> None:
        super().__init__(
            f"this client already has {limit} requests running, the most allowed at once; "
            f"retry in {retry_after} s",
            headers={"Retry-After": str(retry_after)},
        )


def status_of(error: Exception) -> int:
    """The HTTP status for ``error``."""
    if isinstance(error, HttpError):
        return error.status
    if isinstance(error, (errors.UnknownQuery, errors.NotFound)):
        return 404
    if isinstance(error, errors.ShapeViolation):
        return 422   # well-formed, refused by the shapes or the privacy guard
    if isinstance(error, errors.Unwritable):
        return 406
    if isinstance(error, errors.InputError):
        return 400
    if isinstance(error, (errors.LimitExceeded, errors.StoreError)):
        return 503
    return 500


def details_of(error: Exception) -> dict[str, Any]:
    """The JSON body for ``error``: its kind, status, message and context."""
    kind = error.kind if isinstance(error, RoutingError) else type(error).__name__
    body: dict[str, Any] = {"error": kind, "status": status_of(error), "message": str(error)}
    if isinstance(error, (errors.QuerySyntaxError, errors.RdfSyntaxError)):
        body.update(line=error.line, column=error.column)
    elif isinstance(error, errors.ParameterError):
        body.update(parameter=error.parameter, problem=error.problem)
    elif isinstance(error, errors.ShapeViolation):
        body["violations"] = [asdict(v) for v in error.violations]
    elif isinstance(error, errors.BoundExceeded):
        body.update(bound=error.bound, limit=error.limit, line=error.line)
    elif isinstance(error, NotAcceptable):
        body["available"] = error.offered
    elif isinstance(error, errors.Unwritable):
        body["available"] = list(error.formats)
    elif isinstance(error, UnsupportedMediaType):
        body["accepted"] = error.accepted
    return body


def _wants_html(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "text/html" in accept and choose(accept, ["application/json", "text/html"]) \
        == "text/html"


def error_response(request: Request, error: Exception) -> Response:
    """The response for ``error``, as an HTML page for a browser, else JSON."""
    error = unwritable(error) or error
    body = details_of(error)
    headers = dict(error.headers) if isinstance(error, HttpError) else {}
    if isinstance(error, (errors.StoreError, errors.WorkersBusy)) and \
            not isinstance(error, errors.WorkerCrashed):   # the same query would crash it
        headers.setdefault("Retry-After", "5")
    if _wants_html(request):   # a page varies on Accept and Accept-Language (render)
        from api.templating import render

        return render(request, "error.html", {
            "problem": body, "retry_after": headers.get("Retry-After")},
            status_code=body["status"], headers=headers)
    if isinstance(error, NotAcceptable):   # another Accept may get an answer (RFC 9110 §12.5.5)
        vary = [v.strip() for v in headers.get("Vary", "").split(",") if v.strip()]
        headers["Vary"] = ", ".join(vary if "accept" in map(str.lower, vary)
                                    else [*vary, "Accept"])
    return JSONResponse(body, status_code=body["status"], headers=headers)


async def _handle(request: Request, error: Exception) -> Response:
    return error_response(request, error)


class RoutingError(HttpError):
    """Starlette's own answers (no such path, method not allowed), in civicgraph's format."""

    def __init__(self, status: int, message: str, headers: Mapping[str, str] | None) -> None:
        self.status = status
        self.kind = {404: "NotFound", 405: "MethodNotAllowed"}.get(status, "HttpError")
        super().__init__(message, headers=headers)


async def _handle_routing(request: Request, error: Exception) -> Response:
    assert isinstance(error, StarletteHTTPException)
    return error_response(request, RoutingError(error.status_code, str(error.detail),
                                                error.headers))


#: where a request's value was read from (the first item of a validation error's ``loc``)
_PLACES = frozenset({"query", "path", "header", "cookie", "body"})
#: the longest value quoted in a validation error's message
_QUOTED = 60


def _problem(detail: Mapping[str, Any]) -> tuple[str, str]:
    """The parameter a pydantic validation error (one item of ``errors()``) is about, and
    what is wrong with it, in words."""
    loc = [str(part) for part in detail.get("loc", ())]
    place = loc[0] if loc and loc[0] in _PLACES else None
    parameter = (loc[1] if place and len(loc) > 1 else loc[0] if loc else "request")
    kind, ctx = detail.get("type", ""), detail.get("ctx") or {}
    given = detail.get("input")
    if isinstance(given, str):
        shown = "empty" if given == "" else repr(
            given if len(given) <= _QUOTED else given[:_QUOTED] + "…")
    else:
        shown = type(given).__name__
    if kind == "missing":
        return parameter, "is required and was not given"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return parameter, f"must be a whole number, not {shown}"
    if kind in ("float_parsing", "float_type"):
        return parameter, f"must be a number, not {shown}"
    if kind in ("bool_parsing", "bool_type"):
        return parameter, f"must be true or false (or 1/0, yes/no, on/off), not {shown}"
    bounds = {"greater_than_equal": ("at least", "ge"), "greater_than": ("more than", "gt"),
              "less_than_equal": ("at most", "le"), "less_than": ("less than", "lt")}
    if kind in bounds:
        words, key = bounds[kind]
        return parameter, f"must be {words} {ctx.get(key)}, not {shown}"
    if "UploadFile" in str(detail.get("msg", "")):
        return parameter, f"must be a file (a part with a filename), not a text field ({shown})"
    message = str(detail.get("msg", "is not valid"))
    return parameter, f"{message[:1].lower()}{message[1:]}, not {shown}"


def invalid_request(details: Sequence[Mapping[str, Any]]) -> errors.ParameterError:
    """FastAPI's refusal of a request's parameters (``RequestValidationError.errors()``) as
    the ``ParameterError`` of the first, its message naming every one.

    >>> str(invalid_request([{"type": "int_parsing", "loc": ("query", "page"),
    ...                       "input": "abc", "msg": "…"}]))
    "parameter 'page': must be a whole number, not 'abc'"
    """
    problems = [_problem(d) for d in details] or [("request", "is not valid")]
    parameter, problem = problems[0]
    others = [f"parameter {name!r}: {text}" for name, text in problems[1:]]
    return errors.ParameterError(parameter, "; ".join([problem, *others]))


async def _handle_validation(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    return error_response(request, invalid_request(error.errors()))


#: the body of every error answer, as the OpenAPI description declares it
ERROR_SCHEMA: dict[str, Any] = {
    "type": "object", "required": ["error", "status", "message"],
    "properties": {"error": {"type": "string"}, "status": {"type": "integer"},
                   "message": {"type": "string"}},
}
#: the error answers any operation may give (added to every operation's description)
RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"description": description, "content": {
        "application/json": {"schema": ERROR_SCHEMA}, "text/html": {}}}
    for status, description in (
        (400, "Malformed request (the body says what and where)."),
        (401, "A bearer token that is not valid."),
        (404, "No such resource, or not public."),
        (406, "None of the media types in Accept can be produced."),
        (408, "The request body did not arrive in time."),
        (413, "The request body is larger than CIVICGRAPH_MAX_BODY_BYTES."),
        (429, "Too many queries at once from this client (Retry-After)."),
        (503, "A query passed the time limit or the result cap, or the store is "
              "unavailable (Retry-After)."),
    )
}


def install(app: FastAPI) -> None:
    """Answer civicgraph's errors and ``HttpError`` everywhere in ``app``, and Starlette's own
    (404 for an unknown path, 405) and FastAPI's refusals of parameters (400) in the same
    format."""
    app.add_exception_handler(errors.CivicgraphError, _handle)
    app.add_exception_handler(HttpError, _handle)
    app.add_exception_handler(StarletteHTTPException, _handle_routing)
    app.add_exception_handler(RequestValidationError, _handle_validation)
