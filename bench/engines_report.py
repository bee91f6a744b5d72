"""The Markdown of ``bench/bench_engines.py``: load rates, catalogue latency, throughput."""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess

from bench.servers import DIFFERENT_ON_VIRTUOSO, oxigraph_executable

#: Virtuoso's cache for the benchmark: 170,000 pages of 8 KiB (1.3 GiB), its guide's figure
#: for a machine that gives it 2 GiB
VIRTUOSO_BUFFERS = "170000"


def rate(triples: int, seconds: float) -> str:
    return f"{triples / seconds:,.0f}"


def render(triples: int, parse_s: float, validate_s: float, loads: dict[str, float],
           latency: dict[str, dict[str, float | str]], rates: dict[str, float],
           args: argparse.Namespace,
           load: tuple[tuple[float, float, float], tuple[float, float, float]]) -> str:
    """The section's Markdown; ``load``: the load averages at the start and at the end."""
    def averages(values: tuple[float, float, float]) -> str:
        return " / ".join(f"{v:.1f}" for v in values)

    lines = [
        f"`.venv/bin/python bench/bench_engines.py --organisations {args.organisations} "
        f"--runs {args.runs} --clients {args.clients} --seconds {args.seconds:g} --write`: "
        f"{triples:,} triples (N-Triples), everything on 127.0.0.1; load average (1 / 5 / 15 "
        f"min) {averages(load[0])} at the start and {averages(load[1])} at the end "
        "(the machine was shared with other work). Virtuoso Open "
        f"Source {virtuoso_version()} (Debian) with {VIRTUOSO_BUFFERS} buffers; "
        f"Oxigraph server {oxigraph_version()}.",
        "",
        f"civicgraph parses the file in {parse_s:.1f} s and validates it in {validate_s:.1f} s "
        "before any engine sees it (not counted below).",
        "",
        "### Load rate (same file)",
        "",
        "| load | seconds | triples/s | vs the engine's bulk loader |",
        "|---|---:|---:|---:|",
    ]
    order = ["oxigraph load", "oxigraph Graph Store PUT", "civicgraph → oxigraph (batched)",
             "virtuoso bulk", "civicgraph → virtuoso"]
    for name in order:
        seconds = loads[name]
        reference = loads["virtuoso bulk" if "virtuoso" in name else "oxigraph load"]
        lines.append(f"| {name} | {seconds:.1f} | {rate(triples, seconds)} | "
                     f"{seconds / reference:.1f}× |")
    batched = loads["civicgraph → oxigraph (batched)"]
    lines += ["", "civicgraph's batched load into the Oxigraph server takes "
              f"{batched / loads['oxigraph Graph Store PUT']:.1f}× the time of the engine's own "
              "Graph Store `PUT` of the same file (the cost of civicgraph's batches, ledger and "
              f"commit) and {batched / loads['oxigraph load']:.1f}× that of `oxigraph load`; "
              "into Virtuoso, "
              f"{loads['civicgraph → virtuoso'] / loads['virtuoso bulk']:.1f}× that of its bulk "
              "loader."]
    lines += ["", f"Of civicgraph's load into Virtuoso, {loads['virtuoso commit']:.1f} s is the "
              "one-operation commit (staging graph to target, one transaction); of the batched "
              f"load into the Oxigraph server, {loads['oxigraph commit']:.1f} s is its commit "
              "(`MOVE` of the staging graph, in one update).", "",
              f"### Catalogue queries (median of {args.runs}, seconds)", "",
              "\"store\": the query run by civicgraph's store object for the engine (public "
              "graphs, parameters bound); \"API\": `GET /queries/{name}` of a `civicgraph "
              "serve` over the engine (JSON).", "",
              "| query | " + " | ".join(latency) + " |",
              "|---|" + "---:|" * len(latency)]
    for name in next(iter(latency.values())):
        cells = [latency[engine][name] for engine in latency]
        marked = f"{name} †" if name in DIFFERENT_ON_VIRTUOSO else name
        lines.append(f"| {marked} | " + " | ".join(
            f"{c:.3f}" if isinstance(c, float) else str(c) for c in cells) + " |")
    common = [name for name in next(iter(latency.values()))
              if all(isinstance(latency[e][name], float) for e in latency)]
    geo = {engine: statistics.geometric_mean([latency[engine][n] for n in common])  # type: ignore[misc]
           for engine in latency}
    lines.append(f"| geometric mean ({len(common)} queries answered everywhere) | "
                 + " | ".join(f"{g:.3f}" for g in geo.values()) + " |")
    same = [name for name in common if name not in DIFFERENT_ON_VIRTUOSO]
    geo = {engine: statistics.geometric_mean([latency[engine][n] for n in same])  # type: ignore[misc]
           for engine in latency}
    lines.append(f"| geometric mean ({len(same)} queries answered everywhere, the same way) | "
                 + " | ".join(f"{g:.3f}" for g in geo.values()) + " |")
    lines += ["", "† Virtuoso 7.2 answers these differently from Oxigraph (it evaluates their "
              "optional-parameter filters otherwise: `tests/engines/test_virtuoso_catalogue.py`), "
              "so their times do not compare across engines. An error in a cell is the "
              "engine's answer to that query (Virtuoso refuses a query whose *estimated* time "
              "exceeds its limit, and may stop answering after one it cannot finish)."]
    lines += ["", f"### Throughput over one Oxigraph server ({args.clients} clients, "
              f"{args.seconds:g} s each, requests per second)", "",
              "| workload | 1 replica | 2 replicas | ratio |", "|---|---:|---:|---:|"]
    for label in ("lookup", "catalogue"):
        one, two = rates[f"{label}, 1 replica"], rates[f"{label}, 2 replicas"]
        lines.append(f"| {label} | {one:.1f} | {two:.1f} | {two / one:.2f}× |")
    lines += ["", f"\"lookup\": `GET /sparql` of one organisation's triples; \"catalogue\": the "
              "five fastest catalogue queries above, in turn. The clients, the replicas and the "
              f"engine share the machine's {os.cpu_count()} cores: a second replica adds a "
              "process, not CPU, so a ratio near 1 says that the engine or the machine is the "
              "limit, not the API process."]
    return "\n".join(lines) + "\n"


def virtuoso_version() -> str:
    found = subprocess.run(["virtuoso-t", "-?"], capture_output=True, text=True, check=False)
    for line in (found.stdout + found.stderr).splitlines():
        if "Version" in line:
            return line.split("Version", 1)[1].split()[0]
    return "7"


def oxigraph_version() -> str:
    found = subprocess.run([oxigraph_executable(), "--version"], capture_output=True,
                           text=True, check=False)
    return found.stdout.strip().split()[-1] if found.stdout.strip() else "?"
