"""A store that cannot be written, or a disk that fills up: a clear error, nothing corrupted.

- At start: every command over a store on a read-only file system (or a remote store that
  cannot be reached) stops with one sentence on stderr and exit code 1, no traceback.
- On write: a full disk (a small tmpfs mounted for the test) refuses an update sent over HTTP
  with a 503 JSON answer, never a 500; reads go on being answered; the server stops without a
  traceback; once there is room again the store opens with exactly what it held before and
  takes writes. ``civicgraph load`` onto a full disk fails the same way, leaving nothing
  behind (not even the table files of its bulk load).

Where mounting is not allowed, the full disk is simulated with RLIMIT_FSIZE in the
subprocesses (writes then fail with EFBIG, "File too large") and the read-only store with file
permissions (not as root: root writes anyway, so those tests are skipped).
"""

from __future__ import annotations

import os
import stat
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from bench.servers import free_port
from graph.errors import StoreError
from graph.ingest.loading import load_vocabulary
from graph.samples.example import ensure_example
from graph.samples.synthetic import write
from graph.store.embedded import OxigraphStore
from tests.support.faults import (
    CURATOR_TOKEN,
    Disk,
    G,
    Serve,
    copy_store,
    graph_contents,
    mount_tmpfs,
    run_civicgraph,
    start_serve,
)

pytestmark = pytest.mark.slow

FULL = ("No space left on device", "File too large")
BEARER = {"Authorization": f"Bearer {CURATOR_TOKEN}"}
#: thirty copies of the example graph in one update: far more than the small disk holds (under
#: a named predicate: the update guard refuses a variable predicate into ``GRAPH ?g``)
FLOOD = """INSERT { GRAPH ?g { ?s <urn:civicgraph:copied> ?o } } WHERE {
  GRAPH <https://w3id.org/civicgraph/graph/example> { ?s ?p ?o }
  VALUES ?i { 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 }
  BIND (IRI(CONCAT("urn:civicgraph:copy:", STR(?i))) AS ?g) }"""
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def assert_one_sentence(result: subprocess.CompletedProcess[str], *expected: str) -> None:
    """Exit code 1 and one line on stderr, ``civicgraph: error: …``, naming the cause."""
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode == 1, (result.returncode, result.stderr[-2000:])
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    assert len(lines) == 1 and lines[0].startswith("civicgraph: error: "), result.stderr
    assert any(text in lines[0] for text in expected), lines[0]


