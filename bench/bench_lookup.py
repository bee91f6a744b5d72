"""Benchmark of a one-subject lookup through ``/sparql`` (``bench/bench_lookup.py``).

Issue 15, target 4: ``SELECT ?p ?o WHERE { <s> ?p ?o }`` through civicgraph's ``/sparql`` at
most 1.5x the Oxigraph server's latency, and at least its throughput at 8 and at 32 clients,
at ~10^6 triples, with the answer cache off (every request evaluated); reported with the cache
on too.

The data: ``civicgraph generate -n N`` (10,000 organisations: 1.05 x 10^6 triples), then
``civicgraph load --no-validate`` into an embedded store in ``var/bench/lookup-N/``; the
Oxigraph server gets a checkpoint of that same store (``Store.backup``), so both hold the same
quads. Kept for the next runs.

The servers, on 127.0.0.1 only: ``civicgraph serve`` (its defaults: request log at ``info``
into a file, metrics, limits; ``CIVICGRAPH_CLIENT_CONCURRENCY=64`` because every benchmark
client comes from the same address) and ``oxigraph serve --union-default-graph`` (civicgraph's
default dataset mode). Both answer the same random subjects (drawn once from the data, same
row counts checked before timing).

The load: ``wrk`` (Debian's ``wrk``; one thread, ``--clients`` connections, each sending its
next request when the last is answered) for ``--seconds`` per measure, servers alternating;
without ``wrk``, a Python load generator (threads and ``http.client``) does the same, and
says so. Printed: requests per second, p50 and p95 latency per server and concurrency, and
the ratios civicgraph / Oxigraph; ``--write`` puts the table into ``bench/RESULTS.md``
(section "One-subject lookup").
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_endpoint import Server, free_port  # noqa: E402

RESULTS = ROOT / "bench" / "RESULTS.md"
SECTION = "## One-subject lookup"
VENV_BIN = Path(sys.executable).parent
ACCEPT = "application/sparql-results+json"
QUERY = "SELECT ?p ?o WHERE {{ <{subject}> ?p ?o }}"


def build(organisations: int, folder: Path, subjects: int) -> tuple[Path, Path, list[str]]:
    """The civicgraph store, the Oxigraph server's checkpoint of it and the subjects asked
    (made once, then kept)."""
    ours, theirs, ready = folder / "civicgraph", folder / "oxigraph", folder / "READY"
    data, chosen = folder / "data.nt", folder / "subjects.txt"
    if not ready.exists():
        shutil.rmtree(ours, ignore_errors=True)
        shutil.rmtree(theirs, ignore_errors=True)
        folder.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        if not data.exists():
            subprocess.run([str(VENV_BIN / "civicgraph"), "generate", "-n", str(organisations),
                            "-o", str(data)], check=True)
        subprocess.run([str(VENV_BIN / "civicgraph"), "load", "--store", str(ours),
                        "--no-validate", "--quiet", "--by", "bench", str(data)], check=True)
        from graph.store import open_store

        store = open_store(str(ours))
        inner = store.ox  # type: ignore[attr-defined]
        inner.optimize()
        inner.backup(str(theirs))
        store.close()
        seen: dict[str, None] = {}
        with data.open(encoding="utf-8") as lines:
            for line in lines:
                if line.startswith("<"):
                    seen[line[1:line.index(">")]] = None
        pool = list(seen)
        chosen.write_text("\n".join(random.Random(1).sample(pool, min(subjects, len(pool))))
                          + "\n")
        ready.write_text("ok\n")
        print(f"built in {time.perf_counter() - started:.0f} s", flush=True)
    return ours, theirs, chosen.read_text().split()


def start_civicgraph(store: Path, folder: Path, *, cache_mb: int, tree: Path = ROOT,
                     name: str = "civicgraph") -> Server:
    """``civicgraph serve`` of the source tree ``tree`` (another checkout: its own code)."""
    port = free_port()
    log = folder / f"{name}-cache{cache_mb}.log"
    env = {**os.environ, "CIVICGRAPH_CLIENT_CONCURRENCY": "64",
           "CIVICGRAPH_ANSWER_CACHE_MB": str(cache_mb), "CIVICGRAPH_LOG_LEVEL": "info"}
    process = subprocess.Popen(
        [sys.executable, "-c", "from api.cli import main; main()", "serve", "--empty",
         "--store", str(store), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log.open("wb"), stderr=subprocess.STDOUT, env=env, cwd=tree)
    return Server(name, port, "/sparql", process, log)


def start_oxigraph(store: Path, folder: Path) -> Server:
    """``oxigraph serve`` of the checkpoint, without a query timeout: with ``--timeout-s`` (as
    ``bench_endpoint`` starts it) Oxigraph 0.5.13 starts a thread per query that lives for the
    whole timeout, and at thousands of lookups a second it runs out of threads (500s with
    "Resource temporarily unavailable", then a crash) within seconds."""
    port = free_port()
    log = folder / "oxigraph.log"
    process = subprocess.Popen(
        [str(VENV_BIN / "oxigraph"), "serve", "--location", str(store), "--bind",
         f"127.0.0.1:{port}", "--union-default-graph"],
        stdout=log.open("wb"), stderr=subprocess.STDOUT, cwd=ROOT)
    return Server("oxigraph", port, "/query", process, log)


def wait_ready(server: Server, limit: float = 600) -> None:
    """Until the server answers, then until its processes are idle (civicgraph reads its maps'
    usage table and computes their metrics in the background when it starts)."""
    import psutil

    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.name} stopped: see {server.log}")
        try:
            conn = server.connect()
            conn.request("GET", f"{server.path}?query=ASK%7B%7D")
            ok = conn.getresponse().status == 200
            conn.close()
            if ok:
                break
        except OSError:
            pass
        time.sleep(0.2)
    root = psutil.Process(server.process.pid)
    while time.monotonic() < deadline:
        busy = 0.0
        for process in [root, *root.children(recursive=True)]:
            try:
                before = process.cpu_times()
                time.sleep(0.5)
                after = process.cpu_times()
            except psutil.NoSuchProcess:
                continue
            busy += (after.user + after.system - before.user - before.system) / 0.5
        if busy < 0.05:
            return
    raise RuntimeError(f"{server.name} was still busy after {limit:g} s")


def target(server: Server, subject: str) -> str:
    """The path and query string of a GET lookup of ``subject``."""
    return f"{server.path}?{urlencode({'query': QUERY.format(subject=subject)}, quote_via=quote)}"


def rows(server: Server, subject: str) -> int:
    conn = server.connect()
    try:
        conn.request("GET", target(server, subject), headers={"Accept": ACCEPT})
        response = conn.getresponse()
        body = response.read()
    finally:
        conn.close()
    if response.status != 200:
        raise RuntimeError(f"{server.name} answered {response.status}: {body[:300]!r}")
    return len(json.loads(body)["results"]["bindings"])


@dataclass
class Measure:
    """One load run: requests per second, latency percentiles (seconds), errors, and the CPU
    seconds the server's processes used per request."""

    rate: float
    p50: float
    p95: float
    errors: int
    cpu: float = 0.0


