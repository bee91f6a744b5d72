"""Limits that hold: the time limit, the result cap and the per-client concurrency limit."""

from __future__ import annotations

import os
import threading
import time
from typing import Any

import httpx
import pytest

from tests.support.stores import example_store
from tests.support.waiting import until

# A cross product of the whole store with itself, three times: it never ends on its own, and
# COUNT makes Oxigraph compute it inside the first step, where no deadline check can reach.
ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
SMALL = "ASK { ?s a <http://www.w3.org/ns/org#Organization> }"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _workers(server: Any) -> set[int]:
    pool = server.app.state.engine._pool
    return {w.process.pid for w in pool._all}


def test_a_slow_query_is_stopped_with_503_while_others_are_answered(serve: Any) -> None:
    with serve(example_store(), query_timeout=2.0, query_workers=2) as server:
        before = _workers(server)
        slow: dict[str, Any] = {}

        def run_slow() -> None:
            started = time.monotonic()
            slow["response"] = httpx.get(f"{server.url}/sparql", params={"query": ENDLESS},
                                         timeout=30)
            slow["seconds"] = time.monotonic() - started

        thread = threading.Thread(target=run_slow)
        thread.start()
        until(lambda: server.app.state.client_limiter._running, what="the slow query runs")
        quick = httpx.get(f"{server.url}/sparql", params={"query": SMALL}, timeout=30)
        answered_while_slow_ran = thread.is_alive()
        thread.join(30)

        assert quick.status_code == 200 and quick.json()["boolean"] is True
        assert answered_while_slow_ran
        response = slow["response"]
        assert response.status_code == 503
        assert response.json()["error"] == "QueryTimeout"
        assert "stopped after 2 s" in response.json()["message"]
        assert 1.9 < slow["seconds"] < 5
        # the worker that ran it was killed (and is reaped in the background), and a fresh
        # one took its place
        killed = before - _workers(server)
        assert len(killed) == 1
        deadline = time.monotonic() + 10
        while any(_alive(pid) for pid in killed) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not any(_alive(pid) for pid in killed)
        # as many workers as before: the pool's two and the lane's (graph.engine.workers)
        deadline = time.monotonic() + 20
        while len(_workers(server)) < len(before) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(_workers(server)) == len(before) == 3
        again = httpx.get(f"{server.url}/sparql", params={"query": SMALL}, timeout=30)
        assert again.status_code == 200


@pytest.mark.parametrize(("query", "status"), [
    ("SELECT ?s WHERE { ?s ?p ?o } LIMIT 10", 200),
    ("SELECT ?s WHERE { ?s ?p ?o } LIMIT 11", 503),
    ("CONSTRUCT WHERE { ?s ?p ?o } LIMIT 10", 200),
    ("CONSTRUCT WHERE { ?s ?p ?o } LIMIT 11", 503),
])
def test_result_cap_refuses_whole_results_never_truncates(serve: Any, query: str,
                                                          status: int) -> None:
    with serve(example_store(), result_limit=10, query_workers=1) as server:
        for accept in ("application/sparql-results+json", "text/csv", "text/turtle"):
            response = httpx.get(f"{server.url}/sparql", params={"query": query},
                                 headers={"Accept": f"{accept}, */*;q=0.1"}, timeout=30)
            assert response.status_code == status, response.text
            if status == 503:
                assert response.json()["error"] == "ResultTooLarge"


def test_too_many_queries_from_one_client_get_429(serve: Any) -> None:
    with serve(example_store(), client_concurrency=1, query_timeout=2.0) as server:
        thread = threading.Thread(target=httpx.get, args=(f"{server.url}/sparql",),
                                  kwargs={"params": {"query": ENDLESS}, "timeout": 30})
        thread.start()
        until(lambda: server.app.state.client_limiter._running, what="the slow query runs")
        response = httpx.get(f"{server.url}/sparql", params={"query": SMALL}, timeout=30)
        thread.join(30)
        assert response.status_code == 429
        assert int(response.headers["retry-after"]) >= 1
        after = httpx.get(f"{server.url}/sparql", params={"query": SMALL}, timeout=30)
        assert after.status_code == 200


# --- query size and writes without a token ---------------------------------------------------

def _head_only(url: str, request: str, within: float = 15.0) -> bytes:
    """Send ``request`` (headers only: the body it announces is never sent) and read the
    answer's first bytes."""
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=within) as sock:
        sock.sendall(request.encode())
        return sock.recv(4096)


@pytest.mark.parametrize(("method", "path", "content_type"), [
    ("PUT", "/store?graph=https://w3id.org/civicgraph/id/graph/x", "text/turtle"),
    ("POST", "/store", "application/ld+json"),
    ("POST", "/imports", "multipart/form-data; boundary=x"),
    ("POST", "/sparql", "application/sparql-update"),
    ("DELETE", "/store?graph=https://w3id.org/civicgraph/id/graph/x", "text/turtle"),
])
@pytest.mark.parametrize("authorization", ["", "Authorization: Bearer wrong-token-0123456789\r\n"])
def test_writes_without_the_token_get_401_before_their_body(
        live: Any, method: str, path: str, content_type: str, authorization: str) -> None:
    answer = _head_only(live.url, f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                  f"{authorization}Content-Type: {content_type}\r\n"
                                  f"Content-Length: {64 * 1024 * 1024}\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 401"), answer[:200]


@pytest.mark.parametrize(("content_type", "field"), [
    ("application/sparql-query", None), ("application/sparql-update", None),
    ("application/x-www-form-urlencoded", "query"), ("application/x-www-form-urlencoded", "update"),
])
def test_query_and_update_text_past_the_limit_get_413(serve: Any, content_type: str,
                                                       field: str | None) -> None:
    from tests.support.live import CURATOR_TOKEN

    text = "ASK { }" + " " * 5000
    with serve(example_store(), max_query_bytes=4096) as server:
        body: Any = {field: text} if field else text.encode()
        answer = httpx.post(f"{server.url}/sparql", timeout=30,
                            **({"data": body} if field else {"content": body}),
                            headers={"Authorization": f"Bearer {CURATOR_TOKEN}",
                                     **({} if field else {"Content-Type": content_type})})
        assert answer.status_code == 413, answer.text
        assert "CIVICGRAPH_MAX_QUERY_BYTES" in answer.json()["message"]
        small = httpx.post(f"{server.url}/sparql", content=b"ASK { }", timeout=30,
                           headers={"Content-Type": "application/sparql-query",
                                    "Accept": "application/sparql-results+json"})
        assert small.status_code == 200


def test_a_declared_query_body_past_the_limit_is_refused_before_it_is_read(live: Any) -> None:
    answer = _head_only(live.url, "POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                  "Content-Type: application/sparql-query\r\n"
                                  f"Content-Length: {60 * 1024 * 1024}\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
