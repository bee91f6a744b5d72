"""RDF/XML entities: small ones parse (OWL files use them), expanding ones are refused before
the parser sees them."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from graph.errors import RdfSyntaxError
from graph.ingest.loading import parse
from graph.ingest.rdfxml import check_entities
from tests.support.hostile import laughs, quadratic_blowup

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
OWL_STYLE = (
    '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [<!ENTITY e "http://example.org/">]>\n'
    f'<rdf:RDF xmlns:rdf="{RDF}" xmlns:e="http://example.org/">'
    + "".join(f'<rdf:Description rdf:about="&e;a{i}"><e:p rdf:resource="&e;b"/>'
              "</rdf:Description>" for i in range(200))
    + "</rdf:RDF>").encode()


def test_small_entities_parse() -> None:
    check_entities(OWL_STYLE)
    parsed = parse(OWL_STYLE, ox.RdfFormat.RDF_XML)
    assert len(parsed) == 200
    assert ox.NamedNode("http://example.org/a7") in {q.subject for q in parsed}


@pytest.mark.parametrize(("data", "problem"), [
    (laughs(3), "refers to other entities"),
    (laughs(12), "refers to other entities"),
    (quadratic_blowup(), "would expand it"),
    (b'<!DOCTYPE r [<!ENTITY a "&#38;b;">]><r/>', "refers to other entities"),
    (b'<!DOCTYPE r [<!ENTITY % p "x">]><r/>', None),
])
def test_expanding_entities_are_refused(data: bytes, problem: str | None) -> None:
    if problem is None:
        check_entities(data)
        return
    with pytest.raises(RdfSyntaxError, match=problem):
        check_entities(data)
    with pytest.raises(RdfSyntaxError, match=problem):
        parse(data, ox.RdfFormat.RDF_XML, source="bomb.rdf")


def test_documents_without_entities_are_not_scanned() -> None:
    check_entities(b"<rdf:RDF/>" * 100_000)
