"""Remote engines and replicas: ``.venv/bin/python bench/bench_engines.py [--write]``.

On ~10^6 generated triples (``graph.samples.synthetic``, ``--organisations 10000``), on the loopback
interface only, measured in the same run:

1. **Load rate** into each engine, triples per second, of the same N-Triples file:
   - Oxigraph: ``oxigraph load`` into a fresh store (the engine's bulk loader) and one plain
     Graph Store ``PUT`` of the whole file with httpx into a fresh ``oxigraph serve`` (the
     engine's own Graph Store upload, no civicgraph code), against civicgraph writing to an
     ``oxigraph serve`` as ``RemoteStore.replace_graphs`` does it (``graph.store.batching``:
     50,000-triple ``POST``s to a staging graph with a resumable ledger, then one ``MOVE``);
   - Virtuoso: ``ld_dir`` + ``rdf_loader_run`` + ``checkpoint`` through ``isql`` into a fresh
     database against civicgraph's ``VirtuosoStore`` (batched upload, then one
     ``DELETE … INSERT`` commit) into another fresh database.
   civicgraph's parse and SHACL validation (done once, the same for every engine) are
   reported apart; so the batched load against the plain ``PUT`` is the cost of
   civicgraph's batching alone.
2. **Catalogue latency through the API**: ``civicgraph serve --store URL`` over each engine
   holding the data and the vocabulary; each catalogue query by ``GET /queries/{name}``
   (JSON), ``--runs`` times after one warm-up; the median.
3. **Throughput of one and two API replicas** over one Oxigraph server: ``--clients``
   concurrent clients for ``--seconds`` each, sending a light SPARQL lookup (one
   organisation's triples, a different one each time) and, separately, the fastest catalogue
   queries; the two replicas are used in turn, as a reverse proxy would.

The generated file and the engines' databases live in ``var/bench/engines/``. The load
average is recorded at the start and at the end (the machine may be shared). ``--write``
replaces the section "Remote engines and replicas" of ``bench/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pyoxigraph as ox

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.engines_report import VIRTUOSO_BUFFERS, render  # noqa: E402
from bench.results import write_section  # noqa: E402
from bench.servers import (  # noqa: E402
    SCRIPT,
    Replica,
    Virtuoso,
    oxigraph_executable,
    start_replica,
    start_server,
    start_virtuoso,
    stop_server,
    stop_virtuoso,
)
from graph.errors import CivicgraphError  # noqa: E402
from graph.ingest import validation  # noqa: E402
from graph.ingest.loading import describe, load_vocabulary, parse  # noqa: E402
from graph.namespaces import graph_iri  # noqa: E402
from graph.queries.catalogue import list_queries  # noqa: E402
from graph.samples.synthetic import write  # noqa: E402
from graph.store import batching  # noqa: E402
from graph.store.remote import RemoteStore  # noqa: E402
from graph.store.virtuoso import VirtuosoStore  # noqa: E402
from graph.vocabulary import shapes_path  # noqa: E402

WORK = ROOT / "var" / "bench" / "engines"
GRAPH = graph_iri("synthetic")
SECTION = "Remote engines and replicas"
ORGANISATIONS = [10_000]   # set from the command line


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


# -- data --------------------------------------------------------------------------------

def generated(organisations: int) -> tuple[Path, int]:
    WORK.mkdir(parents=True, exist_ok=True)
    path = WORK / f"synthetic-{organisations}.nt"
    count = WORK / f"synthetic-{organisations}.count"
    if not path.exists() or not count.exists():
        log(f"generating {organisations} organisations into {path}")
        count.write_text(str(write(organisations, path)))
    return path, int(count.read_text())


def metadata(triples: int, sha256: str) -> list[ox.Triple]:
    return describe(GRAPH, title="synthetic", source="bench", licence=None,
                    imported_by="bench", access="public", triples=triples, sha256=sha256,
                    moment=dt.datetime.now(dt.UTC))


def fresh(name: str) -> Path:
    folder = WORK / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


SERVERS: dict[str, int] = {}


@contextmanager
def oxigraph_server(name: str) -> Iterator[str]:
    server = start_server(fresh(name))
    SERVERS[server.url] = server.process.pid
    try:
        yield server.url
    finally:
        stop_server(server.process)


def oxigraph_pid(url: str) -> int:
    return SERVERS[url]


@contextmanager
def virtuoso(name: str) -> Iterator[Virtuoso]:
    os.environ["VIRTUOSO_BUFFERS"] = VIRTUOSO_BUFFERS
    server = start_virtuoso(fresh(name))
    try:
        yield server
    finally:
        stop_virtuoso(server)


# -- 1. loading -------------------------------------------------------------------------

def load_oxigraph_bulk(data: Path) -> float:
    folder = fresh("oxigraph-bulk")
    return timed(lambda: subprocess.run(
        [oxigraph_executable(), "load", "--location", str(folder / "store"), "--file",
         str(data)], check=True, capture_output=True))


def load_virtuoso_bulk(data: Path) -> float:
    with virtuoso("virtuoso-bulk") as server:
        shutil.copy(data, server.directory / data.name)
        script = (f"ld_dir('{server.directory}', '{data.name}', 'urn:bench:bulk');\n"
                  "rdf_loader_run();\ncheckpoint;\n")
        seconds = timed(lambda: subprocess.run(
            ["isql-vt", f"127.0.0.1:{server.sql_port}", server.user, server.password],
            input=script, text=True, check=True, capture_output=True, timeout=3600))
        store = server.open()
        try:
            loaded = store.count("urn:bench:bulk")
        finally:
            store.close()
        log(f"virtuoso bulk: {loaded} triples in {seconds:.1f} s")
        return seconds


def load_oxigraph_gsp(data: Path, triples: int) -> float:
    """Seconds of one Graph Store ``PUT`` of ``data`` into a fresh ``oxigraph serve``."""
    with oxigraph_server("oxigraph-gsp") as url, data.open("rb") as body:
        # a file object: httpx sends it with its Content-Length, without reading it whole
        seconds = timed(lambda: httpx.put(
            f"{url}/store", params={"graph": GRAPH}, content=body,
            headers={"Content-Type": "application/n-triples"}, timeout=3600,
        ).raise_for_status())
        counted = httpx.post(
            f"{url}/query", content=f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }}",
            headers={"Content-Type": "application/sparql-query",
                     "Accept": "text/csv"}, timeout=600)
        counted.raise_for_status()
        loaded = int(counted.text.split()[-1])
        if loaded != triples:
            raise RuntimeError(f"the Graph Store PUT left {loaded} triples, not {triples}")
        return seconds


def quads_of(parsed: ox.Store) -> Iterator[ox.Quad]:
    return parsed.quads_for_pattern(None, None, None, ox.DefaultGraph())


def load_through_civicgraph(store: RemoteStore, parsed: ox.Store, triples: int
                            ) -> tuple[float, float]:
    """Seconds of a replacement in batches as ``RemoteStore.replace_graphs`` does it, and of
    its commit."""
    described = metadata(triples, "bench")
    spent: list[float] = []
    commit = batching.move_commit(store)

    def measured(*args: object) -> None:
        started = time.perf_counter()
        commit(*args)  # type: ignore[arg-type]
        spent.append(time.perf_counter() - started)

    total = timed(lambda: batching.replace_in_batches(
        store, {GRAPH: quads_of(parsed)}, metadata=described, commit=measured))
    return total, spent[0]


def virtuoso_commit_seconds(store: VirtuosoStore, parsed: ox.Store, triples: int
                            ) -> tuple[float, float]:
    """Total seconds of a replacement on Virtuoso, and the seconds of its commit."""
    spent: list[float] = []
    commit = store._commit

    def measured(*args: object) -> None:
        started = time.perf_counter()
        commit(*args)  # type: ignore[arg-type]
        spent.append(time.perf_counter() - started)

    store._commit = measured  # type: ignore[method-assign]
    total = timed(lambda: store.replace_graph(GRAPH, quads_of(parsed),
                                              metadata=metadata(triples, "bench")))
    return total, spent[0]


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_idle(pids: list[int], *, limit: float = 900.0) -> None:
    """Wait until ``pids`` use less than 5 % of a core over 3 s (e.g. the maps warm-up of a
    new API process is over), at most ``limit`` seconds."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        before = sum(cpu_seconds(p) for p in pids)
        time.sleep(3)
        if sum(cpu_seconds(p) for p in pids) - before < 0.15:
            return
    log(f"still busy after {limit:g} s: measuring anyway")


