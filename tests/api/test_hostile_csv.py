"""Spreadsheet formulas (CSV injection): neutralised in every CSV meant for spreadsheets, and
flagged when a spreadsheet brings them in."""

from __future__ import annotations

import csv
import io

import networkx as nx
import pytest

from graph.formulas import safe_cell
from graph.ingest.spreadsheets.importing import import_spreadsheet
from tests.support.graphs import example_store
from visualisations.export import export

FORMULAS = ["=HYPERLINK(\"http://evil\",\"x\")", "+33 1 23", "-2+3+cmd|' /C calc'!A0",
            "@SUM(A1:A9)", "\t=1+1", "\r=1+1"]


@pytest.mark.parametrize("text", FORMULAS)
def test_a_formula_gets_a_leading_quote(text: str) -> None:
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("text", ["Loomio", "", "a=b", "VECAM @ Paris", "1-2"])
def test_other_text_is_left_alone(text: str) -> None:
    assert safe_cell(text) == text


def _cells(data: bytes) -> list[str]:
    rows = csv.reader(io.StringIO(data.decode("utf-8"), newline=""))
    return [cell for row in rows for cell in row]


@pytest.mark.parametrize("text", FORMULAS)
@pytest.mark.parametrize("part", ["nodes.csv", "edges.csv"])
def test_map_csv_exports_neutralise_formulas(text: str, part: str) -> None:
    g = nx.Graph()
    g.add_node(text, label=text, kind=text, iri="https://w3id.org/civicgraph/id/org/a")
    g.add_node("b", label="b", kind="tool", iri="https://w3id.org/civicgraph/id/tool/b")
    g.add_edge(text, "b", weight=1, note=text)
    cells = _cells(export(g, part))
    assert text not in cells
    assert "'" + text in cells
    assert not any(c.startswith(("=", "+", "-", "@", "\t", "\r")) for c in cells)


@pytest.mark.parametrize("text", FORMULAS)
def test_an_import_flags_formulas_and_its_report_csv_neutralises_them(text: str) -> None:
    store = example_store()
    quoted = text.replace('"', '""')
    sheet = ("organisation,tool,practices,status,observed on\n"
             f'"{quoted}",Loomio,voting,active,2026-03-14\n').encode()
    report = import_spreadsheet(store, sheet, "usages.csv", source="formula test")
    flagged = [p for p in report.problems if p.level == "warning" and "formula" in p.message]
    # the reader trims the spaces around a cell (a tab too): what is left still begins a formula
    assert flagged and flagged[0].value == text.strip() and flagged[0].row == 2
    cells = _cells(report.to_csv().encode())
    assert text.strip() not in cells
    assert not any(c.startswith(("=", "+", "-", "@", "\t", "\r")) for c in cells)
