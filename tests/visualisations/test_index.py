"""The index of fragments and the table patched from a base and a delta: the same table as
one assembled from all the fragments, whatever the delta holds."""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Iterator

import pytest

from graph.namespaces import graph_iri
from graph.privacy.access import public_graphs
from graph.store import Store
from tests.support.graphs import example_store, meta, tiny_store, turtle
from visualisations import table as table_module
from visualisations.fragments import Fragment, Pairs, read_fragment
from visualisations.index import Index, Layered
from visualisations.table import UsageTable, assemble, build, patch


def fragments_of(store: Store) -> list[Fragment]:
    return [read_fragment(store, g) for g in public_graphs(store)]


#: an effect reached through an experience report, a second label, a second location
EXTRA = """
id:experience/x1 a cg:ExperienceReport ; cg:concernsUsage id:usage/u2 .
id:effect-observation/e4 a cg:EffectObservation ; cg:onExperience id:experience/x1 ;
  cg:effect id:effect/roles-redistributed .
id:org/a rdfs:label "Another name"@en ; schema:location id:commune/y .
id:commune/y cg:departement "93" .
"""


@pytest.fixture(scope="module", params=["example", "tiny"])
def example(request: pytest.FixtureRequest) -> Iterator[list[Fragment]]:
    if request.param == "example":
        store = example_store()
    else:
        store = tiny_store()
        extra = graph_iri("tiny-extra")
        store.replace_graph(extra, turtle(EXTRA), metadata=meta(extra))
    try:
        yield fragments_of(store)
    finally:
        store.close()


def contents(table: UsageTable) -> dict[str, object]:
    out = {f.name: getattr(table, f.name) for f in dataclasses.fields(table)}
    out["usages"] = [dataclasses.astuple(u) for u in table.usages]
    return out


def split(fragments: list[Fragment], chance: random.Random, share: float
          ) -> tuple[list[Fragment], list[Fragment]]:
    """Each fragment's pairs, labels and communities dealt between a base and a delta copy
    (``share``: the chance that one goes to the delta); a pair may go to both."""
    base, delta = [], []
    for fragment in fragments:
        parts = (Fragment(fragment.graph), Fragment(fragment.graph + "-delta"))
        for predicate, pairs in fragment.pairs.items():
            for subject, value in pairs:
                roll = chance.random()
                for part, wanted in ((parts[0], roll >= share), (parts[1], roll < share * 1.2)):
                    if wanted:
                        found = part.pairs.setdefault(predicate, Pairs())
                        found.subjects.append(subject)
                        found.objects.append(value)
        for predicate, rows in fragment.labels.items():
            for row in rows:
                parts[chance.random() < share].labels.setdefault(predicate, []).append(row)
        for row in fragment.communities:
            parts[chance.random() < share].communities.append(row)
        base.append(parts[0])
        delta.append(parts[1])
    return base, delta


def test_the_index_holds_sets_whatever_the_order(example: list[Fragment]) -> None:
    forward, backward = assemble(example), assemble(list(reversed(example)))
    assert contents(forward) == contents(backward)
    assert len(forward.usages) > 5 and forward.labels and forward.org_departement


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("share", [0.02, 0.2, 0.6])
def test_a_patched_table_is_the_table_of_base_and_delta(
        example: list[Fragment], seed: int, share: float, monkeypatch: pytest.MonkeyPatch
        ) -> None:
    # rows inserted one by one, or sorted again with the others
    monkeypatch.setattr(table_module, "INSERT_AT_MOST", 10**9 if seed % 2 else 0)
    base, delta = split(example, random.Random(seed), share)
    base_index, delta_index = Index.of(base), Index.of(delta)
    whole = build(Layered([base_index, delta_index]))
    assert contents(whole) == contents(assemble([*base, *delta]))
    patched = patch(build(Layered([base_index])), base_index, delta_index)
    assert contents(patched) == contents(whole)


def test_patching_with_nothing_keeps_the_table(example: list[Fragment]) -> None:
    index = Index.of(example)
    table = build(Layered([index]))
    assert contents(patch(table, index, Index())) == contents(table)


def test_a_delta_of_whole_graphs(example: list[Fragment]) -> None:
    """The case of an import: whole graphs new, the others kept."""
    for graph in range(len(example)):
        delta = [example[graph]]
        base = example[:graph] + example[graph + 1:]
        base_index = Index.of(base)
        patched = patch(build(Layered([base_index])), base_index, Index.of(delta))
        assert contents(patched) == contents(assemble(example))


def test_a_delta_moves_rows_it_does_not_describe() -> None:
    """A delta typing a tool's software, or giving an activity its wave, changes the rows of
    usages it never names."""
    store = tiny_store()
    try:
        fragments = fragments_of(store)
    finally:
        store.close()
    whole = assemble(fragments)
    assert any(u.software != u.tool for u in whole.usages) or whole.usages
    for predicate in ("https://w3id.org/civicgraph/ns#software",
                      "http://www.w3.org/1999/02/22-rdf-syntax-ns#type",
                      "https://w3id.org/civicgraph/ns#wave"):
        base = [dataclasses.replace(f, pairs={p: v for p, v in f.pairs.items()
                                              if p != predicate}) for f in fragments]
        delta = [Fragment(f.graph + "-delta", pairs={predicate: f.pairs[predicate]})
                 for f in fragments if predicate in f.pairs]
        base_index = Index.of(base)
        patched = patch(build(Layered([base_index])), base_index, Index.of(delta))
        assert contents(patched) == contents(whole), predicate
