"""Labels holding characters XML 1.0 cannot carry (a control character such as Word's soft line
break U+000B, U+FFFE, U+FFFF), imported from a spreadsheet: every map export still parses
(GEXF and GraphML write each one U+FFFD), and the RDF/XML of such a resource is a 406 naming
the character and the formats that carry it, never a malformed 200."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator

import networkx as nx
import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from graph.ingest.spreadsheets.importing import import_spreadsheet
from tests.support.graphs import example_store, iri
from tests.support.live import app_client
from visualisations.export import FORMATS
from visualisations.maps import GALLERY

#: every character of XML 1.0's complement the tester named that a CSV can bring in
BAD = "\v\x00\x01\x02\x07\x1f\ufffe\uffff"
ORG_NAME = f"Line one\vline two{BAD}end"
TOOL_NAME = f"Bell\x07tool{BAD}"
ORG = iri("org", "ctl")
TOOL = iri("software", "bell-tool")

SHEETS = {
    "organisations": f'id,name,fictional,description\nctl,"{ORG_NAME}",yes,"about{BAD}"\n',
    "tools": f'id,name\nbell-tool,"{TOOL_NAME}"\n',
    "usages": ("organisation,tool,practices,status,observed on,description\n"
               f'ctl,bell-tool,voting,active,2026-03-14,"note{BAD}"\n'
               "ctl,Loomio,voting|decision-making,active,2026-03-14,\n"),
}


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    store = example_store()
    for kind, text in SHEETS.items():
        report = import_spreadsheet(store, text.encode(), f"{kind}.csv", source=f"xml {kind}",
                                    kind=kind)
        assert not report.problems, report.problems
    with app_client(store) as client:
        yield client
    store.close()


def _read(body: bytes, format: str) -> nx.Graph:
    """``body`` read back as ``format`` says; XML formats also by ElementTree (a parse error
    is the defect)."""
    if format in ("gexf", "graphml"):
        ET.fromstring(body)  # noqa: S314 (our own output)
        reader = nx.read_gexf if format == "gexf" else nx.read_graphml
        return reader(io.BytesIO(body))
    if format == "json":
        return nx.node_link_graph(json.loads(body), edges="edges")
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8"), newline="")))
    g = nx.Graph()
    for row in rows:
        if format == "nodes.csv":
            g.add_node(row["id"], label=row["label"])
        else:
            g.add_edge(row["source"], row["target"])
    return g


PATHS = [f"/maps/{spec.name}" for spec in GALLERY] + [
    "/maps/tool/bell-tool", "/maps/tool/loomio", "/maps/neighbourhood"]


def _export(client: TestClient, path: str, format: str) -> bytes:
    params = {"lang": "en", **({"iri": ORG} if path == "/maps/neighbourhood" else {})}
    answer = client.get(f"{path}/export.{format}", params=params)
    assert answer.status_code == 200, answer.text
    return bytes(answer.content)


@pytest.mark.parametrize("format", sorted(FORMATS))
@pytest.mark.parametrize("path", PATHS)
def test_every_export_parses_whatever_the_labels(client: TestClient, path: str,
                                                 format: str) -> None:
    _read(_export(client, path, format), format)


@pytest.mark.parametrize("format", ["gexf", "graphml"])
@pytest.mark.parametrize(("path", "node", "label"), [
    ("/maps/organisations-tools", ORG, ORG_NAME),
    ("/maps/tool/bell-tool", TOOL, TOOL_NAME),
    ("/maps/neighbourhood", ORG, ORG_NAME),
])
def test_xml_exports_write_each_such_character_as_u_fffd(
        client: TestClient, path: str, node: str, label: str, format: str) -> None:
    back = _read(_export(client, path, format), format)
    expected = label
    for char in BAD:
        expected = expected.replace(char, "\ufffd")
    assert back.nodes[node]["label"] == expected
    assert all(c not in str(value) for c in BAD
               for _, data in back.nodes(data=True) for value in data.values())


@pytest.mark.parametrize("format", ["json", "nodes.csv"])
def test_json_and_csv_carry_the_label_as_it_is(client: TestClient, format: str) -> None:
    body = _export(client, "/maps/organisations-tools", format)
    assert _read(body, format).nodes[ORG]["label"] == ORG_NAME


@pytest.mark.parametrize(("path", "accept"), [("/id/org/ctl.rdf", "*/*"),
                                              ("/id/org/ctl", "application/rdf+xml")])
def test_rdf_xml_of_such_a_resource_is_a_406_naming_the_character(
        client: TestClient, path: str, accept: str) -> None:
    answer = client.get(path, headers={"Accept": accept})
    assert answer.status_code == 406, answer.text
    message = answer.json()["message"]
    assert "U+000B" in message and "RDF/XML" in message
    assert "text/turtle" in message and "application/n-triples" in message


@pytest.mark.parametrize(("suffix", "format"), [("ttl", ox.RdfFormat.TURTLE),
                                                ("nt", ox.RdfFormat.N_TRIPLES)])
def test_turtle_and_n_triples_carry_it(client: TestClient, suffix: str,
                                       format: ox.RdfFormat) -> None:
    answer = client.get(f"/id/org/ctl.{suffix}")
    assert answer.status_code == 200
    labels = {q.object.value for q in ox.parse(answer.content, format=format)
              if q.subject == ox.NamedNode(ORG)}
    assert ORG_NAME in labels


def test_rdf_xml_of_other_resources_is_well_formed(client: TestClient) -> None:
    answer = client.get("/id/software/loomio.rdf")
    assert answer.status_code == 200
    ET.fromstring(answer.content)  # noqa: S314 (our own output)
