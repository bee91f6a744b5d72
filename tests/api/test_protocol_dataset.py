"""The two dataset modes of /sparql (``CIVICGRAPH_UNION_DEFAULT_GRAPH``), over a real socket,
with queries run in worker processes (snapshots) and in threads."""

# ruff: noqa: S608 - the queries here are built from the tests' own constants

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pyoxigraph as ox
import pytest

from graph.namespaces import CG, META_GRAPH
from graph.publishing.service import SD
from graph.samples.example import EXAMPLE_GRAPHS
from graph.store import DEFAULT_GRAPH
from tests.support.live import CURATOR_TOKEN, Live, running
from tests.support.stores import example_store

PUBLIC_GRAPH = EXAMPLE_GRAPHS[0].iri
MEMBERS_GRAPH = EXAMPLE_GRAPHS[1].iri
SUBJECT = "http://example.org/dataset-mode/s"
MARKERS = f"SELECT ?o WHERE {{ <{SUBJECT}> ?p ?o }} ORDER BY ?o"
SETUP = f"""
INSERT DATA {{ <{SUBJECT}> <http://example.org/p> "own" .
  GRAPH <{PUBLIC_GRAPH}> {{ <{SUBJECT}> <http://example.org/p> "public" }}
  GRAPH <{MEMBERS_GRAPH}> {{ <{SUBJECT}> <http://example.org/p> "restricted" }} }}"""


@pytest.fixture(scope="module", params=[
    pytest.param((True, 2), id="union-workers"), pytest.param((True, 0), id="union-threads"),
    pytest.param((False, 2), id="standard-workers"),
    pytest.param((False, 0), id="standard-threads"),
])
def mode(request: pytest.FixtureRequest) -> Iterator[tuple[bool, Live]]:
    union, workers = request.param
    store = example_store()
    store.update(SETUP)   # a write without GRAPH lands in the store's own default graph
    with running(store, union_default_graph=union, query_workers=workers) as live:
        yield union, live


def values(live: Live, query: str, *, curator: bool = False,
           params: dict[str, str] | None = None) -> list[str]:
    headers = {"Authorization": f"Bearer {CURATOR_TOKEN}"} if curator else {}
    response = httpx.get(f"{live.url}/sparql", params={"query": query, **(params or {})},
                         headers=headers, timeout=30)
    assert response.status_code == 200, response.text
    return [next(iter(b.values()))["value"] for b in response.json()["results"]["bindings"]]


def test_the_default_graph_of_a_query(mode: tuple[bool, Live]) -> None:
    union, live = mode
    assert values(live, MARKERS) == (["own", "public"] if union else ["own"])
    assert values(live, MARKERS, curator=True) == \
        (["own", "public", "restricted"] if union else ["own"])


def test_graph_reaches_the_visible_named_graphs_only(mode: tuple[bool, Live]) -> None:
    _, live = mode
    query = f"SELECT ?o WHERE {{ GRAPH ?g {{ <{SUBJECT}> ?p ?o }} }} ORDER BY ?o"
    assert values(live, query) == ["public"]
    assert values(live, query, curator=True) == ["public", "restricted"]


@pytest.mark.parametrize(("query", "params", "expected"), [
    (f"SELECT ?o FROM <{PUBLIC_GRAPH}> WHERE {{ <{SUBJECT}> ?p ?o }}", {}, ["public"]),
    (f"SELECT ?o FROM <{MEMBERS_GRAPH}> WHERE {{ <{SUBJECT}> ?p ?o }}", {}, []),
    (f"SELECT ?o FROM NAMED <{PUBLIC_GRAPH}> WHERE {{ <{SUBJECT}> ?p ?o }}", {}, []),
    (f"SELECT ?o FROM NAMED <{PUBLIC_GRAPH}> WHERE {{ GRAPH ?g {{ <{SUBJECT}> ?p ?o }} }}",
     {}, ["public"]),
    (MARKERS, {"default-graph-uri": PUBLIC_GRAPH}, ["public"]),
    (MARKERS, {"default-graph-uri": MEMBERS_GRAPH}, []),
    (f"SELECT ?o WHERE {{ GRAPH ?g {{ <{SUBJECT}> ?p ?o }} }}",
     {"named-graph-uri": MEMBERS_GRAPH}, []),
])
def test_from_and_the_protocol_dataset_are_honoured_in_both_modes(
        mode: tuple[bool, Live], query: str, params: dict[str, str],
        expected: list[str]) -> None:
    _, live = mode
    assert values(live, query, params=params) == expected


def test_the_service_description_states_the_mode(mode: tuple[bool, Live]) -> None:
    union, live = mode
    response = httpx.get(f"{live.url}/sparql", headers={"Accept": "application/n-triples"},
                         timeout=30)
    triples = list(ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES))
    features = {t.object.value for t in triples if t.predicate.value == SD + "feature"}
    assert (SD + "UnionDefaultGraph" in features) is union


def test_graph_store_default_is_the_stores_own_default_graph(mode: tuple[bool, Live]) -> None:
    _, live = mode
    for headers in ({}, {"Authorization": f"Bearer {CURATOR_TOKEN}"}):
        response = httpx.get(f"{live.url}/store?default", timeout=30,
                             headers={"Accept": "application/n-triples", **headers})
        assert response.status_code == 200, response.text
        objects = {t.object.value for t in ox.parse(response.content,
                                                    format=ox.RdfFormat.N_TRIPLES)}
        assert objects == {"own"}


@pytest.mark.parametrize("union", [True, False])
def test_a_default_graph_described_as_restricted_is_for_curators_only(union: bool) -> None:
    store = example_store()
    store.update(SETUP)
    store.update(f"INSERT DATA {{ GRAPH <{META_GRAPH}> {{ <{DEFAULT_GRAPH}> <{CG}access> "
                 f"<{CG}Restricted> }} }}")
    with running(store, union_default_graph=union, query_workers=0) as live:
        assert values(live, MARKERS) == (["public"] if union else [])
        assert "own" in values(live, MARKERS, curator=True)


def test_graph_patterns_reach_civicgraphs_own_graphs_when_named(mode: tuple[bool, Live]) -> None:
    union, live = mode
    every = values(live, "SELECT DISTINCT ?g WHERE { GRAPH ?g { } }")
    assert PUBLIC_GRAPH in every
    assert (META_GRAPH in every) is union   # standard mode: a client finds what it wrote
    named = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{META_GRAPH}> {{ ?s ?p ?o }} }}"
    prefixed = (f"PREFIX g: <{META_GRAPH.rsplit('/', 1)[0]}/> "
                "SELECT (COUNT(*) AS ?n) WHERE { GRAPH g:meta { ?s ?p ?o } }")
    for query in (named, prefixed):
        assert int(values(live, query)[0]) > 0
    assert META_GRAPH in values(live, "SELECT DISTINCT ?g WHERE { GRAPH ?g { } }",
                                params={"named-graph-uri": META_GRAPH})
