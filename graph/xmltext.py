r"""Text and names that XML 1.0 can carry.

Text: its ``Char`` production (§2.2) leaves out the C0 controls but
tab, line feed and carriage return, the surrogates, and U+FFFE and U+FFFF — not even as a
character reference (``&#11;`` is not well-formed either). Spreadsheets bring them in: Word's
soft line break is U+000B. A document holding one is no XML: Gephi, Cytoscape, networkx and
RDF/XML readers all refuse it.

Names: an element's local name is an ``NCName`` (Namespaces in XML 1.0, §3; the ``Name`` of
XML 1.0 fifth edition, §2.3, without ``:``), so an IRI can name an element only when it ends with
one; RDF/XML writers (Oxigraph's, rdflib's) split it there, at its longest such end.

>>> xml_text("Line one\vline two")
'Line one\ufffdline two'
>>> not_xml("tab\tand line feed\n are fine"), not_xml("bell \x07")
(None, 5)
>>> split_name("http://ex.org/p/1a"), split_name("urn:x:1"), split_name("http://ex.org/p/")
(('http://ex.org/p/1', 'a'), ('urn:x:1', ''), ('http://ex.org/p/', ''))
"""

from __future__ import annotations

import re
from typing import Final

#: one character outside XML 1.0's ``Char``
NOT_XML_CHAR: Final = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

#: the characters that may open an ``NCName`` (XML 1.0 fifth edition's ``NameStartChar``
#: without ``:``), and those that may follow (``NameChar`` without ``:``)
_NAME_START: Final = ("A-Z_a-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d"
                      "\u037f-\u1fff\u200c\u200d\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff"
                      "\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff")
_NAME_CHAR: Final = _NAME_START + "\\-.0-9\u00b7\u0300-\u036f\u203f\u2040"
_NAME_CHARS: Final = re.compile(f"[{_NAME_CHAR}]*")
_NAME_START_CHAR: Final = re.compile(f"[{_NAME_START}]")

#: what stands for such a character in a map export
REPLACEMENT: Final = "\ufffd"


def xml_text(text: str) -> str:
    """``text`` with each character XML 1.0 cannot carry replaced by U+FFFD, the Unicode
    replacement character: the reader sees that one was there, and the words around a soft
    line break stay apart."""
    return NOT_XML_CHAR.sub(REPLACEMENT, text)


def not_xml(text: str) -> int | None:
    """The index in ``text`` of its first character XML 1.0 cannot carry, if any."""
    found = NOT_XML_CHAR.search(text)
    return None if found is None else found.start()


def split_name(iri: str) -> tuple[str, str]:
    """``iri`` split before its longest end that is an ``NCName``: a namespace and a local
    name, the local name empty when ``iri`` ends with no name (``urn:x:1``, ``…/p/``)."""
    ending = _NAME_CHARS.match(iri[::-1])   # reversed: one pass, however long ``iri`` is
    assert ending is not None   # an empty run matches
    start = _NAME_START_CHAR.search(iri, len(iri) - ending.end())
    if start is None:
        return iri, ""
    return iri[:start.start()], iri[start.start():]
