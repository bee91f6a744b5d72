"""What operators see: one JSON log line per request, the slow-query log with the query text,
Prometheus metrics at /metrics, and /health that asks the store (503 when it does not
answer, in time or at all)."""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, BinaryIO

import httpx
import pyoxigraph as ox
import pytest
from prometheus_client.parser import text_string_to_metric_families

from api.observability import JsonFormatter, logging_config, outcome_of
from graph.errors import (
    QueryMemoryExceeded,
    QuerySyntaxError,
    QueryTimeout,
    StoreUnavailable,
)
from graph.privacy.access import public_graphs
from graph.store import QueryResult, Store, Term
from tests.api.test_limits import ENDLESS
from tests.support.live import CURATOR_TOKEN, Live
from tests.support.stores import example_store
from tests.support.waiting import until

ROOT = Path(__file__).resolve().parents[2]


def records(caplog: pytest.LogCaptureFixture, logger: str) -> list[dict[str, Any]]:
    return [dict(getattr(r, "fields", {}), event=r.getMessage()) for r in caplog.records
            if r.name == logger]


def metrics(url: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    text = httpx.get(f"{url}/metrics", timeout=30).text
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def sample(found: Mapping[tuple[str, tuple[tuple[str, str], ...]], float], name: str,
           **labels: str) -> float:
    return found.get((name, tuple(sorted(labels.items()))), 0.0)


# --- the request log ---------------------------------------------------------------------------

def test_one_json_line_per_request(live: Live, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, "civicgraph.access")
    response = httpx.get(f"{live.url}/id/org/vecam", params={"lang": "fr"},
                         headers={"Accept": "text/turtle", "Authorization":
                                  f"Bearer {CURATOR_TOKEN}"}, timeout=30)
    missing = httpx.get(f"{live.url}/no/such/page", timeout=30)
    # the server logs a request once its response is sent: the client may read it first
    deadline = time.monotonic() + 5
    while True:
        lines = [r for r in records(caplog, "civicgraph.access") if r["path"] in
                 ("/id/org/vecam", "/no/such/page")]
        if len(lines) >= 2 or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert len(lines) == 2
    first, second = lines
    assert first["request_id"] == response.headers["x-request-id"]
    assert (first["method"], first["route"], first["status"]) == \
        ("GET", "/id/{kind}/{name}", 200)
    assert first["client"] == "127.0.0.1" and first["bytes"] == len(response.content)
    assert 0 < first["duration_ms"] < 30_000
    assert (second["route"], second["status"]) == ("unmatched", missing.status_code) \
        == ("unmatched", 404)
    # neither the query string nor a header is logged
    text = json.dumps(lines)
    assert "lang=fr" not in text and CURATOR_TOKEN not in text


def test_the_formatter_writes_one_json_object_a_line() -> None:
    record = logging.LogRecord("civicgraph.access", logging.INFO, __file__, 1, "request",
                               None, None)
    record.fields = {"method": "GET", "path": "/é\n", "status": 200}
    line = JsonFormatter().format(record)
    assert "\n" not in line
    data = json.loads(line)
    assert data["event"] == "request" and data["level"] == "info"
    assert data["path"] == "/é\n" and data["status"] == 200
    assert data["time"].endswith("Z")


@pytest.mark.parametrize("created", [1765000000.0, 1765000000.0004999, 1765000000.0005,
                                     1765000000.1234567, 1765000000.9994999, 1765000000.9999996,
                                     1765000001.5, 1765086399.999])
def test_the_formatter_writes_the_time_as_datetime_does(created: float) -> None:
    import datetime as dt

    formatter = JsonFormatter()
    for stamp in (created - 1.0, created):   # the second before, then this one
        record = logging.LogRecord("civicgraph.access", logging.INFO, "", 0, "request",
                                   None, None)
        record.created = stamp
        expected = dt.datetime.fromtimestamp(stamp, dt.UTC).isoformat(
            timespec="milliseconds").replace("+00:00", "Z")
        assert json.loads(formatter.format(record))["time"] == expected


def test_civicgraph_serve_logs_json_lines(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "CIVICGRAPH_LOG_LEVEL": "info", "CIVICGRAPH_QUERY_WORKERS": "0",
           "CIVICGRAPH_CURATOR_TOKEN": ""}
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-c", "from api.cli import main; main()", "serve", "--store",
             "memory", "--empty", "--port", str(port)], cwd=ROOT, env=env, stdout=out,
            stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, log.read_text()
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        httpx.get(f"http://127.0.0.1:{port}/sparql", params={"query": "ASK {}"}, timeout=10)
    finally:
        process.terminate()
        process.wait(timeout=20)
    lines = [line for line in log.read_text().splitlines() if line.strip()]
    parsed = [json.loads(line) for line in lines]  # every line is JSON, uvicorn's included
    requests = [p for p in parsed if p["logger"] == "civicgraph.access"]
    assert {(p["method"], p["path"], p["status"]) for p in requests} >= {
        ("GET", "/health", 200), ("GET", "/sparql", 200)}
    assert any(p["logger"].startswith("uvicorn") for p in parsed)


