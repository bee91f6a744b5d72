"""Search: the in-memory label index answers exactly as the query does, and is kept until a
write."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from graph.lookups import Lookups
from graph.namespaces import RDFS, SCHEMA
from graph.search import KINDS, LabelIndex, normalise, search
from graph.snapshots import VersionedStore
from tests.api.stores import example_store

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
        by_index = search(EXAMPLE, text, kinds=kinds, limit=limit, index=lambda: INDEX)
        assert by_index == by_query


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
    assert lookups.kept("search", "public", build) is first and len(built) == 1
    tool = ox.NamedNode("https://w3id.org/civicgraph/id/software/zyxtool")
    store.replace_graph("https://w3id.org/civicgraph/graph/extra", [
        ox.Triple(tool, ox.NamedNode(RDFS + "type"), ox.NamedNode(SCHEMA + "Thing")),
        ox.Triple(tool, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                  ox.NamedNode(SCHEMA + "SoftwareApplication")),
        ox.Triple(tool, ox.NamedNode(RDFS + "label"), ox.Literal("Zyxtool")),
    ])
    again = lookups.kept("search", "public", build)
    assert again is not first and len(built) == 2
    hits = search(store, "zyxt", index=lambda: again)
    assert [h.iri for h in hits] == [tool.value]
    lookups.close()
