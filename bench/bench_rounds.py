"""The catalogue's background rounds after a write, with one and with two background workers.

The store is built as ``bench_catalogue`` builds it (generated organisations and the
vocabulary in an embedded on-disk store). Then, ``--cycles`` times, for each number of
background workers in turn (``CIVICGRAPH_BACKGROUND_WORKERS``: 1, then 2), civicgraph serves
the store (``uvicorn`` on 127.0.0.1, two query workers, the catalogue's default answers
maintained, as ``civicgraph serve``) and:

1. the server's first round (every default answer, each query in ``fr`` and ``en``) is timed
   from the server's start;
2. each of ``bench_catalogue``'s writes (a new organisation, the organisation renamed, a new
   guide: a curator's Graph Store ``PUT`` of one small graph; each cycle writes new graphs)
   is made, and from the PUT's answer the bench looks every quarter of a second at which
   maintained answers are kept for the new version of the store (without asking them: the
   server runs in this process; at once it has the kept answers observe the write, as an ask
   would, so that those the write left alone are carried), until the round is over;
3. meanwhile a client asks a one-subject lookup through ``/sparql`` every 50 ms: what the
   round costs the requests (p50 and p95 of the lookups during the rounds).

Prints, per number of workers (median over the cycles): the first round's seconds, each
write's round seconds, the answers kept at once (carried over the write), within 1 s, 5 s
and 20 s (0.25 s: the first look), and the lookups' latency during the rounds.

    .venv/bin/python bench/bench_rounds.py --organisations 10000 --cycles 2
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_catalogue import (
    ROUND_LIMIT,
    Server,
    generated_store,
    load_average,
    put,
    writes,
)
from graph.namespaces import ID
from graph.queries.kept import kept_answers
from graph.queries.refreshing import Refresher, refresher_of
from graph.store.embedded import OxigraphStore

#: seconds after a write's answer at which the answers kept are counted (the first: the
#: first look, at once)
MARKS = (0.25, 1.0, 5.0, 20.0)
LOOKUP = f"SELECT ?p ?o WHERE {{ <{ID}software/loomio> ?p ?o }}"


def ready_times(refresher: Refresher, version: int, written: float) -> list[float]:
    """Seconds from ``written`` until each maintained answer was kept for ``version`` (or a
    later one), looked at every quarter of a second until the round is over."""
    kept = refresher.kept
    kept.observe()   # as an ask would at once: the answers the write left alone are carried
    seen: dict[int, float] = {}
    jobs = refresher.jobs()
    while True:
        now = time.perf_counter() - written
        for n, job in enumerate(jobs):
            if n not in seen and kept.holds(job):
                seen[n] = now
        if refresher.wait(version, 0.25) or now > ROUND_LIMIT:
            break
    finish = time.perf_counter() - written
    return [seen.get(n, finish) for n in range(len(jobs))]


class Lookups:
    """A client asking a one-subject lookup every 50 ms while ``active`` is set."""

    def __init__(self, url: str) -> None:
        import httpx

        self.client = httpx.Client(base_url=url, timeout=60)
        self.active = threading.Event()
        self.stopped = threading.Event()
        self.seconds: list[float] = []
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            self._ask()
        except BaseException as error:   # raised by close: no latency from a cut sample
            self.error = error

    def _ask(self) -> None:
        while not self.stopped.is_set():
            if self.active.wait(0.1):
                started = time.perf_counter()
                response = self.client.get("/sparql", params={"query": LOOKUP},
                                           headers={"Accept": "application/sparql-results+json"})
                if response.status_code != 200:
                    raise RuntimeError(f"lookup answered {response.status_code}")
                self.seconds.append(time.perf_counter() - started)
                time.sleep(0.05)

    def close(self) -> None:
        self.stopped.set()
        self.thread.join(60)
        self.client.close()
        if self.error is not None:
            raise RuntimeError("the lookups stopped") from self.error


def cycle(store: OxigraphStore, organisations: int, workers: int, variant: int,
          timeout: float) -> dict[str, Any]:
    import httpx

    out: dict[str, Any] = {"rounds": {}, "ready": {}}
    started = time.perf_counter()
    with Server(store, timeout, background_workers=workers) as server, \
            httpx.Client(base_url=server.url, timeout=timeout + 30) as client:
        engine = server.app.state.engine
        refresher = refresher_of(kept_answers(engine.store))
        if refresher is None or not refresher.wait(engine.store.version, ROUND_LIMIT):
            raise RuntimeError("the server's first round did not end")
        out["start"] = time.perf_counter() - started
        out["jobs"] = refresher.maintained
        print(f"  {workers} background worker(s): first round {out['start']:.1f} s "
              f"({out['jobs']} answers)", flush=True)
        lookups = Lookups(server.url)
        try:
            for label, graph, body in writes(organisations, variant):
                put(client, graph, body)
                written = time.perf_counter()
                lookups.active.set()
                times = ready_times(refresher, engine.store.version, written)
                lookups.active.clear()
                out["rounds"][label] = time.perf_counter() - written
                out["ready"][label] = [sum(t <= mark for t in times) for mark in MARKS]
                print(f"  {label}: round {out['rounds'][label]:.1f} s, kept "
                      + " / ".join(f"{n} at {m:g} s" for n, m in
                                   zip(out["ready"][label], MARKS, strict=True)), flush=True)
        finally:
            lookups.close()
        out["lookups"] = lookups.seconds
    return out


def measure(organisations: int, cycles: int, workdir: Path, timeout: float) -> dict[str, Any]:
    store, _ = generated_store(organisations, workdir)
    out: dict[str, Any] = {"triples": store.count(), "cycles": {1: [], 2: []}}
    print(f"{organisations} organisations, {out['triples']:,} triples in the store", flush=True)
    variant = 0
    for n in range(cycles):
        for workers in (1, 2):   # alternating, so that the machine's load falls on both
            print(f"cycle {n + 1}", flush=True)
            out["cycles"][workers].append(cycle(store, organisations, workers, variant, timeout))
            variant += 1
    store.close()
    return out


def report(out: dict[str, Any], command: str, load: tuple[str, str]) -> str:
    labels = list(out["cycles"][1][0]["rounds"])
    jobs = out["cycles"][1][0]["jobs"]
    lines = [f"`{command}`: {out['triples']:,} triples; load average (1 / 5 / 15 min) "
             f"{load[0]} at the start and {load[1]} at the end. Median over "
             f"{len(out['cycles'][1])} cycles (servers alternating); seconds; \"kept\": how "
             f"many of the {jobs} maintained answers were kept for the new version that "
             "many seconds after the write's answer.", "",
             "| background workers | first round | " + " | ".join(
                 f"`{label}`: round | kept at 0.25 / 1 / 5 / 20 s" for label in labels)
             + " | lookups during the rounds: p50 / p95 |",
             "|---:|---:|" + "---:|---:|" * len(labels) + "---:|"]
    for workers, cycles in out["cycles"].items():
        cells = [f"{statistics.median(c['start'] for c in cycles):.1f}"]
        for label in labels:
            cells.append(f"{statistics.median(c['rounds'][label] for c in cycles):.1f}")
            cells.append(" / ".join(
                f"{statistics.median(c['ready'][label][i] for c in cycles):g}"
                for i in range(len(MARKS))))
        seconds = sorted(s for c in cycles for s in c["lookups"])
        latency = (f"{1000 * seconds[len(seconds) // 2]:.1f} / "
                   f"{1000 * seconds[int(len(seconds) * 0.95)]:.1f} ms") if seconds else "-"
        lines.append(f"| {workers} | " + " | ".join(cells) + f" | {latency} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organisations", type=int, default=10_000)
    parser.add_argument("--cycles", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=60.0)
    args = parser.parse_args()
    start = load_average()
    with tempfile.TemporaryDirectory(prefix="civicgraph-bench-rounds-") as tmp:
        out = measure(args.organisations, args.cycles, Path(tmp), args.timeout)
    command = (f".venv/bin/python bench/bench_rounds.py --organisations {args.organisations} "
               f"--cycles {args.cycles} --timeout {args.timeout:g}")
    print()
    print(report(out, command, (start, load_average())))


if __name__ == "__main__":
    main()
