"""Fixtures for the ontology tests: the vocabulary graph, the shapes, and a validation helper."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyshacl
import pytest
from rdflib import Graph, Namespace, URIRef

from graph.vocabulary import ontology_dir, shapes_path, vocabulary_files

SH = Namespace("http://www.w3.org/ns/shacl#")
EXPECT = re.compile(r"^# expect: (\S+) on <([^>]+)>\s*$", re.MULTILINE)


@dataclass(frozen=True)
class Report:
    """The outcome of one pyshacl run: conformance, top-level (component, focus) pairs, text."""

    conforms: bool
    results: frozenset[tuple[str, str]]
    text: str


def expectations(path: Path) -> frozenset[tuple[str, str]]:
    """The ``# expect: sh:Component on <focus>`` lines of an invalid example."""
    return frozenset(EXPECT.findall(path.read_text(encoding="utf-8")))


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
