"""Catalogue queries over triples that several imports restate, against the data as loaded.

Oxigraph up to 0.5.13 yields a triple once per named graph that states it when it evaluates a
pattern over the union default graph (oxigraph/oxigraph#1919): every import describing the
same software restates its type, labels and licence, and each repeat multiplies the rows a
join carries. This benchmark measures what that costs each catalogue query, on the engine
itself (pyoxigraph, union default graph, the text civicgraph runs on an embedded store),
each query once in a new process over a read-only copy (cold), stopped past ``--timeout``:

- **as loaded**: the vocabulary and ``--organisations`` generated organisations in one graph
  (as ``bench_catalogue`` builds it);
- **restated**: the same store with ``--graphs`` more graphs of one generated organisation
  each, as that many imports would write them (each restates the software it uses).

With ``--before COMMIT`` the query files as they were at that commit are run too, on both
stores, side by side with the current ones. Prints a table (seconds, and the ratio restated /
as loaded); ``--write`` records it in ``bench/RESULTS.md``.

    .venv/bin/python bench/bench_repeated.py --organisations 10000 --graphs 9 --before 466fe72
"""

from __future__ import annotations

import argparse
import io
import multiprocessing
import os
import subprocess
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
from graph.queries.catalogue import list_queries, parse_query
from graph.samples.synthetic import BLOCK, write
from graph.store.binding import bind_values
from graph.store.embedded import OxigraphStore

ROOT = Path(__file__).resolve().parents[1]


def build(work: Path, organisations: int, graphs: int) -> tuple[Path, Path]:
    """Checkpoints of the store as loaded and with ``graphs`` more organisation graphs."""
    data = work / "synthetic.nt"
    write(organisations, data)
    store = OxigraphStore(str(work / "store"))
    load_vocabulary(store, imported_by="bench")
    import_source(store, data, graph=graph_iri("synthetic"), imported_by="bench",
                  validate=False)
    loaded = work / "loaded"
    store.ox.backup(str(loaded))
    first = -(-organisations // BLOCK)
    for n in range(graphs):
        buffer = io.BytesIO()
        write(1, buffer, seed=7 + n, start=(first + n) * BLOCK)
        store.ox.load(buffer.getvalue(), format=ox.RdfFormat.N_TRIPLES,
                      to_graph=ox.NamedNode(graph_iri(f"bench/organisation-{n}")))
    store.ox.flush()
    restated = work / "restated"
    store.ox.backup(str(restated))
    store.close()
    return loaded, restated


def _run(path: str, name: str, text: str, out: Any) -> None:
    """In a child process: ``text`` (catalogue query ``name``, default parameters, ``en``)
    on the store at ``path``; its seconds and rows to ``out``."""
    store = ox.Store.read_only(path)
    entry = parse_query(name, text)
    terms = entry.bind({"lang": "en"} if any(p.name == "lang" for p in entry.params) else {})
    started = time.perf_counter()
    result = store.query(bind_values(entry.sparql, terms),
                         substitutions={ox.Variable(k): v for k, v in terms.items()},
                         use_default_graph_as_union=True)
    rows = 1 if isinstance(result, ox.QueryBoolean) else sum(1 for _ in result)
    out.put((time.perf_counter() - started, rows))


def timed(path: Path, name: str, text: str, timeout: float) -> tuple[float | None, int]:
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    child = context.Process(target=_run, args=(str(path), name, text, out))
    child.start()
    try:
        return out.get(timeout=timeout + 30)
    except Exception:   # queue.Empty: past the time limit
        return None, 0
    finally:
        child.kill()
        child.join()


def texts(commit: str | None) -> dict[str, str]:
    """Each catalogue query's file, now or at ``commit``."""
    if commit is None:
        return {q.name: (ROOT / "graph" / "queries" / f"{q.name}.rq").read_text("utf-8")
                for q in list_queries()}
    return {q.name: subprocess.run(
        ["git", "show", f"{commit}:graph/queries/{q.name}.rq"], cwd=ROOT, check=True,
        capture_output=True, text=True).stdout for q in list_queries()}


def cell(found: tuple[float | None, int], timeout: float) -> str:
    return f"> {timeout:.0f}" if found[0] is None else f"{found[0]:.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--organisations", type=int, default=1000)
    parser.add_argument("--graphs", type=int, default=9)
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--before", help="also run the query files as at this commit")
    parser.add_argument("--queries", nargs="*", help="only these catalogue queries")
    parser.add_argument("--write", action="store_true", help="record in bench/RESULTS.md")
    args = parser.parse_args()
    load_start = os.getloadavg()
    versions = {"now": texts(None)}
    if args.before:
        versions = {"before": texts(args.before), **versions}
    names = args.queries or [q.name for q in list_queries()]
    with tempfile.TemporaryDirectory(prefix="bench-repeated-") as tmp:
        loaded, restated = build(Path(tmp), args.organisations, args.graphs)
        triples = (len(ox.Store.read_only(str(loaded))), len(ox.Store.read_only(str(restated))))
        rows: list[str] = []
        for name in names:
            cells: list[str] = []
            for version, found in versions.items():
                a = timed(loaded, name, found[name], args.timeout)
                b = timed(restated, name, found[name], args.timeout)
                print(f"{name:<36} {version:<6} as loaded {cell(a, args.timeout):>8} s "
                      f"restated {cell(b, args.timeout):>8} s  rows {a[1]} / {b[1]}",
                      flush=True)
                cells += [cell(a, args.timeout), cell(b, args.timeout),
                          "-" if a[0] is None else
                          (f"> {args.timeout / a[0]:.0f}x" if b[0] is None
                           else f"{b[0] / max(a[0], 1e-3):.1f}x")]
            rows.append(f"| {name} | " + " | ".join(cells) + " |")
    load_end = os.getloadavg()
    head = " | ".join(f"{v}: as loaded | {v}: restated | {v}: ratio" for v in versions)
    command = ("`.venv/bin/python bench/bench_repeated.py --organisations "
               f"{args.organisations} --graphs {args.graphs} --timeout {args.timeout:.0f}"
               + (f" --before {args.before}" if args.before else "")
               + (f" --queries {' '.join(args.queries)}" if args.queries else "") + "`")
    body = (f"{command}: {triples[0]:,} triples as loaded, {triples[1]:,} with {args.graphs} "
            "more graphs of one generated organisation each (restating the software they "
            "use); pyoxigraph alone, union default graph, each query once in a new process "
            f"(cold), seconds; load average {load_start[0]:.2f} / {load_start[1]:.2f} / "
            f"{load_start[2]:.2f} at the start, {load_end[0]:.2f} / {load_end[1]:.2f} / "
            f"{load_end[2]:.2f} at the end.\n\n"
            f"| query | {head} |\n|---|" + "---:|" * (3 * len(versions)) + "\n"
            + "\n".join(rows) + "\n")
    print(body)
    if args.write:
        write_section("Catalogue queries over restated triples (oxigraph#1919)", body)


if __name__ == "__main__":
    main()
