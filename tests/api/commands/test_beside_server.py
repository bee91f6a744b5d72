"""Every store command while ``civicgraph serve`` holds the same embedded store.

The server runs in its own process (uvicorn on 127.0.0.1), so RocksDB's lock keeps this
process out of the store: a command that works here went through the server.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from api.cli import main
from api.commands.connection import SERVER_FILE, running_server
from graph.errors import StoreError
from graph.namespaces import ID, graph_iri
from graph.store import open_store
from tests.support.faults import CURATOR_TOKEN, start_serve

pytestmark = pytest.mark.slow

TOKEN = CURATOR_TOKEN  # the token start_serve gives the server
READY_WITHIN = 90.0


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    url: str
    store: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(20)


def _start(store: Path, *, empty: bool = False) -> Server:
    served = start_serve(store, ready_within=READY_WITHIN, args=["--empty"] if empty else [])
    return Server(served.process, served.url, store)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = _start(tmp_path_factory.mktemp("beside") / "store")
    try:
        yield running
    finally:
        running.stop()


def cli(*args: str, token: str = TOKEN) -> Result:
    return CliRunner().invoke(main, list(args), env={"CIVICGRAPH_CURATOR_TOKEN": token})


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("data") / "beside.ttl"
    result = cli("generate", "--organisations", "2", "--output", str(path))
    assert result.exit_code == 0, result.output
    return path


def test_the_store_is_locked_and_the_server_is_discovered(server: Server) -> None:
    with pytest.raises(StoreError):
        open_store(str(server.store))
    found = json.loads((server.store / SERVER_FILE).read_text(encoding="utf-8"))
    assert found == {"url": server.url, "pid": server.process.pid}
    assert running_server(str(server.store)) == server.url


def test_load_stats_query_and_export_go_through_the_server(
        server: Server, synthetic: Path, tmp_path: Path) -> None:
    store = str(server.store)
    target = graph_iri("beside-load")
    loaded = cli("load", str(synthetic), "--graph", target, "--store", store, "--quiet")
    assert loaded.exit_code == 0, loaded.output
    assert f"loaded {synthetic} -> {target}" in loaded.output

    stats = cli("stats", "--store", store, "--json")
    assert stats.exit_code == 0, stats.output
    rows = {r["graph"]: r for r in json.loads(stats.output)["graphs"]}
    assert rows[target]["triples"] > 0 and rows[target]["access"] == "public"

    asked = cli("query", "--store", store, "--format", "csv",
                f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{target}> {{ ?s ?p ?o }} }}")
    assert asked.exit_code == 0, asked.output
    assert asked.output.splitlines()[1].strip() == str(rows[target]["triples"])

    dump = tmp_path / "dump.nq"
    exported = cli("export", "--store", store, "--output", str(dump))
    assert exported.exit_code == 0, exported.output
    assert sum(f"<{target}> ." in line for line in dump.read_text().splitlines()) == \
        rows[target]["triples"]


def test_import_and_forget_go_through_the_server(server: Server, tmp_path: Path) -> None:
    store = str(server.store)
    members = tmp_path / "membres.csv"
    members.write_text("identifiant,nom,courriel\nm-9,Léa Fictive,lea@example.org\n",
                       encoding="utf-8")
    imported = cli("import", str(members), "--source", "beside members", "--store", store)
    assert imported.exit_code == 0, imported.output
    assert "imported 1 of 1 row(s)" in imported.output
    ask = f"ASK {{ <{ID}person/m-9> ?p ?o }}"
    assert cli("query", "--store", store, "--all-graphs", ask).output.strip() == "true"

    erased = cli("forget", "m-9", "--yes", "--store", store)
    assert erased.exit_code == 0, erased.output
    assert f"<{ID}person/m-9>" in erased.output
    assert cli("query", "--store", store, "--all-graphs", ask).output.strip() == "false"


def test_metrics_are_computed_and_written_through_the_server(
        server: Server, synthetic: Path) -> None:
    store = str(server.store)
    assert cli("load", str(synthetic), "--graph", graph_iri("beside-metrics"), "--store",
               store, "--quiet").exit_code == 0
    result = cli("metrics", "--store", store, "--projection", "org-tool")
    assert result.exit_code == 0, result.output
    assert "org-tool:" in result.output
    stats = json.loads(cli("stats", "--store", store, "--json").output)
    assert any("metrics/org-tool" in r["graph"] and r["triples"] > 0 for r in stats["graphs"])


def test_server_option_names_the_server(server: Server, tmp_path: Path) -> None:
    elsewhere = str(tmp_path / "never-opened")
    result = cli("query", "--server", server.url, "--store", elsewhere, "ASK {}")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "true"
    assert not Path(elsewhere).exists()   # the store named by --store was never opened


def test_a_write_without_the_token_is_refused_and_says_why(
        server: Server, synthetic: Path) -> None:
    result = cli("load", str(synthetic), "--graph", graph_iri("beside-refused"), "--store",
                 str(server.store), "--quiet", token="")
    assert result.exit_code == 1
    assert "401" in result.output
    stats = json.loads(cli("stats", "--store", str(server.store), "--json").output)
    assert graph_iri("beside-refused") not in {r["graph"] for r in stats["graphs"]}


def test_a_stale_discovery_file_is_removed(tmp_path: Path) -> None:
    store = tmp_path / "store"
    with open_store(str(store)):
        pass
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait(30)
    (store / SERVER_FILE).write_text(json.dumps({"url": "http://127.0.0.1:9", "pid": gone.pid}))
    result = cli("stats", "--store", str(store), "--json")
    assert result.exit_code == 0, result.output
    assert not (store / SERVER_FILE).exists()


def test_the_server_removes_its_file_when_it_stops(tmp_path: Path) -> None:
    running = _start(tmp_path / "store", empty=True)
    assert (running.store / SERVER_FILE).exists()
    running.stop()
    assert running.process.returncode == 0
    assert not (running.store / SERVER_FILE).exists()
