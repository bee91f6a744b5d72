"""The ``civicgraph`` command line: every command, its help, its exit codes and its errors."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from api.cli import main
from graph.namespaces import graph_iri

COMMANDS = ["serve", "load", "validate", "query", "catalogue", "generate", "export", "stats"]


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def store(tmp_path: Path) -> str:
    return str(tmp_path / "store")


@pytest.fixture
def synthetic(tmp_path: Path, runner: CliRunner) -> Path:
    path = tmp_path / "synthetic.ttl"
    result = runner.invoke(main, ["generate", "--organisations", "5", "--output", str(path)])
    assert result.exit_code == 0, result.output
    return path


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(runner: CliRunner, command: str) -> None:
    result = runner.invoke(main, [command, "--help"])
    assert result.exit_code == 0
    assert "Usage: main " + command in result.output or f"Usage: civicgraph {command}" \
        in result.output or command in result.output.splitlines()[0]


def test_unknown_command_is_a_usage_error(runner: CliRunner) -> None:
    assert runner.invoke(main, ["frobnicate"]).exit_code == 2


def test_generate_is_deterministic_on_stdout(runner: CliRunner) -> None:
    first = runner.invoke(main, ["generate", "-n", "3", "--seed", "7"])
    second = runner.invoke(main, ["generate", "-n", "3", "--seed", "7"])
    other = runner.invoke(main, ["generate", "-n", "3", "--seed", "8"])
    assert first.exit_code == 0
    assert first.stdout == second.stdout != other.stdout
    triples = list(ox.parse(first.stdout_bytes, ox.RdfFormat.N_TRIPLES))
    assert 200 < len(triples) < 2000


def test_load_then_stats_query_and_export(runner: CliRunner, store: str,
                                          synthetic: Path, tmp_path: Path) -> None:
    loaded = runner.invoke(main, ["load", str(synthetic), "--store", store, "-q",
                                  "--source", "synthetic test data"])
    assert loaded.exit_code == 0, loaded.output
    target = graph_iri("synthetic")
    assert f"loaded {synthetic} -> {target}" in loaded.stdout

    again = runner.invoke(main, ["load", str(synthetic), "--store", store, "-q",
                                 "--source", "synthetic test data"])
    assert again.exit_code == 0
    assert again.stdout.startswith("unchanged:")

    stats = json.loads(runner.invoke(main, ["stats", "--store", store, "--json"]).stdout)
    by_graph = {row["graph"]: row for row in stats["graphs"]}
    assert by_graph[target]["access"] == "public"
    assert by_graph[target]["triples"] == len(list(ox.parse(path=str(synthetic))))

    counted = runner.invoke(main, [
        "query", "--store", store, "--format", "csv",
        "SELECT (COUNT(*) AS ?n) WHERE { ?u a <https://w3id.org/civicgraph/ns#ToolUsage> }"])
    assert counted.exit_code == 0, counted.output
    rows = list(csv.reader(io.StringIO(counted.stdout)))
    assert rows[0] == ["n"] and int(rows[1][0]) > 0

    dump = tmp_path / "dump.nq"
    exported = runner.invoke(main, ["export", "--store", store, "--output", str(dump)])
    assert exported.exit_code == 0, exported.output
    graphs = {q.graph_name.value for q in ox.parse(path=str(dump))}
    assert target in graphs


def test_catalogue_lists_queries_and_runs_one(runner: CliRunner, store: str,
                                             synthetic: Path) -> None:
    listed = runner.invoke(main, ["catalogue", "--json"])
    assert listed.exit_code == 0
    names = [entry["name"] for entry in json.loads(listed.stdout)]
    assert "tools_by_practice" in names and len(names) >= 12

    runner.invoke(main, ["load", str(synthetic), "--store", store, "-q"])
    ran = runner.invoke(main, ["query", "--store", store, "--name", "bridging_tools",
                               "--param", "min_fields=1", "--format", "json"])
    assert ran.exit_code == 0, ran.output
    bindings = json.loads(ran.stdout)["results"]["bindings"]
    assert bindings and all("software" in b for b in bindings)

    table = runner.invoke(main, ["query", "--store", store, "--name", "bridging-tools"])
    assert table.exit_code == 0
    assert "min_fields" not in table.stdout.splitlines()[0]


@pytest.mark.parametrize(("args", "code", "message"), [
    (["query", "SELECT * WHERE { ?s ?p }"], 2, "error"),
    (["query", "--name", "no_such_query"], 2, "no catalogue query named 'no_such_query'"),
    (["query", "--name", "bridging_tools", "--param", "min_fields=many"], 2, "min_fields"),
    (["query", "--name", "bridging_tools", "--param", "oops"], 2, "NAME=VALUE"),
    (["query"], 2, "exactly one"),
])
def test_query_usage_errors(runner: CliRunner, store: str, args: list[str], code: int,
                            message: str) -> None:
    result = runner.invoke(main, [*args, "--store", store])
    assert result.exit_code == code
    assert message in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize(("name", "content", "message"), [
    ("broken.ttl", "@prefix x: <http://x/> .\nx:a x:b .\n", "broken.ttl, line 2"),
    ("usage.ttl", """@prefix cg: <https://w3id.org/civicgraph/ns#> .
