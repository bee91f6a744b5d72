"""GEXF and GraphML exports are well-formed XML 1.0 whatever text the graph holds: each
character outside XML 1.0's ``Char`` is written U+FFFD, wherever it is."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import networkx as nx
import pytest

from graph.xmltext import NOT_XML_CHAR, not_xml, xml_text
from visualisations.export import export

#: outside XML 1.0's Char: C0 controls but tab, LF, CR; U+FFFE, U+FFFF; lone surrogates
OUTSIDE = ["\x00", "\x01", "\x02", "\x07", "\x08", "\v", "\f", "\x1f", "\ufffe", "\uffff",
           "\ud800", "\udfff"]
#: inside it, at the edges of its ranges
INSIDE = ["\t", "\n", "\r", " ", "\ud7ff", "\ue000", "\ufffd", "\U00010000", "\U0010ffff",
          "\x7f", "\x85"]


@pytest.mark.parametrize("char", OUTSIDE)
def test_a_character_outside_xml_becomes_u_fffd(char: str) -> None:
    assert xml_text(f"a{char}b") == "a\ufffdb"
    assert not_xml(f"ab{char}") == 2


@pytest.mark.parametrize("char", INSIDE)
def test_a_character_xml_carries_is_kept(char: str) -> None:
    assert xml_text(f"a{char}b") == f"a{char}b"
    assert NOT_XML_CHAR.search(char) is None


def _graph(char: str) -> nx.Graph:
    g = nx.Graph(title=f"map{char}")
    g.add_node("https://w3id.org/civicgraph/id/org/a", label_en=f"Line one{char}line two",
               kind="organisation", fields=[f"f{char}", "g"], **{f"note{char}": f"n{char}"})
    g.add_node(f"group:x{char}", label_en="grouped", kind="group")
    g.add_edge("https://w3id.org/civicgraph/id/org/a", f"group:x{char}", weight=2,
               practice=f"voting{char}")
    return g


@pytest.mark.parametrize("format", ["gexf", "graphml"])
@pytest.mark.parametrize("char", OUTSIDE)
def test_xml_exports_parse_whatever_the_text(char: str, format: str) -> None:
    drawing = {f"group:x{char}": {"color": {"r": 1, "g": 2, "b": 3, "a": 1.0}, "size": 4.0}}
    body = export(_graph(char), format, lang="en", drawing=drawing)
    ET.fromstring(body)  # noqa: S314 (our own output)
    back = (nx.read_gexf if format == "gexf" else nx.read_graphml)(io.BytesIO(body))
    assert back.nodes["https://w3id.org/civicgraph/id/org/a"]["label"] == \
        "Line one\ufffdline two"
    assert back.nodes["https://w3id.org/civicgraph/id/org/a"]["note\ufffd"] == "n\ufffd"
    assert set(back) == {"https://w3id.org/civicgraph/id/org/a", "group:x\ufffd"}
    edge = back.edges["https://w3id.org/civicgraph/id/org/a", "group:x\ufffd"]
    assert edge["practice"] == "voting\ufffd"
    if format == "gexf":   # the drawing still finds its node
        assert back.nodes["group:x\ufffd"]["viz"]["size"] == 4.0
