"""What the server tells its operators: JSON logs, Prometheus metrics and the store's health.

**Logs** are JSON objects, one a line, on stderr (``logging_config`` is uvicorn's
``log_config``; ``civicgraph serve`` uses it):

- ``civicgraph.access``, one line per request::

    {"time": "2026-11-29T12:00:00.123Z", "level": "info", "logger": "civicgraph.access",
     "event": "request", "request_id": "5f0c…", "method": "GET", "path": "/sparql",
     "route": "/sparql", "status": 200, "duration_ms": 12.5, "client": "127.0.0.1",
     "bytes": 5120}

  The query string and the headers are not logged (a query is in the slow-query log; the
  ``Authorization`` header never is).
- ``civicgraph.slow_query``, one line per query slower than ``CIVICGRAPH_SLOW_QUERY_SECONDS``
  or stopped by a limit, with its text, its outcome and the request it served.

**Metrics** (``/metrics``, Prometheus text format; ``Metrics``): requests by route, method and
status, their latency by route, queries by outcome and their latency, queries stopped at the
time limit, whether the store answers (``civicgraph_store_up``) and the size of the public data
(``civicgraph_public_quads``). Routes are the application's path templates
(``/id/{kind}/{name}``), and ``unmatched`` for any other path, so no client can multiply the
series. ``/metrics`` is public, and the size of the whole store would tell how much restricted
data (members, consent records) it holds: ``civicgraph_store_quads`` (every graph included) is
exported only to a scrape that carries the curator token, as Prometheus sends it with
``authorization: {type: Bearer, credentials_file: …}`` in its ``scrape_config``.

**Health** (``StoreProbe``): the store answers a trivial query within
``CIVICGRAPH_HEALTH_TIMEOUT`` seconds, and says how many quads it holds if it can in that time
(``/health`` tells anonymous callers the public quads only, a curator every quad).
One probe runs at a time and its result serves for a second, so health checks and scrapes
cannot pile work on a struggling store.
"""

from __future__ import annotations

import concurrent.futures
import contextvars
import datetime as dt
import itertools
import json
import logging
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.settings import Settings
from graph.engine.execution import QueryEngine, QueryObserver
from graph.errors import (
    CivicgraphError,
    InputError,
    LimitExceeded,
    QueryTimeout,
    ResultTooLarge,
    StoreError,
)
from graph.privacy.access import public_graphs
from graph.sparql.request import QueryJob
from graph.store import Store

ACCESS = logging.getLogger("civicgraph.access")
SLOW_QUERIES = logging.getLogger("civicgraph.slow_query")
METRICS_MEDIA_TYPE = "text/plain; version=0.0.4; charset=utf-8"
#: seconds, from a cached page to a pathological query stopped at the limit
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


@dataclass(frozen=True)
class RequestInfo:
    """The request being served, as the logs name it."""

    request_id: str
    method: str
    path: str
    client: str


_current: contextvars.ContextVar[RequestInfo | None] = contextvars.ContextVar(
    "civicgraph_request", default=None)


def current_request() -> RequestInfo | None:
    """The request this code serves (also in the thread that runs a route), or None."""
    return _current.get()


# --- logs ------------------------------------------------------------------------------------

class JsonFormatter(logging.Formatter):
    """A record as one JSON object: time, level, logger, event and the record's ``fields``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._second = -1
        self._prefix = ""

    def _time(self, created: float) -> str:
        """``created`` in ISO 8601 (UTC, milliseconds); the date and time of the second are
        written once per second (they were a tenth of the access log's cost)."""
        second = int(created)
        micro = round((created - second) * 1e6)   # as datetime.fromtimestamp rounds
        if micro >= 1_000_000:
            second, micro = second + 1, micro - 1_000_000
        if second != self._second:
            prefix = dt.datetime.fromtimestamp(second, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S")
            self._second, self._prefix = second, prefix
        return f"{self._prefix}.{micro // 1000:03d}Z"

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": self._time(record.created),
            "level": record.levelname.lower(), "logger": record.name,
            "event": record.getMessage(),
        }
        line.update(getattr(record, "fields", {}))
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def logging_config(level: str = "info") -> dict[str, Any]:
    """A ``logging.config.dictConfig`` that writes civicgraph's and uvicorn's logs as JSON
    lines on stderr (uvicorn's own access log is replaced by ``civicgraph.access``)."""
    level = level.upper()
    return {
        "version": 1, "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonFormatter}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json",
                                "stream": "ext://sys.stderr"}},
        "loggers": {
            "civicgraph": {"handlers": ["stderr"], "level": level, "propagate": False},
            "uvicorn": {"handlers": ["stderr"], "level": level, "propagate": False},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
        },
    }


