"""Benchmark of the SPARQL endpoint: ``.venv/bin/python bench/bench_endpoint.py`` (one command).

On ~10^6 generated triples (``graph.samples.synthetic``, 10,000 organisations by default) in the
embedded on-disk store, it starts, on the loopback interface only:

- civicgraph (``civicgraph serve``, a separate process: uvicorn, FastAPI, the query workers);
- the Oxigraph server (``oxigraph serve --union-default-graph``) on a checkpoint of the same
  store (RocksDB lets one process open a store; a checkpoint shares its files),

then sends both the catalogue queries (parameters bound with a ``VALUES`` block, the same
text to both) as SPARQL Protocol POSTs asking for SPARQL JSON results, and measures in the
same run:

- latency: each query alone, ``--runs`` times per server, alternating; the median;
- throughput: ``--clients`` concurrent clients (8) cycling through the queries for
  ``--seconds``; completed queries per second.

It prints the ratios (civicgraph / Oxigraph; targets: latency <= 1.3x, throughput >= 70%)
and writes them into ``bench/RESULTS.md`` (section "SPARQL endpoint"). The generated store is
kept in ``var/bench/`` for the next runs.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

RESULTS = ROOT / "bench" / "RESULTS.md"
SECTION = "## SPARQL endpoint"
VENV_BIN = Path(sys.executable).parent
ACCEPT = "application/sparql-results+json"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def build(organisations: int, folder: Path) -> tuple[Path, Path, int]:
    """The civicgraph store and the Oxigraph server's checkpoint of it (made once)."""
    import pyoxigraph as ox

    from graph.namespaces import CG, DCTERMS, PROV, RDF, VOCABULARY_GRAPH, VOID, XSD
    from graph.samples.synthetic import SYNTHETIC_GRAPH, generate
    from graph.store import open_store
    from graph.vocabulary import vocabulary_triples

    ours, theirs, ready = folder / "civicgraph", folder / "oxigraph", folder / "READY"
    if ready.exists():
        return ours, theirs, int(ready.read_text())
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)

    def meta(graph: str) -> list[ox.Triple]:
        s = ox.NamedNode(graph)
        return [ox.Triple(s, ox.NamedNode(RDF + "type"), ox.NamedNode(VOID + "Dataset")),
                ox.Triple(s, ox.NamedNode(DCTERMS + "title"), ox.Literal(graph)),
                ox.Triple(s, ox.NamedNode(PROV + "generatedAtTime"), ox.Literal(
                    "2026-11-29T10:00:00Z", datatype=ox.NamedNode(XSD + "dateTime"))),
                ox.Triple(s, ox.NamedNode(CG + "access"), ox.NamedNode(CG + "Public"))]

    started = time.perf_counter()
    store = open_store(str(ours))
    store.replace_graph(VOCABULARY_GRAPH, vocabulary_triples(), metadata=meta(VOCABULARY_GRAPH))
    store.replace_graph(SYNTHETIC_GRAPH, generate(organisations, seed=1),
                        metadata=meta(SYNTHETIC_GRAPH))
    quads = store.count()
    inner = store.ox  # type: ignore[attr-defined]
    inner.optimize()
    inner.backup(str(theirs))
    store.close()
    ready.write_text(str(quads))
    print(f"built {quads:,} quads in {time.perf_counter() - started:.0f} s", flush=True)
    return ours, theirs, quads


def catalogue_queries(names: list[str] | None) -> dict[str, str]:
    """Each catalogue query with its default parameters bound as a VALUES block."""
    from graph.queries.catalogue import list_queries
    from graph.store.binding import bind_values

    return {q.name: bind_values(q.sparql, q.bind({})) for q in list_queries()
            if not names or q.name in names}


@dataclass
class Server:
    """A server process and how to send it a query."""

    name: str
    port: int
    path: str
    process: subprocess.Popen[bytes]
    log: Path

    def post(self, conn: http.client.HTTPConnection, query: str) -> tuple[int, bytes]:
        """POST ``query`` on ``conn``, reconnecting once if the server closed it (uvicorn
        closes a connection idle for 5 s, e.g. while the other server answers a slow query)."""
        body = urlencode({"query": query})
        headers = {"Accept": ACCEPT, "Content-Type": "application/x-www-form-urlencoded"}
        for attempt in (1, 2):
            try:
                conn.request("POST", self.path, body=body, headers=headers)
                response = conn.getresponse()
                return response.status, response.read()
            except (http.client.RemoteDisconnected, http.client.CannotSendRequest,
                    ConnectionError):
                conn.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(20)


