"""Each step of a validated load's checks timed apart, at several sizes, so that a step that
grows faster than the data shows.

For each size, generated data (``graph.samples.synthetic``, N-Triples) is parsed into
Oxigraph's memory store as the write path parses it (``graph.ingest.loading.parse``), then
``graph.ingest.checking.check`` runs over it against an on-disk store holding the vocabulary
(as after ``civicgraph init``), alone: no write beside it. Each size runs in its own process.
The functions ``check`` calls are wrapped with timers (nested steps are named by their
callers), and every query of the compiled shapes (``graph.ingest.shape_queries.run``) is timed
on its own, one at a time (``--workers 1``, the default here; the load runs two).

Prints, for each step, its seconds and the resident memory after it at each size, and the
growth of its time against the growth of the data; then the compiled queries that grow most.

    .venv/bin/python bench/bench_checks.py --organisations 10000 30000 --data /tmp/ld

``--before TREE`` runs each size first with the code of another checkout (``git archive`` of
an earlier commit unpacked in TREE), for a before/after in one run.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import types
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

#: the functions of ``graph.ingest.checking`` and ``validation`` timed as steps
STEPS = {
    "graph.ingest.checking": ("_union", "_select", "_mentions_persons_in", "_refuse_personal",
                              "_guard_privacy", "context", "_matching_list", "_around",
                              "_targeted", "_introduced"),
    "graph.ingest.validation": ("validate", "_with_sparql"),
}


def resident() -> float:
    """The resident memory of this process now, in GiB."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**30


