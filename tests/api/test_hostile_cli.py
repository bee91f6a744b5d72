"""Hostile and broken input on every CLI command: each ends with exit code 1 or 2, never a
traceback, and the store is exactly as it was.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from api.cli import main
from graph.namespaces import graph_iri
from tests.support.hostile import (
    NOT_UTF8,
    Listener,
    deep_json_ld,
    external_entity,
    laughs,
    quadratic_blowup,
    remote_context_json_ld,
    snapshot,
    xlsx_laughs,
)

# --- the command line --------------------------------------------------------------------------

@pytest.fixture
def cli_store(tmp_path: Path) -> str:
    """An embedded store that already holds the vocabulary and a small graph."""
    path = str(tmp_path / "store")
    data = tmp_path / "small.ttl"
    data.write_text("<https://w3id.org/civicgraph/id/org/a> "
                    "<http://www.w3.org/2000/01/rdf-schema#label> \"A\" .\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["load", "--store", path, "-q", "--no-validate",
                                       str(data)])
    assert result.exit_code == 0, result.output
    return path


def _store_quads(path: str) -> frozenset[str]:
    from graph.store import open_store

    with open_store(path) as store:
        return snapshot(store)


def _cli_cases(tmp: Path, url: str) -> list[tuple[str, list[str], set[int]]]:
    files = {
        "laughs.rdf": laughs(), "blowup.rdf": quadratic_blowup(), "deep.jsonld": deep_json_ld(),
        "remote.jsonld": remote_context_json_ld(url + "/ctx"),
        "external.rdf": external_entity(url + "/x"),
        "latin1.ttl": b'<a:b> <a:c> "caf\xe9" .', "garbage.nt": NOT_UTF8 * 100,
        "laughs.xlsx": xlsx_laughs(), "latin1.csv": b"name;commune\nCaf\xe9;Paris\n",
        "binary.csv": NOT_UTF8 * 50, "empty.ttl": b"", "query.rq": b"SELECT " + NOT_UTF8,
    }
    for name, data in files.items():
        (tmp / name).write_bytes(data)

    def f(name: str) -> str:
        return str(tmp / name)

    return [
        ("query syntax", ["query", "SELEC ?s {"], {2}),
        ("query SERVICE", ["query", f"SELECT * {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"], {2}),
        ("query FROM remote", ["query", f"SELECT * FROM <{url}/g> {{ ?s ?p ?o }}"], {0}),  # noqa: S608
        ("query GRAPH remote", ["query", f"SELECT * {{ GRAPH <{url}/g> {{ ?s ?p ?o }} }}"],
         {0}),
        ("query file not UTF-8", ["query", "--file", f("query.rq")], {1, 2}),
        ("query unknown name", ["query", "--name", "../../etc/passwd"], {2}),
        ("query parameter injection", ["query", "--name", "tools_by_practice", "-p",
                                       "practice=<http://x> } UNION { ?s ?p ?o"], {2}),
        ("load laughs", ["load", "-q", f("laughs.rdf")], {1, 2}),
        ("load blowup", ["load", "-q", f("blowup.rdf")], {1, 2}),
        ("load deep JSON-LD", ["load", "-q", f("deep.jsonld")], {1, 2}),
        ("load remote context", ["load", "-q", f("remote.jsonld")], {1, 2}),
        ("load external entity", ["load", "-q", f("external.rdf")], {1, 2}),
        ("load not UTF-8", ["load", "-q", f("latin1.ttl")], {1, 2}),
        ("load garbage", ["load", "-q", f("garbage.nt")], {1, 2}),
        ("load empty", ["load", "-q", "--graph", "not an iri", f("empty.ttl")], {1, 2}),
        ("load graph injection", ["load", "-q", "--graph", f"{graph_iri('x')}> }} ; DROP ALL",
                                  f("latin1.ttl")], {1, 2}),
        ("validate laughs", ["validate", f("laughs.rdf")], {1, 2}),
        ("validate deep JSON-LD", ["validate", f("deep.jsonld")], {1, 2}),
        ("import XLSX laughs", ["import", "--source", "s", f("laughs.xlsx")], {1, 2}),
        ("import latin-1 CSV", ["import", "--source", "s", f("latin1.csv")], {1, 2}),
        ("import binary CSV", ["import", "--source", "s", f("binary.csv")], {1, 2}),
        ("forget injection", ["forget", "--yes", "x> } ; DROP ALL ; #"], {0, 1, 2}),
        ("forget javascript", ["forget", "--yes", "javascript:alert(1)"], {0, 1, 2}),
    ]


@pytest.mark.slow
def test_hostile_input_on_the_command_line(tmp_path: Path, cli_store: str,
                                           listener: Listener) -> None:
    before = _store_quads(cli_store)
    runner = CliRunner()
    for name, args, codes in _cli_cases(tmp_path, listener.url):
        result = runner.invoke(main, [*args, "--store", cli_store])
        assert result.exit_code in codes, (name, result.exit_code, result.output[-500:])
        assert result.exception is None or isinstance(result.exception, SystemExit), \
            (name, repr(result.exception))
        assert "Traceback" not in result.output, name
        if result.exit_code:
            assert "error" in result.output.lower() or "refused" in result.output.lower(), \
                (name, result.output[-300:])
        assert _store_quads(cli_store) == before, name
    assert listener.connections == 0
