"""Catalogue answers after a write that only restates what other graphs hold, read as sets
(``graph.queries.multiplicity``) or, as before, as counted triples; one run.

The generated store of ``bench/bench_catalogue.py`` (``--organisations`` 10,000: about
1.05 x 10^6 triples, on disk) with ``bench_catalogue``'s new organisation imported in a graph
of its own; one query engine (no answer cache of its own, queries on the calling thread) and
two ``KeptAnswers`` over it holding the same answers (every catalogue query with its default
parameters, public scope, SPARQL JSON, but the four slowest: ``--skip``): one reads the
answers that allow it as sets (this change), the other as before (every kept answer marked
as counting repeats). Then one write restates, in a new graph, every triple of every
software the new organisation's graph describes (what a second import of the same
organisation, or any import describing the software it uses, does), and each query is asked
at once of each, timed, with what happened to the answer: kept ``k``, spliced ``s``,
evaluated whole ``e``.

    .venv/bin/python bench/bench_restated.py --organisations 10000
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_catalogue import generated_store, writes
from graph.engine.execution import QueryEngine
from graph.engine.snapshots import VersionedStore
from graph.ingest.writing import replace
from graph.namespaces import graph_iri
from graph.queries.catalogue import list_queries
from graph.queries.kept import KeptAnswers

#: room for answers in each ``KeptAnswers`` (the server's: 4 x 64 MiB)
CAPACITY = 4 * 64 * 2**20
SKIP = "tools_by_concept,organisation_usages,single_source_facts,single_source_usages"
SOFTWARE = "https://schema.org/SoftwareApplication"


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organisations", type=int, default=10_000)
    parser.add_argument("--skip", default=SKIP, help="queries not asked (comma-separated)")
    options = parser.parse_args()
    start = load()
    with tempfile.TemporaryDirectory(prefix="bench-restated-",
                                     ignore_cleanup_errors=True) as workdir:
        plain_store, _ = generated_store(options.organisations, Path(workdir))
        store = VersionedStore(plain_store)
        _, graph, body = writes(options.organisations)[0]
        organisation = [q.triple for q in ox.parse(body, ox.RdfFormat.N_TRIPLES)]
        replace(store, {graph: organisation}, None, source="bench", validate=False)
        print(f"{store.count():,} triples", flush=True)
        engine = QueryEngine(store, workers=0, answer_cache=0, timeout=120,
                             result_limit=10**7)
        as_sets, as_before = KeptAnswers(store, CAPACITY), KeptAnswers(store, CAPACITY)
        skipped = set(options.skip.split(","))
        jobs = []
        for query in list_queries():
            if any(p.required for p in query.params) or query.name in skipped:
                continue
            terms = query.bind({"lang": "en"} if any(p.name == "lang" for p in query.params)
                               else {})
            jobs.append((query.name, engine.job(query.text(store, terms), "public",
                                                substitutions=terms, solutions_format="json")))
        for _, job in jobs:
            answer = as_sets.run(job, engine.run)
            as_before.run(job, lambda _job, answer=answer: answer)  # type: ignore[misc]
        for kept in as_before._answers.values():   # as before this change
            kept.insensitive = False
        software = {t.subject for t in organisation
                    if t.predicate.value.endswith("#type") and t.object.value == SOFTWARE}
        restated = [t for t in organisation if t.subject in software]
        replace(store, {graph_iri("bench/restating"): restated}, None, source="bench",
                validate=False)
        print(f"{len(restated)} triples of {len(software)} software restated", flush=True)
        for which, kept in (("as sets", as_sets), ("as before", as_before)):
            started = time.perf_counter()
            kept.observe()   # what the write changed: paid by the first ask after it
            print(f"observation, {which}: {time.perf_counter() - started:.3f} s")
        print("| query | as sets | as before |\n|---|---:|---:|")
        for name, job in jobs:
            cells = []
            for kept in (as_sets, as_before):
                held, spliced = kept.holds(job), kept.spliced
                started = time.perf_counter()
                kept.run(job, engine.run)
                took = time.perf_counter() - started
                kept_as = "k" if held else "s" if kept.spliced > spliced else "e"
                cells.append(f"{took:.3f} {kept_as}")
            print(f"| {name} | {cells[0]} | {cells[1]} |", flush=True)
        engine.close()
        store.close()
    print(f"load average at start {start}, at end {load()}")


if __name__ == "__main__":
    main()