class Steps:
    """Seconds and memory of named steps; a step inside another is named ``outer > inner``."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.memory: dict[str, float] = {}
        self.stack: list[str] = []

    @contextlib.contextmanager
    def step(self, label: str) -> Iterator[None]:
        self.stack.append(label)
        key = " > ".join(self.stack)
        begun = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[key] = self.seconds.get(key, 0.0) + time.perf_counter() - begun
            self.memory[key] = resident()
            self.stack.pop()

    def wrap(self, module: Any, name: str, label: Callable[..., str] | None = None) -> None:
        original = getattr(module, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            with self.step(label(*args, **kwargs) if label else name):
                result = original(*args, **kwargs)
                # a generator's work happens when it is read: read it inside the step
                # (and a query's: Oxigraph evaluates as the rows are read)
                return list(result) if name.startswith(("_matching", "_select")) else result

        setattr(module, name, timed)


def _select_label(data: Any, query: str, *_: Any, **__: Any) -> str:
    return "query " + " ".join(query.split())[:70]


def _short(iri: str) -> str:
    """The last segment of an IRI (of each IRI of a path)."""
    return re.sub(r"[^ /()|^*+?]*[/#]", "", iri)


class Rows(list):  # type: ignore[type-arg]
    """A query's rows, read (``shape_queries`` asserts it got query solutions: see
    ``child``, which lets these pass)."""


class TimedStore:
    """An ``ox.Store`` whose ``query`` times each query (what ``shape_queries.run`` calls)."""

    def __init__(self, store: Any, steps: Steps, labels: dict[str, str]) -> None:
        self.store, self.steps, self.labels = store, steps, labels

    def query(self, query: str, **options: Any) -> Any:
        with self.steps.step(self.label(query)):
            # the answer is read inside the step: Oxigraph evaluates as the rows are read
            return Rows(self.store.query(query, **options))

    def label(self, query: str) -> str:
        names = [name for needle, name in self.labels.items() if needle in query]
        if "FILTER(EXISTS" in query:
            target = re.search(r"subClassOf>\* <([^>]+)>", query)
            return f"screen {_short(target[1]) if target else '?'}: " + ", ".join(names)
        return ("check " + names[0]) if names else "query " + " ".join(query.split())[:70]


def child(data: str, vocabulary: str, workers: int) -> None:
    """One size in this process: the parse, then ``check`` with its steps timed; JSON out."""
    import pyoxigraph as ox

    import graph.ingest.checking as checking
    import graph.ingest.shape_queries as shape_queries
    import graph.ingest.validation as validation
    from graph.ingest.loading import parse
    from graph.namespaces import graph_iri
    from graph.store.content import Serialized
    from graph.store.embedded import OxigraphStore
    from graph.vocabulary import shapes_path

    steps = Steps()
    modules = {"graph.ingest.checking": checking, "graph.ingest.validation": validation}
    for module, names in STEPS.items():
        for name in names:
            if hasattr(modules[module], name):
                steps.wrap(modules[module], name,
                           _select_label if name == "_select" else None)
    steps.wrap(checking, "_matching", lambda store, nodes, pattern, *a, **k:
               f"_matching {len(nodes)} nodes {pattern[:30]}")
    labels = {}
    for check in shape_queries.compile_shapes([shapes_path("core")]):
        needle = check.pattern.split("«")[0][:80]
        labels[needle] = f"{check.constraint.removeprefix('sh:')[:-19]} " + _short(
            check.path or check.shape)
    run = shape_queries.run
    validation.PART_WORKERS = workers  # type: ignore[misc]

    def timed_run(checks: Any, store: Any, **options: Any) -> Any:
        with steps.step("shape_queries.run"):
            return run(checks, TimedStore(store, steps, labels), **options)

    shape_queries.run = timed_run  # type: ignore[assignment]
    # shape_queries asserts its rows are query solutions: read rows pass too
    shape_queries.ox = types.SimpleNamespace(  # type: ignore[assignment]
        **{k: getattr(ox, k) for k in dir(ox) if not k.startswith("_")})
    shape_queries.ox.QuerySolutions = (ox.QuerySolutions, Rows)
    raw = Path(data).read_bytes()
    store = OxigraphStore(vocabulary)
    # as ``loading`` hands an N-Triples import over: parsed when the checks first need it
    # (within ``_union``), the parse's store taken over by them
    content = Serialized(raw, format=ox.RdfFormat.N_TRIPLES,
                         parser=lambda: parse(raw, ox.RdfFormat.N_TRIPLES))
    graph = graph_iri("synthetic")
    with steps.step("check"):
        warnings = checking.check(store, {graph: content}, source="bench",
                                  public={graph})
    store.close()
    print(json.dumps({"triples": len(content), "seconds": steps.seconds, "memory": steps.memory,
                      "warnings": len(warnings)}))


def measure(organisations: int, workdir: Path, data_dir: Path | None,
            workers: int, tree: Path | None = None) -> dict[str, Any]:
    """One size in a process of its own; ``tree``: run the copy of this script in another
    checkout (its own ``graph``), for a before/after in one run."""
    from graph.samples.synthetic import write

    data = (data_dir or workdir) / f"synthetic-{organisations}.nt"
    if not data.exists():
        write(organisations, data)
    template = workdir / "store-with-vocabulary"
    if not template.exists():
        subprocess.run([sys.executable, str(Path(__file__).parent / "bench_load.py"),
                        "--vocabulary", str(template)], check=True)
    import shutil
    location = workdir / f"store-{organisations}"
    shutil.copytree(template, location)
    begun = time.perf_counter()
    script = tree / "bench" / "bench_checks.py" if tree is not None else Path(__file__)
    out = subprocess.run([sys.executable, str(script), "--child", str(data), str(location),
                          str(workers)], check=True, capture_output=True, text=True).stdout
    shutil.rmtree(location, ignore_errors=True)
    found: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    found["wall"] = time.perf_counter() - begun
    found["organisations"] = organisations
    return found


def table(results: list[dict[str, Any]], *, top: int) -> str:
    """Steps (first seen order) with seconds and memory at each size, and growth: the time's
    ratio between the last two sizes over the data's."""
    keys: list[str] = []
    for r in results:
        keys += [k for k in r["seconds"] if k not in keys]
    queries = [k for k in keys if k.split(" > ")[-1].startswith(("screen ", "check "))]
    others = [k for k in keys if k not in queries]
    first, last = results[0], results[-1]
    scale = last["triples"] / first["triples"]
    heads = " | ".join(f"{r['triples']:,} triples: s / GiB" for r in results)
    lines = [f"| step | {heads} | time growth / data growth |",
             "|---|" + "---|" * len(results) + "---|"]

    def row(key: str) -> str:
        cells = " | ".join(
            f"{r['seconds'][key]:.2f} / {r['memory'][key]:.2f}" if key in r["seconds"]
            else "-" for r in results)
        a, b = first["seconds"].get(key), last["seconds"].get(key)
        growth = f"{b / a / scale:.2f}" if a and b and a > 0.005 else "-"
        return f"| {key} | {cells} | {growth} |"

    lines += [row(k) for k in others]
    grown = sorted(queries, key=lambda k: -last["seconds"].get(k, 0.0))[:top]
    if grown:
        lines += ["", f"The {len(grown)} slowest compiled-shape queries at the largest size "
                  f"(of {len(queries)}):", "", lines[0], lines[1]]
        lines += [row(k) for k in grown]
        total = [sum(r["seconds"].get(k, 0.0) for k in queries) for r in results]
        lines += ["", "All compiled-shape queries: " + ", ".join(
            f"{t:.2f} s at {r['triples']:,}" for t, r in zip(total, results, strict=True))]
    return "\n".join(lines)