def cpu_seconds(server: Server) -> float:
    """CPU seconds used so far by the server's process and its children."""
    import psutil

    total = 0.0
    try:
        root = psutil.Process(server.process.pid)
        family = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0
    for process in family:
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system + times.children_user + times.children_system
    return total


WRK_SCRIPT = """
local paths = {%s}
local n = #paths
math.randomseed(%d)
request = function()
  return wrk.format("GET", paths[math.random(n)], {["Accept"] = "%s"})
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('\\nRESULT {"requests": %%d, "us": %%d, "p50": %%d, "p95": %%d, '
    .. '"errors": %%d}\\n', summary.requests, summary.duration, latency:percentile(50),
    latency:percentile(95), e.connect + e.read + e.write + e.status + e.timeout))
end
"""


def load_wrk(server: Server, subjects: list[str], clients: int, seconds: float,
             folder: Path) -> Measure:
    paths = ", ".join(json.dumps(target(server, s)) for s in subjects)
    script = folder / f"wrk-{server.name}.lua"
    script.write_text(WRK_SCRIPT % (paths, clients, ACCEPT))
    done = subprocess.run(
        ["wrk", "-t1", f"-c{clients}", f"-d{seconds:g}s", "--timeout", "30s", "-s", str(script),
         f"http://127.0.0.1:{server.port}"], capture_output=True, text=True, check=True)
    line = next(li for li in done.stdout.splitlines() if li.startswith("RESULT "))
    found = json.loads(line[len("RESULT "):])
    return Measure(found["requests"] / (found["us"] / 1e6), found["p50"] / 1e6,
                   found["p95"] / 1e6, found["errors"])


