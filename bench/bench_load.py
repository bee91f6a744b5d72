"""A validated load through civicgraph against ``oxigraph load``, same file, same run.

For each size, generated data (``graph.samples.synthetic``, N-Triples) is loaded into a fresh
on-disk store (civicgraph's holding the vocabulary first, as ``civicgraph load`` does; not
timed), each run in its own process so that its peak memory (max RSS) is its own:

- ``oxigraph load --location DIR --file data.nt`` (the reference: parses and writes, never
  validates);
- ``import_source`` without validation, then with each SHACL engine asked for (``auto`` is
  what ``civicgraph load`` does: the core shapes compiled to SPARQL, run by Oxigraph).

Prints seconds (parse / validate / write), peak memory and the ratio to ``oxigraph load``;
with ``--write`` records them in ``bench/RESULTS.md``.

    .venv/bin/python bench/bench_load.py --organisations 1000 10000 --engines auto pyrudof --write
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TARGET_RATIO = 2.0
TARGET_MEMORY_GIB = 2.0


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


def bench_size(organisations: int, engines: list[str], workdir: Path,
               runs: int = 1, data_dir: Path | None = None) -> list[dict[str, Any]]:
    """``runs`` rounds of every run, interleaved (oxigraph load, no validation, each engine,
    then again), so that a change of the machine's load touches all of them alike; the
    median of each (its seconds, stages and memory) against the median of oxigraph load."""
    import shutil
    import statistics

    from graph.samples.synthetic import write

    kept = data_dir / f"synthetic-{organisations}.nt" if data_dir is not None else None
    if kept is not None and kept.exists():
        # generated before (``--data``): the generator's output for this size, counted again
        data = kept
        with data.open("rb") as lines:
            triples = sum(1 for _ in lines)
    else:
        data = kept or workdir / f"synthetic-{organisations}.nt"
        triples = write(organisations, data)
    oxigraph = str(Path(sys.executable).parent / "oxigraph")
    modes = ["oxigraph", "none", *engines]
    # civicgraph's store holds the vocabulary before the load, as after ``civicgraph init``
    # (the checks read it): made once, copied before each run, outside the time measured
    template = workdir / "store-with-vocabulary"
    if not template.exists():
        subprocess.run([sys.executable, __file__, "--vocabulary", str(template)], check=True)
    seen: dict[str, list[tuple[float, float, dict[str, float]]]] = {m: [] for m in modes}
    for round_ in range(runs):
        for mode in modes:
            location = workdir / f"store-{organisations}-{mode}-{round_}"
            if mode == "oxigraph":
                seconds, memory, _ = measured([oxigraph, "load", "--location", str(location),
                                               "--file", str(data)])
                stages: dict[str, float] = {}
            else:
                shutil.copytree(template, location)
                seconds, memory, out = measured([sys.executable, __file__, "--child", mode,
                                                 str(data), str(location)])
                stages = json.loads(out.strip().splitlines()[-1])["stages"]
            shutil.rmtree(location, ignore_errors=True)
            seen[mode].append((seconds, memory, stages))
            print(f"{organisations} organisations, round {round_ + 1}, {mode}: {seconds:.1f} s, "
                  f"{memory:.2f} GiB", flush=True)

    def median(mode: str) -> tuple[float, float, dict[str, float]]:
        found = seen[mode]
        keys = found[0][2].keys()
        return (statistics.median(s for s, _, _ in found), max(m for _, m, _ in found),
                {k: statistics.median(st[k] for _, _, st in found) for k in keys})

    reference = median("oxigraph")[0]
    rows = []
    for mode in modes:
        seconds, memory, stages = median(mode)
        label = {"oxigraph": "oxigraph load", "none": "civicgraph, no validation"}.get(
            mode, f"civicgraph, {mode}")
        rows.append({"organisations": organisations, "triples": triples, "run": label,
                     "seconds": seconds, "memory": memory, "ratio": seconds / reference,
                     "stages": stages, "all": [round(s, 1) for s, _, _ in seen[mode]]})
    return rows


def table(rows: list[dict[str, Any]]) -> str:
    lines = ["| data | run | seconds (median) | each run | parse / validate / write (s) | "
             "peak memory | ratio to oxigraph load |", "|---|---|---|---|---|---|---|"]
    for r in rows:
        stages = r["stages"]
        split = " / ".join(f"{stages[k]:.1f}" if k in stages else "-"
                           for k in ("parse", "validate", "write")) if stages else "-"
        ratio = r["ratio"]
        verdict = ""
        if r["run"].startswith("civicgraph, ") and "no validation" not in r["run"]:
            ok = ratio <= TARGET_RATIO and r["memory"] <= TARGET_MEMORY_GIB
            verdict = " (meets both targets)" if ok else " (misses a target)"
        each = ", ".join(f"{x:.1f}" for x in r["all"])
        lines.append(f"| {r['triples']:,} triples | {r['run']} | {r['seconds']:.1f} | {each} | "
                     f"{split} | "
                     f"{r['memory']:.2f} GiB | {ratio:.1f}x{verdict} |")
    return "\n".join(lines)


def record(title: str, body: str) -> None:
    """Add ``### title`` with ``body`` at the end of the "Validated load" section of
    ``bench/RESULTS.md``, after the tables already there."""
    import re

    from bench.results import RESULTS

    text = RESULTS.read_text(encoding="utf-8")
    section = re.compile(r"^## Validated load\n.*?(?=^## |\Z)", re.S | re.M)
    found = section.search(text)
    block = f"### {title}\n\n{body.rstrip()}\n\n"
    if found is None:
        text = text.rstrip() + "\n\n## Validated load\n\n" + block
    else:
        text = text[:found.end()].rstrip() + "\n\n" + block + text[found.end():]
    RESULTS.write_text(text.rstrip() + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--organisations", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--engines", nargs="+", default=["auto"],
                        choices=["auto", "sparql", "pyrudof", "pyshacl"])
    parser.add_argument("--runs", type=int, default=1,
                        help="interleaved rounds of every run; the table shows medians")
    parser.add_argument("--write", action="store_true", help="record in bench/RESULTS.md")
    parser.add_argument("--child", nargs=3, metavar=("MODE", "DATA", "STORE"),
                        help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, metavar="DIR",
                        help="keep the generated files in DIR (synthetic-N.nt) and use those "
                             "found there (10^7 triples take minutes to generate)")
    parser.add_argument("--vocabulary", metavar="STORE", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    if args.vocabulary:
        from graph.ingest.loading import load_vocabulary
        from graph.store.embedded import OxigraphStore

        with OxigraphStore(args.vocabulary) as store:
            load_vocabulary(store, imported_by="bench")
        return
    rows: list[dict[str, Any]] = []
    start_load = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="civicgraph-bench-load-") as tmp:
        for organisations in args.organisations:
            rows += bench_size(organisations, args.engines, Path(tmp), args.runs, args.data)
    end_load = os.getloadavg()
    loads = (f"`uptime` load averages {' / '.join(f'{x:.2f}' for x in start_load)} at the "
             f"start and {' / '.join(f'{x:.2f}' for x in end_load)} at the end")
    print(table(rows))
    print(loads)
    if args.write:
        from bench.results import machine
        body = (
            f"`.venv/bin/python bench/bench_load.py --organisations "
            f"{' '.join(map(str, args.organisations))} --engines {' '.join(args.engines)} "
            f"--runs {args.runs}` "
            f"({machine()}; {loads}): generated N-Triples loaded into a fresh "
            "on-disk store, each run in its own process (peak memory = the largest max RSS "
            "of its rounds; seconds and stages: medians of the interleaved rounds). "
            f"Targets: a validated load within {TARGET_RATIO:.0f}x of `oxigraph load` and "
            f"under {TARGET_MEMORY_GIB:.0f} GiB.\n\n" + table(rows))
        record(f"{dt.date.today().isoformat()}: engines {', '.join(args.engines)}", body)


if __name__ == "__main__":
    main()