# -- 2. latency through the API -----------------------------------------------------------

def store_latency(store: RemoteStore, runs: int) -> dict[str, float | str]:
    """Each catalogue query run by the store itself (no API), public graphs, median."""
    from graph.privacy.access import public_graphs
    from graph.queries.catalogue import run

    graphs = public_graphs(store)
    out: dict[str, float | str] = {}
    for query in list_queries():
        seconds = []
        try:
            for _ in range(runs + 1):
                started = time.perf_counter()
                list(run(store, query.name, default_graph=graphs))  # type: ignore[call-overload]
                seconds.append(time.perf_counter() - started)
        except CivicgraphError as error:
            out[query.name] = f"{type(error).__name__}"
            log(f"{query.name}: {error}")
            if "cannot be reached" in str(error):
                break
            continue
        out[query.name] = statistics.median(seconds[1:])
    return out


def catalogue_latency(replica: Replica, runs: int) -> dict[str, float | str]:
    out: dict[str, float | str] = {}
    for query in list_queries():
        url = f"{replica.url}/queries/{query.name}"
        try:
            first = httpx.get(url, headers={"Accept": "application/json"}, timeout=600)
        except httpx.TransportError as error:
            out[query.name] = type(error).__name__
            continue
        if first.status_code != 200:
            detail = first.json().get("error", "") if first.headers.get(
                "content-type", "").startswith("application/json") else ""
            out[query.name] = f"HTTP {first.status_code} {detail}".strip()
            log(f"{query.name}: {first.text[:300]}")
            continue
        seconds = []
        for _ in range(runs):
            started = time.perf_counter()
            response = httpx.get(url, headers={"Accept": "application/json"}, timeout=600)
            seconds.append(time.perf_counter() - started)
            assert response.status_code == 200
        out[query.name] = statistics.median(seconds)
    return out


