"""Fixtures for the ontology tests: the vocabulary graph, the shapes, and a validation helper."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyshacl
import pytest
from rdflib import Graph, Namespace, URIRef

from graph.vocabulary import ontology_dir, shapes_path, vocabulary_files
from tests.support.shapes import SH, Report


@pytest.fixture(scope="session")
def root() -> Path:
    return ontology_dir()


@pytest.fixture(scope="session")
def vocabulary() -> Graph:
    graph = Graph()
    for path in vocabulary_files():
        graph.parse(path, format="turtle")
    return graph


@pytest.fixture(scope="session")
def ontology_graph(root: Path) -> Graph:
    return Graph().parse(root / "civicgraph.ttl", format="turtle")


@pytest.fixture(scope="session")
def shapes() -> dict[str, Graph]:
    return {p: Graph().parse(shapes_path(p), format="turtle") for p in ("core", "public", "meta")}


@pytest.fixture(scope="session")
def validate(vocabulary: Graph, shapes: dict[str, Graph]) -> Callable[..., Report]:
    """Validate a Turtle file (optionally with the vocabulary) against a shapes profile."""

    def run(path: Path | None, profile: str, *, with_vocabulary: bool = True) -> Report:
        data = Graph()
        if with_vocabulary:
            data += vocabulary
        if path is not None:
            data.parse(path, format="turtle")
        conforms, report, text = pyshacl.validate(
            data, shacl_graph=shapes[profile], inference="none", advanced=False
        )
        results = frozenset(
            (
                str(report.value(result, SH.sourceConstraintComponent)).replace(str(SH), "sh:"),
                str(report.value(result, SH.focusNode)),
            )
            for result in report.objects(None, SH.result)
        )
        return Report(bool(conforms), results, str(text))

    return run


@pytest.fixture(scope="session")
def cg() -> Namespace:
    return Namespace("https://w3id.org/civicgraph/ns#")


@pytest.fixture(scope="session")
def ontology_iri() -> URIRef:
    return URIRef("https://w3id.org/civicgraph/ns")
