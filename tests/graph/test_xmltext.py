"""``split_name`` splits an IRI where Oxigraph's RDF/XML writer does: for every character of
the Basic Multilingual Plane an IRI may hold, and a few beyond, as a name's first character and
as a later one, the element Oxigraph writes is named by ``split_name``'s local part, or is
malformed (``oxprefix:``) exactly when that part is empty."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pyoxigraph as ox
import pytest

from graph.xmltext import split_name

_ELEMENT = re.compile(r"\n\t\t<([^ >/]*)")
_SUBJECT = ox.NamedNode("http://ex.org/s")


def _predicates(first: int, last: int) -> Iterator[ox.NamedNode]:
    for code in range(first, last):
        if 0xD800 <= code <= 0xDFFF:
            continue
        for iri in (f"http://ex.org/{chr(code)}a", f"http://ex.org/a{chr(code)}",
                    f"http://ex.org/{chr(code)}"):
            try:
                yield ox.NamedNode(iri)
            except ValueError:   # not a character of an IRI
                continue


def _written_name(predicate: ox.NamedNode) -> str:
    body = (ox.serialize([ox.Triple(_SUBJECT, predicate, ox.Literal("v"))],
                         format=ox.RdfFormat.RDF_XML) or b"").decode()
    found = _ELEMENT.search(body)
    assert found is not None, body
    return found.group(1)


@pytest.mark.parametrize(("first", "last"), [
    (0x21, 0x10000), (0x10000, 0x10100), (0x1F600, 0x1F610), (0xEFFF0, 0xF0010)])
def test_split_name_is_where_oxigraph_splits(first: int, last: int) -> None:
    wrong = []
    for predicate in _predicates(first, last):
        local = split_name(predicate.value)[1]
        written = _written_name(predicate)
        if written != (local or "oxprefix:"):
            wrong.append((predicate.value, local, written))
    assert not wrong, wrong[:20]
