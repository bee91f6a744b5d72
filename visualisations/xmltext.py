"""Moved to ``graph.xmltext`` (the RDF/XML writers of ``graph`` and ``api`` need it too);
re-exported here only for ``tests/visualisations/test_export_xml.py`` until its import moves."""

from __future__ import annotations

from graph.xmltext import NOT_XML_CHAR, REPLACEMENT, not_xml, xml_text

__all__ = ["NOT_XML_CHAR", "REPLACEMENT", "not_xml", "xml_text"]