def load_python(server: Server, subjects: list[str], clients: int, seconds: float,
                folder: Path) -> Measure:
    times: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(number: int) -> None:
        pick = random.Random(number)
        conn = server.connect()
        while time.monotonic() < stop:
            started = time.perf_counter()
            try:
                conn.request("GET", target(server, pick.choice(subjects)),
                             headers={"Accept": ACCEPT})
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
                conn = server.connect()
            elapsed = time.perf_counter() - started
            with lock:
                if ok:
                    times.append(elapsed)
                else:
                    errors[0] += 1
        conn.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    times.sort()
    return Measure(len(times) / elapsed, statistics.median(times or [0.0]),
                   times[int(0.95 * (len(times) - 1))] if times else 0.0, errors[0])


def handoff(store_dir: Path, subjects: list[str], count: int) -> list[str]:
    """Where a lookup's time goes without HTTP, in this process, on the same store: the same
    ``count`` lookups answered in the calling thread (``InlineLookups``), then through the
    engine's worker processes (``QueryEngine.run``, as every query was before), then the
    steps of the first alone; mean wall and CPU microseconds per lookup."""
    import pyoxigraph as ox

    from api.querying import InlineLookups, lookup_subject
    from graph.engine.execution import QueryEngine
    from graph.engine.snapshots import VersionedStore
    from graph.sparql.request import analyse_query, execute, visible_graphs
    from graph.store import open_store

    texts = [QUERY.format(subject=s) for s in subjects[:count]]
    store = VersionedStore(open_store(str(store_dir)))
    engine = QueryEngine(store, workers=2, answer_cache=0)
    engine.start()
    inline = InlineLookups(engine)
    jobs = [engine.job(text, "public") for text in texts]
    infos = [lookup_subject(text) for text in texts]
    visible = visible_graphs(store, "public")
    native = store.native
    assert native is not None

    def timed(step: Callable[[int], object]) -> tuple[float, float]:
        for i in range(min(50, count)):   # warm-up
            step(i)
        wall, cpu = time.perf_counter(), time.process_time()
        for i in range(count):
            step(i)
        return ((time.perf_counter() - wall) / count * 1e6,
                (time.process_time() - cpu) / count * 1e6)

    steps: dict[str, Callable[[int], object]] = {
        "answered in the calling thread (InlineLookups.answer)":
            lambda i: inline.answer(jobs[i], infos[i]),  # type: ignore[arg-type]
        "through a worker process (QueryEngine.run)": lambda i: engine.run(jobs[i]),
        "analyse_query (the lexer) alone": lambda i: analyse_query(texts[i]),
        "execute alone (query, TSV, JSON)": lambda i: execute(
            store, jobs[i], lambda scope: visible, None, info=infos[i][1]),  # type: ignore[index]
        "pyoxigraph alone: query and JSON written directly": lambda i: native.query(
            texts[i], use_default_graph_as_union=True).serialize(
                format=ox.QueryResultsFormat.JSON),
    }
    try:
        lines = ["| step | wall per lookup | CPU of this process per lookup |", "|---|---:|---:|"]
        for name, step in steps.items():
            wall, cpu = timed(step)
            print(f"  {name}: {wall:.0f} us wall, {cpu:.0f} us CPU", flush=True)
            lines.append(f"| {name} | {wall:.0f} µs | {cpu:.0f} µs |")
    finally:
        engine.close()
        store.close()
    return lines


