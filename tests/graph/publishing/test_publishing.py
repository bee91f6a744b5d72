"""What civicgraph says about itself (service description, VoID, dumps), resource pages,
search and the Graph Store operations, on the example dataset behind the public view."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from graph.engine.execution import QueryEngine, StoreView
from graph.engine.snapshots import VersionedStore
from graph.errors import InputError, NotFound, RdfSyntaxError, UnknownFormat
from graph.ingest import graphstore
from graph.namespaces import META_GRAPH, VOID
from graph.publishing.describe import describe, labels_of
from graph.publishing.search import search
from graph.publishing.service import (
    DUMPS,
    SD,
    DumpCache,
    graph_facts,
    service_description,
    void_description,
)
from graph.samples.example import EXAMPLE_GRAPHS
from tests.support.stores import example_store

PUBLIC, MEMBERS = EXAMPLE_GRAPHS[0].iri, EXAMPLE_GRAPHS[1].iri


@pytest.fixture(scope="module")
def engine() -> Iterator[QueryEngine]:
    engine = QueryEngine(VersionedStore(example_store()), workers=1)
    try:
        yield engine
    finally:
        engine.close()


@pytest.fixture(scope="module")
def public(engine: QueryEngine) -> StoreView:
    return engine.view("public")


def test_graph_facts_cover_exactly_the_visible_graphs(public: StoreView,
                                                      engine: QueryEngine) -> None:
    facts = {f.iri: f for f in graph_facts(public)}
    assert PUBLIC in facts and MEMBERS not in facts and META_GRAPH in facts
    assert facts[PUBLIC].triples == engine.store.count(PUBLIC)
    assert facts[PUBLIC].title is not None
    assert MEMBERS in {f.iri for f in graph_facts(engine.view("all"))}


def test_service_description_names_the_public_graphs(public: StoreView) -> None:
    triples = service_description(public, endpoint="http://h/sparql", void_url="http://h/v",
                                  timeout=5, result_limit=10)
    names = {t.object.value for t in triples if t.predicate.value == SD + "name"}
    assert PUBLIC in names and MEMBERS not in names
    texts = [t.object.value for t in triples if t.predicate.value.endswith("description")]
    assert any("5 s" in text and "10 results" in text for text in texts)


def test_void_lists_subsets_examples_and_dumps(public: StoreView) -> None:
    triples = void_description(public, dataset="http://h/void#d", endpoint="http://h/sparql",
                               dumps_url="http://h/dumps/",
                               base_iri="https://w3id.org/civicgraph/")
    by_predicate: dict[str, list[str]] = {}
    for t in triples:
        if t.subject.value == "http://h/void#d":
            by_predicate.setdefault(t.predicate.value, []).append(t.object.value)
    assert PUBLIC in by_predicate[VOID + "subset"]
    assert MEMBERS not in by_predicate[VOID + "subset"]
    assert {f"http://h/dumps/{d.name}" for d in DUMPS} == set(by_predicate[VOID + "dataDump"])
    assert by_predicate[VOID + "exampleResource"]
    assert not any("/person/" in e for e in by_predicate[VOID + "exampleResource"])


def test_dumps_are_written_once_per_version(public: StoreView, tmp_path: Path) -> None:
    cache = DumpCache(tmp_path / "dumps")
    first = cache.get(public, DUMPS[0], 1)
    assert cache.get(public, DUMPS[0], 1) == first
    quads = list(ox.parse(gzip.decompress(first.read_bytes()), format=ox.RdfFormat.N_QUADS))
    assert {q.graph_name.value for q in quads} >= {PUBLIC}
    assert MEMBERS not in {q.graph_name.value for q in quads}
    second = cache.get(public, DUMPS[0], 2)
    assert second != first and not first.exists()
    cache.close()
    assert not (tmp_path / "dumps").exists()


def test_describe_in_both_languages(public: StoreView) -> None:
    fr = describe(public, "https://w3id.org/civicgraph/id/status/active", lang="fr",
                  page_size=10)
    en = describe(public, "https://w3id.org/civicgraph/id/status/active", lang="en")
    assert (fr.label, en.label) == ("Actif", "Active")
    assert fr.incoming_total > 200 and len([v for p in fr.incoming for v in p.values]) == 10
    assert fr.pages == -(-fr.incoming_total // 10)
    # the vocabulary states the concept; the example's usages point at it (incoming links)
    assert [s.graph for s in fr.sources] == ["https://w3id.org/civicgraph/graph/example",
                                             "https://w3id.org/civicgraph/graph/vocabulary"]
    with pytest.raises(NotFound):
        describe(public, "https://w3id.org/civicgraph/id/person/personne-01")


def test_labels_of_picks_one_label_per_language(public: StoreView) -> None:
    labels = labels_of(public, ["https://w3id.org/civicgraph/id/practice/voting"])
    assert labels["https://w3id.org/civicgraph/id/practice/voting"] == {"fr": "Vote",
                                                                        "en": "Voting"}


def test_search_finds_organisations_without_accents(public: StoreView) -> None:
    hits = search(public, "reseau sante", kinds=["organisation"], lang="fr")
    assert hits and hits[0].label.startswith("Réseau Santé")


def test_graphstore_parsing_and_names() -> None:
    with pytest.raises(UnknownFormat):
        graphstore.parse_triples(b"", "application/x-yaml")
    with pytest.raises(RdfSyntaxError) as raised:
        graphstore.parse_triples(b"<http://a> <http://b> .\n", "text/turtle")
    assert raised.value.line == 1
    assert len(graphstore.parse_triples(b"<http://a> <http://b> <http://c> .\n",
                                        "application/n-triples; charset=utf-8")) == 1
    with pytest.raises(InputError):
        graphstore.graph_name("http://g/> } ; DROP ALL ; INSERT DATA { <a")
