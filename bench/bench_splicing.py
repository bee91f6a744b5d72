"""Catalogue answers at once after a write: forgotten (before) and spliced (after), one run.

The generated store of ``bench/bench_catalogue.py`` (``--organisations`` 10,000: about
1.05 x 10^6 triples, on disk) and one query engine (no answer cache of its own, queries run
on the calling thread), with two ``KeptAnswers`` over it: one that forgets an answer a write
may have changed (``splice=False``: before this change) and one that splices it
(``graph.queries.splicing``). Every catalogue query with its default parameters (public
scope, SPARQL JSON) is evaluated once and kept in both; then for each write of
``bench_catalogue`` (new-organisation, organisation-renamed, resource), every query is
asked at once after it, of each (``after`` first, so that the engine's own caches do not
favour it), timed, with what happened to the answer (kept ``k``, spliced ``s``, spliced by
keys derived through a join ``d`` (``graph.queries.derivation``), evaluated whole ``e``); an
answer too large for either to keep (``organisation_usages``: 97 MB) is not asked again.
Splicing's cost is split in the restricted evaluation and the merge (reading and writing
the JSON). Then, for the threshold ``SPLICE_UP_TO``: for each answer, its size, one full
evaluation, and what reading, sorting and writing it costs (``merged`` with no key).

    .venv/bin/python bench/bench_splicing.py --organisations 10000
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pyoxigraph as ox

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_catalogue import generated_store, writes
from graph.engine.execution import QueryEngine
from graph.engine.snapshots import VersionedStore
from graph.errors import QueryTimeout
from graph.ingest.writing import replace
from graph.queries import kept as kept_module
from graph.queries.catalogue import list_queries
from graph.queries.confinement import plan
from graph.queries.kept import LARGEST_SHARE, KeptAnswers
from graph.queries.splicing import Splice, merged
from graph.sparql.request import QueryJob
from graph.sparql.results import Answer

#: room for answers in each ``KeptAnswers`` (the server's: 4 x 64 MiB)
CAPACITY = 256 * 2**20


def shown(seconds: float | None) -> str:
    return "stopped" if seconds is None else f"{seconds:7.3f}"


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def jobs(engine: QueryEngine) -> list[tuple[str, QueryJob]]:
    found = []
    for query in list_queries():
        if any(p.required for p in query.params):
            continue
        terms = query.bind({})
        found.append((query.name, engine.job(query.text(engine.store, terms), "public",
                                             substitutions=terms, solutions_format="json")))
    return found


def measure(organisations: int, workdir: Path, timeout: float) -> dict[str, Any]:
    plain, _ = generated_store(organisations, workdir)
    store = VersionedStore(plain)
    out: dict[str, Any] = {"triples": store.count(), "organisations": organisations}
    print(f"{out['triples']:,} triples", flush=True)
    engine = QueryEngine(store, workers=0, answer_cache=0, timeout=timeout,
                         result_limit=10**7)
    before = KeptAnswers(store, CAPACITY, splice=False)
    after = KeptAnswers(store, CAPACITY, splice=True)
    asked = jobs(engine)
    out["full"], out["sizes"], out["merge"] = {}, {}, {}
    for name, job in list(asked):
        started = time.perf_counter()
        try:
            answer = before.run(job, engine.run)
        except QueryTimeout:   # past the limit: not asked again
            print(f"{name:<36} full stopped at {timeout:g} s", flush=True)
            asked.remove((name, job))
            continue
        out["full"][name] = time.perf_counter() - started
        after.run(job, lambda _job, answer=answer: answer)  # type: ignore[misc]
        out["sizes"][name] = len(answer.body)
        order = plan(job.sparql, frozenset(job.substitutions)).order or ()
        empty = b'{"head":' + answer.body.split(b',"results"', 1)[0][len(b'{"head":'):] + \
            b',"results":{"bindings":[]}}'
        started = time.perf_counter()
        try:
            merged(answer.body, [("none", empty)], Splice({"none": frozenset()}), order)
            out["merge"][name] = time.perf_counter() - started
        except Exception as error:   # an order this module does not sort: said as such
            out["merge"][name] = repr(error)
        print(f"{name:<36} full {out['full'][name]:7.2f} s  {out['sizes'][name]:>11,} B  "
              f"merge {out['merge'][name]}", flush=True)
    out["writes"] = {}
    for label, graph, body in writes(organisations):
        triples = [q.triple for q in ox.parse(body, ox.RdfFormat.N_TRIPLES)]
        replace(store, {graph: triples}, None, source="bench", validate=False)
        rows: dict[str, Any] = {}
        for which, kept in (("after", after), ("before", before)):
            started = time.perf_counter()
            kept.observe()   # what the write changed: paid by the first ask after it
            rows[f"observe-{which}"] = time.perf_counter() - started
        for name, job in asked:
            if out["sizes"][name] > CAPACITY // LARGEST_SHARE:   # kept by neither
                continue
            rows[name] = {}
            for which, kept in (("after", after), ("before", before)):
                restricted: list[float] = []

                def timed(job: QueryJob, original: QueryJob = job,
                          restricted: list[float] = restricted) -> Answer:
                    started = time.perf_counter()
                    answer = engine.run(job)
                    if job.sparql != original.sparql:
                        restricted.append(time.perf_counter() - started)
                    return answer

                held, spliced, derived = kept.holds(job), kept.spliced, kept.derived
                started = time.perf_counter()
                try:
                    kept.run(job, timed)
                    took: float | None = time.perf_counter() - started
                except QueryTimeout:
                    took = None
                what = ("derived" if kept.derived > derived else "spliced") \
                    if kept.spliced > spliced else "kept" if held else "evaluated"
                rows[name][which] = (took, what, restricted[0] if restricted else None)
            b, a = rows[name]["before"], rows[name]["after"]
            print(f"{label:<20} {name:<34} before {shown(b[0])} s {b[1]:<9} "
                  f"after {shown(a[0])} s {a[1]:<9}"
                  + (f" (restricted {a[2]:.3f} s)" if a[2] is not None else ""), flush=True)
        out["writes"][label] = rows
    engine.close()
    store.close()
    return out


def report(out: dict[str, Any]) -> str:
    """The measures as a Markdown table: per query, its answer's size, one evaluation, the
    cost of reading, sorting and writing it, and per write the first ask before / after."""
    labels = list(out["writes"])
    lines = ["| query | answer | evaluation | merge | "
             + " | ".join(f"`{label}`: before / after" for label in labels) + " |",
             "|---|---:|---:|---:|" + "---:|" * len(labels)]

    def cell(row: list[Any] | None) -> str:
        if row is None:
            return "-"
        took, what = row[0], row[1]
        mark = {"kept": "k", "spliced": "s", "derived": "d", "evaluated": "e"}[what]
        return f"{'stopped' if took is None else f'{took:.3f}'} {mark}"

    for name, size in out["sizes"].items():
        merge = out["merge"][name]
        cells = []
        for label in labels:
            rows = out["writes"][label].get(name)
            cells.append("not kept" if rows is None else
                         f"{cell(rows['before'])} / {cell(rows['after'])}")
        lines.append(f"| {name} | {size / 1e6:.2f} MB | {out['full'][name]:.2f} | "
                     + (f"{merge:.3f}" if isinstance(merge, float) else "unsortable")
                     + " | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organisations", type=int, default=10_000)
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--splice-up-to", type=int, default=None, metavar="BYTES",
                        help="splice answers up to this size (default: SPLICE_UP_TO)")
    parser.add_argument("--json", metavar="PATH", help="write the measures there")
    parser.add_argument("--report", metavar="PATH",
                        help="print the table of measures written by --json, and nothing else")
    options = parser.parse_args()
    if options.report:
        print(report(json.loads(Path(options.report).read_text())))
        return
    if options.splice_up_to is not None:
        kept_module.SPLICE_UP_TO = options.splice_up_to
    start = load_average()
    # the store's directory may still be written to as it closes: left to the system then
    with tempfile.TemporaryDirectory(prefix="bench-splicing-",
                                     ignore_cleanup_errors=True) as workdir:
        out = measure(options.organisations, Path(workdir), options.timeout)
    out["load"] = (start, load_average())
    print(f"load average at start {start}, at end {out['load'][1]}")
    if options.json:
        Path(options.json).write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
