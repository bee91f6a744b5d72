"""Load test of the whole service: mixed traffic from many clients, while one client sends
pathological queries and another imports files. One command, loopback only:

    .venv/bin/python bench/bench_http_load.py [--organisations 10000] [--clients 16]
        [--seconds 60] [--write]

It generates ~100 triples per organisation (``civicgraph generate``), loads them into an
embedded on-disk store (``civicgraph load --no-validate``, kept in ``var/bench/`` for the next
runs), serves a checkpoint of that store with ``civicgraph serve`` in a subprocess, and runs
for ``--seconds``:

- ``--clients`` closed-loop clients (each sends its next request when the last one answered),
  each from its own loopback address (127.0.0.N, so the per-client limit applies to each as
  it would to people), picking at random: resource pages (HTML and Turtle), catalogue queries
  through ``/queries/{name}`` and as text through ``/sparql``, free SPARQL lookups, maps and
  search;
- one client sending pathological queries one after another (cartesian products, unbounded
  property paths, a sort of a cartesian product), each of which must be stopped (503) within
  the query time limit plus one second;
- one curator importing a file every few seconds, alternately through the Graph Store
  (``PUT /store``) and the spreadsheet import (``POST /imports``);
- a sampler of the resident memory of the server's process tree (query workers included).

It reports throughput, p50/p95/p99 latency per kind, errors (5xx, 429, dropped connections),
each pathological query's time against its limit, the peak memory, and checks the targets:
no 5xx and no dropped connection in the normal traffic, p99 of resource pages under 500 ms,
every pathological query stopped within its limit + 1 s, peak memory under
``CIVICGRAPH_MEMORY_LIMIT_MB``. ``--write`` records it all in ``bench/RESULTS.md`` ("Load").
Exit code 1 when a target is missed. ``tests/faults/test_load_short.py`` runs a short form.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import io
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import httpx
import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CIVICGRAPH = str(Path(sys.executable).parent / "civicgraph")
TOKEN = "load-test-curator-token-0123456789"  # noqa: S105 - a benchmark value
BASE = "https://w3id.org/civicgraph/"
ID = BASE + "id/"
RESULTS_JSON = "application/sparql-results+json"
PREFIXES = ("PREFIX cg: <https://w3id.org/civicgraph/ns#> "
            "PREFIX org: <http://www.w3.org/ns/org#> "
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> ")
#: catalogue queries that answer within 0.5 s at 10^6 triples, alone (bench/RESULTS.md,
#: "SPARQL endpoint"): what a page or a curious visitor asks. The others take 1 to 22 s: a
#: researcher's questions, not traffic to repeat from every client in a closed loop
INTERACTIVE = ("codesign_projects_by_stage", "effects_by_tool", "needs_by_codesign_project",
               "resources_by_licence_and_topic", "shared_resources", "shared_spaces",
               "unanswered_needs")
PATHOLOGICAL = {
    "cartesian product, counted":
        "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }",
    "cartesian product, sorted":
        "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f LIMIT 10",
    "unbounded path over any predicate":
        "SELECT (COUNT(*) AS ?n) WHERE { ?a (<urn:x>|!<urn:x>)* ?b }",
    "unbounded path both ways":
        PREFIXES + "SELECT (COUNT(*) AS ?n) WHERE { ?a (cg:organisation|^cg:organisation|"
        "cg:tool|^cg:tool)* ?b }",
    "grouped cartesian product":
        "SELECT ?a (COUNT(DISTINCT ?f) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f } GROUP BY ?a",
}
#: weights of the kinds of request of the normal clients: mostly pages, as on a public site
MIX = {"resource": 40, "map": 20, "search": 10, "sparql": 10, "catalogue": 10,
       "catalogue-sparql": 10}


@dataclass
class Config:
    organisations: int = 10_000
    clients: int = 16
    seconds: float = 60.0
    query_timeout: float = 10.0
    query_workers: int = 2
    import_every: float = 10.0
    memory_limit_mb: int = 4096
    resource_p99_ms: float = 500.0
    seed: int = 1
    mix: dict[str, int] = field(default_factory=lambda: dict(MIX))
    #: requests of each kind sent one at a time before the load, for the "alone" column
    baseline: int = 5
    pathological: bool = True
    imports: bool = True


@dataclass
class Sample:
    kind: str
    what: str
    status: int          # 0: the connection failed or timed out
    seconds: float
    error: str = ""


@dataclass
class Targets:
    """What the clients ask for, drawn from the data."""

    organisations: int
    software: list[str]
    practices: list[str]
    words: list[str]
    catalogue: dict[str, str]
    maps: list[str]


@dataclass
class Report:
    config: Config
    quads: int
    samples: list[Sample] = field(default_factory=list)
    pathological: list[Sample] = field(default_factory=list)
    imports: list[Sample] = field(default_factory=list)
    peak_rss: int = 0
    elapsed: float = 0.0
    server_errors: list[str] = field(default_factory=list)
    #: the same kinds of request sent one at a time before the load (a baseline)
    alone: list[Sample] = field(default_factory=list)
    #: the machine's load average (1 min) when the traffic started and when it ended
    load: tuple[float, float] = (0.0, 0.0)


# -- the data ------------------------------------------------------------------------------

def build_store(organisations: int, folder: Path) -> Path:
    """``folder/store`` holding the generated data (built once, with the CLI)."""
    store, ready = folder / "store", folder / "READY"
    if ready.exists():
        return store
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    data = folder / "data.nt"
    for command in (["generate", "--organisations", str(organisations), "-o", str(data)],
                    ["load", str(data), "--store", str(store), "--no-validate", "--quiet",
                     "--by", "bench"]):
        subprocess.run([CIVICGRAPH, *command], check=True)
    data.unlink()
    ready.write_text("ok")
    return store


def checkpoint(store: Path, target: Path) -> int:
    """A copy of ``store`` at ``target`` (a RocksDB checkpoint: hard links); its quads."""
    import pyoxigraph as ox

    opened = ox.Store(str(store))
    try:
        opened.backup(str(target))
        return len(opened)
    finally:
        del opened


def targets_of(store: Path, organisations: int) -> Targets:
    """Software, practices, search words, catalogue queries and maps of the data."""
    import pyoxigraph as ox

    from graph.backends.binding import bind_values
    from graph.catalogue import list_queries
    from visualisations.maps import GALLERY

    opened = ox.Store.read_only(str(store))

    def subjects(kind: str) -> list[str]:
        found = opened.query(
            f"SELECT DISTINCT ?s WHERE {{ GRAPH ?g {{ ?s a ?t }} "
            f'FILTER(STRSTARTS(STR(?s), "{ID}{kind}/")) }}')
        return sorted(row["s"].value for row in found)  # type: ignore[union-attr]

    software, practices = subjects("software"), subjects("practice")
    words = sorted({s.rsplit("/", 1)[-1].split("-")[0] for s in software + practices
                    if len(s.rsplit("/", 1)[-1]) > 3})
    catalogue = {q.name: bind_values(q.sparql, q.bind({})) for q in list_queries()
                 if q.name in INTERACTIVE}
    maps = [f"/maps/{spec.name}" for spec in GALLERY] + ["/maps"] + [
        f"/maps/tool/{s.rsplit('/', 1)[-1]}" for s in software[:10]]
    return Targets(organisations, software, practices, [*words, "organisation", "synthetique"],
                   catalogue, maps)


def request_for(kind: str, targets: Targets, chance: random.Random
                ) -> tuple[str, str, dict[str, str], dict[str, str] | None]:
    """(what, path, headers, form) of one request of ``kind``."""
    org = f"/id/org/s-{chance.randrange(targets.organisations):07d}"
    if kind == "resource":
        pick = chance.random()
        if pick < 0.5:
            return "organisation page", org, {"Accept": "text/html"}, None
        if pick < 0.7:
            return "organisation turtle", org, {"Accept": "text/turtle"}, None
        iri = chance.choice(targets.software if pick < 0.85 else targets.practices)
        return "tool or practice page", "/" + iri.removeprefix(BASE), {"Accept": "text/html"}, \
            None
    if kind == "catalogue":
        name = chance.choice(sorted(targets.catalogue))
        return name, f"/queries/{name}", {"Accept": "application/json"}, None
    if kind == "catalogue-sparql":
        name = chance.choice(sorted(targets.catalogue))
        return name, "/sparql", {"Accept": RESULTS_JSON}, {"query": targets.catalogue[name]}
    if kind == "sparql":
        iri = ID + org.removeprefix("/id/")
        queries = {
            "describe": f"SELECT ?p ?o WHERE {{ <{iri}> ?p ?o }}",
            "usages of an organisation": PREFIXES + "SELECT ?u ?tool WHERE { ?u "
            f"cg:organisation <{iri}> ; cg:tool ?tool }}",
            "organisations by label": PREFIXES + "SELECT ?o ?l WHERE { ?o a "
            "org:FormalOrganization ; rdfs:label ?l } ORDER BY ?l LIMIT 20 OFFSET "
            f"{chance.randrange(1000)}",
            "ask": f"ASK {{ <{iri}> ?p ?o }}",
        }
        what = chance.choice(sorted(queries))
        return what, "/sparql", {"Accept": RESULTS_JSON}, {"query": queries[what]}
    if kind == "map":
        path = chance.choice(targets.maps)
        return path.split("/")[2] if path.count("/") > 1 else "gallery", path, \
            {"Accept": "text/html"}, None
    word = chance.choice(targets.words)
    return "search", f"/search?q={quote(word)}", {"Accept": "application/json"}, None


# -- the clients ---------------------------------------------------------------------------

def client(address: str, timeout: float) -> httpx.AsyncClient:
    """An HTTP client whose connections leave from loopback ``address``."""
    transport = httpx.AsyncHTTPTransport(local_address=address)
    return httpx.AsyncClient(transport=transport, timeout=timeout)


async def send(http: httpx.AsyncClient, method: str, url: str, kind: str, what: str,
               **options: object) -> Sample:
    started = time.perf_counter()
    try:
        response = await http.request(method, url, **options)  # type: ignore[arg-type]
        await response.aread()
    except httpx.TransportError as failure:   # refused, reset, closed early, timed out
        return Sample(kind, what, 0, time.perf_counter() - started, type(failure).__name__)
    problem = ""
    if response.status_code >= 400:
        problem = "(an HTML page)"
        with contextlib.suppress(ValueError):
            problem = str(response.json().get("error", ""))
    return Sample(kind, what, response.status_code, time.perf_counter() - started, problem)


async def normal_client(number: int, url: str, targets: Targets, deadline: float,
                        config: Config, out: list[Sample]) -> None:
    chance = random.Random(config.seed * 1000 + number)
    kinds, weights = zip(*config.mix.items(), strict=True)
    async with client(f"127.0.0.{10 + number}", timeout=120) as http:
        while time.monotonic() < deadline:
            kind = chance.choices(kinds, weights)[0]
            what, path, headers, form = request_for(kind, targets, chance)
            if form is None:
                out.append(await send(http, "GET", url + path, kind, what, headers=headers))
            else:
                out.append(await send(http, "POST", url + path, kind, what, headers=headers,
                                      data=form))


async def pathological_client(url: str, deadline: float, limit: float,
                              out: list[Sample]) -> None:
    """Pathological queries one after another; none started that would outlast the run."""
    async with client("127.0.0.2", timeout=120) as http:
        while time.monotonic() < deadline:
            for name, query in PATHOLOGICAL.items():
                if out and time.monotonic() + limit > deadline:
                    return
                out.append(await send(http, "POST", url + "/sparql", "pathological", name,
                                      data={"query": query}, headers={"Accept": RESULTS_JSON}))


def import_files(organisations: int, round_: int) -> tuple[bytes, bytes]:
    """An N-Triples file and a spreadsheet of usages, different at each round."""
    from graph.synthetic import write

    triples = io.BytesIO()
    write(20, triples, seed=100 + round_)
    sheet = io.StringIO()
    rows = csv.writer(sheet, lineterminator="\n")
    rows.writerow(["id", "organisation", "tool", "practices", "status", "observed on"])
    chance = random.Random(round_)
    for row in range(200):
        organisation = f"Organisation synthétique n° {chance.randrange(organisations)}"
        rows.writerow([f"load-{round_}-{row}", organisation,
                       chance.choice(["Loomio", "Framapad", "Mastodon", "Nextcloud"]),
                       "voting", "active", f"2026-0{1 + round_ % 9}-15"])
    return triples.getvalue(), sheet.getvalue().encode()


async def importer(url: str, organisations: int, every: float, deadline: float,
                   out: list[Sample]) -> None:
    bearer = {"Authorization": f"Bearer {TOKEN}"}
    round_ = 0
    async with client("127.0.0.3", timeout=300) as http:
        while time.monotonic() + 5 < deadline:
            started = time.monotonic()
            triples, sheet = import_files(organisations, round_)
            if round_ % 2 == 0:
                out.append(await send(
                    http, "PUT", url + "/store", "import", "graph store PUT",
                    params={"graph": "https://w3id.org/civicgraph/graph/load-test"},
                    content=triples, headers={"Content-Type": "application/n-triples",
                                              **bearer}))
            else:
                out.append(await send(
                    http, "POST", url + "/imports", "import", "spreadsheet",
                    data={"source": "load test"}, headers=bearer,
                    files={"file": ("usages.csv", sheet, "text/csv")}))
            round_ += 1
            await asyncio.sleep(max(0.0, every - (time.monotonic() - started)))


async def memory_sampler(pid: int, deadline: float, report: Report) -> None:
    while time.monotonic() < deadline:
        report.peak_rss = max(report.peak_rss, tree_rss(pid))
        await asyncio.sleep(0.25)


def tree_rss(pid: int) -> int:
    """Resident bytes of process ``pid`` and its descendants."""
    try:
        root = psutil.Process(pid)
        processes = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    total = 0
    for process in processes:
        with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
            total += process.memory_info().rss
    return total


# -- the run -------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve(store: Path, config: Config, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    """``civicgraph serve`` over ``store``; returns once ``/health`` answers (bounded)."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CIVICGRAPH_")}
    env.update(CIVICGRAPH_CURATOR_TOKEN=TOKEN, CIVICGRAPH_LOG_LEVEL="warning",
               CIVICGRAPH_QUERY_TIMEOUT=str(config.query_timeout),
               CIVICGRAPH_QUERY_WORKERS=str(config.query_workers),
               CIVICGRAPH_MEMORY_LIMIT_MB=str(config.memory_limit_mb))
    with log.open("wb") as out:
        process = subprocess.Popen([CIVICGRAPH, "serve", "--store", str(store), "--port",
                                    str(port)], stdout=out, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"civicgraph serve exited: {log.read_text()[-2000:]}")
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(url + "/health", timeout=5).status_code == 200:
                return process, url
        time.sleep(0.2)
    process.kill()
    raise RuntimeError("civicgraph serve did not answer within 180 s")


