"""The write path (``graph.ingest.writing``): a write refused at any stage leaves the store
exactly as it was (a Hypothesis property over the doors), a write that passes is read back,
and the report placing of each problem."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.errors import InputError, ShapeViolation, Violation
from graph.ingest import writing
from graph.ingest.provenance import Provenance
from graph.ingest.report import ImportReport, Problem
from graph.namespaces import CG, GRAPH, ID, RDF, XSD
from graph.store import DEFAULT_GRAPH, Store
from tests.support.stores import load_example, memory_store, quads

NOTES = GRAPH + "notes"
PUBLIC = GRAPH + "example"
PROV = "http://www.w3.org/ns/prov#"
FOAF = "http://xmlns.com/foaf/0.1/"


def _t(s: str, p: str, o: ox.NamedNode | ox.Literal) -> ox.Triple:
    return ox.Triple(ox.NamedNode(s), ox.NamedNode(p), o)


def usage(n: int, leave_out: frozenset[str] = frozenset()) -> list[ox.Triple]:
    """A tool usage of the example's organisation, tool and survey, without ``leave_out``."""
    node = f"{ID}usage/property-{n}"
    fields: dict[str, ox.NamedNode | ox.Literal] = {
        RDF + "type": ox.NamedNode(CG + "ToolUsage"),
        CG + "organisation": ox.NamedNode(ID + "org/diabete-entraide-93"),
        CG + "tool": ox.NamedNode(ID + "space/liste-sante-communautaire"),
        CG + "practice": ox.NamedNode(ID + "practice/announcement"),
        CG + "status": ox.NamedNode(ID + "status/active"),
        PROV + "wasGeneratedBy": ox.NamedNode(ID + "activity/enquete-2024"),
        CG + "observedOn": ox.Literal("2026-03-14", datatype=ox.NamedNode(XSD + "date")),
    }
    return [_t(node, p, o) for p, o in fields.items() if p not in leave_out]


@pytest.fixture(scope="module")
def example() -> Store:
    return load_example(memory_store())


def state(store: Store) -> tuple[set[tuple[str, str, str, str]], set[str]]:
    result = store.query("SELECT ?s ?p ?o WHERE { ?s ?p ?o }", default_graph=[DEFAULT_GRAPH],
                         named_graphs=[])
    assert isinstance(result, ox.QuerySolutions)
    return quads(store), {f"{r['s']} {r['p']} {r['o']}" for r in result}


def _write(store: Store, door: str, graph: str, triples: list[ox.Triple]) -> None:
    if door == "replace":
        writing.replace(store, {graph: triples}, None, source="property", who="tests")
    elif door == "add":
        writing.add(store, graph, triples, who="tests", source="property")
    else:
        body = (ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"").decode()
        block = body if graph == DEFAULT_GRAPH else f"GRAPH <{graph}> {{ {body} }}"
        writing.apply_update(store, f"INSERT DATA {{ {block} }}", who="tests")


REQUIRED = [CG + "organisation", CG + "tool", CG + "practice", CG + "status",
            PROV + "wasGeneratedBy", CG + "observedOn"]


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(door=st.sampled_from(["replace", "add", "update"]),
       graph=st.sampled_from([NOTES, PUBLIC, DEFAULT_GRAPH]),
       leave_out=st.frozensets(st.sampled_from(REQUIRED), min_size=1, max_size=3),
       person=st.booleans(), n=st.integers(0, 3))
def test_a_refused_write_leaves_the_store_unchanged(example: Store, door: str, graph: str,
                                                    leave_out: frozenset[str], person: bool,
                                                    n: int) -> None:
    triples = [*usage(n), *usage(n + 10, leave_out)]
    if person:
        triples.append(_t(f"{ID}person/p{n}", FOAF + "name", ox.Literal("Ina Truse")))
    before = state(example)
    with pytest.raises(ShapeViolation):
        _write(example, door, graph, triples)
    assert state(example) == before


@pytest.mark.parametrize("door", ["replace", "add", "update"])
@pytest.mark.parametrize("graph", [NOTES, DEFAULT_GRAPH])
def test_a_valid_write_is_read_back(door: str, graph: str) -> None:
    store = load_example(memory_store())
    _write(store, door, graph, usage(1))
    ask = f"ASK {{ <{ID}usage/property-1> <{CG}practice> ?p }}"
    assert bool(store.query(ask, default_graph=[graph], named_graphs=[]))


def test_the_meta_graph_is_not_a_target() -> None:
    store = memory_store()
    with pytest.raises(InputError):
        writing.replace(store, {GRAPH + "meta": usage(1)}, None, source="x")


def test_an_update_the_engine_refuses_is_update_failed() -> None:
    store = memory_store()
    with pytest.raises(writing.UpdateFailed, match="does not exist"):
        writing.apply_update(store, "DROP GRAPH <http://example.org/none>", who="tests")


def test_one_provenance_builder_describes_every_door() -> None:
    store = load_example(memory_store())
    writing.replace(store, {NOTES: usage(1)}, Provenance(source="survey", imported_by="me"),
                    source="x")
    rows = store.query(f"SELECT ?p WHERE {{ GRAPH <{GRAPH}meta> {{ <{NOTES}> ?p ?o }} }}")
    assert isinstance(rows, ox.QuerySolutions)
    described = {r["p"].value for r in rows}
    dcterms = "http://purl.org/dc/terms/"
    assert described >= {dcterms + "source", dcterms + "title", dcterms + "license",
                         PROV + "generatedAtTime", CG + "importedBy", CG + "sha256",
                         CG + "access", "http://rdfs.org/ns/void#triples"}


def test_a_report_places_shape_results_by_row() -> None:
    report = ImportReport(source="s", filename="f.csv")
    violation = ShapeViolation([Violation(
        "http://n", CG + "practice", "sh:MinCountConstraintComponent", None, "needs one")])
    report.refuse(list(violation.violations), where={"http://n": ("usages", 4)})
    (problem,) = report.errors
    assert problem == Problem("needs one", sheet="usages", row=4, node="http://n",
                              path=CG + "practice",
                              constraint="sh:MinCountConstraintComponent")
    assert report.status == "refused"
    assert "node,path,constraint" in report.to_csv().splitlines()[0]
