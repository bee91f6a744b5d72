"""Resource pages: incoming links paged in (predicate, subject) order without a global sort."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from graph.namespaces import CG
from graph.publishing import describe
from graph.store.embedded import MemoryStore

EX = "http://example.org/"
TARGET = ox.NamedNode(EX + "tool")
GRAPH = "https://w3id.org/civicgraph/graph/links"


def linked_store(repeated: bool = False) -> MemoryStore:
    store = MemoryStore()
    triples = [ox.Triple(ox.NamedNode(f"{EX}u{i:03d}"), ox.NamedNode(EX + "uses"), TARGET)
               for i in range(37)]
    triples += [ox.Triple(ox.NamedNode(f"{EX}m{i:03d}"), ox.NamedNode(EX + "mentions"), TARGET)
                for i in range(11)]
    triples += [ox.Triple(ox.BlankNode(f"b{i}"), ox.NamedNode(EX + "uses"), TARGET)
                for i in range(3)]
    triples += [ox.Triple(TARGET, ox.NamedNode(EX + "name"), ox.Literal("Tool"))]
    store.replace_graph(GRAPH, triples, metadata=[ox.Triple(
        ox.NamedNode(GRAPH), ox.NamedNode(CG + "access"), ox.NamedNode(CG + "Public"))])
    if repeated:   # another source states every other link again
        store.replace_graph(GRAPH + "-again", [t for t in triples[::2]
                                               if not isinstance(t.subject, ox.BlankNode)],
                            metadata=[ox.Triple(ox.NamedNode(GRAPH + "-again"),
                                                ox.NamedNode(CG + "access"),
                                                ox.NamedNode(CG + "Public"))])
    return store


def sorted_by_sparql(store: MemoryStore) -> list[tuple[str, str]]:
    result = store.query(f"SELECT DISTINCT ?s ?p WHERE {{ ?s ?p {TARGET} }} ORDER BY ?p ?s")
    assert isinstance(result, ox.QuerySolutions)
    return [(row["p"].value, row["s"].value) for row in result]


@pytest.mark.parametrize("repeated", [False, True], ids=["one source", "links repeated"])
@pytest.mark.parametrize("sort_limit", [describe.SORT_LIMIT, 5])
def test_pages_partition_the_links(monkeypatch: pytest.MonkeyPatch, sort_limit: int,
                                   repeated: bool) -> None:
    monkeypatch.setattr(describe, "SORT_LIMIT", sort_limit)
    store = linked_store(repeated)
    pages = [describe._incoming(store, TARGET.value, page, 10) for page in range(1, 8)]
    assert {total for _, total in pages} == {51}
    links = [(p, s.value) for page, _ in pages for p, s in page]
    assert [len(page) for page, _ in pages] == [10, 10, 10, 10, 10, 1, 0]
    assert sorted(links) == sorted(sorted_by_sparql(store))
    if sort_limit >= 51:   # sorted here exactly as ORDER BY ?p ?s would
        assert links == sorted_by_sparql(store)
    else:                  # predicates in order; each page the same at every asking
        assert [p for p, _ in links] == [p for p, _ in sorted_by_sparql(store)]
        again = [(p, s.value) for page in range(1, 8)
                 for p, s in describe._incoming(store, TARGET.value, page, 10)[0]]
        assert again == links


@pytest.mark.parametrize("repeated", [False, True], ids=["one source", "links repeated"])
def test_the_page_counts_and_names_its_links(repeated: bool) -> None:
    found = describe.describe(linked_store(repeated), TARGET.value, page=2, page_size=20)
    assert found.incoming_total == 51 and found.pages == 3
    shown = [v.term.value for p in found.incoming for v in p.values]
    assert len(shown) == len(set(shown)) == 20
    assert [s.graph for s in found.sources] == [GRAPH] + [GRAPH + "-again"] * repeated
