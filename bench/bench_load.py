"""A validated load through civicgraph against ``oxigraph load``, same file, same run.

For each size, generated data (``graph.samples.synthetic``, N-Triples) is loaded into a fresh
on-disk store, each run in its own process so that its peak memory (max RSS) is its own:

- ``oxigraph load --location DIR --file data.nt`` (the reference: parses and writes, never
  validates);
- ``import_source`` without validation, then with each SHACL engine asked for (``auto`` is
  what ``civicgraph load`` does: pyrudof, on parts of the data above ``PART_TRIPLES``).

Prints seconds (parse / validate / write), peak memory and the ratio to ``oxigraph load``;
with ``--write`` records them in ``bench/RESULTS.md``.

    .venv/bin/python bench/bench_load.py --organisations 1000 10000 --engines auto pyrudof --write
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TARGET_RATIO = 5.0
TARGET_MEMORY_GIB = 4.0


def child(mode: str, data: str, location: str) -> None:
    """Run one civicgraph load in this process and print its figures as JSON."""
    from graph.ingest.loading import import_source
    from graph.namespaces import graph_iri
    from graph.store.embedded import OxigraphStore

    store = OxigraphStore(location)
    started = time.perf_counter()
    report = import_source(store, Path(data), graph=graph_iri("synthetic"), imported_by="bench",
                           validate=mode != "none",
                           engine=mode if mode != "none" else "auto")  # type: ignore[arg-type]
    store.close()
    print(json.dumps({"seconds": time.perf_counter() - started, "stages": report.seconds,
                      "triples": report.triples}))


def measured(command: list[str]) -> tuple[float, float, str]:
    """Wall seconds, peak memory (GiB) and standard output of ``command``."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        out.seek(0)
        text = out.read().decode()
    if status != 0:
        raise RuntimeError(f"{command[:3]} failed ({status}): {text[-500:]}")
    return seconds, usage.ru_maxrss / 2**20, text


def bench_size(organisations: int, engines: list[str], workdir: Path) -> list[dict[str, Any]]:
    from graph.samples.synthetic import write

    data = workdir / f"synthetic-{organisations}.nt"
    triples = write(organisations, data)
    oxigraph = str(Path(sys.executable).parent / "oxigraph")
    seconds, memory, _ = measured([oxigraph, "load", "--location",
                                   str(workdir / f"ox-{organisations}"), "--file", str(data)])
    rows = [{"organisations": organisations, "triples": triples, "run": "oxigraph load",
             "seconds": seconds, "memory": memory, "ratio": 1.0, "stages": {}}]
    reference = seconds
    for mode in ["none", *engines]:
        location = workdir / f"cg-{organisations}-{mode}"
        seconds, memory, out = measured([sys.executable, __file__, "--child", mode, str(data),
                                         str(location)])
        figures = json.loads(out.strip().splitlines()[-1])
        label = "civicgraph, no validation" if mode == "none" else f"civicgraph, {mode}"
        rows.append({"organisations": organisations, "triples": triples, "run": label,
                     "seconds": seconds, "memory": memory, "ratio": seconds / reference,
                     "stages": figures["stages"]})
        print(f"{organisations} organisations, {label}: {seconds:.1f} s "
              f"({seconds / reference:.1f}x), {memory:.2f} GiB", flush=True)
    return rows


def table(rows: list[dict[str, Any]]) -> str:
    lines = ["| data | run | seconds | parse / validate / write (s) | peak memory | "
             "ratio to oxigraph load |", "|---|---|---|---|---|---|"]
    for r in rows:
        stages = r["stages"]
        split = " / ".join(f"{stages[k]:.1f}" if k in stages else "-"
                           for k in ("parse", "validate", "write")) if stages else "-"
        ratio = r["ratio"]
        verdict = ""
        if r["run"].startswith("civicgraph, ") and "no validation" not in r["run"]:
            ok = ratio <= TARGET_RATIO and r["memory"] <= TARGET_MEMORY_GIB
            verdict = " (meets both targets)" if ok else " (misses a target)"
        lines.append(f"| {r['triples']:,} triples | {r['run']} | {r['seconds']:.1f} | {split} | "
                     f"{r['memory']:.2f} GiB | {ratio:.1f}x{verdict} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--organisations", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--engines", nargs="+", default=["auto"],
                        choices=["auto", "pyrudof", "pyshacl"])
    parser.add_argument("--write", action="store_true", help="record in bench/RESULTS.md")
    parser.add_argument("--child", nargs=3, metavar=("MODE", "DATA", "STORE"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="civicgraph-bench-load-") as tmp:
        for organisations in args.organisations:
            rows += bench_size(organisations, args.engines, Path(tmp))
    print(table(rows))
    if args.write:
        from bench.results import write_section
        body = (
            f"`bench/bench_load.py --organisations {' '.join(map(str, args.organisations))} "
            f"--engines {' '.join(args.engines)}`: generated N-Triples loaded into a fresh "
            "on-disk store, each run in its own process (peak memory = its max RSS). "
            f"Targets: a validated load within {TARGET_RATIO:.0f}x of `oxigraph load` and "
            f"under {TARGET_MEMORY_GIB:.0f} GiB.\n\n" + table(rows))
        write_section("Validated load", body)


if __name__ == "__main__":
    main()
