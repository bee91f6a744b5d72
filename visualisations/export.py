"""Exporting a map's graph for other tools: GEXF and GraphML (Gephi, Cytoscape), node-link
JSON (d3, networkx), and CSV node and edge lists (spreadsheets, R, pandas).

Attributes are flattened the same way everywhere: lists become ``;``-separated text, missing
values are left empty, and each node gets ``label`` (in the language asked), ``degree`` and
``weighted_degree``.

GEXF and GraphML are XML 1.0, which cannot carry every character a label may hold (a control
character such as Word's soft line break U+000B, U+FFFE, U+FFFF): there each one, in a label,
an attribute's name or value or a node's id, is written U+FFFD (``graph.xmltext``), so
the file is always well-formed. JSON and CSV carry the text as it is.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import networkx as nx

from graph.formulas import safe_cell
from graph.xmltext import xml_text

#: node id -> its GEXF ``viz`` attributes: ``color`` (r, g, b, a), ``size``, ``position``
Drawing = dict[str, dict[str, Any]]

#: format name -> (file suffix, media type)
FORMATS: dict[str, tuple[str, str]] = {
    "gexf": (".gexf", "application/gexf+xml"),
    "graphml": (".graphml", "application/graphml+xml"),
    "json": (".json", "application/json"),
    "nodes.csv": (".nodes.csv", "text/csv; charset=utf-8"),
    "edges.csv": (".edges.csv", "text/csv; charset=utf-8"),
}


def _flat(value: Any) -> str | int | float | bool:
    if value is None:
        return ""
    if isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple | set | frozenset):
        return "; ".join(str(v) for v in sorted(value, key=str))
    return str(value)


def flatten(g: nx.Graph, lang: str = "en") -> nx.Graph:
    """A copy of ``g`` with string node ids and flat attribute values, ready to write."""
    out = nx.Graph()
    strength = dict(g.degree(weight="weight"))
    for node, data in sorted(g.nodes(data=True), key=lambda nd: str(nd[0])):
        attrs = {k: _flat(v) for k, v in data.items()}
        attrs["label"] = str(data.get(f"label_{lang}") or data.get("label_en") or node)
        attrs["degree"] = g.degree(node)
        attrs["weighted_degree"] = float(strength[node])
        out.add_node(str(node), **attrs)
    for a, b, data in sorted(g.edges(data=True), key=lambda e: (str(e[0]), str(e[1]))):
        out.add_edge(str(a), str(b), **{k: _flat(v) for k, v in data.items()})
    out.graph.update({k: _flat(v) for k, v in g.graph.items()})
    return out


def _uniform(g: nx.Graph) -> nx.Graph:
    """Give every node and edge every attribute with one type (GEXF and GraphML declare
    attribute types once): numbers stay numbers only when they are numbers everywhere."""
    for items in (list(g.nodes(data=True)), list(g.edges(data=True))):
        dicts = [d[-1] for d in items]
        keys = sorted({k for d in dicts for k in d})
        for key in keys:
            values = [d.get(key) for d in dicts]
            present = [v for v in values if v not in (None, "")]
            numeric = bool(present) and all(isinstance(v, int | float) and not isinstance(v, bool)
                                            for v in present)
            for d in dicts:
                v = d.get(key)
                if numeric:
                    d[key] = float(v) if v not in (None, "") else 0.0
                else:
                    d[key] = "" if v is None else str(v)
    return g


def _xml_ready(g: nx.Graph) -> nx.Graph:
    """A copy of ``g`` whose every text (node ids, attribute names and values, the graph's
    own attributes) XML 1.0 can carry (``xml_text``)."""
    def clean(data: dict[str, Any]) -> dict[str, Any]:
        return {xml_text(str(k)): xml_text(v) if isinstance(v, str) else v
                for k, v in data.items()}

    out = nx.Graph()
    out.graph.update(clean(g.graph))
    for node, data in g.nodes(data=True):
        out.add_node(xml_text(node), **clean(data))
    for a, b, data in g.edges(data=True):
        out.add_edge(xml_text(a), xml_text(b), **clean(data))
    return out


def export(g: nx.Graph, format: str, lang: str = "en", drawing: Drawing | None = None) -> bytes:
    """``g`` written in ``format`` (a key of ``FORMATS``); a GEXF file carries the colour,
    size and position of each node ``drawing`` gives (``viz:`` elements, read by Gephi)."""
    flat = flatten(g, lang)
    if format == "gexf":
        buffer = io.BytesIO()
        uniform = _xml_ready(_uniform(flat))
        for node, viz in (drawing or {}).items():
            if xml_text(node) in uniform:
                uniform.nodes[xml_text(node)]["viz"] = viz
        nx.write_gexf(uniform, buffer)
        return buffer.getvalue()
    if format == "graphml":
        buffer = io.BytesIO()
        nx.write_graphml(_xml_ready(_uniform(flat)), buffer)
        return buffer.getvalue()
    if format == "json":
        data = nx.node_link_data(flat, edges="edges")
        return json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")
    if format == "nodes.csv":
        rows = [{"id": n, **d} for n, d in flat.nodes(data=True)]
        return _csv(rows, ["id", "label", "kind", "iri", "degree", "weighted_degree"])
    if format == "edges.csv":
        rows = [{"source": a, "target": b, **d} for a, b, d in flat.edges(data=True)]
        return _csv(rows, ["source", "target", "weight"])
    raise ValueError(f"unknown export format {format!r} (known: {', '.join(FORMATS)})")


def _csv(rows: list[dict[str, Any]], first: list[str]) -> bytes:
    columns = first + sorted({k for r in rows for k in r} - set(first))
    buffer = io.StringIO()
    # CRLF line ends (RFC 4180): a cell holding a CR is then quoted, not read as a new row
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore",
                            lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: safe_cell(_flat(row.get(k))) for k in columns})
    return buffer.getvalue().encode("utf-8")
