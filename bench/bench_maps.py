"""Benchmark of the maps: ``.venv/bin/python bench/bench_maps.py`` (one command).

At each size (default 10^4 and 10^5 generated organisations, about 100 triples each, in the
embedded on-disk store), it measures: reading the usage table from the store; each projection;
the metrics; building and rendering each map within the node budget (and the HTML size);
the map pages over HTTP (first answer, then cached); and the time until a map is drawn in
headless Chromium. It prints the figures and writes them into ``bench/RESULTS.md`` (section
"Maps"). Targets: a map page answers in under 2 s at 10^5 organisations; no page over 5 MB.

Peak memory: the Python heap's peak during the step (tracemalloc, in a second run of the
step) and, for the table, the growth of the process's resident set.
"""

from __future__ import annotations

import argparse
import gc
import platform
import resource
import socket
import statistics
import sys
import tempfile
import threading
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

RESULTS = ROOT / "bench" / "RESULTS.md"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(step: Callable[[], Any], memory: bool = True) -> tuple[float, float, Any]:
    """(seconds, Python-heap peak in MiB or nan, result); the peak comes from a second run."""
    gc.collect()
    started = time.perf_counter()
    result = step()
    seconds = time.perf_counter() - started
    peak = float("nan")
    if memory:
        gc.collect()
        tracemalloc.start()
        step()
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    return seconds, peak, result


def load(organisations: int, folder: Path) -> Any:
    """The embedded store at ``folder`` holding the vocabulary and the generated data
    (generated once and kept for the next runs)."""
    import pyoxigraph as ox

    from graph.namespaces import CG, DCTERMS, PROV, RDF, VOCABULARY_GRAPH, XSD
    from graph.samples.synthetic import SYNTHETIC_GRAPH, generate
    from graph.store import open_store
    from graph.vocabulary import vocabulary_triples

    done = folder / "READY"
    store = open_store(str(folder))
    if done.exists():
        return store, 0.0

    def meta(graph: str) -> list[ox.Triple]:
        s = ox.NamedNode(graph)
        return [ox.Triple(s, ox.NamedNode(RDF + "type"), ox.NamedNode(PROV + "Entity")),
                ox.Triple(s, ox.NamedNode(DCTERMS + "title"), ox.Literal(graph)),
                ox.Triple(s, ox.NamedNode(PROV + "generatedAtTime"), ox.Literal(
                    "2026-11-29T10:00:00Z", datatype=ox.NamedNode(XSD + "dateTime"))),
                ox.Triple(s, ox.NamedNode(CG + "access"), ox.NamedNode(CG + "Public"))]

    started = time.perf_counter()
    store.replace_graph(VOCABULARY_GRAPH, vocabulary_triples(), metadata=meta(VOCABULARY_GRAPH))
    store.replace_graph(SYNTHETIC_GRAPH, generate(organisations, seed=1),
                        metadata=meta(SYNTHETIC_GRAPH))
    seconds = time.perf_counter() - started
    done.write_text(str(store.count()))
    return store, seconds


class Server:
    """The civicgraph app over ``store`` on a free loopback port, in a thread."""

    def __init__(self, store: Any, budget: int) -> None:
        import uvicorn

        from api.app import create_app
        from api.serving import server_options
        from api.settings import Settings

        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        settings = Settings(store="memory", node_budget=budget, log_level="warning",
                            public_url=self.url)
        self.app = create_app(settings, store)
        self.server = uvicorn.Server(uvicorn.Config(self.app, log_level="warning",
                                                    **server_options()))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]},
                                       daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        deadline = time.monotonic() + 60
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(30)
        self.sock.close()