# -- 3. throughput ------------------------------------------------------------------------

def throughput(replicas: list[Replica], request: Callable[[httpx.Client, str, int], None],
               clients: int, seconds: float) -> float:
    done = [0] * clients
    stop = time.monotonic() + seconds
    counter = itertools.count()

    def client(number: int) -> None:
        with httpx.Client(timeout=120) as http:
            for turn in counter:
                if time.monotonic() >= stop:
                    return
                request(http, replicas[turn % len(replicas)].url, turn)
                done[number] += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(done) / (time.monotonic() - started)


def lookup(http: httpx.Client, base: str, turn: int) -> None:
    organisation = f"https://w3id.org/civicgraph/id/org/s-{turn % ORGANISATIONS[0]:07d}"
    response = http.get(f"{base}/sparql", headers={"Accept": "application/sparql-results+json"},
                        params={"query": f"SELECT ?p ?o WHERE {{ <{organisation}> ?p ?o }}"})
    response.raise_for_status()


def catalogue_mix(names: list[str]) -> Callable[[httpx.Client, str, int], None]:
    def request(http: httpx.Client, base: str, turn: int) -> None:
        response = http.get(f"{base}/queries/{names[turn % len(names)]}",
                            headers={"Accept": "application/json"})
        response.raise_for_status()

    return request