def uptime() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def measure(servers: list[Server], subjects: list[str], levels: list[int], seconds: float,
            rounds: int, folder: Path) -> dict[tuple[str, int], Measure]:
    """Each server at each concurrency, ``rounds`` times, alternating; the round with the
    median rate is kept."""
    loader = load_wrk if shutil.which("wrk") else load_python
    found: dict[tuple[str, int], list[Measure]] = {}
    for clients in levels:
        for _ in range(rounds):
            for server in servers:
                before = cpu_seconds(server)
                result = loader(server, subjects, clients, seconds, folder)
                result.cpu = (cpu_seconds(server) - before) / max(result.rate * seconds, 1)
                found.setdefault((server.name, clients), []).append(result)
                print(f"  {server.name:10} {clients:3} clients: {result.rate:8.0f} req/s, "
                      f"p50 {result.p50 * 1000:.2f} ms, p95 {result.p95 * 1000:.2f} ms, "
                      f"{result.errors} errors, CPU {result.cpu * 1e6:.0f} us/request",
                      flush=True)
    return {key: sorted(runs, key=lambda m: m.rate)[len(runs) // 2]
            for key, runs in found.items()}


def table(results: dict[tuple[str, int], Measure], levels: list[int],
          ours_name: str = "civicgraph") -> list[str]:
    lines = [f"| clients | {ours_name} req/s | Oxigraph req/s | throughput ratio | "
             f"{ours_name} p50 | Oxigraph p50 | p50 ratio | {ours_name} p95 | Oxigraph p95 | "
             f"p95 ratio | CPU per request ({ours_name} / Oxigraph) | errors |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for clients in levels:
        ours, theirs = results[ours_name, clients], results["oxigraph", clients]
        lines.append(
            f"| {clients} | {ours.rate:,.0f} | {theirs.rate:,.0f} | "
            f"{ours.rate / theirs.rate:.2f} | {ours.p50 * 1000:.2f} ms | "
            f"{theirs.p50 * 1000:.2f} ms | {ours.p50 / theirs.p50:.2f} | "
            f"{ours.p95 * 1000:.2f} ms | {theirs.p95 * 1000:.2f} ms | "
            f"{ours.p95 / theirs.p95:.2f} | {ours.cpu * 1e6:.0f} / {theirs.cpu * 1e6:.0f} µs "
            f"({ours.cpu / theirs.cpu:.1f}x) | {ours.errors} / {theirs.errors} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--organisations", type=int, default=10_000)
    parser.add_argument("--subjects", type=int, default=2000, help="distinct subjects asked")
    parser.add_argument("--clients", type=int, action="append",
                        help="concurrent clients (repeatable; default 1, 8 and 32)")
    parser.add_argument("--seconds", type=float, default=10, help="length of one load run")
    parser.add_argument("--rounds", type=int, default=3,
                        help="runs per server and concurrency (alternating; median kept)")
    parser.add_argument("--cache", choices=["off", "on", "both"], default="both",
                        help="civicgraph's answer cache (off: CIVICGRAPH_ANSWER_CACHE_MB=0)")
    parser.add_argument("--handoff", type=int, default=1000,
                        help="lookups timed without HTTP, in and out of the workers (0: none)")
    parser.add_argument("--before", type=Path, default=None,
                        help="another source tree (e.g. a checkout of an earlier commit) served "
                        "too, on a copy of the store, in the same rounds")
    parser.add_argument("--write", action="store_true", help="add the tables to RESULTS.md")
    args = parser.parse_args()
    levels = args.clients or [1, 8, 32]

    folder = ROOT / "var" / "bench" / f"lookup-{args.organisations}"
    ours_dir, theirs_dir, subjects = build(args.organisations, folder, args.subjects)
    before_dir = folder / "civicgraph-before"
    if args.before is not None and not before_dir.exists():
        shutil.copytree(ours_dir, before_dir)
    start_load = uptime()
    steps = []
    if args.handoff:
        print("without HTTP, in this process:", flush=True)
        steps = handoff(ours_dir, subjects, min(args.handoff, len(subjects)))
    work = Path(tempfile.mkdtemp(prefix="lookup-", dir=folder))
    oxigraph = start_oxigraph(theirs_dir, folder)
    tables: dict[str, list[str]] = {}
    try:
        wait_ready(oxigraph)
        for cache in (["off", "on"] if args.cache == "both" else [args.cache]):
            cache_mb = 0 if cache == "off" else 64
            ours = start_civicgraph(ours_dir, folder, cache_mb=cache_mb)
            before = None if args.before is None else start_civicgraph(
                before_dir, folder, cache_mb=cache_mb, tree=args.before, name="before")
            try:
                wait_ready(ours)
                servers = [ours, oxigraph]
                if before is not None:
                    wait_ready(before)
                    servers.insert(1, before)
                for subject in subjects[:50]:
                    counts = {s.name: rows(s, subject) for s in servers}
                    if len(set(counts.values())) != 1:
                        raise RuntimeError(f"the servers disagree on <{subject}>: {counts}")
                print(f"answer cache {cache}:", flush=True)
                results = measure(servers, subjects, levels, args.seconds, args.rounds, work)
                tables[cache] = table(results, levels)
                if before is not None:
                    tables[cache + ", before"] = table(results, levels, "before")
            finally:
                ours.stop()
                if before is not None:
                    before.stop()
    finally:
        oxigraph.stop()
        shutil.rmtree(work, ignore_errors=True)
    end_load = uptime()
    loader = "wrk (one thread)" if shutil.which("wrk") else "a Python load generator (threads)"
    clients = " ".join(f"--clients {c}" for c in levels)
    lines = [
        f"`.venv/bin/python bench/bench_lookup.py --organisations {args.organisations} "
        f"{clients} --seconds {args.seconds:g} --rounds {args.rounds} --cache {args.cache} "
        f"--handoff {args.handoff}{'' if args.before is None else f' --before {args.before}'}` "
        f"on {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; load averages {start_load} at the start, "
        f"{end_load} at the end. GET `/sparql` (civicgraph) and `/query` (Oxigraph server, "
        f"`--union-default-graph`) with `{QUERY.format(subject='s')}` for random subjects among "
        f"{len(subjects):,}, SPARQL JSON results; load by {loader}, {args.seconds:g} s per run, "
        f"servers alternating, the median of {args.rounds} runs (by rate) kept.",
    ]
    for cache, rows_ in tables.items():
        if cache.endswith(", before"):
            lines += ["", f"The same, `{args.before}` (`--before`) served in the same rounds:",
                      "", *rows_]
            continue
        what = ("off (`CIVICGRAPH_ANSWER_CACHE_MB=0`: every request evaluated)" if cache == "off"
                else "on (64 MiB, the default: a subject asked again is answered from memory)")
        lines += ["", f"Answer cache {what}:", "", *rows_]
    if steps:
        lines += ["", f"Without HTTP (`--handoff {args.handoff}`): the same lookups in the "
                  "benchmark's own process, on the same store, one at a time.", "", *steps]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.write:
        old = RESULTS.read_text()
        RESULTS.write_text(old.rstrip("\n") + f"\n\n{SECTION} "
                           f"({dt.date.today():%Y-%m-%d})\n\n{text}")


if __name__ == "__main__":
    main()