def test_logging_config_sends_civicgraph_logs_to_stderr_as_json(
        capsys: pytest.CaptureFixture[str]) -> None:
    import logging.config

    config = logging_config("warning")
    assert config["loggers"]["uvicorn.access"]["handlers"] == []
    logging.config.dictConfig(config)
    try:
        logging.getLogger("civicgraph.slow_query").warning(
            "slow query", extra={"fields": {"query": "ASK {}"}})
        logging.getLogger("civicgraph.access").info("request")  # below the level
    finally:
        logging.config.dictConfig({"version": 1, "disable_existing_loggers": False,
                                   "loggers": {"civicgraph": {"handlers": [],
                                                              "propagate": True,
                                                              "level": "NOTSET"},
                                               "uvicorn": {"handlers": [],
                                                           "propagate": True}}})
    lines = capsys.readouterr().err.strip().splitlines()
    assert [json.loads(line)["query"] for line in lines] == ["ASK {}"]


# --- the slow-query log ------------------------------------------------------------------------

def test_slow_queries_are_logged_with_their_text(serve: Any,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, "civicgraph.slow_query")
    quick = "ASK { ?s ?p ?o }"
    with serve(example_store(), slow_query_seconds=0.0) as live, \
            serve(example_store(), slow_query_seconds=60.0) as calm:
        response = httpx.get(f"{live.url}/sparql", params={"query": quick}, timeout=30)
        httpx.get(f"{calm.url}/sparql", params={"query": quick + " # calm"}, timeout=30)
    lines = [r for r in records(caplog, "civicgraph.slow_query") if "?s ?p ?o" in r["query"]]
    assert len(lines) == 1
    line = lines[0]
    assert line["query"] == quick and line["outcome"] == "ok" and line["scope"] == "public"
    assert line["request_id"] == response.headers["x-request-id"]
    assert line["path"] == "/sparql" and line["duration_ms"] >= 0


def test_a_query_stopped_at_the_limit_is_logged_and_counted(
        serve: Any, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, "civicgraph.slow_query")
    with serve(example_store(), query_timeout=1.0, query_workers=1) as live:
        response = httpx.get(f"{live.url}/sparql", params={"query": ENDLESS}, timeout=30)
        assert response.status_code == 503
        found = metrics(live.url)
    assert sample(found, "civicgraph_query_timeouts_total") == 1
    assert sample(found, "civicgraph_queries_total", outcome="timeout") == 1
    assert sample(found, "civicgraph_http_requests_total", route="/sparql", method="GET",
                  status="503") == 1
    stopped = [r for r in records(caplog, "civicgraph.slow_query") if r["query"] == ENDLESS]
    assert len(stopped) == 1 and stopped[0]["outcome"] == "timeout"
    assert stopped[0]["duration_ms"] >= 1000


def test_request_ids_are_unique_and_differ_between_processes() -> None:
    from itertools import islice

    from api.observability import request_ids

    first = list(islice(request_ids(), 10_000))
    other = next(request_ids())   # another process, or a restart: another random half
    assert len(set(first)) == len(first)
    assert all(len(i) == 16 and int(i, 16) >= 0 for i in first)
    assert other[:8] != first[0][:8] and other not in first


@pytest.mark.parametrize(("error", "outcome"), [
    (None, "ok"), (QueryTimeout(1), "timeout"), (QuerySyntaxError("x"), "refused"),
    (StoreUnavailable("down"), "store_error"), (RuntimeError("bug"), "error"),
    (QueryMemoryExceeded(1024), "limit")])
def test_query_outcomes(error: BaseException | None, outcome: str) -> None:
    assert outcome_of(error) == outcome


# --- metrics -----------------------------------------------------------------------------------

def test_metrics_count_requests_by_route_and_status(serve: Any) -> None:
    with serve(example_store()) as live:
        for path in ("/id/org/vecam", "/id/org/nobody", "/id/software/loomio",
                     "/nothing/1", "/nothing/2"):
            httpx.get(live.url + path, headers={"Accept": "text/turtle"}, timeout=30)
        httpx.get(f"{live.url}/sparql", params={"query": "SELEC"}, timeout=30)
        found = metrics(live.url)
        quads = sum(live.store.count(g) for g in public_graphs(live.store))
    requests = "civicgraph_http_requests_total"
    assert sample(found, requests, route="/id/{kind}/{name}", method="GET", status="200") == 2
    assert sample(found, requests, route="/id/{kind}/{name}", method="GET", status="404") == 1
    assert sample(found, requests, route="unmatched", method="GET", status="404") == 2
    assert sample(found, requests, route="/sparql", method="GET", status="400") == 1
    assert sample(found, "civicgraph_http_request_duration_seconds_count",
                  route="/id/{kind}/{name}") == 3
    assert sample(found, "civicgraph_queries_total", outcome="refused") == 1
    assert sample(found, "civicgraph_store_up") == 1
    assert sample(found, "civicgraph_public_quads") == quads > 5000
    # no series per raw path: a client cannot multiply them
    assert not any("/nothing" in dict(labels).get("route", "") for _, labels in found)


