"""The footprint and the splicing plan of a query read one parse of its text
(``graph.queries.footprint.algebra``): neither reader changes the algebra the other reads,
so each finds what it found from a parse of its own, in either order."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery

from graph.queries import confinement, derivation, footprint
from graph.queries.catalogue import list_queries
from graph.store.embedded import OxigraphStore
from tests.graph.queries.test_splicing_fuzz import joins, queries


def _shape(node: Any, seen: frozenset[int] = frozenset()) -> Any:
    """A structural copy of an algebra: its nodes' names, keys and values, its terms'
    reprs (what a reader could have changed in place)."""
    if id(node) in seen:
        return "<cycle>"
    seen = seen | {id(node)}
    if isinstance(node, dict):
        return (type(node).__name__, getattr(node, "name", None),
                tuple((k, _shape(v, seen)) for k, v in node.items()))
    if isinstance(node, (list, tuple)):
        return (type(node).__name__, tuple(_shape(v, seen) for v in node))
    if isinstance(node, (set, frozenset)):
        return (type(node).__name__, tuple(sorted(repr(_shape(v, seen)) for v in node)))
    return repr(node)


def _fresh(sparql: str) -> Any:
    return translateQuery(parseQuery(sparql)).algebra


def _readings(sparql: str, bound: frozenset[str], algebra: Any) -> tuple[Any, Any]:
    """What the two readers find of ``algebra``: the footprint and the plan."""
    return footprint._read(algebra), derivation._derived_plan(sparql, bound, algebra)


def _check(sparql: str, bound: frozenset[str] = frozenset()) -> None:
    try:
        shared = _fresh(sparql)
    except Exception:   # a text rdflib does not read: both readers assume nothing
        assert footprint.algebra(sparql) is None
        return
    before = _shape(shared)
    # both orders, on one parse each, against readings of parses of their own
    one = _readings(sparql, bound, shared)
    assert _shape(shared) == before
    plan_first = _fresh(sparql)
    derivation._derived_plan(sparql, bound, plan_first)
    two = _readings(sparql, bound, plan_first)
    alone = (footprint._read(_fresh(sparql)),
             derivation._derived_plan(sparql, bound, _fresh(sparql)))
    assert one == two == alone
    assert _shape(plan_first) == before


@pytest.fixture(scope="module")
def catalogue_texts(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, frozenset[str]]]:
    store = OxigraphStore(str(tmp_path_factory.mktemp("store")))
    texts = []
    for query in list_queries():
        if any(p.required for p in query.params):
            continue
        terms = query.bind({})
        texts.append((query.text(store, terms), frozenset(terms)))
    return texts


def test_every_catalogue_query_reads_the_same_from_one_parse(
        catalogue_texts: list[tuple[str, frozenset[str]]]) -> None:
    assert len(catalogue_texts) > 15
    for sparql, bound in catalogue_texts:
        _check(sparql, bound)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sparql=queries() | joins())
def test_generated_queries_read_the_same_from_one_parse(sparql: str) -> None:
    _check(sparql)


def test_the_parse_is_made_once_for_both_readers() -> None:
    sparql = "SELECT ?s (COUNT(?o) AS ?n) WHERE { ?s <urn:shared:p> ?o } GROUP BY ?s"
    footprint._parsed.cache_clear()
    footprint.footprint(sparql)
    derivation.plan(sparql)
    confinement.plan(sparql)
    info = footprint._parsed.cache_info()
    assert (info.misses, info.hits) == (1, 2)


def test_a_text_rdflib_does_not_read_is_read_as_nothing() -> None:
    assert footprint.footprint("SELECT * WHERE { ?s ?p }") is None
    assert confinement.plan("SELECT * WHERE { ?s ?p }").reason is not None
