"""Every door of the write path refuses a shape-violating write with its report and changes
nothing, and lets a valid one through (issue 12, "One write path"; issue 13, the default
graph): the Graph Store (named and default graph), SPARQL Update (named and default graph),
spreadsheet imports and ``civicgraph load``."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from api.cli import main
from graph.namespaces import CG, GRAPH, ID, META_GRAPH
from graph.store import DEFAULT_GRAPH, Store, open_store
from tests.support.live import CURATOR_TOKEN, app_client
from tests.support.stores import load_example, memory_store, quads

if TYPE_CHECKING:   # imported by tests.support.live, which silences starlette's warning
    from fastapi.testclient import TestClient

NOTES = GRAPH + "notes"
PUBLIC = GRAPH + "example"
AUTH = {"Authorization": f"Bearer {CURATOR_TOKEN}"}
PREFIXES = f"""PREFIX cg: <{CG}>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""
#: a tool usage of the example's organisations, tools and survey, with everything it needs
USAGE = f"""<{ID}usage/write-path-test> a cg:ToolUsage ;
    cg:organisation <{ID}org/diabete-entraide-93> ;
    cg:tool <{ID}space/liste-sante-communautaire> ;
    cg:practice <{ID}practice/announcement> ;
    cg:status <{ID}status/active> ;
    prov:wasGeneratedBy <{ID}activity/enquete-2024> ;
    cg:observedOn "2026-03-14"^^xsd:date .
"""
#: the same usage without its practice: cg:ToolUsage needs at least one (core shapes)
NO_PRACTICE = USAGE.replace(f"    cg:practice <{ID}practice/announcement> ;\n", "")
TURTLE_PREFIXES = PREFIXES.replace("PREFIX ", "@prefix ").replace(">\n", "> .\n")
ASK_USAGE = f"ASK {{ <{ID}usage/write-path-test> a <{CG}ToolUsage> }}"


def everything(store: Store) -> tuple[set[tuple[str, str, str, str]], set[str]]:
    """The named graphs' quads and the default graph's triples, to compare states."""
    result = store.query("SELECT ?s ?p ?o WHERE { ?s ?p ?o }", default_graph=[DEFAULT_GRAPH],
                         named_graphs=[])
    assert isinstance(result, ox.QuerySolutions)
    return quads(store), {f"{r['s']} {r['p']} {r['o']}" for r in result}


def in_default_graph(store: Store, ask: str) -> bool:
    return bool(store.query(ask, default_graph=[DEFAULT_GRAPH], named_graphs=[]))


@pytest.fixture
def opened() -> Iterator[tuple[TestClient, Store]]:
    store = load_example(memory_store())
    with app_client(store) as client:
        yield client, store


def _gsp(client: TestClient, method: str, target: dict[str, str], body: str) -> int:
    response = client.request(method, "/store", params=target,
                              content=(TURTLE_PREFIXES + body).encode(),
                              headers={**AUTH, "Content-Type": "text/turtle"})
    if response.status_code == 422:
        violations = response.json()["violations"]
        assert any(v["path"] == CG + "practice" and v["focus_node"].endswith(
            "usage/write-path-test") for v in violations), violations
    status: int = response.status_code
    return status


TARGETS = {"named graph": {"graph": NOTES}, "default graph": {"default": ""}}


@pytest.mark.parametrize("method", ["PUT", "POST"])
@pytest.mark.parametrize("target", TARGETS.values(), ids=TARGETS.keys())
def test_graph_store_refuses_a_shape_violation(opened: tuple[TestClient, Store], method: str,
                                               target: dict[str, str]) -> None:
    client, store = opened
    before = everything(store)
    assert _gsp(client, method, target, NO_PRACTICE) == 422
    assert everything(store) == before


@pytest.mark.parametrize("method", ["PUT", "POST"])
@pytest.mark.parametrize("target", TARGETS.values(), ids=TARGETS.keys())
def test_graph_store_writes_a_valid_usage(opened: tuple[TestClient, Store], method: str,
                                          target: dict[str, str]) -> None:
    client, store = opened
    assert _gsp(client, method, target, USAGE) == 201
    if "default" in target:
        assert in_default_graph(store, ASK_USAGE)
    else:
        assert bool(store.query(f"ASK {{ GRAPH <{NOTES}> {{ <{ID}usage/write-path-test> "
                                f"a <{CG}ToolUsage> }} }}"))
    assert _gsp(client, method, target, USAGE) == 204