def start_civicgraph(store: Path, workers: int, folder: Path) -> Server:
    port = free_port()
    log = folder / "civicgraph.log"
    env = {**os.environ, "CIVICGRAPH_QUERY_WORKERS": str(workers),
           "CIVICGRAPH_CLIENT_CONCURRENCY": "64", "CIVICGRAPH_QUERY_TIMEOUT": "120",
           # every query evaluated, as Oxigraph server does: no answers kept or shared
           "CIVICGRAPH_ANSWER_CACHE_MB": "0",
           "CIVICGRAPH_LOG_LEVEL": "warning"}
    process = subprocess.Popen(
        [str(VENV_BIN / "civicgraph"), "serve", "--empty", "--store", str(store),
         "--host", "127.0.0.1", "--port", str(port)],
        stdout=log.open("wb"), stderr=subprocess.STDOUT, env=env, cwd=ROOT)
    return Server("civicgraph", port, "/sparql", process, log)


def start_oxigraph(store: Path, folder: Path) -> Server:
    port = free_port()
    log = folder / "oxigraph.log"
    process = subprocess.Popen(
        [str(VENV_BIN / "oxigraph"), "serve", "--location", str(store), "--bind",
         f"127.0.0.1:{port}", "--union-default-graph", "--timeout-s", "120"],
        stdout=log.open("wb"), stderr=subprocess.STDOUT, cwd=ROOT)
    return Server("oxigraph", port, "/query", process, log)


def wait_ready(server: Server, limit: float = 300) -> None:
    """Until the server answers a query, then until its process is idle (the map service
    of civicgraph reads its usage table in the background when it starts)."""
    import psutil

    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.name} stopped: see {server.log}")
        try:
            conn = server.connect()
            status, _ = server.post(conn, "ASK { ?s ?p ?o }")
            conn.close()
            if status == 200:
                break
        except OSError:
            pass
        time.sleep(0.2)
    else:
        raise RuntimeError(f"{server.name} did not answer within {limit} s")
    process = psutil.Process(server.process.pid)
    while time.monotonic() < deadline:
        family = [process, *process.children(recursive=True)]
        busy = sum(p.cpu_percent(interval=None) for p in family)
        time.sleep(1.0)
        busy = sum(p.cpu_percent(interval=None) for p in family)
        if busy < 5:
            return




def first_pass(servers: list[Server], queries: dict[str, str]
               ) -> tuple[dict[str, dict[str, float]], dict[str, int]]:
    """Each query once on each server (the warm-up): seconds, and the row counts, which must
    agree."""
    seconds: dict[str, dict[str, float]] = {s.name: {} for s in servers}
    rows: dict[str, dict[str, int]] = {s.name: {} for s in servers}
    conns = {s.name: s.connect() for s in servers}
    for name, text in queries.items():
        for server in servers:
            started = time.perf_counter()
            status, body = server.post(conns[server.name], text)
            seconds[server.name][name] = time.perf_counter() - started
            if status != 200:
                raise RuntimeError(f"{server.name} answered {status} to {name}: {body[:300]!r}")
            rows[server.name][name] = len(json.loads(body)["results"]["bindings"])
        print(f"  {name}: {rows[servers[0].name][name]} rows, " + ", ".join(
            f"{s.name} {seconds[s.name][name] * 1000:.0f} ms" for s in servers), flush=True)
    first, *others = servers
    for other in others:
        if rows[other.name] != rows[first.name]:
            raise RuntimeError(f"the servers disagree: {rows}")
    return seconds, rows[first.name]


def latencies(servers: list[Server], queries: dict[str, str], runs: int
              ) -> dict[str, dict[str, float]]:
    """Median seconds of each query alone, per server (servers alternate run by run)."""
    conns = {s.name: s.connect() for s in servers}
    found: dict[str, dict[str, list[float]]] = {s.name: {} for s in servers}
    for name, text in queries.items():
        for _ in range(runs):
            for server in servers:
                started = time.perf_counter()
                status, _ = server.post(conns[server.name], text)
                found[server.name].setdefault(name, []).append(time.perf_counter() - started)
                assert status == 200
    return {s: {q: statistics.median(t) for q, t in by_query.items()}
            for s, by_query in found.items()}


@dataclass
class Load:
    completed: int = 0
    errors: int = 0
    times: list[float] = field(default_factory=list)


def throughput(server: Server, queries: dict[str, str], clients: int, seconds: float,
               ) -> tuple[float, float, int]:
    """(queries per second, median latency under load, errors) with ``clients`` clients."""
    load = Load()
    lock = threading.Lock()
    stop = time.monotonic() + seconds
    texts = list(queries.values())

    def client(number: int) -> None:
        order = texts[:]
        random.Random(number).shuffle(order)
        conn = server.connect()
        done = 0
        while time.monotonic() < stop:
            text = order[done % len(order)]
            started = time.perf_counter()
            try:
                status, _ = server.post(conn, text)
            except OSError:
                status = 0
                conn = server.connect()
            elapsed = time.perf_counter() - started
            done += 1
            with lock:
                if status == 200:
                    load.completed += 1
                    load.times.append(elapsed)
                else:
                    load.errors += 1
        conn.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    return load.completed / elapsed, statistics.median(load.times or [0.0]), load.errors


