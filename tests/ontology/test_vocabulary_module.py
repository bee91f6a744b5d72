"""graph/vocabulary.py: where the ontology files are, and the cached vocabulary graph."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import Graph

from graph import vocabulary
from graph.vocabulary import (
    context_path,
    examples,
    ontology_dir,
    shapes_path,
    vocabulary_files,
    vocabulary_triples,
)


def test_ontology_dir_is_the_package_directory() -> None:
    root = ontology_dir()
    assert root.is_dir()
    assert (root / "civicgraph.ttl").is_file()
    assert not (root / "__init__.py").exists()


def test_vocabulary_files_are_the_vocabulary_and_the_schemes_only() -> None:
    root = ontology_dir()
    names = [str(p.relative_to(root)) for p in vocabulary_files()]
    assert names[:3] == ["civicgraph.ttl", "reused.ttl", "alignments.ttl"]
    assert sorted(names[3:]) == names[3:]
    assert {n for n in names[3:]} == {str(p.relative_to(root)) for p in root.glob("schemes/*.ttl")}
    assert len(names) == 3 + 9
    assert not [n for n in names if n.startswith(("shapes", "examples"))]


def test_vocabulary_triples_are_every_triple_of_the_vocabulary_files() -> None:
    triples = vocabulary_triples()
    assert all(isinstance(t, ox.Triple) for t in triples)
    expected = Graph()
    for path in vocabulary_files():
        expected.parse(path, format="turtle")
    assert len(triples) == len(expected)


def test_vocabulary_triples_are_cached_but_returned_as_fresh_lists() -> None:
    first = vocabulary_triples()
    first.clear()
    second = vocabulary_triples()
    assert second
    assert vocabulary._vocabulary_triples.cache_info().hits >= 1


@pytest.mark.parametrize(
    ("profile", "file"),
    [("core", "core.ttl"), ("public", "public-profile.ttl"), ("meta", "meta.ttl")],
)
def test_shapes_path(profile: str, file: str) -> None:
    path = shapes_path(profile)  # type: ignore[arg-type]
    assert path == ontology_dir() / "shapes" / file
    assert path.is_file()


def test_unknown_shapes_profile_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown shapes profile 'private'"):
        shapes_path("private")  # type: ignore[arg-type]


def test_context_path() -> None:
    assert context_path().name == "context.jsonld"
    assert context_path().is_file()


@pytest.mark.parametrize("kind", ["valid", "invalid"])
def test_examples(kind: str) -> None:
    paths = examples(kind)  # type: ignore[arg-type]
    assert len(paths) >= 10
    assert paths == sorted(paths)
    assert all(p.parent.name == kind and p.suffix == ".ttl" for p in paths)


def test_unknown_example_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown example kind"):
        examples("broken")  # type: ignore[arg-type]
