"""Every catalogue query: Oxigraph, civicgraph's first ask after a write, civicgraph repeated.

Generated data (``graph.samples.synthetic``, about 105 triples per organisation) and the
vocabulary are loaded into an embedded on-disk store. In the same run:

1. **Oxigraph**: each catalogue query with its default parameters, run once by pyoxigraph
   directly (union default graph, the parameters as substitutions and as a VALUES block
   opening the WHERE group, as civicgraph runs it on an embedded store) in a new process
   over a checkpoint of the store (cold), past ``--timeout`` stopped; again at the end, on
   the data after the writes (more graphs: Oxigraph plans some queries far worse over a union
   of several graphs). With ``--before COMMIT``, also the query files as they were at that
   commit, run as they were then (substitutions only), on the data as loaded;
2. civicgraph serves the store (``uvicorn`` on 127.0.0.1, two query workers, as
   ``civicgraph serve``); every query is asked once through ``GET /queries/{name}`` (JSON),
   which keeps its answer (and has it evaluated again in the background after each write);
3. for each kind of write, a curator's Graph Store ``PUT`` of one small graph, then at once
   (after the PUT's answer) every query asked again: **first ask after the write, at once**,
   in the order of the catalogue (a query asked later waits for nothing of the earlier ones);
   then a second write of the same kind that changes the same answers, and ``--pause``
   seconds (1) after its answer every query asked again: **first ask 1 s after the write**;
   then a third, and once the server's background round of evaluations after it is over
   (``graph.queries.refreshing``: the server runs in this process, so the bench waits on
   its ``Refresher``; no signal over HTTP) every query asked again: **first ask once the
   round is over**, with the round's seconds from the write's answer;
4. **repeated**: every query asked again, without a write (median of ``--runs``).

The writes: ``new-organisation``, a new graph holding one organisation of the generator
with its usages (numbered past the served ones); ``organisation-renamed``, the same graph
again with the organisation's name changed; ``resource``, a new graph holding one shared
guide (the second and third writes: another organisation in a graph of its own, renamed
again, another guide in another graph). ``--queries`` runs only the named queries. Prints
the table, and with ``--write`` records it in ``bench/RESULTS.md``.

    .venv/bin/python bench/bench_catalogue.py --organisations 10000 --write
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import pyoxigraph as ox

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.results import write_section
from graph.ingest.loading import import_source, load_vocabulary
from graph.namespaces import ID, graph_iri
from graph.queries.catalogue import CatalogueQuery, list_queries
from graph.queries.kept import kept_answers
from graph.queries.refreshing import refresher_of
from graph.samples.synthetic import BLOCK, write
from graph.store.binding import bind_values
from graph.store.embedded import OxigraphStore

CURATOR_TOKEN = "bench-catalogue-curator-token-0123456789"  # noqa: S105 - a bench value
#: the target of issue 15: a catalogue answer within this many seconds
TARGET = 0.2
#: seconds the bench waits for the server's background round after a write
ROUND_LIMIT = 3600.0
ORGANISATION_GRAPH = graph_iri("bench/organisation")
RESOURCE_GRAPH = graph_iri("bench/resource")
#: the size of the last JSON answer of each query, in bytes
SIZES: dict[str, int] = {}
#: the queries run (``--queries``; all by default)
CHOSEN: list[str] = []


def chosen() -> list[CatalogueQuery]:
    """The catalogue queries this run measures."""
    return [q for q in list_queries() if not CHOSEN or q.name in CHOSEN]


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.1f} / {five:.1f} / {fifteen:.1f}"


def consume(result: Any) -> int:
    if isinstance(result, ox.QueryBoolean):
        return 1
    return sum(1 for _ in result)


def _reference(path: str, name: str, out: Any, earlier: str | None = None) -> None:
    """In a child process: open the store copy at ``path`` and run catalogue query ``name``
    once, directly on pyoxigraph, with the text civicgraph runs on an embedded store (the
    parameters as substitutions and as a VALUES block opening the WHERE group); or, given
    ``earlier`` (the query file's text at an earlier commit), that text with substitutions
    only, as it was run then. Put its seconds and rows in ``out``."""
    store = ox.Store(path)
    entry = next(q for q in list_queries() if q.name == name)
    terms = entry.bind({"lang": "en"} if any(p.name == "lang" for p in entry.params) else {})
    text = bind_values(entry.sparql, terms) if earlier is None else earlier
    started = time.perf_counter()
    rows = consume(store.query(text, substitutions={ox.Variable(k): v for k, v in terms.items()},
                               use_default_graph_as_union=True))
    out.put((time.perf_counter() - started, rows))


def earlier_texts(commit: str) -> dict[str, str]:
    """The text of each catalogue query file at ``commit`` (git), by name."""
    root = Path(__file__).resolve().parents[1]
    return {q.name: subprocess.run(
        ["git", "show", f"{commit}:graph/queries/{q.name}.rq"], cwd=root, check=True,
        capture_output=True, text=True).stdout for q in list_queries()}


def oxigraph_times(store: OxigraphStore, copy: Path, timeout: float,
                   earlier: dict[str, str] | None = None,
                   ) -> dict[str, tuple[float | None, int]]:
    """Seconds (None past ``timeout``) and rows of each query run directly by pyoxigraph on
    a copy of ``store`` (a checkpoint), each in a new process: cold. ``earlier``: the texts
    to run instead, with substitutions only (``earlier_texts``)."""
    import multiprocessing

    if not copy.exists():
        store.ox.backup(str(copy))
    context = multiprocessing.get_context("spawn")
    found: dict[str, tuple[float | None, int]] = {}
    for entry in chosen():
        out = context.Queue()
        child = context.Process(target=_reference, args=(
            str(copy), entry.name, out, None if earlier is None else earlier[entry.name]))
        child.start()
        try:
            found[entry.name] = out.get(timeout=timeout + 30)
        except Exception:   # queue.Empty: past the time limit
            found[entry.name] = (None, 0)
        child.kill()
        child.join()
        seconds = found[entry.name][0]
        print(f"oxigraph{' before' if earlier else ''}  {entry.name:<36} "
              + (f"{seconds:8.3f} s" if seconds is not None else f"> {timeout:.0f} s")
              + f"  {found[entry.name][1]:>7} rows", flush=True)
    return found


class Server:
    """civicgraph over ``store`` on a free loopback port, in a thread."""

    def __init__(self, store: Any, timeout: float, **options: Any) -> None:
        import uvicorn

        from api.app import create_app
        from api.serving import server_options
        from api.settings import Settings

        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        settings = Settings(store="oxigraph", log_level="warning", public_url=self.url,
                            curator_token=CURATOR_TOKEN, query_timeout=timeout,
                            query_workers=2, **options)
        self.app = create_app(settings, store)
        self.server = uvicorn.Server(uvicorn.Config(self.app, log_level="warning",
                                                    lifespan="on", **server_options()))
        self.thread = threading.Thread(target=self.server.run,
                                       kwargs={"sockets": [self.sock]}, daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        deadline = time.monotonic() + 60
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(60)
        self.sock.close()


def ask(client: Any, name: str) -> tuple[float | None, int]:
    """Seconds to the whole JSON answer of ``GET /queries/{name}`` (None: the server's
    time limit stopped it), and its rows (its size in bytes goes to ``SIZES``)."""
    entry = next(q for q in list_queries() if q.name == name)
    started = time.perf_counter()
    response = client.get(f"/queries/{name}", params={"lang": "en"} if any(
        p.name == "lang" for p in entry.params) else {})
    body = response.content
    seconds = time.perf_counter() - started
    if response.status_code == 503 and (b"QueryTimeout" in body
                                        or b"QueryMemoryExceeded" in body):
        return None, 0   # stopped by a limit of the service (time or memory)
    if response.status_code != 200:
        raise RuntimeError(f"{name}: HTTP {response.status_code} {body[:300]!r}")
    SIZES[name] = len(body)
    return seconds, len(response.json()["results"]["bindings"])


def shown(seconds: float | None, timeout: float) -> str:
    return f"{seconds:.3f}" if seconds is not None else f"> {timeout:.0f}"


def writes(organisations: int, variant: int = 0) -> list[tuple[str, str, bytes]]:
    """The writes, in order: (label, graph, N-Triples body). ``variant`` 1 gives writes of
    the same kinds that change the same answers again, after those of variant 0: another
    organisation, renamed again, another guide, each in graphs of their own; 2, a third."""
    start = -(-organisations // BLOCK) * BLOCK + variant * BLOCK
    suffix = f"-{variant}" if variant else ""
    buffer = io.BytesIO()
    write(1, buffer, seed=7 + variant, start=start)
    organisation = buffer.getvalue()
    label = b"<http://www.w3.org/2000/01/rdf-schema#label>"
    renamed = b"\n".join(
        line.replace(b'" .', b' (renamed)" .' if not variant
                     else f' (renamed, {variant + 1})" .'.encode(), 1)
        if label in line and b"/org/" in line.split(b" ", 1)[0] else line
        for line in organisation.splitlines()) + b"\n"
    if renamed == organisation:
        raise RuntimeError("the generated organisation has no label to change")
    guide = "".join(f"<{ID}resource/bench-guide{suffix}> {p} {o} .\n" for p, o in [
        ("<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>", "<https://schema.org/CreativeWork>"),
        ("<http://www.w3.org/2000/01/rdf-schema#label>", '"A guide to shared agendas"@en'),
        ("<http://purl.org/dc/terms/type>", f"<{ID}resource-type/guide>"),
        ("<http://purl.org/dc/terms/license>", "<https://creativecommons.org/licenses/by/4.0/>"),
        ("<https://schema.org/about>", f"<{ID}practice/instant-messaging>"),
        ("<http://purl.org/dc/terms/issued>", '"2026-01-01"^^<http://www.w3.org/2001/XMLSchema#date>'),
        ("<https://w3id.org/civicgraph/ns#isFictional>",
         '"true"^^<http://www.w3.org/2001/XMLSchema#boolean>'),
    ]).encode()
    return [("new-organisation", ORGANISATION_GRAPH + suffix, organisation),
            ("organisation-renamed", ORGANISATION_GRAPH + suffix, renamed),
            ("resource", RESOURCE_GRAPH + suffix, guide)]


def generated_store(organisations: int, workdir: Path) -> tuple[OxigraphStore, int]:
    """An on-disk store in ``workdir`` holding the vocabulary and ``organisations`` generated
    organisations (in one graph, unvalidated), with the number of triples generated."""
    data = workdir / f"synthetic-{organisations}.nt"
    triples = write(organisations, data)
    store = OxigraphStore(str(workdir / "store"))
    load_vocabulary(store, imported_by="bench")
    import_source(store, data, graph=graph_iri("synthetic"), imported_by="bench",
                  validate=False)
    return store, triples


def measure(organisations: int, runs: int, workdir: Path, timeout: float,
            before: str | None = None, pause: float = 1.0) -> dict[str, Any]:
    import httpx

    store, triples = generated_store(organisations, workdir)
    out: dict[str, Any] = {"organisations": organisations, "triples": store.count(),
                           "generated": triples, "before": before, "pause": pause}
    print(f"{organisations} organisations, {out['triples']:,} triples in the store",
          flush=True)
    out["timeout"] = timeout
    earlier = earlier_texts(before) if before else None
    if earlier is not None:
        out["oxigraph-before"] = oxigraph_times(store, workdir / "copy-as-loaded", timeout,
                                                earlier)
    out["oxigraph"] = oxigraph_times(store, workdir / "copy-as-loaded", timeout)
    names = [q.name for q in chosen()]
    started = time.perf_counter()
    with Server(store, timeout) as server, httpx.Client(base_url=server.url,
                                                        timeout=timeout + 30) as client:
        out["warm-up"] = {}
        for name in names:
            out["warm-up"][name] = ask(client, name)
            print(f"civicgraph first ask  {name:<36} "
                  f"{shown(out['warm-up'][name][0], timeout):>8} s", flush=True)
        out["after"], out["later"], out["settled"], out["rounds"] = {}, {}, {}, {}
        out["writes"] = {}
        engine = server.app.state.engine
        refresher = refresher_of(kept_answers(engine.store))
        # the round the server starts with (CIVICGRAPH_MAINTAIN_CATALOGUE): every default
        # answer evaluated in the background; the first asks above came while it ran
        if refresher is None or not refresher.wait(engine.store.version, ROUND_LIMIT):
            raise RuntimeError("the server's first round did not end")
        out["start-round"] = (time.perf_counter() - started, refresher.maintained)
        print(f"the server's first round over {out['start-round'][0]:.1f} s after its start "
              f"({out['start-round'][1]} answers maintained)", flush=True)
        for (label, graph, body), (_, graph2, body2), (_, graph3, body3) in zip(
                writes(organisations), writes(organisations, 1), writes(organisations, 2),
                strict=True):
            out["writes"][label] = put(client, graph, body)
            print(f"write {label}: PUT {out['writes'][label]:.2f} s", flush=True)
            out["after"][label] = {}
            for name in names:
                out["after"][label][name] = ask(client, name)
                print(f"  first ask after {label:<22} {name:<36} "
                      f"{shown(out['after'][label][name][0], timeout):>8} s", flush=True)
            # the same kind of write again, changing the same answers; asked after a pause
            put(client, graph2, body2)
            time.sleep(pause)
            out["later"][label] = {}
            for name in names:
                out["later"][label][name] = ask(client, name)
                print(f"  first ask {pause:g} s after {label:<16} {name:<36} "
                      f"{shown(out['later'][label][name][0], timeout):>8} s", flush=True)
            # a third, and the asks once the background round after it is over
            put(client, graph3, body3)
            written = time.perf_counter()
            if refresher is None or not refresher.wait(engine.store.version, ROUND_LIMIT):
                raise RuntimeError("the background round did not end")
            out["rounds"][label] = time.perf_counter() - written
            print(f"  round after {label} over in {out['rounds'][label]:.1f} s", flush=True)
            out["settled"][label] = {}
            for name in names:
                out["settled"][label][name] = ask(client, name)
                print(f"  first ask once the round is over {label:<16} {name:<36} "
                      f"{shown(out['settled'][label][name][0], timeout):>8} s", flush=True)
        out["repeated"] = {}
        for name in names:
            times = [ask(client, name)[0]]
            if times[0] is not None:   # one stopped at the limit is not asked again
                times += [ask(client, name)[0] for _ in range(runs - 1)]
            out["repeated"][name] = None if None in times else statistics.median(
                t for t in times if t is not None)
            print(f"civicgraph repeated  {name:<36} "
                  f"{shown(out['repeated'][name], timeout):>8} s", flush=True)
    out["sizes"] = dict(SIZES)
    # peak resident memory (Linux: KiB) of this process: the store built, then the server
    # with its kept answers and maps (a child's peak is not told apart: Linux counts in it
    # what a forked child shared with this process before its exec)
    out["memory"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10
    out["oxigraph-after"] = oxigraph_times(store, workdir / "copy-after", timeout)
    store.close()
    return out


def put(client: Any, graph: str, body: bytes) -> float:
    """Seconds to the answer of a curator's Graph Store PUT of ``body`` into ``graph``."""
    started = time.perf_counter()
    response = client.put("/store", params={"graph": graph}, content=body,
                          headers={"Content-Type": "application/n-triples",
                                   "Authorization": f"Bearer {CURATOR_TOKEN}"})
    if response.status_code not in (200, 201, 204):
        raise RuntimeError(f"PUT {graph} answered {response.status_code} "
                           f"{response.text[:500]}")
    return time.perf_counter() - started


def report(out: dict[str, Any], command: str, load: tuple[str, str]) -> str:
    labels = list(out["after"])
    timeout = out["timeout"]
    before = out.get("before")
    pause = out.get("pause", 1.0)
    lines = [
        f"`{command}`: {out['organisations']:,} generated organisations, "
        f"{out['triples']:,} triples in an embedded on-disk store, everything on 127.0.0.1; "
        f"load average (1 / 5 / 15 min) {load[0]} at the start and {load[1]} at the end "
        "(2 cores shared with other engineers' work: single runs, noisy). Each query with "
        "its default parameters (`lang=en`), seconds. \"Oxigraph\": the query run once by "
        "pyoxigraph directly (union default graph) in a new process over a checkpoint of "
        "the store (cold), with the text civicgraph runs (parameters substituted and opening "
        "the WHERE group as VALUES), on the data as loaded and again after the writes"
        + (f"; \"Oxigraph, before\": the query file at `{before}`, parameters substituted "
           "only, as it was run then, on the data as loaded" if before else "")
        + "; \"civicgraph, first ask\": `GET /queries/{name}` (JSON, whole body read) of "
        "`civicgraph serve` (two query workers), the first since the server started, asked "
        "one after the other from its start, while the server's first round evaluates the "
        "catalogue's default answers in the background (`CIVICGRAPH_MAINTAIN_CATALOGUE`; "
        "an ask whose query that round is evaluating waits for it); "
        "\"at once\": the first ask right after the answer of a curator's Graph Store `PUT` "
        f"of one small graph; \"{pause:g} s after\": the first ask {pause:g} s after the "
        "answer of a second write of the same kind (another organisation, renamed again, "
        "another guide: the same answers change), the queries asked in catalogue order, "
        "each after the previous one's answer; \"round over\": the first ask once the "
        "server's background round of evaluations after a third write of the same kind is "
        "over (the round's seconds from the write's answer under the table); "
        "\"repeated\": median of "
        f"{out.get('runs', 3)} asks with no write between. The writes: "
        + "; ".join(f"`{label}` (PUT {out['writes'][label]:.1f} s)" for label in labels)
        + f". \"> {timeout:.0f}\": stopped at the time limit (civicgraph: or at the "
        "memory limit of one query, 1 GiB).",
        "",
        "| query | rows | " + ("Oxigraph, before | " if before else "")
        + "Oxigraph as loaded | Oxigraph after the writes | civicgraph, first ask | "
        + " | ".join(f"`{label}`: at once | {pause:g} s after | round over"
                     for label in labels)
        + " | repeated |",
        "|---|---:|" + ("---:|" if before else "") + "---:|---:|---:|"
        + "---:|---:|---:|" * len(labels) + "---:|",
    ]
    whens = ("after", "later", "settled")
    within = {(label, when): 0 for label in labels for when in whens}
    for name, (cold, rows) in out["oxigraph"].items():
        cells = []
        for label in labels:
            for when in whens:
                seconds = out[when][label][name][0]
                fast = seconds is not None and seconds < TARGET
                within[(label, when)] += fast
                cells.append(shown(seconds, timeout) + (" ✓" if fast else ""))
        after_rows = out["oxigraph-after"][name][1]
        earlier = (f"{shown(out['oxigraph-before'][name][0], timeout)} | " if before else "")
        lines.append(f"| {name} | {rows:,} → {after_rows:,} | {earlier}{shown(cold, timeout)} | "
                     f"{shown(out['oxigraph-after'][name][0], timeout)} | "
                     f"{shown(out['warm-up'][name][0], timeout)} | " + " | ".join(cells)
                     + f" | {shown(out['repeated'][name], timeout)} |")
    total = len(out["oxigraph"])
    if "start-round" in out:
        seconds, maintained = out["start-round"]
        lines += ["", f"The server's first round (the {maintained} default answers it "
                  "maintains: each query in `fr` and `en`) was over "
                  f"{seconds:.1f} s after the server's start."]
    sizes = out.get("sizes", {})
    lines += ["", "✓: under the target of 0.2 s. "
              + "; ".join(f"`{label}`: {within[(label, 'after')]} of {total} at once, "
                          f"{within[(label, 'later')]} of {total} {pause:g} s after, "
                          f"{within[(label, 'settled')]} of {total} once the round "
                          f"({out['rounds'][label]:.1f} s) was over"
                          for label in labels) + "."]
    if "memory" in out:
        lines += ["", f"Peak resident memory of the bench's process: {out['memory']:,.0f} "
                  "MiB (the generated data imported into the store, then the server in the "
                  "same process, with its kept answers and maps; the query workers apart)."]
    if sizes:
        largest = max(sizes, key=sizes.__getitem__)
        lines += ["", f"JSON answers: {sum(sizes.values()) / 2**20:.1f} MiB in all, the largest "
                  f"`{largest}` ({sizes[largest] / 2**20:.1f} MiB)."]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organisations", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=60.0,
                        help="seconds a query may take (server limit, and the reference's)")
    parser.add_argument("--before", metavar="COMMIT",
                        help="also run the query files as they were at COMMIT on Oxigraph")
    parser.add_argument("--pause", type=float, default=1.0,
                        help="seconds between the second write of a kind and its asks")
    parser.add_argument("--queries", nargs="+", metavar="NAME",
                        help="only these catalogue queries (all by default)")
    parser.add_argument("--write", action="store_true", help="record in bench/RESULTS.md")
    args = parser.parse_args()
    if args.queries:
        unknown = set(args.queries) - {q.name for q in list_queries()}
        if unknown:
            parser.error(f"unknown queries: {', '.join(sorted(unknown))}")
        CHOSEN[:] = args.queries
    start_load = load_average()
    with tempfile.TemporaryDirectory(prefix="civicgraph-bench-catalogue-") as tmp:
        out = measure(args.organisations, args.runs, Path(tmp), args.timeout, args.before,
                      args.pause)
    out["runs"] = args.runs
    command = (f".venv/bin/python bench/bench_catalogue.py --organisations "
               f"{args.organisations} --runs {args.runs} --timeout {args.timeout:g}"
               + (f" --before {args.before}" if args.before else "")
               + (f" --pause {args.pause:g}" if args.pause != 1.0 else "")
               + (f" --queries {' '.join(args.queries)}" if args.queries else ""))
    text = report(out, command, (start_load, load_average()))
    print()
    print(text)
    if args.write:
        write_section("Catalogue queries after a write (issue 15, target 3)", text)


if __name__ == "__main__":
    main()
