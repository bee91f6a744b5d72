r"""What Oxigraph's XML writers (RDF/XML, SPARQL XML results) would write malformed, found
before they write a byte, and refused as ``Unwritable`` naming the term and the formats that
can carry it.

- A literal holding a character XML 1.0 cannot carry, not even escaped (U+000B, NUL, U+FFFE,
  …; ``graph.xmltext``): Oxigraph writes it raw, which no XML reader reads.

A carriage return in a literal is kept as ``&#13;`` (``carriage_returns_kept``): Oxigraph writes
it raw, and XML readers read a raw one as a line feed (XML 1.0 §2.11).

>>> carriage_returns_kept(b"<literal>a\r\nb</literal>")
b'<literal>a&#13;\nb</literal>'
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

import pyoxigraph as ox

from graph.errors import InputError, QueryFailed
from graph.xmltext import not_xml


class Unwritable(QueryFailed):
    """A result or document that the XML format asked for cannot carry: ``why`` says what and
    where, ``formats`` are the media types that can carry it.

    A ``QueryFailed``, so that the query workers hand it back as the client's fault (a 400
    over HTTP) with its message; ``api.rdf`` answers it 406."""

    def __init__(self, why: str, formats: Sequence[str]) -> None:
        self.why = why
        self.formats = tuple(formats)
        self.message = f"{why}; ask for one of: {', '.join(self.formats)}"
        InputError.__init__(self, self.message)


def _not_xml_in(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple,
                ) -> tuple[str, int] | None:
    """The text of ``term`` (or of a term inside it) holding a character XML 1.0 cannot
    carry, and that character's index in it."""
    if isinstance(term, ox.Triple):
        for inner in (term.subject, term.predicate, term.object):
            found = _not_xml_in(inner)
            if found is not None:
                return found
        return None
    if isinstance(term, ox.BlankNode):
        return None
    at = not_xml(term.value)
    return None if at is None else (term.value, at)


def _holds(what: str, found: tuple[str, int], where: str, carrier: str) -> str:
    text, at = found
    shown = text if len(text) <= 60 else text[:60] + "…"
    return (f"the {what} {shown!r} {where} holds U+{ord(text[at]):04X} (character {at + 1}), "
            f"which XML 1.0, and so {carrier}, cannot carry")


def _check_triple(triple: ox.Triple, formats: Sequence[str]) -> None:
    """``Unwritable`` when a term of ``triple`` holds a character XML 1.0 cannot carry."""
    for place, term in (("subject", triple.subject), ("predicate", triple.predicate),
                        ("object", triple.object)):
        found = _not_xml_in(term)
        if found is not None:
            raise Unwritable(_holds(place, found, f"of a triple about {triple.subject}",
                                    "RDF/XML"), formats)


def rdf_xml_triples(triples: Iterable[ox.Triple], formats: Sequence[str],
                    ) -> Iterator[ox.Triple]:
    """``triples``, each once checked; ``Unwritable`` (naming ``formats`` as those that carry
    them) at the first that Oxigraph's RDF/XML writer would write malformed."""
    for triple in triples:
        _check_triple(triple, formats)
        yield triple


def check_solutions_xml(body: bytes, tsv: bytes, formats: Sequence[str]) -> None:
    """``Unwritable`` naming the first value of the solutions (``tsv``: SPARQL TSV of the
    result ``body`` is the SPARQL XML of) that holds a character XML 1.0 cannot carry, if
    ``body`` holds one."""
    if not_xml(body.decode("utf-8")) is None:
        return
    solutions = ox.parse_query_results(tsv, ox.QueryResultsFormat.TSV)
    assert isinstance(solutions, ox.QuerySolutions)
    variables = [variable.value for variable in solutions.variables]
    for number, solution in enumerate(solutions, start=1):
        for name in variables:
            term = solution[name]
            found = None if term is None else _not_xml_in(term)
            if found is not None:
                raise Unwritable(_holds("value", found, f"of ?{name} in solution {number}",
                                        "SPARQL XML results"), formats)
    # the writer's own text never holds one: refuse all the same rather than send it
    raise Unwritable("the result holds a character that XML 1.0, and so SPARQL XML results, "
                     "cannot carry", formats)


def carriage_returns_kept(body: bytes) -> bytes:
    """``body``, written by an XML writer of Oxigraph, with each carriage return written
    ``&#13;``: its writers put none of their own, so every one comes from a literal."""
    return body.replace(b"\r", b"&#13;") if b"\r" in body else body
