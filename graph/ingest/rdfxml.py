"""What an RDF/XML document may declare before it is parsed: entities that stay small.

pyoxigraph's RDF/XML parser expands the internal entities of a document's DTD (``<!ENTITY
rdf "http://...">``, as OWL files often declare) without bound, so a 1 kB "billion laughs"
document (entities made of entities) grows to gigabytes in memory. ``check_entities`` refuses,
before the parser sees them, a document whose entities refer to other entities, and one whose
entity references would expand it past ``EXPANSION`` times its size (plus 1 MiB).

>>> check_entities(b'<!DOCTYPE r [<!ENTITY a "http://e/">]><r a="&a;x"/>')
>>> check_entities(b'<!DOCTYPE r [<!ENTITY a "x"><!ENTITY b "&a;&a;">]><r>&b;</r>')
Traceback (most recent call last):
...
graph.errors.RdfSyntaxError: input: the entity 'b' refers to other entities; ...
"""

from __future__ import annotations

import re
from typing import Final

from graph.errors import RdfSyntaxError

#: how many times its own size a document may grow when its entities are expanded
EXPANSION: Final = 10
_DECLARATION: Final = re.compile(
    rb"<!ENTITY\s+(%\s+)?([^\s%;&<>\"']+)\s+(?:\"([^\"]*)\"|'([^']*)')", re.IGNORECASE)
_REFERENCE: Final = re.compile(rb"[&%]([^\s;&<>\"'%]+);")


def check_entities(data: bytes, *, source: str = "input") -> None:
    """``RdfSyntaxError`` if the entities declared in ``data`` refer to other entities, or
    would expand it past ``EXPANSION`` times its size; nothing when it declares none."""
    if b"<!ENTITY" not in data.upper():
        return
    sizes: dict[bytes, int] = {}
    for match in _DECLARATION.finditer(data):
        value = match[3] if match[3] is not None else match[4]
        if _REFERENCE.search(value):
            raise RdfSyntaxError(
                f"the entity {match[2].decode(errors='replace')!r} refers to other entities; "
                "nested entities are refused (they can expand without bound)", source=source)
        sizes[match[2]] = len(value)
    grown = sum(sizes.get(ref[1], 0) - len(ref[0]) for ref in _REFERENCE.finditer(data))
    if grown > EXPANSION * len(data) + (1 << 20):
        raise RdfSyntaxError(
            f"its entities would expand it by {grown} bytes, more than {EXPANSION} times its "
            "size; write the values out", source=source)
