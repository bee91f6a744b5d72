"""Every catalogue query on Virtuoso, against the same query on the embedded store: with its
default parameters, and with the parameter sets the rewritten queries are checked with
(``tests/graph/queries/test_rewrites.py``), where Virtuoso 7.2 answered some rewrites
wrongly although their defaults agreed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bench.servers import DIFFERENT_ON_VIRTUOSO, Virtuoso
from graph.privacy.access import public_graphs
from graph.queries.catalogue import list_queries, run
from graph.store import Store
from graph.store.virtuoso import VirtuosoStore
from tests.graph.queries.test_rewrites import ASKED
from tests.support.engines import empty_virtuoso
from tests.support.stores import example_store, fill_with_example

NAMES = [q.name for q in list_queries()]
#: other parameters than the defaults, for the queries Virtuoso answers alike
PARAMETERS = [(name, params) for name, params in [
    *ASKED,
    *[("tools_by_concept", {"concept": concept, "lang": lang})
      for concept in ("id:tool-category/chat", "id:practice/instant-messaging", "id:field/health")
      for lang in ("en", "fr")],
] if name not in DIFFERENT_ON_VIRTUOSO]


@pytest.fixture(scope="module")
def stores(virtuoso_server: Virtuoso) -> Iterator[tuple[VirtuosoStore, Store]]:
    virtuoso = fill_with_example(empty_virtuoso(virtuoso_server))
    embedded = example_store()
    try:
        yield virtuoso, embedded  # type: ignore[misc]
    finally:
        virtuoso.close()
        embedded.close()


def answer(store: Store, name: str, params: dict[str, str] | None = None) -> list[str]:
    return [str(row) for row in run(store, name, params,  # type: ignore[union-attr]
                                    default_graph=public_graphs(store))]


@pytest.mark.parametrize("name", [
    pytest.param(name, marks=pytest.mark.xfail(strict=True, reason="Virtuoso 7.2 semantics"))
    if name in DIFFERENT_ON_VIRTUOSO else name for name in NAMES])
def test_a_catalogue_query_answers_as_on_oxigraph(stores: tuple[VirtuosoStore, Store],
                                                   name: str) -> None:
    virtuoso, embedded = stores
    expected = answer(embedded, name)
    assert expected, "the example dataset answers every catalogue query"
    assert answer(virtuoso, name) == expected


@pytest.mark.parametrize("name", NAMES)
def test_every_catalogue_query_compiles_on_virtuoso(stores: tuple[VirtuosoStore, Store],
                                                    name: str) -> None:
    virtuoso, _ = stores
    answer(virtuoso, name)   # Virtuoso's compiler errors are StoreErrors: this would raise


@pytest.mark.parametrize(("name", "params"), PARAMETERS,
                         ids=[f"{n}-{'-'.join(p.values())}" for n, p in PARAMETERS])
def test_a_catalogue_query_answers_as_on_oxigraph_with_other_parameters(
        stores: tuple[VirtuosoStore, Store], name: str, params: dict[str, str]) -> None:
    virtuoso, embedded = stores
    assert answer(virtuoso, name, params) == answer(embedded, name, params)
