"""Who may do what: the curator token, the per-client concurrency limit, and CORS.

- Reads are anonymous and see the public graphs. A request carrying
  ``Authorization: Bearer <CIVICGRAPH_CURATOR_TOKEN>`` reads every graph and may write
  (SPARQL Update, Graph Store writes). A token that is presented but wrong is refused (401),
  never quietly downgraded. The comparison takes the same time whatever the token.
- When the curator token is empty, writes are disabled (403) and nobody reads restricted
  graphs. A placeholder (``change-me``, …) or a short token is refused when the settings are
  read (``api.settings``), so the server does not start with it. The token is never logged.
- Each client (its IP address; behind a trusted proxy, the one it forwarded: ``api.proxies``)
  may have at
  most ``CIVICGRAPH_CLIENT_CONCURRENCY`` queries running at once; past that it gets 429 with
  ``Retry-After``, so one client cannot take every query worker.
- CORS: any origin may read, without credentials (no cookies, no ``Authorization`` header
  from a foreign page, so a curator's token can never be used across origins).
"""

from __future__ import annotations

import hmac
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware

from api.errors import Forbidden, TooManyRequests, Unauthorized
from api.proxies import client_address
from api.settings import PLACEHOLDER_TOKENS, Settings
from graph.engine.execution import acting_for
from graph.sparql.request import Scope


def writes_enabled(settings: Settings) -> bool:
    """Whether a real curator token is configured."""
    return settings.curator_token.strip().lower() not in PLACEHOLDER_TOKENS


def _presented_token(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("the Authorization header must be 'Bearer <token>'")
    return token.strip()


def _token_matches(settings: Settings, token: str) -> bool:
    expected = settings.curator_token.strip().encode()
    return writes_enabled(settings) and hmac.compare_digest(token.encode(), expected)


def reader_scope(request: Request) -> Scope:
    """``"all"`` for a curator, ``"public"`` for anyone else; 401 for a wrong token."""
    token = _presented_token(request)
    if token is None:
        return "public"
    if not _token_matches(request.app.state.settings, token):
        raise Unauthorized("the bearer token is not valid")
    return "all"


def require_curator(request: Request) -> None:
    """Let only a curator through: 403 when writes are disabled, 401 without the token."""
    settings: Settings = request.app.state.settings
    token = _presented_token(request)
    if not writes_enabled(settings):
        raise Forbidden("writes are disabled on this server (no curator token is configured)")
    if token is None:
        raise Unauthorized("this operation needs 'Authorization: Bearer <curator token>'")
    if not _token_matches(settings, token):
        raise Unauthorized("the bearer token is not valid")


def curator_refusal(request: Request) -> Forbidden | Unauthorized | None:
    """The answer ``require_curator`` would give ``request`` (None: it is a curator's); it
    reads the headers only, so a write is refused before its body is read."""
    try:
        require_curator(request)
    except (Forbidden, Unauthorized) as refusal:
        return refusal
    return None


class ClientLimiter:
    """At most ``limit`` requests running at once per client."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._running: Counter[str] = Counter()
        self._lock = threading.Lock()

    @contextmanager
    def slot(self, client: str) -> Iterator[None]:
        """Hold one of ``client``'s slots; ``TooManyRequests`` (429) when none is free."""
        with self._lock:
            if self._running[client] >= self.limit:
                raise TooManyRequests(self.limit)
            self._running[client] += 1
        try:
            yield
        finally:
            with self._lock:
                self._running[client] -= 1
                if self._running[client] <= 0:
                    del self._running[client]


def client_of(request: Request) -> str:
    """The client a request counts against (``api.proxies``: behind a trusted proxy, the
    address it forwarded)."""
    return client_address(request)


@contextmanager
def client_slot(request: Request) -> Iterator[None]:
    """Hold a query slot of the request's client for the ``with`` block."""
    limiter: ClientLimiter = request.app.state.client_limiter
    client = client_of(request)
    with limiter.slot(client), acting_for(client):   # acting_for: fair turns at the workers
        yield


def install(app: FastAPI, settings: Settings) -> None:
    """The per-client limiter and the CORS policy."""
    app.state.client_limiter = ClientLimiter(settings.client_concurrency)
    app.add_middleware(
        CORSMiddleware, allow_origins=["*"], allow_credentials=False,
        allow_methods=["GET", "HEAD", "POST", "OPTIONS"],
        allow_headers=["Accept", "Accept-Language", "Content-Type"],
        expose_headers=["Link", "Content-Location", "Retry-After"], max_age=3600,
    )
