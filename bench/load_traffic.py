"""The traffic of ``bench/bench_http_load.py``: what the clients ask for, the clients (normal,
pathological, importer), the memory sampler, and what they record."""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import os
import random
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import httpx

from bench.servers import tree_rss

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


# -- the requests -------------------------------------------------------------------------

def targets_of(store: Path, organisations: int) -> Targets:
    """Software, practices, search words, catalogue queries and maps of the data."""
    import pyoxigraph as ox

    from graph.queries.catalogue import list_queries
    from graph.store.binding import bind_values
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
    """An N-Triples file and a spreadsheet of usages, different at each round. The file
    describes 20 organisations the served data does not have (numbered past its
    ``organisations``): of another seed, the same numbers would describe the served ones
    differently, which the shapes refuse (two start dates for one usage)."""
    from graph.samples.synthetic import BLOCK, write

    triples = io.BytesIO()
    write(20, triples, seed=100 + round_, start=-(-organisations // BLOCK) * BLOCK)
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


async def traffic(url: str, pid: int, targets: Targets, config: Config,
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