# -- the run -------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--organisations", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--write", action="store_true", help="update bench/RESULTS.md")
    args = parser.parse_args()
    load_start = os.getloadavg()
    if shutil.which("virtuoso-t") is None:
        subprocess.run([str(SCRIPT), "install"], check=True)

    data, triples = generated(args.organisations)
    log(f"{triples} triples in {data}")
    ORGANISATIONS[0] = args.organisations
    started = time.perf_counter()
    parsed = parse(data.read_bytes(), ox.RdfFormat.N_TRIPLES, source=data.name)
    parse_s = time.perf_counter() - started
    validate_s = timed(lambda: validation.validate(parsed, shapes_path("core")))
    log(f"parse {parse_s:.1f} s, validate {validate_s:.1f} s")

    loads: dict[str, float] = {}
    loads["oxigraph load"] = load_oxigraph_bulk(data)
    log(f"oxigraph load: {loads['oxigraph load']:.1f} s")
    loads["oxigraph Graph Store PUT"] = load_oxigraph_gsp(data, triples)
    log(f"oxigraph Graph Store PUT: {loads['oxigraph Graph Store PUT']:.1f} s")
    loads["virtuoso bulk"] = load_virtuoso_bulk(data)

    latency: dict[str, dict[str, float | str]] = {}
    rates: dict[str, float] = {}
    environment = {"CIVICGRAPH_QUERY_TIMEOUT": "180", "CIVICGRAPH_RESULT_LIMIT": "1000000"}
    with virtuoso("virtuoso") as server:
        store = server.open(timeout=180, update_timeout=3600)
        try:
            total, commit = virtuoso_commit_seconds(store, parsed, triples)
            loads["civicgraph → virtuoso"], loads["virtuoso commit"] = total, commit
            log(f"civicgraph -> virtuoso: {total:.1f} s (commit {commit:.1f} s)")
            load_vocabulary(store)
            latency["Virtuoso, store"] = store_latency(store, args.runs)
        finally:
            store.close()
        # Virtuoso may stop answering after a query it could not finish (wave_changes)
        stop_virtuoso(server)
        server = start_virtuoso(server.directory)
        replica = start_replica(server.location, WORK / "serve-virtuoso.log",
                                extra_env=environment, wait=300)
        try:
            wait_idle([replica.process.pid])
            latency["Virtuoso, API"] = catalogue_latency(replica, args.runs)
        finally:
            replica.stop()

    with oxigraph_server("oxigraph-server") as url:
        store = RemoteStore(url, timeout=600, update_timeout=3600)
        try:
            total, commit = load_through_civicgraph(store, parsed, triples)
            loads["civicgraph → oxigraph (batched)"] = total
            loads["oxigraph commit"] = commit
            log(f"batched: {total:.1f} s (commit {commit:.1f} s)")
            load_vocabulary(store)
            latency["Oxigraph server, store"] = store_latency(store, args.runs)
        finally:
            store.close()
        first = start_replica(url, WORK / "serve-oxigraph-1.log", extra_env=environment,
                              wait=300)
        second = None
        engine = oxigraph_pid(url)
        try:
            wait_idle([first.process.pid, engine])
            latency["Oxigraph server, API"] = catalogue_latency(first, args.runs)
            ranked = latency["Oxigraph server, API"]
            fast = sorted((name for name, value in ranked.items() if isinstance(value, float)),
                          key=lambda n: ranked[n])[:5]
            second = start_replica(url, WORK / "serve-oxigraph-2.log", extra_env=environment,
                                   wait=300)
            wait_idle([first.process.pid, second.process.pid, engine])
            for label, request in (("lookup", lookup), ("catalogue", catalogue_mix(fast))):
                one: list[float] = []
                two: list[float] = []
                for _ in range(2):   # alternate, so that drift on a shared machine evens out
                    one.append(throughput([first], request, args.clients, args.seconds))
                    two.append(throughput([first, second], request, args.clients,
                                          args.seconds))
                rates[f"{label}, 1 replica"] = statistics.mean(one)
                rates[f"{label}, 2 replicas"] = statistics.mean(two)
                log(f"{label}: {one} -> {two} req/s")
        finally:
            first.stop()
            if second is not None:
                second.stop()

    report = render(triples, parse_s, validate_s, loads, latency, rates, args,
                    (load_start, os.getloadavg()))
    print(report)
    if args.write:
        write_section(SECTION, report)


if __name__ == "__main__":
    main()
