r"""What Oxigraph's XML writers (RDF/XML, SPARQL XML results) would write malformed, found
before they write a byte, and refused as ``Unwritable`` naming the term and the formats that
can carry it.

- A literal holding a character XML 1.0 cannot carry, not even escaped (U+000B, NUL, U+FFFE,
  …; ``graph.xmltext``): Oxigraph writes it raw, which no XML reader reads.
- In RDF/XML, a predicate that no element can be named by. A property element is named by a
  QName: the IRI split before its longest end that is an XML name (``split_name``). Oxigraph
  0.5.13 writes an IRI with no such end (``http://ex.org/123``, ``urn:x:1``, ``…/p/``) as
  ``<oxprefix: xmlns:oxprefix="…">``, or ``<id:>`` when it is a declared prefix's namespace;
  one in the namespace of ``xmlns`` as ``<xmlns:a>``; it refuses ``rdf:Description``,
  ``rdf:li`` and the syntax terms (an ``OSError``), and writes ``rdf:aboutEach``,
  ``rdf:aboutEachPrefix`` and ``rdf:bagID``, which RDF/XML withdrew and readers refuse.
- In RDF/XML, a subject whose first triple is an ``rdf:type`` of such a class: Oxigraph names
  the subject's element after that class (a typed node). That triple is written after another
  of the subject's, as an ``rdf:type`` property, which is well-formed; refused only when the
  subject has no other triple to open with.

A carriage return in a literal is kept as ``&#13;`` (``carriage_returns_kept``): Oxigraph writes
it raw, and XML readers read a raw one as a line feed (XML 1.0 §2.11).

>>> why_unnameable("http://ex.org/p") is None, why_unnameable("http://ex.org/123")[:29]
(True, 'does not end with an XML name')
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from typing import Final

import pyoxigraph as ox

from graph.errors import Unwritable
from graph.namespaces import RDF
from graph.xmltext import not_xml, split_name

#: the namespace XML reserves for namespace declarations (Namespaces in XML 1.0, §3)
XMLNS: Final = "http://www.w3.org/2000/xmlns/"
#: RDF/XML's syntax terms, ``rdf:Description`` and ``rdf:li``: no property is named by one
#: (Oxigraph refuses them; as the class of a typed node it writes ``rdf:Description``)
SYNTAX_TERMS: Final = frozenset(RDF + name for name in (
    "RDF", "ID", "about", "parseType", "resource", "nodeID", "datatype", "Description", "li"))
#: the terms RDF/XML withdrew: no element at all is named by one (RDF/XML §5.1, oldTerms)
OLD_TERMS: Final = frozenset(RDF + name for name in ("aboutEach", "aboutEachPrefix", "bagID"))
_TYPE: Final = ox.NamedNode(RDF + "type")


@lru_cache(maxsize=4096)
def why_unnameable(iri: str, *, typed_node: bool = False) -> str | None:
    """Why Oxigraph's RDF/XML writer cannot name a property element (or, ``typed_node``, the
    element of a subject whose first ``rdf:type`` is ``iri``) well-formed; None if it can."""
    if iri in OLD_TERMS or (iri in SYNTAX_TERMS and not typed_node):
        return "is an RDF/XML syntax term, which no element may be named by"
    namespace, local = split_name(iri)
    if not local:
        return ("does not end with an XML name (a letter or _, then letters, digits, -, . or "
                "_), which RDF/XML needs to name an element by it")
    if namespace == XMLNS:
        return f"is in the namespace {XMLNS}, which XML reserves for its own declarations"
    return None


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
    """``Unwritable`` when a term of ``triple`` holds a character XML 1.0 cannot carry or
    its predicate (or that of a triple term in it) names no element."""
    for place, term in (("subject", triple.subject), ("predicate", triple.predicate),
                        ("object", triple.object)):
        found = _not_xml_in(term)
        if found is not None:
            raise Unwritable(_holds(place, found, f"of a triple about {triple.subject}",
                                    "RDF/XML"), formats)
    inner: ox.Triple | None = triple
    while inner is not None:
        why = why_unnameable(inner.predicate.value)
        if why is not None:
            raise Unwritable(f"the predicate {inner.predicate} of a triple about "
                             f"{inner.subject} {why}", formats)
        inner = inner.object if isinstance(inner.object, ox.Triple) else None


def _unnameable_class(triple: ox.Triple) -> str | None:
    """Why ``triple``, opening its subject's element, would make it malformed: an
    ``rdf:type`` whose class Oxigraph's writer names the element by, and cannot."""
    if triple.predicate != _TYPE or not isinstance(triple.object, ox.NamedNode):
        return None
    return why_unnameable(triple.object.value, typed_node=True)


def rdf_xml_triples(triples: Iterable[ox.Triple], formats: Sequence[str],
                    ) -> Iterator[ox.Triple]:
    """``triples`` in an order that Oxigraph's RDF/XML writer writes well-formed;
    ``Unwritable`` (naming ``formats`` as those that carry them) when no order is.

    >>> ex = "http://ex.org/"
    >>> typed = ox.Triple(ox.NamedNode(ex + "s"), _TYPE, ox.NamedNode(ex + "123"))
    >>> named = ox.Triple(ox.NamedNode(ex + "s"), ox.NamedNode(ex + "p"), ox.Literal("v"))
    >>> list(rdf_xml_triples([typed, named], ["text/turtle"])) == [named, typed]
    True
    >>> list(rdf_xml_triples([typed], ["text/turtle"]))
    Traceback (most recent call last):
    ...
    graph.errors.Unwritable: the class <http://ex.org/123> of <http://ex.org/s> ...
    """
    subject: object = None
    opened = False
    held: list[ox.Triple] = []   # rdf:type triples that cannot open their subject's element
    for triple in triples:
        _check_triple(triple, formats)
        if triple.subject != subject:
            _release(held, formats)
            subject, opened = triple.subject, False
        if opened:
            yield triple
        elif _unnameable_class(triple) is not None:
            held.append(triple)
        else:
            opened = True
            yield triple
            yield from held
            held.clear()
    _release(held, formats)


def _release(held: list[ox.Triple], formats: Sequence[str]) -> None:
    """``Unwritable`` when ``held`` (the subject's triples so far, each an ``rdf:type`` that
    cannot open its element) is not empty: the subject has no other triple to open with."""
    if held:
        first = held[0]
        raise Unwritable(
            f"the class {first.object} of {first.subject} {_unnameable_class(first)}; it is "
            f"{first.subject}'s only kind of triple here, and Oxigraph's RDF/XML writer names "
            "a subject's element after the class of its first rdf:type", formats)


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
    r"""``body``, written by an XML writer of Oxigraph, with each carriage return written
    ``&#13;``: its writers put none of their own, so every one comes from a literal.

    >>> carriage_returns_kept(b"<literal>a\r\nb</literal>")
    b'<literal>a&#13;\nb</literal>'
    """
    return body.replace(b"\r", b"&#13;") if b"\r" in body else body
