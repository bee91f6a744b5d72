"""Hostile input, measured: ``.venv/bin/python bench/bench_hostile.py``.

A civicgraph server (uvicorn on 127.0.0.1, the default limits, the example dataset in
memory, 127.0.0.1 trusted as a proxy so that ``X-Forwarded-For`` names distinct clients):

- **starvation**: one client runs as many endless queries as the pool has workers; the
  latency of a cheap query of other clients (20 in a row, median and worst), against the
  same with nobody saturating;
- **bounds**: for each language, the deepest input accepted (the bound) and the first
  refused, and the time to refuse it; the depth where the parser itself dies is in
  ``bench/RESULTS.md`` (measured once, each try in its own process: it kills the process);
- **64 MiB without a token**: the time from sending the headers of a ``PUT /store`` that
  announces 64 MiB without ``Authorization`` to its 401 (the body is never sent);
- **lexer**: the time to read 1 MiB of hostile query text (the largest a request may send);
- **1 MiB through the server**: such texts POSTed to ``/sparql`` by four clients at once, while
  ``/health`` is asked every 20 ms: its latency (median, worst) against the same with nothing
  else running (texts over 1 KiB are read in a parser process, ``graph.engine.parsing``).

Prints Markdown, with ``uptime``'s load averages at the start and the end.
"""

from __future__ import annotations

import os
import socket
import statistics
import sys
import threading
import time
from pathlib import Path

import httpx
import uvicorn

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from api.app import create_app  # noqa: E402
from api.serving import server_options  # noqa: E402
from api.settings import Settings  # noqa: E402
from graph.errors import BoundExceeded  # noqa: E402
from graph.ingest.bounds import (  # noqa: E402
    JSON_DEPTH,
    RDF_DEPTH,
    SPARQL_DEPTH,
    XML_DEPTH,
    check_sparql,
)
from graph.samples.example import ensure_example  # noqa: E402
from graph.sparql.lexer import tokens  # noqa: E402
from graph.store import open_store  # noqa: E402

TOKEN = "bench-hostile-curator-token-0123456789"  # noqa: S105 - a bench value
ENDLESS = "SELECT (COUNT(*) AS ?n{}) WHERE {{ ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }}"
CHEAP = "ASK { ?s a <http://www.w3.org/ns/org#Organization> }"
JSON = {"Accept": "application/sparql-results+json"}
E = "<http://e/p>"


def serve() -> tuple[str, uvicorn.Server, threading.Thread, object]:
    store = open_store("memory")
    ensure_example(store, imported_by="bench")
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    settings = Settings(store="memory", curator_token=TOKEN, trusted_proxies="127.0.0.1",
                        log_level="error", public_url=f"http://127.0.0.1:{port}")
    app = create_app(settings, store)
    server = uvicorn.Server(uvicorn.Config(app, log_level="error", proxy_headers=False,
                                           **server_options()))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}", server, thread, app


def cheap_latencies(url: str, n: int = 20) -> list[float]:
    seconds = []
    for i in range(n):
        start = time.perf_counter()
        answer = httpx.get(f"{url}/sparql", params={"query": CHEAP}, timeout=60,
                           headers={"X-Forwarded-For": f"198.51.100.{i}", **JSON})
        seconds.append(time.perf_counter() - start)
        assert answer.status_code == 200, answer.text
    return seconds