def _log(logger: logging.Logger, level: int, event: str, **fields: Any) -> None:
    if logger.isEnabledFor(level):
        # the record is made here: Logger.log would walk the stack for the caller's file and
        # line, which no line of civicgraph's logs shows
        logger.handle(logger.makeRecord(logger.name, level, "", 0, event, (), None,
                                        extra={"fields": fields}))


# --- metrics ---------------------------------------------------------------------------------

_OUTCOMES: tuple[tuple[type[BaseException], str], ...] = (
    (QueryTimeout, "timeout"), (ResultTooLarge, "too_large"), (LimitExceeded, "limit"),
    (InputError, "refused"), (StoreError, "store_error"),
)


def outcome_of(error: BaseException | None) -> str:
    """How a query ended: ok, timeout, too_large, limit (another limit, e.g. memory),
    refused, store_error or error."""
    if error is None:
        return "ok"
    return next((name for kind, name in _OUTCOMES if isinstance(error, kind)), "error")


class Metrics:
    """The server's Prometheus metrics, in a registry of its own (one per application)."""

    def __init__(self, probe: StoreProbe) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "civicgraph_http_requests", "HTTP requests answered, by route, method and status.",
            ["route", "method", "status"], registry=self.registry)
        self.latency = Histogram(
            "civicgraph_http_request_duration_seconds", "Time to answer an HTTP request.",
            ["route"], buckets=BUCKETS, registry=self.registry)
        self.queries = Counter(
            "civicgraph_queries", "SPARQL queries run by the query engine, by outcome "
            "(ok, timeout, too_large, limit, refused, store_error, error).", ["outcome"],
            registry=self.registry)
        self.query_latency = Histogram(
            "civicgraph_query_duration_seconds", "Time a SPARQL query took in the engine.",
            buckets=BUCKETS, registry=self.registry)
        self.timeouts = Counter(
            "civicgraph_query_timeouts", "Queries stopped at the time limit.",
            registry=self.registry)
        # the labelled children already made (routes are templates: a bounded set)
        self._requests: dict[tuple[str, str, int], Counter] = {}
        self._latency: dict[str, Histogram] = {}
        self._queries: dict[str, Counter] = {}
        #: the store's gauges, for anyone (public sizes) and for a curator (every graph)
        self.public = CollectorRegistry()
        self.public.register(_StoreCollector(probe, everything=False))
        self.everything = CollectorRegistry()
        self.everything.register(_StoreCollector(probe, everything=True))

    def request(self, route: str, method: str, status: int, seconds: float) -> None:
        key = (route, method, status)
        counter = self._requests.get(key)
        if counter is None:   # a labelled child is looked up under a lock: keep each one
            counter = self._requests[key] = self.requests.labels(route, method, str(status))
        counter.inc()
        histogram = self._latency.get(route)
        if histogram is None:
            histogram = self._latency[route] = self.latency.labels(route)
        histogram.observe(seconds)

    def query(self, seconds: float, error: BaseException | None) -> None:
        outcome = outcome_of(error)
        counter = self._queries.get(outcome)
        if counter is None:
            counter = self._queries[outcome] = self.queries.labels(outcome)
        counter.inc()
        self.query_latency.observe(seconds)
        if isinstance(error, QueryTimeout):
            self.timeouts.inc()

    def exposition(self, *, everything: bool = False) -> bytes:
        """The metrics in Prometheus text format; the size of the whole store only with
        ``everything`` (a curator's scrape)."""
        store = self.everything if everything else self.public
        return generate_latest(self.registry) + generate_latest(store)


class _StoreCollector(Collector):
    def __init__(self, probe: StoreProbe, *, everything: bool) -> None:
        self.probe = probe
        self.everything = everything

    def collect(self) -> Iterator[Metric]:
        health = self.probe.check()
        yield GaugeMetricFamily("civicgraph_store_up", "1 when the store answers.",
                                value=1.0 if health.ok else 0.0)
        if health.public_quads is not None:
            yield GaugeMetricFamily("civicgraph_public_quads", "Quads in the public graphs.",
                                    value=float(health.public_quads))
        if self.everything and health.quads is not None:
            yield GaugeMetricFamily("civicgraph_store_quads", "Quads in the store, every "
                                    "graph included (curator's scrape only).",
                                    value=float(health.quads))


# --- health ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Health:
    """What the last probe of the store found."""

    ok: bool
    quads: int | None
    detail: str = ""
    at: float = 0.0
    #: quads in the public graphs (None: not counted in time)
    public_quads: int | None = None


