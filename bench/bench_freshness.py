"""Benchmark of the maps' freshness after a write: ``.venv/bin/python bench/bench_freshness.py``.

A real ``civicgraph serve`` on 127.0.0.1 over a copy of the generated store of
``bench/bench_maps.py`` (10^4 organisations, about 1.05 × 10^6 quads by default). Each round
sends one write through the server's doors, alternately a curator's spreadsheet import
(``POST /imports``, a new organisation and a few usages) and a Graph Store PUT of one new
organisation's graph (``PUT /store?graph=…``), then measures the time from the write's answer
until ``GET /maps/organisations-tools`` is made from the new data (no ``Age`` header: the
table it is made from was read after the write); the new organisation is then looked for in
the map's full export (not timed). Meanwhile one client asks ``GET /maps`` (the gallery, a
cheap page answered from the table kept in memory) every 50 ms: its latencies during the
refreshes say whether the server stays responsive. After each round the
benchmark waits for the metrics computed in the background (betweenness of the
organisation–tool projection) and reads from the server's log how long the reading of the
table and the metrics took, while the map answers with the previous metrics.

The reference engine, measured in the same run over the same store files before the server
opens them: Oxigraph (pyoxigraph, embedded) answering one SELECT of the usage rows (usage,
organisation, tool, practice, status, observation date) serialised as TSV, and each query the
maps read the table with. Ratios: freshness / that SELECT.

It prints the tables and writes them into ``bench/RESULTS.md`` (a dated subsection under
"Maps").
"""

from __future__ import annotations

import argparse
import datetime
import io
import os
import re
import shutil
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from bench.servers import CURATOR_TOKEN, start_replica  # noqa: E402

RESULTS = ROOT / "bench" / "RESULTS.md"
MAP = "/maps/organisations-tools"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: one SELECT of the usage rows: what the reference engine answers for the whole table
USAGE_ROWS = """PREFIX cg: <https://w3id.org/civicgraph/ns#>
SELECT ?usage ?org ?tool ?practice ?status ?observed WHERE {
  ?usage a cg:ToolUsage ; cg:organisation ?org ; cg:tool ?tool .
  OPTIONAL { ?usage cg:practice ?practice } OPTIONAL { ?usage cg:status ?status }
  OPTIONAL { ?usage cg:observedOn ?observed }
}"""
READ_LOG = re.compile(r"maps: usage table read in ([0-9.]+) s \((\d+) usages")
READ_PARTS = re.compile(r"scans ([0-9.]+) s, table (built|patched) in ([0-9.]+) s, "
                        r"gallery maps ([0-9.]+) s")
METRICS_LOG = re.compile(r"maps: metrics of \S+ computed in ([0-9.]+) s")


@dataclass
class Round:
    kind: str
    answer: float            # seconds the write took to answer
    fresh: float             # seconds from the answer until the map was made from new data
    found: bool              # the new organisation is in the map's full export
    reading: float | None    # the server's own figure for reading the table (log)
    metrics: float | None    # seconds the background metrics took (log), None: not seen
    metrics_wait: float      # seconds from fresh until the new metrics were reported
    health: list[float] = field(default_factory=list)   # /maps latencies while refreshing
    during_write: list[float] = field(default_factory=list)  # /maps while the write ran
    unhealthy: int = 0       # /maps answers other than 200, from the write until fresh
    parts: str = ""          # the reading's parts, from the server's log
    while_metrics: list[float] = field(default_factory=list)  # /maps while metrics ran
    embeds: list[float] = field(default_factory=list)  # the map embed while metrics ran
    previous_shown: bool = False  # each of those embeds showed the previous betweenness
    map_polls: list[float] = field(default_factory=list)  # map latencies while refreshing