#: the steps compared before and after (``--before``), as ``table`` names them
COMPARED = ("check > _union", "check > query SELECT DISTINCT ?s { ?s ?p ?o }",
            "check > _mentions_persons_in", "check > context",
            "check > validate > _with_sparql > shape_queries.run", "check")


def compared(before: list[dict[str, Any]], after: list[dict[str, Any]], *,
             queries: int) -> str:
    """Seconds of the main steps (and of the ``queries`` slowest compiled-shape queries
    before) at each size, before and after, side by side."""
    last = before[-1]["seconds"]
    slowest = sorted((k for k in last if k.split(" > ")[-1].startswith("screen ")),
                     key=lambda k: -last[k])[:queries]
    heads = " | ".join(f"{b['triples']:,}: before / after (s)" for b in before)
    lines = [f"| step | {heads} | growth before / after |",
             "|---|" + "---|" * len(before) + "---|"]
    scale = before[-1]["triples"] / before[0]["triples"]
    for key in (*COMPARED, *slowest):
        cells = " | ".join(f"{b['seconds'].get(key, 0):.2f} / {a['seconds'].get(key, 0):.2f}"
                           for b, a in zip(before, after, strict=True))
        growth = " / ".join(
            f"{r[-1]['seconds'].get(key, 0) / r[0]['seconds'][key] / scale:.2f}"
            if r[0]["seconds"].get(key) else "-" for r in (before, after))
        name = key.replace("check > validate > _with_sparql > shape_queries.run", "compiled")
        lines.append(f"| {name} | {cells} | {growth} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--organisations", type=int, nargs="+", default=[10000, 30000])
    parser.add_argument("--data", type=Path, metavar="DIR",
                        help="use (or keep) the generated files in DIR (synthetic-N.nt)")
    parser.add_argument("--workers", type=int, default=1,
                        help="queries of the compiled shapes run at once (the load: 2)")
    parser.add_argument("--top", type=int, default=12)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--before", type=Path, metavar="TREE",
                        help="also run each size with the code of another checkout (TREE, "
                             "e.g. `git archive` of an earlier commit), interleaved")
    parser.add_argument("--child", nargs=3, metavar=("DATA", "STORE", "WORKERS"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1], int(args.child[2]))
        return
    start = os.getloadavg()
    results, before = [], []
    with tempfile.TemporaryDirectory(prefix="civicgraph-bench-checks-") as tmp:
        for organisations in args.organisations:
            if args.before is not None:
                before.append(measure(organisations, Path(tmp), args.data, args.workers,
                                      args.before))
                print(f"{organisations} organisations, before: {before[-1]['wall']:.1f} s",
                      flush=True)
            results.append(measure(organisations, Path(tmp), args.data, args.workers))
            print(f"{organisations} organisations: {results[-1]['wall']:.1f} s", flush=True)
    end = os.getloadavg()
    print(table(results, top=args.top))
    if before:
        print("\nBefore / after:\n")
        print(compared(before, results, queries=4))
    print(f"load averages {' / '.join(f'{x:.2f}' for x in start)} at the start, "
          f"{' / '.join(f'{x:.2f}' for x in end)} at the end")
    if args.json:
        args.json.write_text(json.dumps({"after": results, "before": before}, indent=1))


if __name__ == "__main__":
    main()
