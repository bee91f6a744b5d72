"""Errors as HTTP answers, in one place.

``graph.errors`` are mapped to status codes here and nowhere else, together with the few
errors that only exist over HTTP (``HttpError`` and its subclasses: 401, 403, 406, 415, 429).
A browser (whose ``Accept`` prefers HTML) gets a page; every other client gets JSON::

    {"error": "QuerySyntaxError", "status": 400, "message": "line 1, column 38: ...",
     "line": 1, "column": 38}

==============================  ======  ==========================================
error                           status  note
==============================  ======  ==========================================
``QuerySyntaxError``            400     with ``line`` and ``column``
``ParameterError``              400     with ``parameter``
``ShapeViolation``              400     with ``violations``
other ``InputError``            400     (``ForbiddenOperation``, ``RdfSyntaxError``, …)
``UnknownQuery``, ``NotFound``  404
``LimitExceeded``               503     a query stopped by the time limit or result cap
``StoreError``                  503     with ``Retry-After``
``QueryHeaderError``            500     a defect in a catalogue file
==============================  ======  ==========================================
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

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

    def __init__(self, offered: list[str]) -> None:
        self.offered = offered
        super().__init__("none of the media types in Accept can be produced here; "
                         f"available: {', '.join(offered)}")


class MethodNotAllowed(HttpError):
    status = 405


class UnsupportedMediaType(HttpError):
    status = 415

    def __init__(self, given: str, accepted: list[str]) -> None:
        self.accepted = accepted
        super().__init__(f"cannot read a request body of type {given or '(none)'!r}; "
                         f"send one of: {', '.join(accepted)}")


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
    if isinstance(error, errors.InputError):
        return 400
    if isinstance(error, (errors.LimitExceeded, errors.StoreError)):
        return 503
    return 500


def details_of(error: Exception) -> dict[str, Any]:
    """The JSON body for ``error``: its kind, status, message and context."""
    body: dict[str, Any] = {
        "error": type(error).__name__, "status": status_of(error), "message": str(error),
    }
    if isinstance(error, (errors.QuerySyntaxError, errors.RdfSyntaxError)):
        body.update(line=error.line, column=error.column)
    elif isinstance(error, errors.ParameterError):
        body.update(parameter=error.parameter, problem=error.problem)
    elif isinstance(error, errors.ShapeViolation):
        body["violations"] = [asdict(v) for v in error.violations]
    elif isinstance(error, NotAcceptable):
        body["available"] = error.offered
    elif isinstance(error, UnsupportedMediaType):
        body["accepted"] = error.accepted
    return body


def _wants_html(request: Request) -> bool:
    from api.negotiation import choose

    accept = request.headers.get("accept", "")
    return "text/html" in accept and choose(accept, ["application/json", "text/html"]) \
        == "text/html"


def error_response(request: Request, error: Exception) -> Response:
    """The response for ``error``, as an HTML page for a browser, else JSON."""
    body = details_of(error)
    headers = dict(error.headers) if isinstance(error, HttpError) else {}
    if isinstance(error, errors.StoreError):
        headers.setdefault("Retry-After", "5")
    if _wants_html(request):
        from api.templating import render

        return render(request, "error.html", {"problem": body}, status_code=body["status"],
                      headers=headers)
    return JSONResponse(body, status_code=body["status"], headers=headers)


async def _handle(request: Request, error: Exception) -> Response:
    return error_response(request, error)


def install(app: FastAPI) -> None:
    """Answer civicgraph's errors and ``HttpError`` everywhere in ``app``."""
    app.add_exception_handler(errors.CivicgraphError, _handle)
    app.add_exception_handler(HttpError, _handle)
