"""GEXF exports carry what the page shows: colours, sizes and positions (``viz:``)."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import networkx as nx

from visualisations.export import export
from visualisations.filters import Filters
from visualisations.maps import build
from visualisations.render import build_view
from visualisations.table import UsageTable

VIZ = "{http://www.gexf.net/1.2draft/viz}"
GEXF = "{http://www.gexf.net/1.2draft}"


def test_gexf_nodes_have_the_colour_size_and_position_of_the_map(tiny_table: UsageTable
                                                                 ) -> None:
    built = build(tiny_table, "organisations-tools", Filters())
    view = build_view(built, title="t", label=tiny_table.label, link=lambda i: None,
                      colour_by="field")
    body = export(built.graph, "gexf", "en", view.drawing())
    root = ET.fromstring(body)  # noqa: S314 (our own output)
    nodes = root.iter(f"{GEXF}node")
    by_id = {n["id"]: n for n in view.nodes}
    shown = {view.keys[i]: by_id[i] for i in by_id}
    count = 0
    for node in nodes:
        entry = shown[node.get("id")]
        colour = node.find(f"{VIZ}color")
        assert colour is not None
        assert "#{:02X}{:02X}{:02X}".format(*(int(colour.get(c)) for c in "rgb")) == (  # type: ignore[arg-type]
            entry["color"].upper())
        position = node.find(f"{VIZ}position")
        assert position is not None and float(position.get("x")) == entry["x"]  # type: ignore[arg-type]
        size = node.find(f"{VIZ}size")
        assert size is not None and 6 <= float(size.get("value")) <= 40  # type: ignore[arg-type]
        count += 1
    assert count == len(view.nodes) > 0
    assert len(nx.read_gexf(io.BytesIO(body))) == count  # networkx (and Gephi) read it back