class Prober(threading.Thread):
    """``GET path`` every ``every`` seconds; latencies recorded with their start time."""

    def __init__(self, url: str, path: str = "/maps", every: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.path = path
        self.every = every
        self.samples: list[tuple[float, float]] = []
        #: answers other than 200
        self.failed: list[tuple[float, int]] = []
        self.stop = threading.Event()

    def run(self) -> None:
        with httpx.Client(base_url=self.url, timeout=60) as http:
            while not self.stop.is_set():
                began = time.monotonic()
                status = http.get(self.path).status_code
                self.samples.append((began, time.monotonic() - began))
                if status != 200:
                    self.failed.append((began, status))
                self.stop.wait(max(0.0, self.every - (time.monotonic() - began)))

    def between(self, start: float, end: float) -> list[float]:
        return [s for t, s in list(self.samples) if start <= t <= end]

    def failures(self, start: float, end: float) -> int:
        return sum(1 for t, _ in list(self.failed) if start <= t <= end)


def reference(location: Path, repeat: int = 3, queries: bool = True) -> dict[str, Any]:
    """Oxigraph alone on ``location``: the SELECT of the usage rows and each query the maps
    read the table with (median of ``repeat``, results serialised as TSV)."""
    import pyoxigraph as ox

    from visualisations.fragments import scan_queries

    store = ox.Store(str(location))
    out: dict[str, Any] = {}

    def median(query: str, **options: Any) -> tuple[float, int]:
        times, rows = [], 0
        for _ in range(repeat):
            began = time.perf_counter()
            result = store.query(query, **options)
            assert isinstance(result, ox.QuerySolutions)
            data = result.serialize(format=ox.QueryResultsFormat.TSV)
            rows = (data or b"").count(b"\n") - 1
            times.append(time.perf_counter() - began)
        return statistics.median(times), rows

    out["select"] = median(USAGE_ROWS, use_default_graph_as_union=True)
    out["queries"] = {name: median(query, use_default_graph_as_union=True)
                      for name, query in scan_queries().items()} if queries else {}
    return out  # the store is closed when it is freed, before the server opens it


def spreadsheet(round_: int) -> tuple[bytes, str]:
    """A workbook describing a new organisation and its usages (its name marks it in the
    map's export)."""
    from openpyxl import Workbook

    name = f"Freshness round {round_}"
    workbook = Workbook(write_only=True)
    organisations = workbook.create_sheet("organisations")
    organisations.append(["id", "name", "kind", "fields"])
    organisations.append([f"freshness-{round_}", name, "association", "health"])
    usages = workbook.create_sheet("usages")
    usages.append(["id", "organisation", "tool", "practices", "status", "observed on"])
    for i, tool in enumerate(["Loomio", "Framapad", "Mastodon", "Nextcloud"]):
        usages.append([f"freshness-{round_}-{i}", name, tool, "consensus-decision", "active",
                       "2026-11-15"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue(), name


def organisation_graph(served: int, round_: int) -> tuple[bytes, str]:
    """One new organisation, numbered past the served ones, as N-Triples, and its IRI."""
    import pyoxigraph as ox

    from graph.namespaces import ORG, RDF
    from graph.samples.synthetic import BLOCK, generate

    start = (-(-served // BLOCK) + round_) * BLOCK
    triples = list(generate(1, seed=1, start=start))
    org = next(str(t.subject)[1:-1] for t in triples if t.predicate.value == RDF + "type"
               and str(t.object)[1:-1] in (ORG + "Organization", ORG + "FormalOrganization"))
    data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    assert data is not None
    return data, org


def log_values(log: Path, pattern: re.Pattern[str]) -> list[float]:
    return [float(m.group(1)) for m in pattern.finditer(log.read_text(errors="replace"))]


def wait_log(log: Path, pattern: re.Pattern[str], count: int, timeout: float) -> float | None:
    """Wait until ``pattern`` matched ``count`` times; its last value, or None."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = log_values(log, pattern)
        if len(found) >= count:
            return found[count - 1]
        time.sleep(0.2)
    return None


def run(organisations: int, data: Path, rounds: int, metrics_timeout: float) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT / "bench"))
    from bench_maps import load

    source = data / f"store-{organisations}"
    store, _ = load(organisations, source)
    quads = store.count()
    store.close()
    scratch = Path(tempfile.mkdtemp(prefix="civicgraph-freshness-"))
    location = scratch / "store"
    shutil.copytree(source, location)
    out: dict[str, Any] = {"organisations": organisations, "quads": quads, "rounds": []}
    try:
        out["reference"] = reference(location)
        print(f"Oxigraph: SELECT of the usage rows {out['reference']['select'][0]:.2f} s "
              f"({out['reference']['select'][1]:,} rows)")
        for name, (seconds, rows) in out["reference"]["queries"].items():
            print(f"Oxigraph: {name:<40} {seconds:6.2f} s {rows:>9,} rows")
        log = scratch / "serve.log"
        server = start_replica(str(location), log, empty=True,
                               extra_env={"CIVICGRAPH_LOG_LEVEL": "info"}, wait=120)
        try:
            out["rounds"], out["warm"], out["idle"] = _rounds(
                server.url, log, organisations, rounds, metrics_timeout)
        finally:
            server.stop()
        # the reference again after the rounds (the machine's load changes within a run), on
        # the generated store the copy was made from (the same data but the rounds' writes)
        out["select_after"] = reference(source, repeat=1, queries=False)["select"]
        print(f"Oxigraph after the rounds: SELECT of the usage rows "
              f"{out['select_after'][0]:.2f} s")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return out


def _rounds(url: str, log: Path, organisations: int, rounds: int, metrics_timeout: float
            ) -> tuple[list[Round], tuple[float, tuple[str, ...] | None], list[float]]:
    bearer = {"Authorization": f"Bearer {CURATOR_TOKEN}"}
    done: list[Round] = []
    with httpx.Client(base_url=url, timeout=600) as http:
        began = time.monotonic()
        http.get(MAP).raise_for_status()       # the first table is waited for
        warm = time.monotonic() - began
        readings = len(log_values(log, READ_LOG))
        first_parts = READ_PARTS.findall(log.read_text(errors="replace"))
        computed = wait_log(log, METRICS_LOG, 1, metrics_timeout)
        metrics_seen = 1 if computed is not None else 0
        print(f"first table {warm:.1f} s; first metrics "
              f"{'not seen' if computed is None else f'{computed:.1f} s'}")
        prober = Prober(url)
        prober.start()
        time.sleep(3)
        idle = prober.between(0, time.monotonic())
        for round_ in range(rounds):
            if round_ % 2 == 0:
                kind = "spreadsheet POST /imports"
                body, marker = spreadsheet(round_)
                sent = time.monotonic()
                answer = http.post("/imports", data={"source": f"freshness {round_}"},
                                   files={"file": ("freshness.xlsx", body, XLSX)},
                                   headers=bearer)
            else:
                kind = "Graph Store PUT of one organisation"
                body, marker = organisation_graph(organisations, round_)
                sent = time.monotonic()
                answer = http.put("/store", params={
                    "graph": f"https://w3id.org/civicgraph/graph/freshness-{round_}"},
                    content=body, headers={"Content-Type": "application/n-triples", **bearer})
            answered = time.monotonic()
            if not answer.is_success:
                raise RuntimeError(f"{kind}: {answer.status_code} {answer.text[:500]}")
            polls: list[float] = []
            while True:
                asked = time.monotonic()
                page = http.get(MAP)
                polls.append(time.monotonic() - asked)
                page.raise_for_status()
                if "age" not in page.headers:
                    break
                if time.monotonic() - answered > 600:
                    raise RuntimeError("the map was still stale after 600 s")
                time.sleep(0.1)
            fresh_at = time.monotonic()
            nodes = http.get(f"{MAP}/export.nodes.csv", params={"full": "1"})
            nodes.raise_for_status()
            found = marker in nodes.text
            readings += 1
            reading = wait_log(log, READ_LOG, readings, 30)
            readings = max(readings, len(log_values(log, READ_LOG)))
            found_parts = READ_PARTS.findall(log.read_text(errors="replace"))
            parts = ("scans {}, table {} in {}, gallery maps {} s".format(*found_parts[-1])
                     if found_parts else "")
            metrics_seen += 1
            # while the new metrics are computed: the map answers at once, with the previous
            # ones (betweenness in its nodes' tooltips)
            embeds: list[float] = []
            shown = True
            while len(log_values(log, METRICS_LOG)) < metrics_seen and len(embeds) < 20:
                asked = time.monotonic()
                embed = http.get(f"{MAP}/embed", params={"colour": "community", "lang": "en"},
                                 headers={"Accept-Language": "en"})
                embeds.append(time.monotonic() - asked)
                embed.raise_for_status()
                shown = shown and "betweenness" in embed.text
                time.sleep(1.0)
            metrics = wait_log(log, METRICS_LOG, metrics_seen, metrics_timeout)
            metrics_seen = len(log_values(log, METRICS_LOG))
            metrics_done = time.monotonic()
            item = Round(kind, answered - sent, fresh_at - answered, found, reading, metrics,
                         metrics_done - fresh_at, health=prober.between(answered, fresh_at),
                         map_polls=polls, during_write=prober.between(sent, answered),
                         unhealthy=prober.failures(sent, fresh_at), parts=parts,
                         while_metrics=prober.between(fresh_at, metrics_done), embeds=embeds,
                         previous_shown=shown and bool(embeds))
            done.append(item)
            print(f"round {round_}: {kind}: answered in {item.answer:.2f} s; map fresh "
                  f"{item.fresh:.2f} s later (found: {found}); reading {reading} s; "
                  f"metrics {metrics} s; /maps while refreshing: median "
                  f"{_median_ms(item.health)}, max {_max_ms(item.health)}; during the write: "
                  f"median {_median_ms(item.during_write)}, max {_max_ms(item.during_write)}, "
                  f"{item.unhealthy} answers not 200; while the metrics ran: /maps median "
                  f"{_median_ms(item.while_metrics)}, max {_max_ms(item.while_metrics)}, "
                  f"embed median {_median_ms(item.embeds)}, max {_max_ms(item.embeds)}, "
                  f"previous betweenness shown: {item.previous_shown}")
        prober.stop.set()
        prober.join(10)
    return done, (warm, first_parts[0] if first_parts else None), idle


def _median_ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:.0f} ms" if values else "—"


def _max_ms(values: list[float]) -> str:
    return f"{max(values) * 1000:.0f} ms" if values else "—"


def report(result: dict[str, Any], command: str, load_start: tuple[float, ...],
           load_end: tuple[float, ...], note: str) -> str:
    select, rows = result["reference"]["select"]
    today = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [f"### Freshness after a write, {result['organisations']:,} organisations "
             f"({result['quads']:,} quads), {today}", "",
             f"`{command}`; load averages (1, 5, 15 min) at start "
             f"{', '.join(f'{x:.2f}' for x in load_start)}, at end "
             f"{', '.join(f'{x:.2f}' for x in load_end)}, on {os.cpu_count()} cores shared "
             "with other engineers' work (every figure is noisy; the ratios come from one run).",
             "", note, "",
             "Reference engine in the same run (pyoxigraph, embedded, over the same store files "
             "before the server opened them; median of 3, results serialised as TSV): one "
             f"SELECT of the usage rows {select:.2f} s ({rows:,} rows)"
             + (f"; after the rounds, once: {result['select_after'][0]:.2f} s"
                if "select_after" in result else "") + ".", "",
             "| query the maps read the table with | Oxigraph | rows |", "|---|---|---|"]
    for name, (seconds, n) in result["reference"]["queries"].items():
        lines.append(f"| `{name}` | {seconds:.2f} s | {n:,} |")
    warm, parts = result["warm"]
    scans = sum(seconds for seconds, _ in result["reference"]["queries"].values())
    lines += ["", f"First table when the server starts: {warm:.1f} s"
              + (f" (server log: scans {parts[0]} s, table {parts[1]} in {parts[2]} s, gallery "
                 f"maps {parts[3]} s; the same scans on Oxigraph alone: {scans:.2f} s in all)"
                 if parts else "") + ". `/maps` on "
              f"the idle server: median {_median_ms(result['idle'])}, max "
              f"{_max_ms(result['idle'])}.", "",
              "| write | answered | map fresh after the answer | / Oxigraph SELECT | new "
              "organisation in the map | table read (server log) | `/maps` while "
              "refreshing, median / max | map page while refreshing, median / max | "
              "`/maps` during the write, median / max (not 200) |", "|---|---|---|---|---|---|"
              "---|---|---|"]
    for r in result["rounds"]:
        lines.append(
            f"| {r.kind} | {r.answer:.2f} s | **{r.fresh:.2f} s** | {r.fresh / select:.2f}× | "
            f"{'yes' if r.found else 'NO'} | "
            f"{'—' if r.reading is None else f'{r.reading:.1f} s'} ({r.parts}) | "
            f"{_median_ms(r.health)} / {_max_ms(r.health)} | "
            f"{_median_ms(r.map_polls)} / {_max_ms(r.map_polls)} | "
            f"{_median_ms(r.during_write)} / {_max_ms(r.during_write)} ({r.unhealthy}) |")
    lines += ["", "Target 6, after each write: the metrics computed in the background (another "
              "process) while the map keeps answering with the previous ones.", "",
              "| write | metrics (server log) | `/maps` meanwhile, median / max | map embed "
              "meanwhile, median / max (asked every second) | previous betweenness shown |",
              "|---|---|---|---|---|"]
    for r in result["rounds"]:
        lines.append(
            f"| {r.kind} | {'not seen' if r.metrics is None else f'{r.metrics:.1f} s'} | "
            f"{_median_ms(r.while_metrics)} / {_max_ms(r.while_metrics)} | "
            f"{_median_ms(r.embeds)} / {_max_ms(r.embeds)} ({len(r.embeds)}) | "
            f"{'yes' if r.previous_shown else 'NO'} |")
    fresh = [r.fresh for r in result["rounds"]]
    if fresh:
        lines += ["", f"Freshness: median {statistics.median(fresh):.2f} s, worst "
                  f"{max(fresh):.2f} s (target ≤ 5 s at 10^6); median ratio to the Oxigraph "
                  f"SELECT {statistics.median(fresh) / select:.2f}×"
                  + (f" ({statistics.median(fresh) / result['select_after'][0]:.2f}× the one "
                     "measured after the rounds)" if "select_after" in result else "") + "."]
    return "\n".join(lines) + "\n"


def write_section(text: str) -> None:
    """Insert ``text`` at the end of the "Maps" section of RESULTS.md."""
    old = RESULTS.read_text()
    start = old.find("## Maps")
    if start == -1:
        RESULTS.write_text(old.rstrip("\n") + "\n\n## Maps\n\n" + text)
        return
    end = old.find("\n## ", start + 1)
    end = len(old) if end == -1 else end + 1
    RESULTS.write_text(old[:end].rstrip("\n") + "\n\n" + text + "\n" + old[end:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--organisations", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--metrics-timeout", type=float, default=300.0)
    parser.add_argument("--data", type=Path,
                        default=Path(tempfile.gettempdir()) / "civicgraph-bench-maps",
                        help="where bench_maps.py keeps its generated stores")
    parser.add_argument("--note", default="", help="what changed since the previous table")
    parser.add_argument("--no-write", action="store_true", help="do not update RESULTS.md")
    args = parser.parse_args()
    load_start = os.getloadavg()
    result = run(args.organisations, args.data, args.rounds, args.metrics_timeout)
    load_end = os.getloadavg()
    command = ".venv/bin/python bench/bench_freshness.py" + (
        "" if args.organisations == 10_000 else f" --organisations {args.organisations}") + (
        "" if args.rounds == 6 else f" --rounds {args.rounds}")
    text = report(result, command, load_start, load_end, args.note)
    print("\n" + text)
    if not args.no_write:
        write_section(text)


if __name__ == "__main__":
    main()
