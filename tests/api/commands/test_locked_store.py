"""Store commands while another process (not a server) holds the embedded store: the reading
ones open it read-only, the writing ones say who holds it."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from api.cli import main
from graph.errors import StoreLocked
from graph.namespaces import graph_iri
from graph.store import open_store

HOLD = "import sys, pyoxigraph; s = pyoxigraph.Store(sys.argv[1]); print('held', flush=True); " \
       "sys.stdin.read()"


@pytest.fixture
def held(tmp_path: Path) -> Iterator[Path]:
    """A store with one graph, then held open by another process until the test ends."""
    store = tmp_path / "store"
    data = tmp_path / "data.ttl"
    runner = CliRunner()
    assert runner.invoke(main, ["generate", "-n", "2", "-o", str(data)]).exit_code == 0
    loaded = runner.invoke(main, ["load", str(data), "--store", str(store), "--quiet",
                                  "--graph", graph_iri("held")])
    assert loaded.exit_code == 0, loaded.output
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(store)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE)
    assert holder.stdout is not None and holder.stdin is not None
    try:
        assert holder.stdout.readline() == b"held\n"   # '' if the holder died
        yield store
    finally:
        holder.stdin.close()
        holder.wait(30)
        holder.stdout.close()


def test_the_store_is_really_held(held: Path) -> None:
    with pytest.raises(StoreLocked, match="another process has the store open"):
        open_store(str(held))


@pytest.mark.parametrize("args", [
    ["stats", "--json"],
    ["query", "--format", "json", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"],
    ["export"],
])
def test_reading_commands_open_a_held_store_read_only(held: Path, args: list[str]) -> None:
    result = CliRunner().invoke(main, [*args, "--store", str(held)])
    assert result.exit_code == 0, result.output
    if args[0] == "stats":
        graphs = {r["graph"]: r["triples"] for r in json.loads(result.output)["graphs"]}
        assert graphs[graph_iri("held")] > 0
    else:
        assert graph_iri("held") in result.output or '"n"' in result.output


def test_a_writing_command_says_another_process_holds_the_store(
        held: Path, tmp_path: Path) -> None:
    data = tmp_path / "more.ttl"
    data.write_text("<http://ex/a> <http://www.w3.org/2000/01/rdf-schema#label> \"a\" .\n")
    result = CliRunner().invoke(main, ["load", str(data), "--store", str(held), "--quiet"])
    assert result.exit_code == 1
    assert "another process has the store open" in result.output