def test_metrics_are_in_the_prometheus_text_format(live: Live) -> None:
    response = httpx.get(f"{live.url}/metrics", timeout=30)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    names = {f.name for f in text_string_to_metric_families(response.text)}
    assert names >= {"civicgraph_http_requests", "civicgraph_http_request_duration_seconds",
                     "civicgraph_queries", "civicgraph_query_duration_seconds",
                     "civicgraph_query_timeouts", "civicgraph_store_up",
                     "civicgraph_public_quads"}


# --- health --------------------------------------------------------------------------------------

class Faulty(Store):
    """An in-memory store that can be made to fail (``down``) or to hang (``stall``)."""

    kind = "faulty"

    def __init__(self, inner: Store) -> None:
        self.inner = inner
        self.down = False
        self.stall = 0.0

    def _check(self) -> None:
        if self.stall:
            time.sleep(self.stall)
        if self.down:
            raise StoreUnavailable("the store went away")

    def query(self, sparql: str, *, substitutions: Mapping[str, Term] | None = None,
              default_graph: Sequence[str] | None = None,
              named_graphs: Sequence[str] | None = None) -> QueryResult:
        self._check()
        return self.inner.query(sparql, substitutions=substitutions,
                                default_graph=default_graph, named_graphs=named_graphs)

    def update(self, sparql: str) -> None:
        self._check()
        self.inner.update(sparql)

    def replace_graph(self, graph: str, triples: Iterable[ox.Triple | ox.Quad],
                      *, metadata: Iterable[ox.Triple] = ()) -> None:
        self._check()
        self.inner.replace_graph(graph, triples, metadata=metadata)

    def drop_graph(self, graph: str) -> None:
        self._check()
        self.inner.drop_graph(graph)

    def graphs(self) -> list[str]:
        self._check()
        return self.inner.graphs()

    def count(self, graph: str | None = None) -> int:
        self._check()
        return self.inner.count(graph)

    def dump(self, out: BinaryIO, format: ox.RdfFormat,
             graphs: Sequence[str] | None = None) -> None:
        self._check()
        self.inner.dump(out, format, graphs)


@pytest.fixture
def faulty(serve: Any) -> Iterator[tuple[Live, Faulty]]:
    store = Faulty(example_store())
    with serve(store, health_timeout=1.0, query_workers=0) as live:
        live.app.state.maps.table()
        yield live, store


def _fresh_probe(live: Live) -> None:
    """Let the next ``/health`` probe the store again: a running probe has ended, and the
    last answer, kept for a second, is forgotten."""
    probe = live.app.state.store_probe
    until(lambda: probe._running is None, what="the running probe ends")
    probe._last = None


def _health(live: Live) -> tuple[int, dict[str, Any], float]:
    _fresh_probe(live)
    started = time.monotonic()
    response = httpx.get(f"{live.url}/health", timeout=30)
    return response.status_code, response.json(), time.monotonic() - started


def test_health_says_ok_with_the_store_size(faulty: tuple[Live, Faulty]) -> None:
    live, store = faulty
    status, body, _ = _health(live)
    assert status == 200
    public = sum(store.inner.count(g) for g in public_graphs(store.inner))
    assert body == {"status": "ok", "store": "faulty", "quads": public}


def test_health_is_503_when_the_store_fails_and_recovers(faulty: tuple[Live, Faulty]) -> None:
    live, store = faulty
    store.down = True
    status, body, _ = _health(live)
    assert status == 503 and body["status"] == "unavailable"
    assert "went away" in body["detail"]
    assert sample(metrics(live.url), "civicgraph_store_up") == 0
    store.down = False
    status, body, _ = _health(live)
    assert status == 200 and body["status"] == "ok"


def test_health_is_503_in_time_when_the_store_hangs(faulty: tuple[Live, Faulty]) -> None:
    live, store = faulty
    store.stall = 3.0
    try:
        # several checks at once share one probe of the store
        answers: list[tuple[int, float]] = []

        def check() -> None:
            started = time.monotonic()
            response = httpx.get(f"{live.url}/health", timeout=30)
            answers.append((response.status_code, time.monotonic() - started))

        _fresh_probe(live)
        threads = [threading.Thread(target=check) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert [status for status, _ in answers] == [503] * 4
        assert all(seconds < 2.5 for _, seconds in answers), answers
    finally:
        store.stall = 0.0
    status, _, _ = _health(live)   # once the hanging probe ends, the next one finds the store
    assert status == 200
