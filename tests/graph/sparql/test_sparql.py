"""Reading SPARQL text: forms, dataset clauses, operations that would reach the network."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graph.errors import ForbiddenOperation, QuerySyntaxError
from graph.sparql.request import (
    Dataset,
    QueryInfo,
    analyse_query,
    analyse_update,
    scope_dataset,
    syntax_error,
)


@pytest.mark.parametrize(("text", "form"), [
    ("SELECT * WHERE { ?s ?p ?o }", "SELECT"),
    ("  # a comment\nPREFIX ex: <http://ex/>\nBASE <http://b/>\nask { ?s ?p ?o }", "ASK"),
    ("PREFIX : <http://ex/> CONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT"),
    ("DESCRIBE <http://ex/a>", "DESCRIBE"),
    ("PREFIX select: <http://ex/> SELECT ?x { ?x select:p 1 }", "SELECT"),
    ("SELEC * { }", None),
    ("INSERT DATA { <a> <b> <c> }", None),
])
def test_form(text: str, form: str | None) -> None:
    assert analyse_query(text).form == form


@pytest.mark.parametrize(("text", "default", "named"), [
    ("SELECT * FROM <http://g/1> WHERE { ?s ?p ?o }", ("http://g/1",), ()),
    ("SELECT * FROM NAMED <http://g/2> FROM <http://g/1> { ?s ?p ?o }",
     ("http://g/1",), ("http://g/2",)),
    ("PREFIX g: <http://g/> SELECT * from g:one from named g:two { }",
     ("http://g/one",), ("http://g/two",)),
    ("BASE <http://g/base/> SELECT * FROM <rel> { }", ("http://g/base/rel",), ()),
    ('SELECT * { ?s ?p "FROM <http://g/no>" } # FROM <http://g/comment>', (), ()),
    ("SELECT ?from WHERE { ?from ?p ?o }", (), ()),
])
def test_dataset_clauses(text: str, default: tuple[str, ...], named: tuple[str, ...]) -> None:
    info = analyse_query(text)
    assert (info.default, info.named) == (default, named)


@pytest.mark.parametrize("text", [
    "SELECT * { SERVICE <http://e/sparql> { ?s ?p ?o } }",
    "select * { service silent <http://e/> { ?s ?p ?o } }",
    "SELECT * { ?x ?y ?z . SERVICE ?endpoint { ?s ?p ?o } }",
    "SELECT * { \\u0053ERVICE <http://e/> { ?s ?p ?o } }",
    "SELECT * { \\U00000073ervice <http://e/> { ?s ?p ?o } }",
    "PREFIX e: <http://e/> SELECT * { ?s e:p\\# ?o . SERVICE <http://e/> { ?a ?b ?c } }",
    "SELECT * { FILTER(?a<?b) SERVICE<http://e/>{ ?s ?p ?o } }",
])
def test_federated_queries_are_refused(text: str) -> None:
    with pytest.raises(ForbiddenOperation, match="SERVICE"):
        analyse_query(text)


@pytest.mark.parametrize("text", [
    "SELECT ?service { ?service a <http://e/Service> }",
    "PREFIX e: <http://e/> SELECT * { ?s e:service ?o ; e:SERVICE ?x }",
    "SELECT * { ?s ?p <http://e/SERVICE> }",
    'SELECT * { ?s ?p "SERVICE <http://e/> { }" }',
    "SELECT * { ?s ?p '''\nSERVICE <http://e/> {}\n''' }",
    "SELECT * { ?s ?p ?o } # SERVICE <http://e/> { }",
    "PREFIX service: <http://e/> SELECT * { ?s service:p ?o }",
])
def test_lookalikes_are_not_refused(text: str) -> None:
    assert analyse_query(text).form == "SELECT"


@pytest.mark.parametrize("text", ["LOAD <http://e/data.ttl>",
                                  "load silent <http://e/x> into graph <http://g/>",
                                  "INSERT DATA { <a> <b> <c> } ; LOAD <http://e/x>",
                                  "DELETE { ?s ?p ?o } WHERE { SERVICE <http://e/> { ?s ?p ?o } }"])
def test_updates_that_reach_the_network_are_refused(text: str) -> None:
    with pytest.raises(ForbiddenOperation):
        analyse_update(text)


def test_harmless_updates_pass() -> None:
    analyse_update('INSERT DATA { <http://a> <http://b> "LOAD <http://e/x>" }')
    analyse_update("PREFIX load: <http://e/> INSERT DATA { <http://a> load:p 1 }")


@given(st.text(alphabet=st.characters(blacklist_characters='"\\\n\r',
                                      blacklist_categories=("Cs",)), max_size=60))
def test_nothing_inside_a_string_is_syntax(content: str) -> None:
    info = analyse_query(f'SELECT * WHERE {{ ?s ?p "{content}" }}')
    assert info == QueryInfo("SELECT")


VISIBLE = ["http://g/a", "http://g/b"]


@pytest.mark.parametrize(("info", "requested", "expected"), [
    (QueryInfo("SELECT"), None, (VISIBLE, VISIBLE)),
    (QueryInfo("SELECT", default=("http://g/a", "http://g/secret")), None, (["http://g/a"], [])),
    (QueryInfo("SELECT", named=("http://g/b",)), None, ([], ["http://g/b"])),
    (QueryInfo("SELECT", default=("http://g/a",)), Dataset(("http://g/b",), ()),
     (["http://g/b"], [])),
    (QueryInfo("SELECT"), Dataset(None, ("http://g/secret",)), (VISIBLE, [])),
    (QueryInfo("SELECT"), Dataset(("http://g/secret",), None), ([], VISIBLE)),
])
def test_scope_dataset(info: QueryInfo, requested: Dataset | None,
                       expected: tuple[list[str], list[str]]) -> None:
    assert scope_dataset(info, requested, VISIBLE) == expected


def test_syntax_error_keeps_the_position() -> None:
    error = syntax_error(SyntaxError("error at 3:14: expected one of LATERAL"))
    assert isinstance(error, QuerySyntaxError)
    assert (error.line, error.column) == (3, 14)
    assert str(error) == "line 3, column 14: expected one of LATERAL"
    plain = syntax_error(SyntaxError("something else"))
    assert plain.line is None and str(plain) == "something else"
