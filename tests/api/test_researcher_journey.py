"""A researcher's journey with the command line alone, from an empty store: write the
templates, fill rows in a spreadsheet program (here: the csv module, by header name), import
them, and find the new organisation and its tools on the static maps and in catalogue
queries — with the practices' labels and hierarchy, so queries roll narrower practices up."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from api.cli import main

ORG = "Collectif des Jardins Fictifs"
ORG_IRI = "https://w3id.org/civicgraph/id/org/jardins-fictifs"
ROWS = {
    "organisations": [{"id": "jardins-fictifs", "name": ORG, "kind": "collective",
                       "fields": "environment", "INSEE code": "93048", "fictional": "yes",
                       "description": "Collectif fictif de jardins partagés."}],
    "usages": [
        {"organisation": ORG, "tool": "Mobilizon", "practices": "event-organisation",
         "status": "active", "observed on": "2026-05-10", "start": "2025-01-01"},
        {"organisation": "jardins-fictifs", "tool": "Loomio", "practices": "voting",
         "status": "trial", "observed on": "2026-05-10"},
    ],
}


def civicgraph(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def fill(template: Path, rows: list[dict[str, str]]) -> None:
    """Replace the example row of ``template`` by ``rows``, keeping its header."""
    with template.open(encoding="utf-8", newline="") as opened:
        header = next(csv.reader(opened))
    assert set().union(*rows) <= set(header), header
    with template.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)


@pytest.mark.slow
def test_from_templates_to_maps_and_queries(tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    for kind, rows in ROWS.items():
        sheet = tmp_path / f"{kind}.csv"
        civicgraph("template", kind, "--lang", "en", "-o", str(sheet))
        fill(sheet, rows)
        output = civicgraph("import", str(sheet), "--source", f"survey 2026 {kind}",
                            "--store", store)
        assert f"imported {len(rows)} of {len(rows)} row(s)" in output

    site = tmp_path / "site"
    civicgraph("maps", "--out", str(site), "--store", store, "--lang", "en")
    nodes = (site / "data" / "organisations-tools.nodes.csv").read_text(encoding="utf-8")
    assert ORG in nodes and "Mobilizon" in nodes and "Loomio" in nodes
    graph = json.loads((site / "data" / "organisations-tools.json").read_text(encoding="utf-8"))
    assert {(e["source"], e["target"]) for e in graph["edges"]} >= {
        (ORG_IRI, "https://w3id.org/civicgraph/id/software/mobilizon")} | {
        (ORG_IRI, "https://w3id.org/civicgraph/id/software/loomio")}
    assert ORG in (site / "en" / "tools" / "mobilizon.html").read_text(encoding="utf-8")

    on_map = civicgraph("query", "--name", "tool_usage_map", "-p", "tool=mobilizon",
                        "--format", "csv", "--store", store)
    assert ORG_IRI in on_map and "Event organisation" in on_map
    # voting is narrower than decision-making: the vocabulary came with the import
    by_practice = civicgraph("query", "--name", "tools_by_practice", "-p",
                             "practice=decision-making", "--format", "csv", "--store", store)
    assert "https://w3id.org/civicgraph/id/software/loomio" in by_practice
    single = civicgraph("query", "--name", "single_source_facts", "--format", "csv",
                        "--store", store)
    assert single.count("https://w3id.org/civicgraph/graph/contrib/survey-2026-usages") == 2