<https://w3id.org/civicgraph/id/usage/u1> a cg:ToolUsage .
""", "does not conform to the shapes"),
])
def test_bad_data_exits_1_and_leaves_the_store_unchanged(
        runner: CliRunner, store: str, synthetic: Path, tmp_path: Path,
        name: str, content: str, message: str) -> None:
    runner.invoke(main, ["load", str(synthetic), "--store", store, "-q"])
    before = runner.invoke(main, ["export", "--store", store, "--all-graphs"]).stdout_bytes
    bad = tmp_path / name
    bad.write_text(content, encoding="utf-8")
    result = runner.invoke(main, ["load", str(bad), "--store", store, "-q"])
    assert result.exit_code == 1
    assert message in result.stderr
    after = runner.invoke(main, ["export", "--store", store, "--all-graphs"]).stdout_bytes
    assert sorted(before.splitlines()) == sorted(after.splitlines())


def test_unknown_format_is_a_usage_error(runner: CliRunner, store: str, tmp_path: Path) -> None:
    odd = tmp_path / "data.xyz"
    odd.write_text("whatever", encoding="utf-8")
    result = runner.invoke(main, ["load", str(odd), "--store", store, "-q"])
    assert result.exit_code == 2
    assert "unknown RDF format" in result.stderr


def test_validate_reports_each_violation(runner: CliRunner, synthetic: Path,
                                         tmp_path: Path) -> None:
    assert runner.invoke(main, ["validate", str(synthetic)]).exit_code == 0
    bad = tmp_path / "bad.ttl"
    bad.write_text("""@prefix cg: <https://w3id.org/civicgraph/ns#> .
<https://w3id.org/civicgraph/id/usage/u1> a cg:ToolUsage .
""", encoding="utf-8")
    result = runner.invoke(main, ["validate", str(bad)])
    assert result.exit_code == 1
    violations = [line for line in result.stderr.splitlines() if line.startswith("  - ")]
    assert len(violations) >= 4  # organisation, tool, practice, status, observedOn, activity
    assert all("usage/u1" in line for line in violations)
    assert any("MinCount" in line for line in violations)


def test_export_leaves_restricted_graphs_out_unless_asked(runner: CliRunner,
                                                           store: str) -> None:
    from graph.samples.example import ensure_example
    from graph.store import open_store

    with open_store(store) as opened:
        ensure_example(opened, imported_by="test")
    public = runner.invoke(main, ["export", "--store", store, "--format", "trig"])
    everything = runner.invoke(main, ["export", "--store", store, "--all-graphs"])
    assert public.exit_code == everything.exit_code == 0
    members = graph_iri("example-members")

    def graphs(dump: bytes, fmt: ox.RdfFormat) -> set[str]:
        return {q.graph_name.value for q in ox.parse(dump, fmt)
                if isinstance(q.graph_name, ox.NamedNode)}

    assert members not in graphs(public.stdout_bytes, ox.RdfFormat.TRIG)
    assert members in graphs(everything.stdout_bytes, ox.RdfFormat.N_QUADS)
    assert b"foaf/0.1/mbox" not in public.stdout_bytes
    assert b"foaf/0.1/mbox" in everything.stdout_bytes
