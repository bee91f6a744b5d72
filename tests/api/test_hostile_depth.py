"""Deep and long input in every language civicgraph reads: a 4xx naming the bound, and a
server that stays up (a real uvicorn on 127.0.0.1, under the default limits)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.ingest.bounds import JSON_DEPTH, RDF_DEPTH, SPARQL_DEPTH, SPARQL_PATH_STEPS, XML_DEPTH
from tests.support.live import CURATOR_TOKEN, Live, running
from tests.support.stores import example_store

AUTH = {"Authorization": f"Bearer {CURATOR_TOKEN}"}
GRAPH = "https://w3id.org/civicgraph/id/graph/deep"
E = "<http://e/p>"


@pytest.fixture(scope="module")
def deep_server() -> Iterator[Live]:
    with running(example_store()) as live:   # the default limits
        yield live


def _query(kind: str, n: int) -> str:
    return {
        "brackets": "SELECT * WHERE { FILTER(" + "(" * n + "1" + ")" * n + ") }",
        "groups": "SELECT * WHERE " + "{" * n + "}" * n,
        "plus": "SELECT * WHERE { FILTER(1" + " + 1" * n + " > 0) }",
        "or": "ASK { FILTER(false" + " || false" * n + ") }",
        "not": "ASK { FILTER(" + "!" * n + "true) }",
        "minus": "ASK { FILTER(1" + " - 1" * n + " < 0) }",
        "mixed": "ASK { FILTER(" + "(1 + " * n + "1" + ")" * n + ") }",
        "path": "SELECT * WHERE { ?s " + "/".join([E] * (n + 1)) + " ?o }",
        "inverse path": "SELECT * WHERE { ?s " + "^(" * n + E + ")" * n + " ?o }",
        "alternative path": "SELECT * WHERE { ?s " + "|".join([E] * (n + 1)) + " ?o }",
    }[kind]


def _update(kind: str, n: int) -> str:
    where = _query(kind, n)
    where = where[where.index("{"):] if kind != "groups" else "{" * n + "}" * n
    return "INSERT { <http://a> <http://b> <http://c> } WHERE " + where


SPARQL_KINDS = ["brackets", "groups", "plus", "or", "not", "minus", "mixed", "path",
                "inverse path", "alternative path"]


def _rdf(kind: str, n: int) -> tuple[str, bytes]:
    if kind == "turtle lists":
        return "text/turtle", f"<http://a> {E} {'( ' * n}1{' )' * n} .".encode()
    if kind == "turtle blank nodes":
        return "text/turtle", f"<http://a> {E} {f'[ {E} ' * n}1{' ]' * n} .".encode()
    if kind == "turtle mixed":
        return "text/turtle", f"<http://a> {E} {'[ <http://p> ( ' * n}1{' ) ]' * n} ."\
            .encode()
    if kind == "json-ld objects":
        return "application/ld+json", ('{"@id": "http://a", "http://p": ' +
                                       '{"http://p": ' * n + '1' + '}' * n + '}').encode()
    if kind == "json-ld arrays":
        return "application/ld+json", ('{"@id": "http://a", "http://p": ' + '[' * n + '1' +
                                       ']' * n + '}').encode()
    if kind == "rdf/xml":
        return "application/rdf+xml", (
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
            'xmlns:e="http://e/"><rdf:Description rdf:about="http://a">'
            + "<e:p><rdf:Description>" * n + "</rdf:Description></e:p>" * n
            + "</rdf:Description></rdf:RDF>").encode()
    raise AssertionError(kind)


RDF_BOUNDS = {"turtle lists": RDF_DEPTH, "turtle blank nodes": RDF_DEPTH,
              "turtle mixed": RDF_DEPTH // 2, "json-ld objects": JSON_DEPTH,
              "json-ld arrays": JSON_DEPTH, "rdf/xml": XML_DEPTH // 2}


def _alive(live: Live) -> None:
    assert httpx.get(f"{live.url}/health", timeout=30).status_code == 200


def _refused(answer: httpx.Response) -> None:
    assert 400 <= answer.status_code < 500, answer.text[:300]
    assert answer.status_code != 401


_SETTINGS: Callable[[Any], Any] = settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.mark.slow
@_SETTINGS
@given(kind=st.sampled_from(SPARQL_KINDS), n=st.integers(SPARQL_DEPTH + 1, 20_000))
def test_deep_queries_get_a_4xx_and_the_server_lives(deep_server: Live, kind: str,
                                                     n: int) -> None:
    answer = httpx.post(f"{deep_server.url}/sparql", content=_query(kind, n), timeout=60,
                        headers={"Content-Type": "application/sparql-query"})
    _refused(answer)
    _alive(deep_server)


@pytest.mark.slow
@_SETTINGS
@given(kind=st.sampled_from(SPARQL_KINDS), n=st.integers(SPARQL_DEPTH + 1, 20_000))
def test_deep_updates_get_a_4xx_and_the_server_lives(deep_server: Live, kind: str,
                                                     n: int) -> None:
    answer = httpx.post(f"{deep_server.url}/sparql", content=_update(kind, n), timeout=60,
                        headers={"Content-Type": "application/sparql-update", **AUTH})
    _refused(answer)
    _alive(deep_server)


@pytest.mark.slow
@_SETTINGS
@given(kind=st.sampled_from(sorted(RDF_BOUNDS)), extra=st.integers(1, 20_000))
def test_deep_rdf_gets_a_4xx_and_the_server_lives(deep_server: Live, kind: str,
                                                  extra: int) -> None:
    media_type, body = _rdf(kind, RDF_BOUNDS[kind] + extra)
    answer = httpx.put(f"{deep_server.url}/store", params={"graph": GRAPH}, content=body,
                       headers={"Content-Type": media_type, **AUTH}, timeout=60)
    _refused(answer)
    assert "is more than" in answer.text    # it names the bound
    _alive(deep_server)


@pytest.mark.parametrize("kind", SPARQL_KINDS)
def test_queries_within_the_bounds_are_answered(deep_server: Live, kind: str) -> None:
    n = min(SPARQL_DEPTH // 2 - 10, SPARQL_PATH_STEPS // 2)
    answer = httpx.post(f"{deep_server.url}/sparql", content=_query(kind, n), timeout=60,
                        headers={"Content-Type": "application/sparql-query",
                                 "Accept": "application/sparql-results+json"})
    assert answer.status_code == 200, answer.text[:300]
