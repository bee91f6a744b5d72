"""Spreadsheet import throughput: rows per second from a 100,000-row usage sheet, peak memory.

    .venv/bin/python bench/bench_import.py [--rows 100000] [--format csv|xlsx] [--write]

The sheet is generated (organisations, tools and practices of the example dataset, names as
people type them, so every row goes through reference matching); the store is in memory with
the example dataset loaded. Timed: the whole ``import_spreadsheet`` (read, map, resolve, check,
replace the graph). Peak memory is the process's maximum resident set size. ``--write``
replaces the "Spreadsheet import" section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import csv
import io
import platform
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from graph.ingest.spreadsheets import import_spreadsheet  # noqa: E402
from graph.samples.example import ensure_example  # noqa: E402
from graph.store import Store, open_store  # noqa: E402

ORGS = ["VECAM", "AITEC", "Fonda", "vecam", "Aitec"]
TOOLS = ["Loomio", "Framapad", "Mastodon", "Signal", "Nextcloud", "WhatsApp", "jitsi"]
PRACTICES = ["voting", "minutes-taking | document-co-editing", "newsletter", "instant-messaging"]
STATUSES = ["active", "trial", "abandoned", "actif"]


def sheet(rows: int, format_: str) -> bytes:
    header = ["id", "organisation", "tool", "practices", "status", "observed on", "start"]
    body = [[f"u{i}", ORGS[i % 5], TOOLS[i % 7], PRACTICES[i % 4], STATUSES[i % 4],
             f"2026-0{1 + i % 9}-{10 + i % 18}", "2024-09-01"] for i in range(rows)]
    if format_ == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(body)
        return out.getvalue().encode()
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet("usages")
    ws.append(header)
    for row in body:
        ws.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def example_store() -> Store:
    """A store in memory holding the vocabulary and the example dataset, as at first start."""
    store = open_store("memory")
    ensure_example(store, imported_by="bench")
    return store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    data = sheet(args.rows, args.format)
    times = []
    triples = 0
    for _ in range(args.runs):
        store = example_store()
        started = time.perf_counter()
        report = import_spreadsheet(store, data, f"usages.{args.format}", source="bench")
        times.append(time.perf_counter() - started)
        assert report.stored, report.problems[:3]
        triples = sum(report.graphs.values())
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    median = statistics.median(times)
    line = (f"| {args.format} | {args.rows:,} | {triples:,} | {median:.1f} s | "
            f"{args.rows / median:,.0f} | {peak:,.0f} MiB |")
    print(f"import of {args.rows:,} {args.format} rows ({len(data) / 1e6:.1f} MB): median of "
          f"{args.runs} {median:.2f} s, {args.rows / median:,.0f} rows/s, {triples:,} triples, "
          f"peak RSS {peak:,.0f} MiB")
    if args.write:
        write(line, args)


def write(line: str, args: argparse.Namespace) -> None:
    path = ROOT / "bench" / "RESULTS.md"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n"
    title = "## Spreadsheet import"
    section = (f"{title}\n\n`.venv/bin/python bench/bench_import.py --rows {args.rows} "
               f"--format {args.format}` on {platform.machine()}, Python "
               f"{platform.python_version()}, in-memory store holding the example dataset; "
               f"median of {args.runs} runs; peak = maximum resident set size of the process.\n\n"
               "| format | rows | triples | time | rows/s | peak memory |\n"
               "|---|---|---|---|---|---|\n")
    rows = [line]
    if title in text:
        start = text.index(title)
        end = text.find("\n## ", start + 1)
        old = text[start:end if end != -1 else len(text)]
        rows = [r for r in old.splitlines() if r.startswith("| csv") or r.startswith("| xlsx")]
        rows = [r for r in rows if not r.startswith(f"| {args.format} |")] + [line]
        text = text[:start] + text[start + len(old):]
    text = text.rstrip("\n") + "\n\n" + section + "\n".join(sorted(rows)) + "\n"
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
