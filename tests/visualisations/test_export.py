"""Exports read back by networkx and csv."""

from __future__ import annotations

import csv
import io
import json

import networkx as nx
import pytest

from tests.support.graphs import iri
from visualisations.export import FORMATS, export, flatten
from visualisations.projection import tool_map
from visualisations.table import UsageTable


@pytest.fixture
def graph(tiny_table: UsageTable) -> nx.Graph:
    return tool_map(tiny_table, iri("software", "mailman"))


@pytest.mark.parametrize("format", sorted(FORMATS))
def test_every_format_round_trips(graph: nx.Graph, format: str) -> None:
    body = export(graph, format, lang="fr")
    if format == "gexf":
        back = nx.read_gexf(io.BytesIO(body))
    elif format == "graphml":
        back = nx.read_graphml(io.BytesIO(body))
    elif format == "json":
        back = nx.node_link_graph(json.loads(body), edges="edges")
    elif format == "nodes.csv":
        rows = list(csv.DictReader(io.StringIO(body.decode())))
        assert {r["id"] for r in rows} == set(graph)
        assert {r["label"] for r in rows if r["id"] == iri("org", "a")} == {"Collectif A"}
        return
    else:
        rows = list(csv.DictReader(io.StringIO(body.decode())))
        assert len(rows) == graph.number_of_edges()
        assert all(float(r["weight"]) >= 1 for r in rows)
        return
    assert set(back) == set(graph)
    assert back.number_of_edges() == graph.number_of_edges()
    assert back.nodes[iri("org", "a")]["label"] == "Collectif A"


def test_flatten_leaves_no_none_or_list(graph: nx.Graph) -> None:
    flat = flatten(graph)
    for _, data in flat.nodes(data=True):
        assert all(isinstance(v, str | int | float | bool) for v in data.values())
    assert flat.nodes[iri("org", "b")]["statuses"] == iri("status", "trial")


def test_unknown_format(graph: nx.Graph) -> None:
    with pytest.raises(ValueError, match="unknown export format"):
        export(graph, "pdf")
