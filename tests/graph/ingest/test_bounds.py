"""Depth and length bounds on tokens (graph/ingest/bounds.py): what passes, what is refused
and which bound the refusal names, for every language."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graph.errors import BoundExceeded
from graph.ingest.bounds import (
    JSON_DEPTH,
    RDF_DEPTH,
    SPARQL_DEPTH,
    SPARQL_PATH_STEPS,
    XML_DEPTH,
    check,
    check_json,
    check_sparql,
    check_turtle,
    check_xml,
)

P = "<http://e/p>"


@pytest.mark.parametrize(("text", "bound"), [
    ("ASK { FILTER(" + "(" * SPARQL_DEPTH + "1" + ")" * SPARQL_DEPTH + ") }", "depth"),
    ("ASK " + "{" * (SPARQL_DEPTH + 1) + "}" * (SPARQL_DEPTH + 1), "depth"),
    ("ASK { FILTER(1" + " + 1" * SPARQL_DEPTH + ") }", "depth"),
    ("ASK { FILTER(" + "!" * SPARQL_DEPTH + "true) }", "depth"),
    ("ASK { FILTER(" + "(1 || " * (SPARQL_DEPTH // 2) + "1" + ")" * (SPARQL_DEPTH // 2) + ") }",
     "depth"),
    ("ASK { ?s " + "/".join([P] * (SPARQL_PATH_STEPS + 2)) + " ?o }", "property-path"),
    ("ASK { ?s " + "/(".join([P] * (SPARQL_PATH_STEPS + 2)) + ")" * (SPARQL_PATH_STEPS + 1)
     + " ?o }", "property-path"),
    ("ASK { " + "?s ?p ?o . " * 40_000 + "}", "length"),
])
def test_sparql_past_a_bound_is_refused_naming_it(text: str, bound: str) -> None:
    with pytest.raises(BoundExceeded) as refused:
        check_sparql(text)
    assert refused.value.bound.startswith(bound) and refused.value.language == "SPARQL"


@pytest.mark.parametrize("text", [
    "SELECT * WHERE { ?s ?p ?o FILTER(?o > 1 && ?o < 5 || !bound(?x)) } ORDER BY ?s",
    "ASK { FILTER(" + "(" * 100 + "1" + ")" * 100 + ") }",
    "ASK { ?s " + "/".join([P] * SPARQL_PATH_STEPS) + " ?o }",
    # chains end at each triple: many short ones are fine
    "ASK { " + f"?s {P}/{P}/{P} ?o . " * 500 + "}",
    "ASK { FILTER(?a IN (" + ", ".join(["1"] * 5000) + ")) }",
    # brackets and operators inside strings, IRIs and comments do not count
    'ASK { ?s ?p "' + "(" * 5000 + '" } # ' + "{" * 5000,
])
def test_sparql_within_the_bounds_passes(text: str) -> None:
    check_sparql(text)


@given(st.text(alphabet="{}()[]+-/!|^.;,?\"'#<> \nax1", max_size=400))
def test_sparql_check_reads_any_text_and_only_raises_its_own_error(text: str) -> None:
    with contextlib.suppress(BoundExceeded):
        check_sparql(text, depth=8, path_steps=4, length=50)


@pytest.mark.parametrize(("data", "syntax"), [
    (f"<http://a> {P} {f'[ {P} ' * (RDF_DEPTH + 1)}1{' ]' * (RDF_DEPTH + 1)} .", "Turtle"),
    (f"<http://a> {P} {'( ' * (RDF_DEPTH + 1)}1{' )' * (RDF_DEPTH + 1)} .", "TriG"),
    ("{" * (RDF_DEPTH + 1) + "}" * (RDF_DEPTH + 1), "N3"),
    ('{"@id": "http://a", "http://p": ' + "[" * JSON_DEPTH + "1" + "]" * JSON_DEPTH + "}",
     "JSON-LD"),
    ("<a>" + "<b>" * XML_DEPTH + "</b>" * XML_DEPTH + "</a>", "RDF/XML"),
    ("<a>" + "<b x='>'>" * XML_DEPTH + "</b>" * XML_DEPTH + "</a>", "application/rdf+xml"),
])
def test_rdf_past_its_depth_is_refused(data: str, syntax: str) -> None:
    with pytest.raises(BoundExceeded):
        check(data.encode(), syntax)


@pytest.mark.parametrize(("data", "syntax"), [
    (f"<http://a> {P} {f'[ {P} ' * RDF_DEPTH}1{' ]' * RDF_DEPTH} .", "Turtle"),
    (f'<http://a> {P} "{"[" * 10_000}" .', "Turtle"),                      # in a string
    (f"# {'(' * 10_000}\n<http://a> {P} 1 .", "Turtle"),                   # in a comment
    ("<http://a> <http://b> <http://c> .\n" * 1000, "N-Triples"),
    ('{"@id": "http://a", "http://p": "' + "[" * 10_000 + '"}', "JSON-LD"),  # in a string
    ("<a><!-- " + "<b>" * 10_000 + " --><![CDATA[" + "<c>" * 10_000 + "]]></a>", "RDF/XML"),
    ("<a>" + "<b/>" * 10_000 + "</a>", "RDF/XML"),                          # siblings
    ("{" * 10_000, "text/csv"),                                             # not RDF
])
def test_rdf_within_its_depth_passes(data: str, syntax: str) -> None:
    check(data.encode(), syntax)


@given(st.binary(max_size=300))
def test_json_and_xml_scans_read_any_bytes(data: bytes) -> None:
    for scan in (check_json, check_xml):
        with contextlib.suppress(BoundExceeded):
            scan(data, depth=4)


def test_turtle_refusal_names_the_line() -> None:
    text = "<http://a> <http://b> 1 .\n" * 3 + "<http://a> <http://b> " + "[ <http://p> " * 70
    with pytest.raises(BoundExceeded) as refused:
        check_turtle(text, source="upload.ttl")
    assert refused.value.line == 4 and "upload.ttl, line 4" in str(refused.value)


def test_n_triples_without_a_triple_term_are_not_lexed_whatever_their_literals_hold() -> None:
    """Only ``<<`` nests in N-Triples and N-Quads: brackets in literals are no nesting."""
    line = b'<urn:s> <urn:p> "' + b"((((([[[[{{{{" * 50 + b'" .\n'
    check(line * 1000, "N-Triples")
    check(line.replace(b" .", b" <urn:g> .") * 1000, "application/n-quads")


def test_a_triple_term_nested_past_the_bound_in_n_triples_is_still_refused() -> None:
    deep = b"<urn:s> <urn:p> " + b"<< <urn:a> <urn:b> " * 200 + b"<urn:c>" + b" >>" * 200 + b" .\n"
    with pytest.raises(BoundExceeded, match="nesting depth"):
        check(deep, "N-Triples")


def test_turtle_with_fewer_openers_than_the_bound_is_not_lexed_and_deeper_is_refused() -> None:
    shallow = b"<urn:s> <urn:p> [ <urn:q> ( 1 2 ) ] ."
    check(shallow, "Turtle")
    deep = b"<urn:s> <urn:p> " + b"[ <urn:q> " * (RDF_DEPTH + 1) + b"1" + b" ]" * (RDF_DEPTH + 1)
    with pytest.raises(BoundExceeded):
        check(deep + b" .", "text/turtle")
