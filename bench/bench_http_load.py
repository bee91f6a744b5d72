"""Load test of the whole service: mixed traffic from many clients, while one client sends
pathological queries and another imports files. One command, loopback only:

    .venv/bin/python bench/bench_http_load.py [--organisations 10000] [--clients 16]
        [--seconds 60] [--write]

It generates ~100 triples per organisation (``civicgraph generate``), loads them into an
embedded on-disk store (``civicgraph load --no-validate``, kept in ``var/bench/`` for the next
runs), serves a checkpoint of that store with ``civicgraph serve`` in a subprocess, and runs
for ``--seconds``:

- ``--clients`` closed-loop clients (each sends its next request when the last one answered),
  each from its own loopback address (127.0.0.N, so the per-client limit applies to each as
  it would to people), picking at random: resource pages (HTML and Turtle), catalogue queries
  through ``/queries/{name}`` and as text through ``/sparql``, free SPARQL lookups, maps and
  search;
- one client sending pathological queries one after another (cartesian products, unbounded
  property paths, a sort of a cartesian product), each of which must be stopped (503) within
  the query time limit plus one second;
- one curator importing a file every few seconds, alternately through the Graph Store
  (``PUT /store``) and the spreadsheet import (``POST /imports``);
- a sampler of the resident memory of the server's process tree (query workers included).

It reports throughput, p50/p95/p99 latency per kind, errors (5xx, 429, dropped connections),
each pathological query's time against its limit, the peak memory, and checks the targets:
no 5xx and no dropped connection in the normal traffic, p99 of resource pages under 500 ms,
every pathological query stopped within its limit + 1 s, peak memory under
``CIVICGRAPH_MEMORY_LIMIT_MB``. ``--write`` records it all in ``bench/RESULTS.md`` ("Load").
Exit code 1 when a target is missed. ``tests/faults/test_load_short.py`` runs a short form.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.load_report import failures, markdown  # noqa: E402
from bench.load_traffic import (  # noqa: E402
    MIX,
    TOKEN,
    Config,
    Report,
    Targets,
    baseline,
    targets_of,
    traffic,
)

CIVICGRAPH = str(Path(sys.executable).parent / "civicgraph")


# -- the data ------------------------------------------------------------------------------

def build_store(organisations: int, folder: Path) -> Path:
    """``folder/store`` holding the generated data (built once, with the CLI)."""
    store, ready = folder / "store", folder / "READY"
    if ready.exists():
        return store
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    data = folder / "data.nt"
    for command in (["generate", "--organisations", str(organisations), "-o", str(data)],
                    ["load", str(data), "--store", str(store), "--no-validate", "--quiet",
                     "--by", "bench"]):
        subprocess.run([CIVICGRAPH, *command], check=True)
    data.unlink()
    ready.write_text("ok")
    return store


def checkpoint(store: Path, target: Path) -> int:
    """A copy of ``store`` at ``target`` (a RocksDB checkpoint: hard links); its quads."""
    import pyoxigraph as ox

    opened = ox.Store(str(store))
    try:
        opened.backup(str(target))
        return len(opened)
    finally:
        del opened


# -- the run -------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve(store: Path, config: Config, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    """``civicgraph serve`` over ``store``; returns once ``/health`` answers (bounded)."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CIVICGRAPH_")}
    env.update(CIVICGRAPH_CURATOR_TOKEN=TOKEN, CIVICGRAPH_LOG_LEVEL="warning",
               CIVICGRAPH_QUERY_TIMEOUT=str(config.query_timeout),
               CIVICGRAPH_QUERY_WORKERS=str(config.query_workers),
               CIVICGRAPH_MEMORY_LIMIT_MB=str(config.memory_limit_mb))
    with log.open("wb") as out:
        process = subprocess.Popen([CIVICGRAPH, "serve", "--store", str(store), "--port",
                                    str(port)], stdout=out, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"civicgraph serve exited: {log.read_text()[-2000:]}")
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(url + "/health", timeout=5).status_code == 200:
                return process, url
        time.sleep(0.2)
    process.kill()
    raise RuntimeError("civicgraph serve did not answer within 180 s")


def warm_up(url: str, targets: Targets, limit: float = 300) -> None:
    """Wait until the maps answer (their usage table is read once at start)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(url + targets.maps[0], timeout=limit).status_code == 200:
                return
        time.sleep(1)


def run(store: Path, config: Config, workdir: Path) -> Report:
    """Serve a checkpoint of ``store`` and send it the traffic of ``config``."""
    copy = workdir / "store"
    quads = checkpoint(store, copy)
    targets = targets_of(store, config.organisations)
    report = Report(config, quads)
    log = store.parent / "serve-last.log"     # kept for reading after the run
    process, url = serve(copy, config, log)
    try:
        warm_up(url, targets)
        asyncio.run(baseline(url, targets, config, report.alone, config.baseline))
        asyncio.run(traffic(url, process.pid, targets, config, report))
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(30)
    text = log.read_text(errors="replace")
    report.server_errors = [line for line in text.splitlines() if "Traceback" in line]
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    defaults = Config()
    parser.add_argument("--organisations", type=int, default=defaults.organisations)
    parser.add_argument("--clients", type=int, default=defaults.clients)
    parser.add_argument("--seconds", type=float, default=defaults.seconds)
    parser.add_argument("--query-timeout", type=float, default=defaults.query_timeout)
    parser.add_argument("--query-workers", type=int, default=defaults.query_workers)
    parser.add_argument("--import-every", type=float, default=defaults.import_every)
    parser.add_argument("--memory-limit-mb", type=int, default=defaults.memory_limit_mb)
    parser.add_argument("--mix", help="weights of the kinds of request, e.g. "
                        "resource=3,map=1 (default: " + ",".join(
                            f"{k}={v}" for k, v in MIX.items()) + ")")
    parser.add_argument("--no-pathological", action="store_true",
                        help="without the client sending pathological queries")
    parser.add_argument("--no-imports", action="store_true", help="without the importer")
    parser.add_argument("--write", action="store_true", help="record in bench/RESULTS.md")
    args = parser.parse_args(argv)
    mix = dict(MIX) if not args.mix else {
        kind: int(weight) for kind, _, weight in (p.partition("=") for p in args.mix.split(","))}
    config = Config(args.organisations, args.clients, args.seconds, args.query_timeout,
                    args.query_workers, args.import_every, args.memory_limit_mb,
                    mix=mix, pathological=not args.no_pathological, imports=not args.no_imports)
    store = build_store(config.organisations, ROOT / "var" / "bench" /
                        f"load-{config.organisations}")
    import tempfile

    with tempfile.TemporaryDirectory(prefix="civicgraph-load-", dir=store.parent) as tmp:
        report = run(store, config, Path(tmp))
    command = "bench/bench_http_load.py " + " ".join(sys.argv[1:] if argv is None else argv)
    text = markdown(report, command.strip())
    print(text)
    if args.write:
        from bench.results import write_section
        write_section("Load", text)
    return 1 if failures(report) else 0


if __name__ == "__main__":
    sys.exit(main())