def test_graph_store_post_checks_the_graph_as_it_would_be(
        opened: tuple[TestClient, Store]) -> None:
    """A usage split over two POSTs: the first half alone is refused; once whole, it passes;
    a triple that breaks it when added to what is stored (a second status) is refused."""
    client, store = opened
    body = USAGE.replace(f"    cg:practice <{ID}practice/announcement> ;\n", "")
    assert _gsp(client, "POST", {"default": ""}, body) == 422
    assert _gsp(client, "PUT", {"default": ""}, USAGE) == 201
    before = everything(store)
    second = f"<{ID}usage/write-path-test> cg:status <{ID}status/abandoned> ."
    response = client.post("/store", params={"default": ""}, content=(
        TURTLE_PREFIXES + second).encode(), headers={**AUTH, "Content-Type": "text/turtle"})
    assert response.status_code == 422, response.text
    assert everything(store) == before


def test_graph_store_delete_of_the_default_graph(opened: tuple[TestClient, Store]) -> None:
    client, store = opened
    assert _gsp(client, "PUT", {"default": ""}, USAGE) == 201
    response = client.delete("/store", params={"default": ""}, headers=AUTH)
    assert response.status_code == 204
    assert not in_default_graph(store, "ASK { ?s ?p ?o }")


def test_a_syntax_error_is_400_and_writes_nothing(opened: tuple[TestClient, Store]) -> None:
    client, store = opened
    before = everything(store)
    response = client.put("/store", params={"default": ""}, content=b"<a> <b> .",
                          headers={**AUTH, "Content-Type": "text/turtle"})
    assert response.status_code == 400
    assert everything(store) == before


def _update(client: TestClient, text: str) -> int:
    response = client.post("/sparql", content=PREFIXES + text, headers={
        **AUTH, "Content-Type": "application/sparql-update"})
    if response.status_code == 422:
        assert any(v["path"] == CG + "practice" for v in response.json()["violations"])
    status: int = response.status_code
    return status


UPDATE_TARGETS = {"named graph": f"GRAPH <{NOTES}> {{{{ {{}} }}}}", "default graph": "{}"}


@pytest.mark.parametrize("wrap", UPDATE_TARGETS.values(), ids=UPDATE_TARGETS.keys())
def test_sparql_update_refuses_a_usage_without_practice(opened: tuple[TestClient, Store],
                                                        wrap: str) -> None:
    client, store = opened
    before = everything(store)
    assert _update(client, "INSERT DATA { " + wrap.format(NO_PRACTICE) + " }") == 422
    assert everything(store) == before


@pytest.mark.parametrize("wrap", UPDATE_TARGETS.values(), ids=UPDATE_TARGETS.keys())
def test_sparql_update_writes_a_valid_usage(opened: tuple[TestClient, Store],
                                            wrap: str) -> None:
    client, store = opened
    assert _update(client, "INSERT DATA { " + wrap.format(USAGE) + " }") == 204
    if wrap == "{}":
        assert in_default_graph(store, ASK_USAGE)
    else:
        assert bool(store.query(
            f"ASK {{ GRAPH <{NOTES}> {{ <{ID}usage/write-path-test> ?p ?o }} }}"))


def test_sparql_update_that_breaks_stored_data_is_refused(
        opened: tuple[TestClient, Store]) -> None:
    """Deleting the practices of a stored usage leaves it invalid: refused."""
    client, store = opened
    usage = f"<{ID}usage/diabete-entraide-93-space-liste-sante-communautaire-2024>"
    before = everything(store)
    status = _update(client, f"DELETE WHERE {{ GRAPH <{PUBLIC}> {{ {usage} cg:practice ?p }} }}")
    assert status == 422
    assert everything(store) == before


@pytest.mark.parametrize("update", [
    "INSERT DATA { <http://example.org/a> <http://example.org/b> 1 }",
    "DELETE DATA { <http://example.org/a> <http://example.org/b> 1 }",
    "INSERT { ?s <http://example.org/seen> true } WHERE { ?s <http://example.org/b> 1 }",
    "DELETE { ?s <http://example.org/b> ?o } WHERE { ?s <http://example.org/b> ?o }",
    "CLEAR DEFAULT",
    f"ADD DEFAULT TO <{NOTES}>",
    f"COPY DEFAULT TO <{NOTES}>",
    f"MOVE DEFAULT TO <{NOTES}>",
], ids=["INSERT DATA", "DELETE DATA", "INSERT WHERE", "DELETE WHERE", "CLEAR DEFAULT", "ADD",
        "COPY", "MOVE"])
