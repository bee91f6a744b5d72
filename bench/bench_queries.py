"""Catalogue queries through civicgraph's store interface against pyoxigraph directly.

For each size, generated data (``graph.samples.synthetic``) is loaded into an embedded on-disk store
(the default backend) with the vocabulary; then every catalogue query runs with its default
parameters, over the public graphs, through ``Store.query`` (civicgraph) and through the very
same ``pyoxigraph.Store`` object directly with the same text, substitutions and default graph
(the reference), alternating the two, ``--runs`` times each. The result is consumed in both
cases. Prints medians and ratios, and with ``--write`` records them in ``bench/RESULTS.md``.

    .venv/bin/python bench/bench_queries.py --organisations 1000 10000 --write
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pyoxigraph as ox

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.results import write_section
from graph.ingest.loading import import_source, load_vocabulary
from graph.namespaces import graph_iri
from graph.privacy.access import public_graphs
from graph.queries.catalogue import list_queries
from graph.samples.synthetic import write
from graph.store.embedded import OxigraphStore


def consume(result: Any) -> int:
    if isinstance(result, ox.QueryBoolean):
        return 1
    return sum(1 for _ in result)


def timed(run: Any) -> tuple[float, int]:
    started = time.perf_counter()
    rows = consume(run())
    return time.perf_counter() - started, rows


def bench_size(organisations: int, runs: int, workdir: Path) -> list[dict[str, Any]]:
    data = workdir / f"synthetic-{organisations}.nt"
    triples = write(organisations, data)
    store = OxigraphStore(str(workdir / f"store-{organisations}"))
    load_vocabulary(store, imported_by="bench")
    import_source(store, data, graph=graph_iri("synthetic"), imported_by="bench",
                  validate=False)
    graphs = public_graphs(store)
    direct_graphs = [ox.NamedNode(g) for g in graphs]
    rows: list[dict[str, Any]] = []
    for entry in list_queries():
        bindings = entry.bind({})
        direct_bindings = {ox.Variable(k): v for k, v in bindings.items()}

        def through(entry: Any = entry, bindings: Any = bindings) -> Any:
            return store.query(entry.sparql, substitutions=bindings, default_graph=graphs)

        def direct(entry: Any = entry, bindings: Any = direct_bindings) -> Any:
            return store.ox.query(entry.sparql, substitutions=bindings,
                                  default_graph=direct_graphs)

        timed(through)  # warm the caches once for both
        ours, theirs = [], []
        answer = 0
        for _ in range(runs):
            seconds, answer = timed(through)
            ours.append(seconds)
            seconds, _count = timed(direct)
            theirs.append(seconds)
        row = {"size": organisations, "triples": triples, "query": entry.name,
               "rows": answer, "civicgraph": statistics.median(ours),
               "pyoxigraph": statistics.median(theirs)}
        row["ratio"] = row["civicgraph"] / row["pyoxigraph"]
        rows.append(row)
        print(f"{organisations:>6} orgs  {entry.name:<36} {row['rows']:>7} rows  "
              f"{row['civicgraph'] * 1000:9.1f} ms  {row['pyoxigraph'] * 1000:9.1f} ms  "
              f"x{row['ratio']:.2f}", flush=True)
    store.close()
    return rows


def report(rows: list[dict[str, Any]], command: str) -> str:
    lines = [
        f"`{command}`: catalogue queries with default parameters over the public graphs of "
        "an embedded on-disk store; median of the runs; the reference is the same "
        "`pyoxigraph.Store` queried directly with the same text, substitutions and default "
        "graph, in the same run.",
        "",
        "| organisations | triples | query | rows | civicgraph (ms) | pyoxigraph (ms) | ratio |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(f"| {r['size']:,} | {r['triples']:,} | {r['query']} | {r['rows']:,} | "
                     f"{r['civicgraph'] * 1000:.1f} | {r['pyoxigraph'] * 1000:.1f} | "
                     f"{r['ratio']:.2f} |")
    lines.append("")
    for size in sorted({r["size"] for r in rows}):
        ratios = [r["ratio"] for r in rows if r["size"] == size]
        geo = math.exp(statistics.fmean(math.log(x) for x in ratios))
        lines.append(f"- {size:,} organisations: geometric mean ratio {geo:.3f}, worst "
                     f"{max(ratios):.3f} (target: within 1.2)")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organisations", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--write", action="store_true", help="record in bench/RESULTS.md")
    args = parser.parse_args()
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="civicgraph-bench-") as tmp:
        for size in args.organisations:
            rows.extend(bench_size(size, args.runs, Path(tmp)))
    command = "python bench/bench_queries.py --organisations " + " ".join(
        str(n) for n in args.organisations) + f" --runs {args.runs}"
    text = report(rows, command)
    print()
    print(text)
    if args.write:
        write_section("Catalogue queries through the store interface", text)


if __name__ == "__main__":
    main()