def starvation(url: str, app: object) -> list[str]:
    quiet = cheap_latencies(url)
    pool = app.state.engine._process_pool()  # type: ignore[attr-defined]
    threads = [threading.Thread(target=lambda n=n: httpx.get(
        f"{url}/sparql", params={"query": ENDLESS.format(n)}, timeout=120,
        headers={"X-Forwarded-For": "203.0.113.1", **JSON})) for n in range(pool.size)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 30
    while pool._idle._running["203.0.113.1"] < pool.size and time.monotonic() < deadline:
        time.sleep(0.01)
    busy = cheap_latencies(url)
    saturated = all(t.is_alive() for t in threads)
    for thread in threads:
        thread.join(120)
    return [
        "| cheap query of another client | median | worst |",
        "|---|---|---|",
        f"| nobody saturating | {statistics.median(quiet) * 1000:.0f} ms | "
        f"{max(quiet) * 1000:.0f} ms |",
        f"| one client holding all {pool.size} pool workers with endless queries"
        f"{'' if saturated else ' (ended early!)'} | {statistics.median(busy) * 1000:.0f} ms | "
        f"{max(busy) * 1000:.0f} ms |",
    ]


def _sparql(n: int) -> str:
    return "ASK { FILTER(" + "(1 + " * n + "1" + ")" * n + ") }"


def _turtle(n: int) -> bytes:
    return f"<http://a> {E} {f'[ {E} ' * n}1{' ]' * n} .".encode()


def _jsonld(n: int) -> bytes:
    return ('{"@id": "http://a", "http://p": ' + '[' * n + '1' + ']' * n + '}').encode()


def _rdfxml(n: int) -> bytes:
    return ('<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
            'xmlns:e="http://e/"><rdf:Description rdf:about="http://a">'
            + "<e:p><rdf:Description>" * n + "</rdf:Description></e:p>" * n
            + "</rdf:Description></rdf:RDF>").encode()


def bounds(url: str) -> list[str]:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    graph = "https://w3id.org/civicgraph/id/graph/bench-deep"
    rows = ["| language (input) | bound | accepted at | refused at | time to refuse |",
            "|---|---|---|---|---|"]
    # depth of each input per level n: SPARQL "(1 + " counts 2 (bracket, operator); a Turtle
    # blank node 1; JSON-LD arrays 1 (+1 for the outer object); RDF/XML 2 elements (+2)
    cases = [
        # "{" and "FILTER(" add 2 to the 2 per level of "(1 + "
        ("SPARQL query (nested sums)", SPARQL_DEPTH, SPARQL_DEPTH // 2 - 1, lambda n: httpx.post(
            f"{url}/sparql", content=_sparql(n), timeout=120,
            headers={"Content-Type": "application/sparql-query", **JSON})),
        ("Turtle (blank nodes)", RDF_DEPTH, RDF_DEPTH, lambda n: httpx.put(
            f"{url}/store", params={"graph": graph}, content=_turtle(n), timeout=120,
            headers={"Content-Type": "text/turtle", **auth})),
        ("JSON-LD (arrays)", JSON_DEPTH, JSON_DEPTH - 1, lambda n: httpx.put(
            f"{url}/store", params={"graph": graph}, content=_jsonld(n), timeout=120,
            headers={"Content-Type": "application/ld+json", **auth})),
        ("RDF/XML (elements)", XML_DEPTH, XML_DEPTH // 2 - 1, lambda n: httpx.put(
            f"{url}/store", params={"graph": graph}, content=_rdfxml(n), timeout=120,
            headers={"Content-Type": "application/rdf+xml", **auth})),
    ]
    for name, bound, levels, send in cases:
        accepted = send(levels)
        start = time.perf_counter()
        refused = send(levels + 1)
        seconds = time.perf_counter() - start
        rows.append(f"| {name} | {bound} | {levels} levels: {accepted.status_code} | "
                    f"{levels + 1} levels: {refused.status_code} | {seconds * 1000:.0f} ms |")
    return rows


def unauthenticated_64_mib(url: str) -> str:
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        start = time.perf_counter()
        sock.sendall(b"PUT /store?graph=https://w3id.org/civicgraph/id/graph/x HTTP/1.1\r\n"
                     b"Host: 127.0.0.1\r\nContent-Type: text/turtle\r\n"
                     + f"Content-Length: {64 * 2**20}\r\n\r\n".encode())
        first = sock.recv(64)
        seconds = time.perf_counter() - start
    status = first.split(b"\r\n")[0].decode()
    return f"{status} after {seconds * 1000:.1f} ms, body never sent"