def measure(organisations: int, folder: Path, budget: int, betweenness_k: int,
            browser: bool) -> dict[str, Any]:
    import httpx

    from visualisations import maps, projection
    from visualisations.filters import Filters
    from visualisations.metrics import compute
    from visualisations.render import build_view, render_html
    from visualisations.table import load_table

    out: dict[str, Any] = {"organisations": organisations, "steps": [], "pages": [],
                           "drawn": []}
    store, loading = load(organisations, folder)
    out["triples"] = store.count()
    out["load"] = loading
    print(flush=True)
    print(f"== {organisations:,} organisations, {out['triples']:,} quads "
          f"(generated and loaded in {loading:.0f} s)" if loading else
          f"\n== {organisations:,} organisations, {out['triples']:,} quads (store reused)")

    def step(name: str, run: Callable[[], Any], memory: bool = True) -> Any:
        seconds, peak, result = timed(run, memory)
        size = ""
        if hasattr(result, "number_of_nodes"):
            size = f"{result.number_of_nodes():,} nodes, {result.number_of_edges():,} edges"
        elif hasattr(result, "graph") and hasattr(result.graph, "number_of_nodes"):
            g = result.graph
            size = f"{g.number_of_nodes():,} nodes, {g.number_of_edges():,} edges"
        out["steps"].append((name, seconds, peak, size))
        print(f"{name:<44} {seconds:8.2f} s {peak:9.1f} MiB  {size}")
        return result

    before = rss_mib()
    started = time.perf_counter()
    table = load_table(store)
    seconds = time.perf_counter() - started
    out["steps"].append(("read the usage table from the store", seconds, rss_mib() - before,
                         f"{len(table.usages):,} usages"))
    print(f"{'read the usage table from the store':<44} {seconds:8.2f} s "
          f"{rss_mib() - before:9.1f} MiB  {len(table.usages):,} usages (RSS growth)")

    f = Filters()
    top_tool = maps.tool_index(table)[0][0]
    org_tool = step("projection org-tool (whole)", lambda: projection.org_tool(table, f))
    step("projection tool-tool", lambda: projection.tool_tool(table, f))
    step("projection practice-tool", lambda: projection.practice_tool(table, f))
    try:
        step("projection org-org (whole)", lambda: projection.org_org(table, f))
    except projection.TooLarge as error:
        out["steps"].append(("projection org-org (whole)", float("nan"), float("nan"),
                             f"refused: {error.size:,} pairs"))
        print(f"projection org-org (whole): refused ({error.size:,} pairs)")
    step("projection of the most used tool (whole)",
         lambda: projection.tool_map(table, top_tool, f))
    step(f"metrics of org-tool (betweenness k={betweenness_k})",
         lambda: compute(org_tool, betweenness_k=betweenness_k), memory=False)
    html_sizes: dict[str, int] = {}
    for name in [spec.name for spec in maps.GALLERY] + ["tool"]:
        software = top_tool if name == "tool" else None
        built = step(f"build map {name} (budget {budget})",
                     lambda name=name, software=software: maps.build(
                         table, name, f, budget=budget, software=software))
        html = step(f"render map {name}", lambda built=built, name=name: render_html(
            build_view(built, title=name, label=table.label, link=lambda i: i),
            assets="/maps/assets"))
        html_sizes[name] = len(html.encode())
    out["html"] = html_sizes

    with Server(store, budget) as server, httpx.Client(base_url=server.url, timeout=600) as http:
        started = time.perf_counter()
        server.app.state.maps.wait_warm()  # the table, columns and the gallery's maps
        out["warm"] = time.perf_counter() - started
        print(f"{'server warm-up (table, gallery maps)':<44} {out['warm']:8.2f} s")
        slug = top_tool.rsplit("/", 1)[-1]
        urls = ["/", "/maps", "/maps/organisations-tools", "/maps/organisations-tools/embed",
                "/maps/organisations-tools/embed?field=health",
                "/maps/tool-co-usage/embed", "/maps/organisations/embed",
                "/maps/practices-tools/embed", f"/maps/tool/{slug}/embed",
                "/maps/organisations-tools/thumbnail.svg"]
        for url in urls:
            times = []
            for _ in range(3):
                started = time.perf_counter()
                response = http.get(url)
                times.append(time.perf_counter() - started)
                response.raise_for_status()
            out["pages"].append((url, times[0], statistics.median(times[1:]),
                                 len(response.content)))
            print(f"GET {url:<50} first {times[0]:6.2f} s  "
                  f"cached {statistics.median(times[1:]):6.3f} s  "
                  f"{len(response.content) / 1e6:6.2f} MB")
        if browser and Path(CHROMIUM).exists():
            from playwright.sync_api import sync_playwright

            with sync_playwright() as playwright:
                chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                page = chromium.new_page(viewport={"width": 1280, "height": 800})
                for url in ("/maps/organisations-tools/embed", f"/maps/tool/{slug}/embed",
                            "/maps/organisations-tools"):
                    started = time.perf_counter()
                    page.goto(server.url + url)
                    target = page
                    if not url.endswith("/embed"):
                        target = page.wait_for_selector("#map-frame").content_frame()
                    target.wait_for_selector("#cg-map[data-drawn='true']", state="attached",
                                             timeout=120_000)
                    seconds = time.perf_counter() - started
                    nodes = target.evaluate("window.civicmap.nodes.length")
                    out["drawn"].append((url, seconds, nodes))
                    print(f"drawn in Chromium {url:<42} {seconds:6.2f} s  {nodes:,} nodes")
                chromium.close()
    store.close()
    out["rss"] = rss_mib()
    out["load_average"] = __import__("os").getloadavg()[1]
    return out