@pytest.fixture
def read_only(tmp_path: Path) -> Iterator[Path]:
    """A directory on a file system that cannot be written, holding a store (``store``)."""
    path = tmp_path / "read-only"
    path.mkdir()
    if mount_tmpfs(path, "32m"):
        store = OxigraphStore(path / "store")
        load_vocabulary(store, imported_by="test")
        store.close()
        subprocess.run(["mount", "-o", "remount,ro", str(path)], check=True)
        try:
            yield path
        finally:
            subprocess.run(["umount", "-l", str(path)], check=False)
        return
    if os.geteuid() == 0:
        pytest.skip("root can write anywhere, and mounting a read-only file system failed")
    store = OxigraphStore(path / "store")
    load_vocabulary(store, imported_by="test")
    store.close()
    everything = [path, *path.rglob("*")]
    for item in everything:
        item.chmod(item.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    try:
        yield path
    finally:
        for item in everything:
            item.chmod(item.stat().st_mode | stat.S_IWUSR)


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("disk-data") / "synthetic.nt"
    write(500, path, seed=5)    # about 52,000 triples: ~7 MB, more than the small disk
    return path


START: list[tuple[str, list[str], tuple[str, ...]]] = [
    ("serve, new store", ["serve", "--store", "{ro}/new-store", "--port", "{port}"],
     ("cannot open the store", "Read-only file system", "Permission denied")),
    ("serve, existing store", ["serve", "--store", "{ro}/store", "--port", "{port}"],
     ("cannot open the store",)),
    ("load", ["load", "{data}", "--store", "{ro}/store", "--no-validate"],
     ("cannot open the store",)),
    ("import", ["import", "{sheet}", "--source", "survey", "--store", "{ro}/store"],
     ("cannot open the store",)),
    ("stats", ["stats", "--store", "{ro}/store"], ("cannot open the store",)),
]


@pytest.mark.parametrize(("what", "args", "expected"), START, ids=[c[0] for c in START])
def test_a_store_that_cannot_be_written_stops_the_command_with_one_sentence(
        read_only: Path, data: Path, tmp_path: Path, what: str, args: list[str],
        expected: tuple[str, ...]) -> None:
    sheet = tmp_path / "usages.csv"
    sheet.write_text("organisation,tool,status\nVECAM,Loomio,active\n", encoding="utf-8")
    values = {"ro": str(read_only), "port": str(free_port()), "data": str(data),
              "sheet": str(sheet)}
    result = run_civicgraph(*[a.format(**values) for a in args], timeout=90)
    assert_one_sentence(result, *expected)


def test_serve_stops_with_one_sentence_when_the_remote_store_cannot_be_reached() -> None:
    result = run_civicgraph("serve", "--store", f"http://127.0.0.1:{free_port()}",
                            "--port", str(free_port()), timeout=90)
    assert_one_sentence(result, "cannot be reached")


def test_a_full_disk_refuses_the_update_keeps_reads_and_the_store(
        small_disk: Callable[[str, int], Disk], tmp_path: Path,
        serving: list[Serve]) -> None:
    disk = small_disk("10m", 4 << 20)
    store = disk.path / "store"
    opened = OxigraphStore(store)
    ensure_example(opened, imported_by="test")
    opened.close()
    before = graph_contents(copy_store(store, tmp_path / "before"))

    server = start_serve(store, preexec=disk.preexec())
    serving.append(server)

    def count() -> int:
        response = httpx.get(f"{server.url}/sparql", params={"query": COUNT}, timeout=60,
                             headers={"Accept": "application/sparql-results+json", **BEARER})
        assert response.status_code == 200, response.text[:500]
        return int(response.json()["results"]["bindings"][0]["n"]["value"])

    quads = count()
    flood = httpx.post(f"{server.url}/sparql", content=FLOOD.encode(), timeout=120,
                       headers={"Content-Type": "application/sparql-update", **BEARER})
    assert flood.status_code in (503, 507), flood.text[:500]
    assert flood.headers["content-type"].startswith("application/json")
    assert any(text in flood.json()["message"] for text in FULL), flood.json()

    # reads go on, and see what the store holds (the update changed nothing)
    assert count() == quads
    for path in ("/health", "/id/org/vecam", "/search?q=loomio"):
        response = httpx.get(server.url + path, timeout=60)
        assert response.status_code == 200, (path, response.status_code, response.text[:300])
    # a small write is refused as clearly (RocksDB stays read-only until restarted)
    small = httpx.put(f"{server.url}/store", params={"graph": "urn:civicgraph:small"},
                      content=b"<urn:a> <urn:b> <urn:c> .\n", timeout=60,
                      headers={"Content-Type": "application/n-triples", **BEARER})
    assert small.status_code in (201, 204, 503, 507), small.text[:500]
    server.stop()
    output = server.output.text()
    assert "Traceback" not in output, output[-3000:]

    disk.enlarge()
    after = graph_contents(store)
    expected = dict(before)
    if small.status_code < 300:
        expected["urn:civicgraph:small"] = frozenset({"<urn:a> <urn:b> <urn:c>"})
    assert {g: len(t) for g, t in after.items() if g != G + "meta"} == \
        {g: len(t) for g, t in expected.items() if g != G + "meta"}
    assert {g: t for g, t in after.items() if g != G + "meta"} == \
        {g: t for g, t in expected.items() if g != G + "meta"}
    # with room again, the store takes the same update
    opened = OxigraphStore(store)
    try:
        opened.update(FLOOD)
        assert opened.count() > quads * 10
    finally:
        opened.close()


def test_a_load_onto_a_full_disk_fails_clearly_and_leaves_nothing(
        small_disk: Callable[[str, int], Disk], data: Path, tmp_path: Path) -> None:
    disk = small_disk("8m", 2 << 20)
    store = disk.path / "store"
    opened = OxigraphStore(store)
    load_vocabulary(opened, imported_by="test")
    opened.close()
    before = graph_contents(copy_store(store, tmp_path / "before"))

    target = G + "synthetic"
    result = run_civicgraph("load", str(data), "--graph", target, "--store", str(store),
                            "--no-validate", "--quiet", preexec=disk.preexec())
    assert_one_sentence(result, *FULL)
    assert not list(store.glob("bulk-*")), "the failed bulk load left its table files"

    disk.enlarge()
    assert graph_contents(store) == before
    again = run_civicgraph("load", str(data), "--graph", target, "--store", str(store),
                          "--no-validate", "--quiet")
    assert again.returncode == 0, again.stderr
    assert target in graph_contents(store)


def test_a_store_closed_on_a_full_disk_says_so_and_lets_go(
        small_disk: Callable[[str, int], Disk]) -> None:
    disk = small_disk("10m", 4 << 20)
    if not disk.mounted:
        pytest.skip("needs a file system that is really full, in this process")
    store = OxigraphStore(disk.path / "store")
    ensure_example(store, imported_by="test")
    graphs = store.graphs()
    with pytest.raises(StoreError, match="No space left on device"):
        store.update(FLOOD)
    # RocksDB cannot flush any more: a clear error, and the store is released all the same
    with pytest.raises(StoreError, match="could not be flushed"):
        store.close()
    disk.enlarge()
    reopened = OxigraphStore(disk.path / "store")
    try:
        assert reopened.graphs() == graphs
    finally:
        reopened.close()