def lexer() -> list[str]:
    rows = ["| 1 MiB of | tokens | seconds to lex all | bounds check (stops at the bound) |",
            "|---|---|---|---|"]
    for name, unit in [("'''x (an open long string)", "'''x"), ('"\\ (escapes)', '"\\'),
                       ("a. (dotted words)", "a."), ("?a+ (operators)", "?a+"),
                       ("<a  (broken IRIs)", "<a ")]:
        text = (unit * (2**20 // len(unit) + 1))[:2**20]
        start = time.perf_counter()
        count = sum(1 for _ in tokens(text))
        lexed = time.perf_counter() - start
        start = time.perf_counter()
        try:
            check_sparql(text)
            verdict = "accepted"
        except BoundExceeded as error:
            verdict = f"refused ({error.bound})"
        rows.append(f"| {name} | {count} | {lexed:.2f} | {verdict} after "
                    f"{time.perf_counter() - start:.2f} |")
    return rows


def _health(url: str, stop: threading.Event) -> list[float]:
    seconds = []
    with httpx.Client(timeout=30) as client:
        while not stop.is_set():
            start = time.perf_counter()
            client.get(f"{url}/health")
            seconds.append(time.perf_counter() - start)
            time.sleep(0.02)
    return seconds


def _sampled(url: str, work: object) -> list[float]:
    """/health latencies sampled while ``work()`` runs."""
    stop = threading.Event()
    health: list[float] = []
    sampler = threading.Thread(target=lambda: health.extend(_health(url, stop)))
    sampler.start()
    work()  # type: ignore[operator]
    stop.set()
    sampler.join()
    return health


def through_server(url: str) -> list[str]:
    """1 MiB hostile query texts POSTed by 4 clients at once; /health meanwhile."""
    quiet = _sampled(url, lambda: time.sleep(2))
    rows = ["| 1 MiB query text (4 clients at once) | answers | slowest answer | /health median "
            "| /health worst |", "|---|---|---|---|---|",
            f"| (nothing: /health alone) | | | {statistics.median(quiet) * 1000:.1f} ms | "
            f"{max(quiet) * 1000:.1f} ms |"]
    cases = [("long strings", "ASK {", "'''x", "}"), ("operators", "ASK {", "?a+", "}"),
             ("PREFIX declarations", "", "PREFIX p: <http://e/> ", "ASK {}"),
             ("triple patterns", "ASK {", "?s ?p ?o . ", "}")]
    for name, head, unit, tail in cases:
        text = head + unit * ((2**20 - 64) // len(unit)) + tail
        statuses: list[int] = []
        times: list[float] = []

        def send(n: int, text: str = text, times: list[float] = times,
                 statuses: list[int] = statuses) -> None:
            start = time.perf_counter()
            answer = httpx.post(f"{url}/sparql", content=text.encode(), timeout=180,
                                headers={"Content-Type": "application/sparql-query",
                                         "X-Forwarded-For": f"203.0.113.{10 + n}", **JSON})
            times.append(time.perf_counter() - start)
            statuses.append(answer.status_code)

        def work(send: object = send) -> None:
            senders = [threading.Thread(target=send, args=(n,))  # type: ignore[arg-type]
                       for n in range(4)]
            for thread in senders:
                thread.start()
            for thread in senders:
                thread.join(240)

        health = _sampled(url, work)
        counts = ", ".join(f"{statuses.count(c)}x {c}" for c in sorted(set(statuses)))
        rows.append(f"| {name} | {counts} | {max(times):.2f} s | "
                    f"{statistics.median(health) * 1000:.1f} ms | {max(health) * 1000:.1f} ms |")
    return rows


def main() -> None:
    print(f"load averages at start: {os.getloadavg()}")
    url, server, thread, app = serve()
    try:
        print("\n".join(starvation(url, app)), "\n")
        print("\n".join(bounds(url)), "\n")
        print("64 MiB PUT without a token:", unauthenticated_64_mib(url), "\n")
        print("\n".join(lexer()), "\n")
        print("\n".join(through_server(url)), "\n")
        # the same with every text analysed in the server process, as before the parsers
        import api.routes.sparql as route

        route.INLINE_BYTES = 1 << 30
        print("Analysed in the server process instead (for comparison):")
        print("\n".join(through_server(url)), "\n")
    finally:
        server.should_exit = True
        thread.join(30)
    print(f"load averages at end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