def report(results: list[dict[str, Any]], command: str) -> str:
    lines = ["## Maps", "",
             f"`{command}` on {platform.machine()}, {platform.python_version()}, "
             f"{__import__('os').cpu_count()} cores; generated data "
             "(`graph.samples.synthetic.generate`, seed 1) in the embedded on-disk store; "
             "time of one run; peak = Python-heap peak during the step (tracemalloc), for the "
             "usage table the growth of the process's resident set.", ""]
    for r in results:
        lines += [f"### {r['organisations']:,} organisations ({r['triples']:,} quads)", "",
                  "| step | time | peak memory | size |", "|---|---|---|---|"]
        for name, seconds, peak, size in r["steps"]:
            t = "—" if seconds != seconds else f"{seconds:.2f} s"
            p = "—" if peak != peak else f"{peak:,.0f} MiB"
            lines.append(f"| {name} | {t} | {p} | {size} |")
        lines += ["", "Map HTML (before gzip): " + ", ".join(
            f"{k} {v / 1e6:.2f} MB" for k, v in r["html"].items()), "",
            f"Server warm-up when it starts (reading the usage table, building the gallery's "
            f"maps; once per data version, in the background): {r['warm']:.1f} s",
            "", "| page | first answer | cached | size |", "|---|---|---|---|"]
        for url, first, cached, size in r["pages"]:
            lines.append(f"| `{url}` | {first:.2f} s | {cached:.3f} s | {size / 1e6:.2f} MB |")
        if r["drawn"]:
            lines += ["", "| drawn in headless Chromium | time | nodes |", "|---|---|---|"]
            for url, seconds, nodes in r["drawn"]:
                lines.append(f"| `{url}` | {seconds:.2f} s | {nodes:,} |")
        lines += ["", f"Peak resident set of the benchmark process: {r['rss']:,.0f} MiB; "
                  f"load average (5 min) at the end: {r['load_average']:.1f} on "
                  f"{__import__('os').cpu_count()} cores (other work on the machine slows "
                  "every figure)", ""]
    return "\n".join(lines)


def write_section(text: str) -> None:
    old = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    start = old.find("## Maps")
    if start == -1:
        new = old.rstrip("\n") + "\n\n" + text
    else:
        end = old.find("\n## ", start + 1)
        new = old[:start] + text + ("\n" + old[end + 1:] if end != -1 else "")
    RESULTS.write_text(new.rstrip("\n") + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--budget", type=int, default=1500)
    parser.add_argument("--betweenness-k", type=int, default=100)
    parser.add_argument("--data", type=Path,
                        default=Path(tempfile.gettempdir()) / "civicgraph-bench-maps",
                        help="where the generated stores are kept between runs")
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--no-write", action="store_true", help="do not update RESULTS.md")
    args = parser.parse_args()
    results = [measure(n, args.data / f"store-{n}", args.budget, args.betweenness_k,
                       not args.no_browser) for n in args.sizes]
    command = ".venv/bin/python bench/bench_maps.py" + (
        "" if args.sizes == [10_000, 100_000] else " --sizes " + " ".join(map(str, args.sizes)))
    text = report(results, command)
    print("\n" + text)
    if not args.no_write:
        write_section(text)


if __name__ == "__main__":
    main()