class StoreProbe:
    """Asks the store whether it answers, at most one probe at a time, each result kept
    ``max_age`` seconds; a probe that takes longer than ``timeout`` counts as a failure."""

    def __init__(self, store: Store, *, timeout: float, max_age: float = 1.0) -> None:
        self.store = store
        self.timeout = timeout
        self.max_age = max_age
        self._lock = threading.Lock()
        self._running: concurrent.futures.Future[Health] | None = None
        self._last: Health | None = None

    def check(self) -> Health:
        """The store's health, probed now unless a recent or running probe tells it."""
        with self._lock:
            last = self._last
            if last is not None and time.monotonic() - last.at < self.max_age:
                return last
            if self._running is None:
                self._running = concurrent.futures.Future()
                threading.Thread(target=self._probe, args=(self._running,), daemon=True,
                                 name="civicgraph-store-probe").start()
            running = self._running
        try:
            return running.result(timeout=self.timeout)
        except concurrent.futures.TimeoutError:
            return Health(False, None, f"the store did not answer within {self.timeout:g} s",
                          time.monotonic())

    def _probe(self, future: concurrent.futures.Future[Health]) -> None:
        started = time.monotonic()
        try:
            self.store.query("ASK { }", default_graph=[], named_graphs=[])
            quads: int | None = None
            public: int | None = None
            # the sizes are worth waiting for only while the answer is still prompt
            if time.monotonic() - started < self.timeout / 2:
                quads = self.store.count()
            if time.monotonic() - started < self.timeout / 2:
                public = sum(self.store.count(g) for g in public_graphs(self.store))
            health = Health(True, quads, at=time.monotonic(), public_quads=public)
        except (CivicgraphError, OSError) as error:
            health = Health(False, None, f"{type(error).__name__}: {error}", time.monotonic())
        with self._lock:
            self._last = health
            self._running = None
        future.set_result(health)


# --- the request log -------------------------------------------------------------------------

def request_ids() -> Iterator[str]:
    """Request ids: 16 hexadecimal digits, a random half drawn once per process and a
    counter, so that ids are unique across restarts and replicas without a system call per
    request (``uuid4`` read ``/dev/urandom`` each time)."""
    prefix = uuid.uuid4().hex[:8]
    return (f"{prefix}{number & 0xFFFFFFFF:08x}" for number in itertools.count())


def route_of(scope: Scope) -> str:
    """The path template of the route that served ``scope``, or ``unmatched``."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) and path else "unmatched"


class RequestLog:
    """Logs and counts every HTTP request (the outermost middleware: it sees every answer)."""

    def __init__(self, app: ASGIApp, *, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics
        self._ids = request_ids()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        client = scope.get("client")
        info = RequestInfo(next(self._ids), scope["method"], scope["path"],
                           client[0] if client else "unknown")
        token = _current.set(info)
        status = 500
        size = 0

        async def observed_send(message: Message) -> None:
            nonlocal status, size
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []),
                                      (b"x-request-id", info.request_id.encode())]
            elif message["type"] == "http.response.body":
                size += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, observed_send)
        finally:
            seconds = time.perf_counter() - started
            route = route_of(scope)
            self.metrics.request(route, info.method, status, seconds)
            _log(ACCESS, logging.INFO, "request", request_id=info.request_id,
                 method=info.method, path=info.path, route=route, status=status,
                 duration_ms=round(seconds * 1000, 2), client=info.client, bytes=size)
            _current.reset(token)


# --- wiring ----------------------------------------------------------------------------------

def query_observer(metrics: Metrics, slow_seconds: float) -> QueryObserver:
    """The engine observer that counts every query and logs the slow or stopped ones."""

    def observe(job: QueryJob, seconds: float, error: BaseException | None) -> None:
        metrics.query(seconds, error)
        outcome = outcome_of(error)
        if seconds < slow_seconds and outcome in ("ok", "refused"):
            return
        request = current_request()
        _log(SLOW_QUERIES, logging.WARNING, "slow query", duration_ms=round(seconds * 1000, 2),
             outcome=outcome, scope=job.scope, query=job.sparql,
             **({"request_id": request.request_id, "method": request.method,
                 "path": request.path, "client": request.client} if request else {}))

    return observe


def install(app: FastAPI, settings: Settings) -> None:
    """Probe, metrics, request log and slow-query log for ``app`` (after ``querying``)."""
    disable_created_metrics()  # type: ignore[no-untyped-call]  # *_created only doubles it
    probe = StoreProbe(app.state.store, timeout=settings.health_timeout)
    metrics = Metrics(probe)
    app.state.store_probe = probe
    app.state.metrics = metrics
    engine: QueryEngine = app.state.engine
    engine.observers.append(query_observer(metrics, settings.slow_query_seconds))
    app.add_middleware(RequestLog, metrics=metrics)
