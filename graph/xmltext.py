r"""Text that XML 1.0 can carry: its ``Char`` production (§2.2) leaves out the C0 controls but
tab, line feed and carriage return, the surrogates, and U+FFFE and U+FFFF — not even as a
character reference (``&#11;`` is not well-formed either). Spreadsheets bring them in: Word's
soft line break is U+000B. A document holding one is no XML: Gephi, Cytoscape, networkx and
RDF/XML readers all refuse it.

>>> xml_text("Line one\vline two")
'Line one\ufffdline two'
>>> not_xml("tab\tand line feed\n are fine"), not_xml("bell \x07")
(None, 5)
"""

from __future__ import annotations

import re
from typing import Final

#: one character outside XML 1.0's ``Char``
NOT_XML_CHAR: Final = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

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
