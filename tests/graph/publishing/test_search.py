"""Search: the in-memory label index answers exactly as the query does, and is kept until a
write."""

from __future__ import annotations

import time
from collections.abc import Callable

import pyoxigraph as ox
import pytest

from graph.engine.lookups import Lookups
from graph.engine.snapshots import VersionedStore
from graph.namespaces import CG, RDFS, SCHEMA
from graph.publishing.search import KINDS, LabelIndex, normalise, search
from graph.store import Store
from tests.support.stores import example_store

EXAMPLE = example_store()
INDEX = LabelIndex.build(EXAMPLE)


@pytest.mark.parametrize(("text", "kinds"), [
    ("loomio", ()), ("santé", ("organisation",)), ("SANTE", ()), ("vote", ("practice",)),
    ("decision", ("practice", "concept")), ("wiki", ("tool", "practice")),
    ("programme de formation-action", ()), ("personne", ()), ("ile-de", ()),
    ("association", ()), ("zzzz", ()), *((kind[:3], (kind,)) for kind in KINDS),
])
def test_the_index_answers_as_the_query(text: str, kinds: tuple[str, ...]) -> None:
    for limit in (1, 5, 100):
        by_query = search(EXAMPLE, text, kinds=kinds, limit=limit)
        by_index = search(EXAMPLE, text, kinds=kinds, limit=limit,
                          index=lambda: (INDEX, True))
        assert by_index == by_query
        # a stale index only proposes; the store as it is decides
        assert search(EXAMPLE, text, kinds=kinds, limit=limit,
                      index=lambda: (INDEX, False)) == by_query


@pytest.mark.parametrize(("given", "expected"), [
    ("École", "ecole"), ("ÉCOLE", "ecole"), ("Łódź", "lodz"), ("Œuvre", "oeuvre"),
    ("straße", "strasse"), ("Île-de-France", "ile-de-france"), ("ﬁche", "fiche"),
])
def test_normalise(given: str, expected: str) -> None:
    assert normalise(given) == expected


def test_the_index_is_kept_until_a_write() -> None:
    store = VersionedStore(example_store())
    lookups = Lookups(store)
    built: list[LabelIndex] = []

    def build(view: object) -> LabelIndex:
        built.append(LabelIndex.build(store))
        return built[-1]

    first = lookups.kept("search", "public", build)
    assert first is not None and first[1] and len(built) == 1
    assert lookups.kept("search", "public", build) == first and len(built) == 1
    store.replace_graph(EXTRA, tool_triples("Zyxtool"))
    again = lookups.kept("search", "public", build)
    assert again is not None and again[0] is not first[0] and again[1] and len(built) == 2
    hits = search(store, "zyxt", index=lambda: again)
    assert [h.iri for h in hits] == [TOOL.value]
    lookups.close()


def test_a_stale_index_never_finds_what_a_write_removed() -> None:
    store = VersionedStore(example_store())
    store.replace_graph(EXTRA, tool_triples("Zyxtool"), metadata=[ox.Triple(
        ox.NamedNode(EXTRA), ox.NamedNode(CG + "access"), ox.NamedNode(CG + "Public"))])
    lookups = Lookups(store)
    first = lookups.kept("search", "public", LabelIndex.build)
    assert first is not None
    assert [h.iri for h in search(store, "zyxt", index=lambda: first)] == [TOOL.value]
    store.drop_graph(EXTRA)   # e.g. a withdrawal

    def stale() -> tuple[LabelIndex, bool] | None:
        return lookups.kept("search", "public", LabelIndex.build, stale=True)

    old = stale()
    assert old is not None and not old[1]
    assert search(store, "zyxt", index=lambda: old) == []     # proposed, refused by the store
    deadline = time.monotonic() + 10    # built again in the background meanwhile
    while not (fresh := stale()) or not fresh[1]:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert search(store, "loomio", index=stale)[0].label == "Loomio"
    lookups.close()


EXTRA = "https://w3id.org/civicgraph/graph/extra"
TOOL = ox.NamedNode("https://w3id.org/civicgraph/id/software/zyxtool")


def tool_triples(label: str) -> list[ox.Triple]:
    return [ox.Triple(TOOL, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                      ox.NamedNode(SCHEMA + "SoftwareApplication")),
            ox.Triple(TOOL, ox.NamedNode(RDFS + "label"), ox.Literal(label))]


def restated(keep: Callable[[str], bool]) -> Store:
    """The example store with a graph restating its triples whose predicate ``keep``s."""
    store = example_store()
    native = store.native
    assert native is not None
    again = [ox.Triple(q.subject, q.predicate, q.object)
             for q in native.quads_for_pattern(None, None, None) if keep(q.predicate.value)]
    store.replace_graph("https://w3id.org/civicgraph/graph/again", again)
    return store


def test_a_label_stated_in_two_graphs_is_found_once() -> None:
    repeated = restated(lambda p: p in (RDFS + "label", SCHEMA + "name")
                        or p.endswith(("#type", "prefLabel")))
    index = LabelIndex.build(repeated)
    for text in ("loomio", "santé", "vote", "wiki", "association"):
        expected = search(EXAMPLE, text, limit=100)
        assert expected
        assert search(repeated, text, limit=100) == expected
        assert search(repeated, text, limit=100, index=lambda: (index, True)) == expected
    repeated.close()


def test_voids_example_resources_are_each_named_once_when_typed_in_two_graphs() -> None:
    from graph.publishing.service import example_resources

    repeated = restated(lambda p: p.endswith("#type"))
    found = example_resources(repeated)
    assert found == example_resources(EXAMPLE)
    assert len(found) == len(set(found)) > 2
    repeated.close()