def write_results(text: str) -> None:
    old = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    start = old.find(SECTION)
    if start < 0:
        new = old.rstrip("\n") + "\n\n" + text
    else:
        end = old.find("\n## ", start + 1)
        new = old[:start] + text + (old[end + 1:] if end >= 0 else "")
    RESULTS.write_text(new.rstrip("\n") + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--organisations", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=7, help="latency runs per query and server")
    parser.add_argument("--seconds", type=float, default=30, help="throughput run length")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=max(2, os.cpu_count() or 2),
                        help="civicgraph's query worker processes")
    parser.add_argument("--interactive", type=float, default=2.0,
                        help="queries slower than this many seconds on Oxigraph are timed once "
                        "and left out of the throughput mix")
    parser.add_argument("--query", action="append", help="only these catalogue queries")
    parser.add_argument("--no-write", action="store_true", help="do not update RESULTS.md")
    args = parser.parse_args()

    folder = ROOT / "var" / "bench" / f"endpoint-{args.organisations}"
    ours_dir, theirs_dir, quads = build(args.organisations, folder)
    queries = catalogue_queries(args.query)
    servers = [start_civicgraph(ours_dir, args.workers, folder),
               start_oxigraph(theirs_dir, folder)]
    try:
        for server in servers:
            wait_ready(server)
        print("first pass (warm-up and row counts):", flush=True)
        once, counts = first_pass(servers, queries)
        fast = {n: q for n, q in queries.items() if once["oxigraph"][n] < args.interactive}
        print(f"latency of the {len(fast)} interactive queries, {args.runs} runs:", flush=True)
        medians = latencies(servers, fast, args.runs)
        for server in servers:
            for name in queries:
                medians[server.name].setdefault(name, once[server.name][name])
        print(f"throughput, {args.clients} clients, {args.seconds:g} s each:", flush=True)
        loads = {s.name: throughput(s, fast, args.clients, args.seconds) for s in servers}
    finally:
        for server in servers:
            server.stop()

    ours, theirs = medians["civicgraph"], medians["oxigraph"]
    ratios = {q: ours[q] / theirs[q] for q in queries}
    geo = statistics.geometric_mean(ratios.values())
    geo_fast = statistics.geometric_mean([ratios[q] for q in fast]) if fast else float("nan")
    rate = loads["civicgraph"][0] / loads["oxigraph"][0]
    lines = [
        SECTION, "",
        f"`.venv/bin/python bench/bench_endpoint.py --organisations {args.organisations}` "
        f"on {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"{quads:,} quads (the vocabulary and `graph.samples.synthetic` data) in the embedded "
        f"on-disk store; civicgraph with {args.workers} query workers; the Oxigraph server "
        "(`oxigraph serve --union-default-graph`) on a checkpoint of the same store; both on "
        "127.0.0.1, measured in the same run. Each catalogue query with its default "
        "parameters (a `VALUES` block), POSTed, SPARQL JSON results.", "",
        f"Latency: median of {args.runs} runs of each query alone, after a warm-up run; the "
        f"queries that take more than {args.interactive:g} s on Oxigraph (marked *) are timed "
        f"once. Throughput: {args.clients} concurrent clients cycling through the other "
        f"queries for {args.seconds:g} s.", "",
        "| query | rows | civicgraph | Oxigraph | ratio |", "|---|---|---|---|---|",
    ]
    for name in queries:
        mark = "" if name in fast else " *"
        lines.append(f"| {name}{mark} | {counts[name]} | {ours[name] * 1000:.1f} ms | "
                     f"{theirs[name] * 1000:.1f} ms | {ratios[name]:.2f} |")
    lines += [
        "", "| measure | civicgraph | Oxigraph | ratio | target |", "|---|---|---|---|---|",
        f"| latency, geometric mean of the ratios, {len(fast)} interactive queries | | | "
        f"{geo_fast:.2f}x | <= 1.3x |",
        f"| latency, geometric mean of the ratios, all {len(queries)} queries | | | "
        f"{geo:.2f}x | |",
        f"| throughput ({args.clients} clients) | {loads['civicgraph'][0]:.2f} q/s | "
        f"{loads['oxigraph'][0]:.2f} q/s | {rate:.0%} | >= 70% |",
        f"| median latency under load | {loads['civicgraph'][1] * 1000:.0f} ms | "
        f"{loads['oxigraph'][1] * 1000:.0f} ms | "
        f"{loads['civicgraph'][1] / loads['oxigraph'][1]:.2f}x | |",
        f"| errors under load | {loads['civicgraph'][2]} | {loads['oxigraph'][2]} | | 0 |",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    if not args.no_write:
        write_results(text)


if __name__ == "__main__":
    main()
