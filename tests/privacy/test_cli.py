"""The command line's outputs that leave the store: ``civicgraph export`` (the public
graphs), ``civicgraph maps --out DIR`` (a static site for any host), and ``civicgraph forget``,
after which not even ``export --all-graphs`` holds a trace of the person."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from api.cli import main
from graph.namespaces import META_GRAPH, VOID
from graph.privacy.access import RESTRICTED_META_GRAPH
from graph.store import open_store
from tests.privacy.probes import CONSENTS, Person, Probe, gunzipped, read_people
from tests.support.stores import load_example


@pytest.fixture
def location(tmp_path: Path) -> str:
    """An on-disk store holding the example dataset and its public view."""
    path = str(tmp_path / "store")
    with open_store(path) as store:
        load_example(store)
    return path


def cli(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("fmt", ["nquads", "trig"])
def test_export_without_all_graphs(location: str, probe: Probe, tmp_path: Path,
                                   fmt: str) -> None:
    out = tmp_path / f"public.{fmt}"
    cli("export", "--store", location, "--format", fmt, "-o", str(out))
    text = out.read_text(encoding="utf-8")
    assert "Amina Belkacem" in text  # consented: the export is read for real
    probe.check(text, f"civicgraph export --format {fmt}")
    probe.check(cli("export", "--store", location, "--format", fmt), "export to stdout")
    everything = cli("export", "--store", location, "--format", fmt, "--all-graphs")
    assert probe.leaks(everything)  # the restricted graphs are there with --all-graphs


@pytest.mark.slow
def test_static_maps(location: str, probe: Probe, tmp_path: Path) -> None:
    out = tmp_path / "site"
    cli("maps", "--store", location, "--out", str(out))
    files = [p for p in out.rglob("*") if p.is_file()]
    assert len(files) > 50
    for path in files:
        probe.check(gunzipped(path.read_bytes()).decode("utf-8", errors="replace"),
                    str(path.relative_to(out)))


def mentions(dump: str, person: Person) -> Counter[str]:
    """Per graph, the quads of an N-Quads dump that name the person or a node of theirs
    (membership, consent record), or hang from one by a blank node."""
    owned = {person.iri, *person.memberships, *person.consents}
    quads = list(ox.parse(dump.encode(), ox.RdfFormat.N_QUADS))
    hanging = {q.object for q in quads if q.subject.value in owned
               and isinstance(q.object, ox.BlankNode)}
    found: Counter[str] = Counter()
    for quad in quads:
        if quad.graph_name.value == META_GRAPH and quad.predicate.value == VOID + "triples":
            continue  # graph sizes, brought up to date by forget
        if quad.subject.value in owned or quad.object.value in owned \
                or quad.subject in hanging:
            found[quad.graph_name.value] += 1
    return found


@pytest.mark.parametrize("number", [1, 19, 2], ids=["consented", "withdrawn", "never"])
def test_forget_leaves_no_trace(location: str, number: int) -> None:
    person = read_people()[number]
    before = mentions(cli("export", "--store", location, "--all-graphs"), person)
    assert before and (number in CONSENTS) == any("public-persons" in g for g in before)
    report = cli("forget", person.token, "--yes", "--store", location)
    everything = cli("export", "--store", location, "--all-graphs")
    assert not mentions(everything, person)
    for text in (*person.names, *person.emails, *person.phones, person.token):
        assert text not in everything, text
    # the report says what was removed, graph by graph, and it is what was there
    removed = dict(re.findall(r"^  <([^>]+)>: (\d+)$", report, re.MULTILINE))
    assert {g: int(n) for g, n in removed.items()} == dict(before), report
    assert f"{sum(before.values())} triple(s)" in report
    # the graph sizes in the descriptions follow (restricted graphs are described apart)
    with open_store(location) as store:
        for graph in removed:
            if graph in (META_GRAPH, RESTRICTED_META_GRAPH):
                continue
            size = store.query(f"SELECT ?n WHERE {{ GRAPH ?m {{ <{graph}> <{VOID}triples> ?n }}"
                               f" VALUES ?m {{ <{META_GRAPH}> <{RESTRICTED_META_GRAPH}> }} }}")
            assert [int(r["n"].value) for r in size] == [store.count(graph)], graph
    # the others are still there
    assert ("Fatou Diallo" in everything and "Julien Marchand" in everything) or number == 2


def test_forget_twice_is_not_found(location: str) -> None:
    cli("forget", "personne-05", "--yes", "--store", location)
    again = CliRunner().invoke(main, ["forget", "personne-05", "--yes", "--store", location])
    assert again.exit_code == 1
    assert "personne-05" in again.output


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }",
    "SELECT * FROM <https://w3id.org/civicgraph/graph/example-members> WHERE { ?s ?p ?o }",
    "SELECT * FROM NAMED <https://w3id.org/civicgraph/graph/example-consent> "
    "WHERE { GRAPH ?g { ?s ?p ?o } }",
    "DESCRIBE <https://w3id.org/civicgraph/id/person/personne-02>",
])
def test_query_without_all_graphs(location: str, probe: Probe, query: str) -> None:
    for fmt in ("csv", "json", "table"):
        probe.check(cli("query", query, "--store", location, "--format", fmt),
                    f"civicgraph query {query!r}")


def test_metrics_are_computed_from_public_data_only(location: str, probe: Probe) -> None:
    probe.check(cli("metrics", "--store", location), "civicgraph metrics")
    public = cli("export", "--store", location)
    assert "graph/metrics/org-tool" in public
    probe.check(public, "export with the metrics graphs")
