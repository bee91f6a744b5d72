"""The figures and Markdown of ``bench/bench_http_load.py``: latency per kind, targets missed."""

from __future__ import annotations

import os
import statistics
from collections import defaultdict

from bench.load_traffic import Report, Sample


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def summary(report: Report) -> list[dict[str, object]]:
    """Figures per kind of request of the normal clients, and all of them together."""
    groups: dict[str, list[Sample]] = defaultdict(list)
    for sample in report.samples:
        groups[sample.kind].append(sample)
    for sample in report.samples:    # resource pages, by kind of page: a target is theirs
        if sample.kind == "resource":
            groups[f"resource: {sample.what}"].append(sample)
    groups["all"] = list(report.samples)
    rows = []
    alone: dict[str, list[float]] = defaultdict(list)
    for sample in report.alone:
        if 0 < sample.status < 500:
            alone[sample.kind].append(sample.seconds * 1000)
            alone["all"].append(sample.seconds * 1000)
            if sample.kind == "resource":
                alone[f"resource: {sample.what}"].append(sample.seconds * 1000)
    for kind, samples in groups.items():
        times = [s.seconds * 1000 for s in samples if 0 < s.status < 500]
        rows.append({
            "kind": kind, "requests": len(samples),
            "alone": statistics.median(alone[kind]) if alone[kind] else float("nan"),
            "per_second": len(samples) / report.elapsed if report.elapsed else 0.0,
            "p50": percentile(times, 50), "p95": percentile(times, 95),
            "p99": percentile(times, 99),
            "5xx": sum(s.status >= 500 for s in samples),
            "429": sum(s.status == 429 for s in samples),
            "4xx": sum(400 <= s.status < 500 and s.status != 429 for s in samples),
            "dropped": sum(s.status == 0 for s in samples),
        })
    return rows


def failures(report: Report) -> list[str]:
    """The targets missed, one sentence each."""
    config = report.config
    missed = []
    rows = {r["kind"]: r for r in summary(report)}
    everything = rows.get("all", {})
    if everything.get("5xx"):
        kinds = sorted({f"{s.kind}/{s.what} {s.status} {s.error}" for s in report.samples
                        if s.status >= 500})
        missed.append(f"{everything['5xx']} answers 5xx: {', '.join(kinds[:8])}")
    if everything.get("dropped"):
        missed.append(f"{everything['dropped']} dropped connections")
    resource = rows.get("resource")
    if resource is not None and not resource["p99"] <= config.resource_p99_ms:  # type: ignore[operator]
        missed.append(f"p99 of resource pages {resource['p99']:.0f} ms "
                      f"> {config.resource_p99_ms:.0f} ms")
    for sample in report.pathological:
        if sample.status != 503 or sample.seconds > config.query_timeout + 1:
            missed.append(f"pathological '{sample.what}': {sample.status} {sample.error} "
                          f"after {sample.seconds:.1f} s (limit {config.query_timeout:g} s)")
    if config.pathological and not report.pathological:
        missed.append("no pathological query was sent")
    bad_imports = [s for s in report.imports if not 200 <= s.status < 300]
    if bad_imports or (config.imports and not report.imports):
        missed.append(f"imports: {[(s.what, s.status, s.error) for s in report.imports]}")
    if report.peak_rss > config.memory_limit_mb * 2**20:
        missed.append(f"peak memory {report.peak_rss / 2**20:.0f} MiB > "
                      f"{config.memory_limit_mb} MiB")
    if report.server_errors:
        missed.append(f"{len(report.server_errors)} tracebacks in the server's log")
    return missed


def markdown(report: Report, command: str) -> str:
    config = report.config
    lines = [
        f"`{command}`: {report.quads:,} quads (`civicgraph generate --organisations "
        f"{config.organisations}`, loaded with `civicgraph load --no-validate`) in the embedded "
        f"on-disk store, served by `civicgraph serve` (query time limit "
        f"{config.query_timeout:g} s, {config.query_workers} query workers) on 127.0.0.1. "
        f"{config.clients} closed-loop clients, each from its own loopback address, for "
        f"{report.elapsed:.0f} s; at the same time one client sent pathological queries one "
        f"after another and a curator imported a file every {config.import_every:g} s "
        "(Graph Store PUT and spreadsheet, alternately). Latencies exclude failed requests; "
        "\"alone\" is the median of 5 requests of the kind sent one at a time before the load. "
        f"The machine has {os.cpu_count()} cores, shared with the clients (load average "
        f"{report.load[0]:.1f} when the traffic started, {report.load[1]:.1f} when it "
        "ended: anything above what the benchmark itself causes was other work).",
        "",
        "| kind | alone (median) | requests | per second | p50 | p95 | p99 | 5xx | 429 | "
        "other 4xx | dropped |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in summary(report):
        lines.append(f"| {r['kind']} | {r['alone']:.0f} ms | {r['requests']} | "
                     f"{r['per_second']:.1f} | {r['p50']:.0f} ms | {r['p95']:.0f} ms | "
                     f"{r['p99']:.0f} ms | {r['5xx']} | {r['429']} | {r['4xx']} | "
                     f"{r['dropped']} |")
    lines += ["", "| pathological query | answer | seconds | time limit |", "|---|---|---|---|"]
    for s in report.pathological:
        lines.append(f"| {s.what} | {s.status} {s.error} | {s.seconds:.2f} | "
                     f"{config.query_timeout:g} s |")
    lines += ["", "| import | answer | seconds |", "|---|---|---|"]
    for s in report.imports:
        lines.append(f"| {s.what} | {s.status} {s.error} | {s.seconds:.2f} |")
    lines += ["", f"Peak resident memory of the server's process tree (server and query "
              f"workers): {report.peak_rss / 2**20:.0f} MiB (bound: "
              f"`CIVICGRAPH_MEMORY_LIMIT_MB` = {config.memory_limit_mb})."]
    missed = failures(report)
    lines += ["", "Targets: " + ("all met." if not missed else "missed: " + "; ".join(missed))]
    return "\n".join(lines)
