"""Every catalogue query on Virtuoso, against the same query on the embedded store."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bench.servers import DIFFERENT_ON_VIRTUOSO, Virtuoso
from graph.privacy.access import public_graphs
from graph.queries.catalogue import list_queries, run
from graph.store import Store
from graph.store.virtuoso import VirtuosoStore
from tests.support.engines import empty_virtuoso
from tests.support.stores import example_store, fill_with_example

NAMES = [q.name for q in list_queries()]


@pytest.fixture(scope="module")
def stores(virtuoso_server: Virtuoso) -> Iterator[tuple[VirtuosoStore, Store]]:
    virtuoso = fill_with_example(empty_virtuoso(virtuoso_server))
    embedded = example_store()
    try:
        yield virtuoso, embedded  # type: ignore[misc]
    finally:
        virtuoso.close()
        embedded.close()


def answer(store: Store, name: str) -> list[str]:
    return [str(row) for row in run(store, name, default_graph=public_graphs(store))]  # type: ignore[union-attr]


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
