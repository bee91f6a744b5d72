"""What reading the catalogue's texts costs the server's process: each default text's
footprint (``graph.queries.footprint``) and splicing plan (``graph.queries.derivation``),
read by rdflib on the server's own process (under the GIL: the event loop waits meanwhile)
at the first round after the start and for each new text. Prints the seconds for the texts,
at the code checked out; ``--before DIR`` runs the same in another checkout (a worktree of
an earlier commit) in the same run, alternating.

    .venv/bin/python bench/bench_parses.py --before /tmp/before --rounds 3
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def measure() -> float:
    sys.path.insert(0, os.getcwd())
    from graph.queries.catalogue import list_queries
    from graph.queries.derivation import plan
    from graph.queries.footprint import footprint
    from graph.store.embedded import OxigraphStore

    store = OxigraphStore(tempfile.mkdtemp(prefix="bench-parses-"))
    texts = []
    for query in list_queries():
        if any(p.required for p in query.params):
            continue
        terms = query.bind({})
        texts.append((query.text(store, terms), frozenset(terms)))
    started = time.perf_counter()
    for text, bound in texts:
        footprint(text, bound)
        plan(text, bound)
    return time.perf_counter() - started


def run(tree: Path) -> float:
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "bench_parses.py"), "--one"],
                         cwd=tree, capture_output=True, text=True, check=True)
    return float(out.stdout.split()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, help="another checkout, measured alongside")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.one:
        print(f"{measure():.3f}")
        return
    print(f"load average at start {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for _ in range(options.rounds):
        line = f"this tree {run(ROOT):6.2f} s"
        if options.before is not None:
            line += f"   before {run(options.before):6.2f} s"
        print(line, flush=True)
    print(f"load average at end {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