def test_default_graph_updates(opened: tuple[TestClient, Store], update: str) -> None:
    client, store = opened
    assert _update(client, "INSERT DATA { <http://example.org/a> <http://example.org/b> 1 }") \
        == 204
    assert _update(client, update) == 204
    seen = in_default_graph(store, "ASK { <http://example.org/a> ?p ?o }")
    assert seen == update.startswith(("INSERT", "ADD", "COPY"))


def test_the_default_graph_is_described_public_with_its_last_write(
        opened: tuple[TestClient, Store]) -> None:
    client, store = opened
    assert _update(client, "INSERT DATA { <http://example.org/a> <http://example.org/b> 1 }") \
        == 204
    rows = store.query(
        f"SELECT ?p ?o WHERE {{ GRAPH <{META_GRAPH}> {{ <{DEFAULT_GRAPH}> ?p ?o }} }}")
    assert isinstance(rows, ox.QuerySolutions)
    described = {r["p"].value: r["o"].value for r in rows}
    assert described[CG + "access"] == CG + "Public"
    assert described[CG + "importedBy"].startswith("curator")
    assert described["http://www.w3.org/ns/prov#generatedAtTime"].startswith("20")
    assert described["http://rdfs.org/ns/void#triples"] == "1"


def test_personal_data_into_the_default_graph_is_refused(
        opened: tuple[TestClient, Store]) -> None:
    client, store = opened
    before = everything(store)
    response = client.post("/sparql", content=(
        f"INSERT DATA {{ <{ID}person/x> <http://xmlns.com/foaf/0.1/name> \"Ina Truse\" }}"),
        headers={**AUTH, "Content-Type": "application/sparql-update"})
    assert response.status_code == 422, response.text
    assert everything(store) == before


def test_a_failing_update_is_400_and_writes_nothing(opened: tuple[TestClient, Store]) -> None:
    client, store = opened
    before = everything(store)
    response = client.post("/sparql", content="CLEAR GRAPH <http://example.org/missing>",
                           headers={**AUTH, "Content-Type": "application/sparql-update"})
    assert response.status_code == 400, response.text
    assert everything(store) == before


def _usage_sheet(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["id", "organisation", "tool", "practices", "status", "observed on",
                     "start", "end"])
    writer.writerows(rows)
    return out.getvalue().encode()


def test_spreadsheet_import_refuses_a_shape_violation(opened: tuple[TestClient, Store]) -> None:
    """A row that names a usage the example already holds, with another observation date,
    passes the cell checks (each cell is fine) but not the shapes: the usage would have two
    ``cg:observedOn`` (``sh:maxCount 1``) in the union of the graphs. Refused, placed at its
    row; the same sheet without that row is imported."""
    client, store = opened
    before = everything(store)
    ok = ["ok", "VECAM", "Loomio", "voting", "active", "2026-03-14", "", ""]
    twice = ["diabete-entraide-93-space-liste-sante-communautaire-2024", "VECAM", "Loomio",
             "voting", "active", "2026-03-14", "", ""]
    response = client.post("/imports", files={"file": ("usages.csv", _usage_sheet([ok, twice]))},
                           data={"source": "write path test"}, headers=AUTH)
    assert response.status_code == 422, response.text
    errors = response.json()["errors"]
    assert errors and all(e["row"] == 3 and e.get("constraint") for e in errors), errors
    assert everything(store) == before
    response = client.post("/imports", files={"file": ("usages.csv", _usage_sheet([ok]))},
                           data={"source": "write path test"}, headers=AUTH)
    assert response.status_code == 200, response.text


def test_civicgraph_load_refuses_a_shape_violation(tmp_path: Path) -> None:
    location = str(tmp_path / "store")
    example = tmp_path / "example.ttl"
    example.write_text(TURTLE_PREFIXES + NO_PRACTICE.replace("cg:observedOn", "cg:observedOn"))
    runner = CliRunner()
    refused = runner.invoke(main, ["load", str(example), "--store", location, "--quiet"])
    assert refused.exit_code != 0
    assert "practice" in refused.output
    with open_store(location) as store:
        assert not any("example" in g for g in store.graphs())