def warm_up(url: str, targets: Targets, limit: float = 300) -> None:
    """Wait until the maps answer (their usage table is read once at start)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(url + targets.maps[0], timeout=limit).status_code == 200:
                return
        time.sleep(1)


async def baseline(url: str, targets: Targets, config: Config, out: list[Sample],
                   per_kind: int = 5) -> None:
    """``per_kind`` requests of each kind, one at a time, on an otherwise idle server."""
    chance = random.Random(config.seed)
    async with client("127.0.0.4", timeout=120) as http:
        for kind in config.mix:
            for _ in range(per_kind):
                what, path, headers, form = request_for(kind, targets, chance)
                if form is None:
                    out.append(await send(http, "GET", url + path, kind, what, headers=headers))
                else:
                    out.append(await send(http, "POST", url + path, kind, what,
                                          headers=headers, data=form))


async def _traffic(url: str, pid: int, targets: Targets, config: Config,
                   report: Report) -> None:
    deadline = time.monotonic() + config.seconds
    started = time.monotonic()
    load_before = os.getloadavg()[0]
    tasks = [normal_client(i, url, targets, deadline, config, report.samples)
             for i in range(config.clients)]
    tasks.append(memory_sampler(pid, deadline, report))
    if config.pathological:
        tasks.append(pathological_client(url, deadline, config.query_timeout,
                                         report.pathological))
    if config.imports:
        tasks.append(importer(url, config.organisations, config.import_every, deadline,
                              report.imports))
    await asyncio.gather(*tasks)
    report.elapsed = time.monotonic() - started
    report.load = (load_before, os.getloadavg()[0])


def run(store: Path, config: Config, workdir: Path) -> Report:
    """Serve a checkpoint of ``store`` and send it the traffic of ``config``."""
    copy = workdir / "store"
    quads = checkpoint(store, copy)
    targets = targets_of(store, config.organisations)
    report = Report(config, quads)
    log = store.parent / "serve-last.log"     # kept for reading after the run
    process, url = serve(copy, config, log)
    try:
        warm_up(url, targets)
        asyncio.run(baseline(url, targets, config, report.alone, config.baseline))
        asyncio.run(_traffic(url, process.pid, targets, config, report))
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(30)
    text = log.read_text(errors="replace")
    report.server_errors = [line for line in text.splitlines() if "Traceback" in line]
    return report


# -- figures -------------------------------------------------------------------------------

def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def summary(report: Report) -> list[dict[str, object]]:
    """Figures per kind of request of the normal clients, and all of them together."""
    groups: dict[str, list[Sample]] = defaultdict(list)
    for sample in report.samples:
        groups[sample.kind].append(sample)
    for sample in report.samples:    # resource pages, by kind of page: a target is theirs
        if sample.kind == "resource":
            groups[f"resource: {sample.what}"].append(sample)
    groups["all"] = list(report.samples)
    rows = []
    alone: dict[str, list[float]] = defaultdict(list)
    for sample in report.alone:
        if 0 < sample.status < 500:
            alone[sample.kind].append(sample.seconds * 1000)
            alone["all"].append(sample.seconds * 1000)
            if sample.kind == "resource":
                alone[f"resource: {sample.what}"].append(sample.seconds * 1000)
    for kind, samples in groups.items():
        times = [s.seconds * 1000 for s in samples if 0 < s.status < 500]
        rows.append({
            "kind": kind, "requests": len(samples),
            "alone": statistics.median(alone[kind]) if alone[kind] else float("nan"),
            "per_second": len(samples) / report.elapsed if report.elapsed else 0.0,
            "p50": percentile(times, 50), "p95": percentile(times, 95),
            "p99": percentile(times, 99),
            "5xx": sum(s.status >= 500 for s in samples),
            "429": sum(s.status == 429 for s in samples),
            "4xx": sum(400 <= s.status < 500 and s.status != 429 for s in samples),
            "dropped": sum(s.status == 0 for s in samples),
        })
    return rows


def failures(report: Report) -> list[str]:
    """The targets missed, one sentence each."""
    config = report.config
    missed = []
    rows = {r["kind"]: r for r in summary(report)}
    everything = rows.get("all", {})
    if everything.get("5xx"):
        kinds = sorted({f"{s.kind}/{s.what} {s.status} {s.error}" for s in report.samples
                        if s.status >= 500})
        missed.append(f"{everything['5xx']} answers 5xx: {', '.join(kinds[:8])}")
    if everything.get("dropped"):
        missed.append(f"{everything['dropped']} dropped connections")
    resource = rows.get("resource")
    if resource is not None and not resource["p99"] <= config.resource_p99_ms:  # type: ignore[operator]
        missed.append(f"p99 of resource pages {resource['p99']:.0f} ms "
                      f"> {config.resource_p99_ms:.0f} ms")
    for sample in report.pathological:
        if sample.status != 503 or sample.seconds > config.query_timeout + 1:
            missed.append(f"pathological '{sample.what}': {sample.status} {sample.error} "
                          f"after {sample.seconds:.1f} s (limit {config.query_timeout:g} s)")
    if config.pathological and not report.pathological:
        missed.append("no pathological query was sent")
    bad_imports = [s for s in report.imports if not 200 <= s.status < 300]
    if bad_imports or (config.imports and not report.imports):
        missed.append(f"imports: {[(s.what, s.status, s.error) for s in report.imports]}")
    if report.peak_rss > config.memory_limit_mb * 2**20:
        missed.append(f"peak memory {report.peak_rss / 2**20:.0f} MiB > "
                      f"{config.memory_limit_mb} MiB")
    if report.server_errors:
        missed.append(f"{len(report.server_errors)} tracebacks in the server's log")
    return missed


def markdown(report: Report, command: str) -> str:
    config = report.config
    lines = [
        f"`{command}`: {report.quads:,} quads (`civicgraph generate --organisations "
        f"{config.organisations}`, loaded with `civicgraph load --no-validate`) in the embedded "
        f"on-disk store, served by `civicgraph serve` (query time limit "
        f"{config.query_timeout:g} s, {config.query_workers} query workers) on 127.0.0.1. "
        f"{config.clients} closed-loop clients, each from its own loopback address, for "
        f"{report.elapsed:.0f} s; at the same time one client sent pathological queries one "
        f"after another and a curator imported a file every {config.import_every:g} s "
        "(Graph Store PUT and spreadsheet, alternately). Latencies exclude failed requests; "
        "\"alone\" is the median of 5 requests of the kind sent one at a time before the load. "
        f"The machine has {os.cpu_count()} cores, shared with the clients (load average "
        f"{report.load[0]:.1f} when the traffic started, {report.load[1]:.1f} when it "
        "ended: anything above what the benchmark itself causes was other work).",
        "",
        "| kind | alone (median) | requests | per second | p50 | p95 | p99 | 5xx | 429 | "
        "other 4xx | dropped |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in summary(report):
        lines.append(f"| {r['kind']} | {r['alone']:.0f} ms | {r['requests']} | "
                     f"{r['per_second']:.1f} | {r['p50']:.0f} ms | {r['p95']:.0f} ms | "
                     f"{r['p99']:.0f} ms | {r['5xx']} | {r['429']} | {r['4xx']} | "
                     f"{r['dropped']} |")
    lines += ["", "| pathological query | answer | seconds | time limit |", "|---|---|---|---|"]
    for s in report.pathological:
        lines.append(f"| {s.what} | {s.status} {s.error} | {s.seconds:.2f} | "
                     f"{config.query_timeout:g} s |")
    lines += ["", "| import | answer | seconds |", "|---|---|---|"]
    for s in report.imports:
        lines.append(f"| {s.what} | {s.status} {s.error} | {s.seconds:.2f} |")
    lines += ["", f"Peak resident memory of the server's process tree (server and query "
              f"workers): {report.peak_rss / 2**20:.0f} MiB (bound: "
              f"`CIVICGRAPH_MEMORY_LIMIT_MB` = {config.memory_limit_mb})."]
    missed = failures(report)
    lines += ["", "Targets: " + ("all met." if not missed else "missed: " + "; ".join(missed))]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    defaults = Config()
    parser.add_argument("--organisations", type=int, default=defaults.organisations)
    parser.add_argument("--clients", type=int, default=defaults.clients)
    parser.add_argument("--seconds", type=float, default=defaults.seconds)
    parser.add_argument("--query-timeout", type=float, default=defaults.query_timeout)
    parser.add_argument("--query-workers", type=int, default=defaults.query_workers)
    parser.add_argument("--import-every", type=float, default=defaults.import_every)
    parser.add_argument("--memory-limit-mb", type=int, default=defaults.memory_limit_mb)
    parser.add_argument("--mix", help="weights of the kinds of request, e.g. "
                        "resource=3,map=1 (default: " + ",".join(
                            f"{k}={v}" for k, v in MIX.items()) + ")")
    parser.add_argument("--no-pathological", action="store_true",
                        help="without the client sending pathological queries")
    parser.add_argument("--no-imports", action="store_true", help="without the importer")
    parser.add_argument("--write", action="store_true", help="record in bench/RESULTS.md")
    args = parser.parse_args(argv)
    mix = dict(MIX) if not args.mix else {
        kind: int(weight) for kind, _, weight in (p.partition("=") for p in args.mix.split(","))}
    config = Config(args.organisations, args.clients, args.seconds, args.query_timeout,
                    args.query_workers, args.import_every, args.memory_limit_mb,
                    mix=mix, pathological=not args.no_pathological, imports=not args.no_imports)
    store = build_store(config.organisations, ROOT / "var" / "bench" /
                        f"load-{config.organisations}")
    import tempfile

    with tempfile.TemporaryDirectory(prefix="civicgraph-load-", dir=store.parent) as tmp:
        report = run(store, config, Path(tmp))
    command = "bench/bench_http_load.py " + " ".join(sys.argv[1:] if argv is None else argv)
    text = markdown(report, command.strip())
    print(text)
    if args.write:
        from bench.results import write_section
        write_section("Load", text)
    return 1 if failures(report) else 0


if __name__ == "__main__":
    sys.exit(main())
